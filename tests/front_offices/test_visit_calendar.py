"""A visit's calendar file, opened again after the visit changed, as a phone's calendar reads it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db.models import F

from front_offices import services
from front_offices.models import Visit
from tests.conftest import client_for

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _event(client, visit) -> dict[str, str]:  # type: ignore[no-untyped-def]
    text = client.get(f"/front-offices/visits/{visit.pk}/visit.ics").content.decode()
    return dict(re.findall(r"^([A-Z-]+):(.*)\r$", text, re.M))


def test_a_moved_then_cancelled_visit_comes_with_a_higher_sequence_each_time(almaty, bob) -> None:  # type: ignore[no-untyped-def]
    """Outlook and Google keep the first copy of an event's UID unless its SEQUENCE is higher:
    the file opened again after a move showed the old time."""
    office = make_office()
    day = next_weekday(1, after=2)
    visit = services.visit_book(slot=slot_at(office, day, 18), volunteer=bob, purpose="consultation", by=None)
    # Booked two hours ago, moved an hour ago, cancelled now.
    Visit.objects.filter(pk=visit.pk).update(created_at=F("created_at") - 2 * HOUR)
    client = client_for(bob.user)
    booked = _event(client, visit)
    assert booked["SEQUENCE"] == "0"

    services.visit_reschedule(visit=visit, to_slot=slot_at(office, day, 19), by=bob.user)
    Visit.objects.filter(pk=visit.pk).update(moved_at=F("moved_at") - HOUR)
    moved = _event(client, visit)
    assert moved["UID"] == booked["UID"] and moved["DTSTART"] != booked["DTSTART"]
    assert int(moved["SEQUENCE"]) > int(booked["SEQUENCE"])
    assert moved["LAST-MODIFIED"] > booked["LAST-MODIFIED"]

    services.visit_cancel(visit=visit, by=bob.user)
    cancelled = _event(client, visit)
    assert cancelled["STATUS"] == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > int(moved["SEQUENCE"])
    assert cancelled["LAST-MODIFIED"] > moved["LAST-MODIFIED"]
