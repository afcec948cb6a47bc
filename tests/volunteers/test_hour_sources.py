"""A person's hours are the sum of every registered source (shifts from events, help requests
from care), wherever the total is shown: the profile, the roster's detail and the API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from volunteers import extensions

pytestmark = pytest.mark.django_db


def test_events_and_care_register_their_sources() -> None:
    assert [key for key, _ in extensions.HOUR_SOURCES][:2] == ["shifts", "care"]


def test_total_adds_every_source_and_shows_everywhere(monkeypatch, alice, bob) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import client_for

    sources = [("shifts", lambda v: Decimal("1.50")), ("care", lambda v: Decimal("2.25"))]
    monkeypatch.setattr(extensions, "HOUR_SOURCES", sources)
    assert extensions.volunteer_total_hours(bob) == Decimal("3.75")
    assert client_for(alice).get(f"/api/volunteers/{bob.pk}/").json()["hours"] == "3.75"
    assert client_for(alice).get(f"/api/volunteers/{bob.pk}/hours/").json()["hours"] == "3.75"
    profile = client_for(bob.user).get("/me/").content.decode()
    assert "3,75" in profile.split('id="volunteer-hours"')[1][:500]


def test_registering_twice_keeps_one() -> None:
    before = list(extensions.HOUR_SOURCES)
    extensions.register_hour_source("shifts", lambda v: Decimal("9"))
    assert extensions.HOUR_SOURCES == before
