"""Visit messages end to end: a booking and a blocked slot go through notifications/ to a real
Celery worker on Redis, which sends them in the volunteer's language."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from front_offices import services
from tests.factories import UserFactory, VolunteerFactory
from tests.notifications.backends import deliveries
from tests.notifications.test_worker import Processes, processes, wait_for  # noqa: F401

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_booking_and_blocking_reach_the_volunteer_through_a_worker(processes: Processes) -> None:  # noqa: F811
    processes.worker("w1")
    office = make_office(name="Алматы фронт-офисі")
    person = VolunteerFactory(preferred_language="kk", first_name="Әлия")
    day = next_weekday(2, after=3)
    slot = slot_at(office, day, 18)
    services.visit_book(slot=slot, volunteer=person, purpose="consultation", by=None)
    wait_for(lambda: deliveries(processes.mail_dir), timeout=30, what="the booking confirmation")
    [booked] = [d for found in deliveries(processes.mail_dir).values() for d in found]
    assert booked["to"] == [person.email]
    assert "Алматы фронт-офисі" in booked["subject"] and "18:00" in booked["body"]

    tz = timezone.get_default_timezone()
    services.slots_block(
        office=office,
        starts_at=datetime.datetime.combine(day, datetime.time(17), tzinfo=tz),
        ends_at=datetime.datetime.combine(day, datetime.time(20), tzinfo=tz),
        reason="Жиналыс залы жөнделуде",
        by=UserFactory(),
    )
    wait_for(lambda: len(deliveries(processes.mail_dir)) == 2, timeout=30, what="the cancellation")
    bodies = [d["body"] for found in deliveries(processes.mail_dir).values() for d in found]
    assert any("Жиналыс залы жөнделуде" in body for body in bodies)
