"""The staff's request list with a ?region= that is no id the database holds (past its 64-bit
integer, the region filter overflowed: a 500 on SQLite): the filter is ignored, as for "abc"."""

from __future__ import annotations

import pytest

from tests.conftest import client_for
from volunteer_net.forms import MAX_BIGINT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("region", ["99999999999999999999999", str(MAX_BIGINT + 1), "-1", "abc", "9" * 5000])
def test_a_region_that_is_no_id_is_ignored(nora, request_almaty, region: str) -> None:  # type: ignore[no-untyped-def]
    response = client_for(nora).get("/care/requests/", {"region": region})
    assert response.status_code == 200
    assert response.context["filters"].region is None
    assert [r.pk for r in response.context["page"]] == [request_almaty.pk]


def test_a_region_id_still_filters(nora, request_almaty, almaty, astana) -> None:  # type: ignore[no-untyped-def]
    client = client_for(nora)
    assert [r.pk for r in client.get("/care/requests/", {"region": almaty.pk}).context["page"]] == [
        request_almaty.pk
    ]
    assert list(client.get("/care/requests/", {"region": astana.pk}).context["page"]) == []
