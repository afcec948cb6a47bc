"""'Download my data' writes every moment with Almaty's offset, as the API does: the profile's own
part and the certificates (tests/reports/test_certificate_erasure.py) gave UTC (+00:00) beside
the other sections' +05:00, so one file read one moment two ways."""

from __future__ import annotations

import json

import pytest

from tests.conftest import client_for
from volunteers import services

pytestmark = pytest.mark.django_db


def test_every_moment_carries_almatys_offset(bob) -> None:  # type: ignore[no-untyped-def]
    services.volunteer_update(volunteer=bob, changed_by=bob.user, data={"available_evenings": True})
    data = client_for(bob.user).get("/me/data.json").json()
    assert data["exported_at"].endswith("+05:00")
    assert data["account"]["date_joined"].endswith("+05:00")
    assert data["volunteer"]["created_at"].endswith("+05:00")
    assert data["volunteer"]["changes"] and all(
        c["at"].endswith("+05:00") for c in data["volunteer"]["changes"]
    )
    assert "+00:00" not in json.dumps(data)
