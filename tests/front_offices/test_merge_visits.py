"""A person on file twice, with a visit in the same slot under each record, merged into one: one
visit stays (arrived before booked; else the earlier booking), the other is cancelled without a
message, the slot counts one place for the person, and one set of reminders is left.

The merge deleted the dropped record's visit of such a pair whatever it held, and the slot went on
counting two places taken."""

from __future__ import annotations

from typing import Any

import pytest

from front_offices import services
from front_offices.models import Visit, VisitSlot
from notifications.models import Message
from tests.factories import VolunteerFactory
from volunteers import services as volunteer_services

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db


def _twice(almaty: Any) -> tuple[Any, Any]:
    return (
        VolunteerFactory(region=almaty, phone="+77015551234"),
        VolunteerFactory(region=almaty, phone="+77015559999"),
    )


def _book(slot: VisitSlot, volunteer: Any) -> Visit:
    return services.visit_book(slot=slot, volunteer=volunteer, purpose="consultation", by=None)


def test_two_bookings_in_one_slot_become_one(alice: Any, almaty: Any) -> None:
    kept, dropped = _twice(almaty)
    slot = slot_at(make_office(capacity=3), next_weekday(0, after=2), 14)
    first, second = _book(slot, dropped), _book(slot, kept)
    sent_at_booking = set(
        Message.objects.filter(subject_type="front_offices.visit").values_list("pk", flat=True)
    )

    volunteer_services.volunteer_merge(keep=kept, drop=dropped, by=alice)

    assert Visit.objects.get(pk=first.pk).status == Visit.Status.BOOKED
    assert Visit.objects.get(pk=second.pk).status == Visit.Status.CANCELLED
    slot.refresh_from_db()
    assert slot.taken == Visit.objects.filter(slot=slot).exclude(status=Visit.Status.CANCELLED).count() == 1
    waiting = Message.objects.filter(
        recipient=kept, status=Message.Status.PENDING, subject_type="front_offices.visit"
    )
    assert set(waiting.values_list("subject_id", flat=True)) == {first.pk}
    # Nobody is told their visit was cancelled: they keep it.
    assert (
        not Message.objects.exclude(pk__in=sent_at_booking).filter(kind=Message.Kind.VISIT_CANCELLED).exists()
    )


def test_an_arrival_recorded_under_the_dropped_record_stays(alice: Any, almaty: Any) -> None:
    kept, dropped = _twice(almaty)
    slot = slot_at(make_office(capacity=3), next_weekday(0, after=2), 15)
    booked, came = _book(slot, kept), _book(slot, dropped)
    # As the desk records it (front_offices.services.visit_mark, tested in test_check_in.py).
    Visit.objects.filter(pk=came.pk).update(status=Visit.Status.ARRIVED)

    volunteer_services.volunteer_merge(keep=kept, drop=dropped, by=alice)

    active = Visit.objects.filter(volunteer=kept).exclude(status=Visit.Status.CANCELLED)
    assert [(v.pk, v.status) for v in active] == [(came.pk, Visit.Status.ARRIVED)]
    assert Visit.objects.get(pk=booked.pk).status == Visit.Status.CANCELLED
    slot.refresh_from_db()
    assert slot.taken == 1
