"""A person on file twice and merged keeps all of their history on the record that stays: the
hours (tests/reports/test_numbers_agree.py) and who saw their personal data under either record."""

from __future__ import annotations

import pytest

from tests.conftest import client_for
from tests.factories import VolunteerFactory
from volunteers import services

pytestmark = pytest.mark.django_db


def test_the_trail_of_the_merged_record_shows_on_the_kept_one(alice, nora, almaty) -> None:  # type: ignore[no-untyped-def]
    kept = VolunteerFactory(region=almaty, phone="+77015551234")
    dropped = VolunteerFactory(region=almaty, phone="+77015559999")
    nora.full_name = "Нұргүл Әбенова"
    nora.save()
    client_for(nora).get(f"/roster/{dropped.pk}/")  # seen under the record that goes
    services.volunteer_merge(keep=kept, drop=dropped, by=alice)
    response = client_for(alice).get(f"/roster/{kept.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    trail = [(e.actor, e.detail["where"]) for e in response.context["trail"]]
    assert (nora, "roster") in trail
    html = response.content.decode()
    assert "Нұргүл Әбенова" in html[html.index('id="audit-trail"') :]
