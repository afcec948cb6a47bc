"""A person on file twice, with a sign-up for the same shift on each record, merged into one: the
sign-up that says most stays (attended, with its hours), the other is cancelled, and the shift's
places, its waitlist, the person's reminders and their lift come out as for one person.

The merge deleted the dropped record's sign-up of such a pair whatever it held, so an attendance
marked on it went with its hours, and the shift counted two places taken for one person."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from events import services
from events.models import Shift, Signup, TransportRequest
from notifications.models import Message
from tests.events.factories import ShiftFactory
from tests.factories import VolunteerFactory
from volunteers import services as volunteer_services
from volunteers.extensions import volunteer_total_hours

pytestmark = pytest.mark.django_db


def _twice(almaty):  # type: ignore[no-untyped-def]
    return (
        VolunteerFactory(region=almaty, phone="+77015551234"),
        VolunteerFactory(region=almaty, phone="+77015559999"),
    )


def _places_held(shift: Shift) -> int:
    return Signup.objects.filter(shift=shift, status__in=services.TAKEN).count()


def test_an_attendance_marked_on_the_dropped_record_stays_with_its_hours(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    kept, dropped = _twice(almaty)
    shift = ShiftFactory()
    services.signup_create(shift=shift, volunteer=kept, by=alice)
    on_dropped = services.signup_create(shift=shift, volunteer=dropped, by=alice)
    # The shift began an hour ago; the coordinator found the person under the second record.
    began = timezone.now() - datetime.timedelta(hours=1)
    Shift.objects.filter(pk=shift.pk).update(starts_at=began, ends_at=began + datetime.timedelta(hours=3))
    services.signup_check_in(signup=on_dropped, by=alice)
    assert volunteer_total_hours(dropped) == Decimal(3)

    volunteer_services.volunteer_merge(keep=kept, drop=dropped, by=alice)

    active = Signup.objects.filter(volunteer=kept, shift=shift, status__in=Signup.ACTIVE)
    assert [(s.pk, s.status, s.hours) for s in active] == [
        (on_dropped.pk, Signup.Status.ATTENDED, Decimal(3))
    ]
    assert volunteer_total_hours(kept) == Decimal(3)
    shift.refresh_from_db()
    assert shift.taken_places == _places_held(shift) == 1


def test_two_places_on_an_upcoming_shift_become_one_and_the_other_goes_to_the_waitlist(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    kept, dropped = _twice(almaty)
    waiting = VolunteerFactory(region=almaty)
    shift = ShiftFactory(capacity=2, waitlist_enabled=True)
    first = services.signup_create(shift=shift, volunteer=dropped, by=alice)
    second = services.signup_create(shift=shift, volunteer=kept, by=alice)
    assert services.signup_create(shift=shift, volunteer=waiting, by=alice).status == Signup.Status.WAITLISTED

    volunteer_services.volunteer_merge(keep=kept, drop=dropped, by=alice)

    # The earlier sign-up stays; the later one is cancelled and its place taken from the waitlist.
    statuses = dict(Signup.objects.filter(shift=shift).values_list("pk", "status"))
    assert statuses[first.pk] == Signup.Status.CONFIRMED
    assert statuses[second.pk] == Signup.Status.CANCELLED
    assert Signup.objects.get(shift=shift, volunteer=waiting).status == Signup.Status.CONFIRMED
    shift.refresh_from_db()
    assert shift.taken_places == _places_held(shift) == 2
    # One person, one set of reminders: the cancelled sign-up's are called off.
    waiting_messages = Message.objects.filter(
        recipient=kept, subject_type="events.signup", status=Message.Status.PENDING
    )
    assert set(waiting_messages.values_list("subject_id", flat=True)) == {first.pk}
    assert waiting_messages.filter(kind=Message.Kind.SHIFT_REMINDER_24H).count() == 1


def test_a_lift_asked_for_under_the_cancelled_sign_up_moves_to_the_one_that_stays(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    kept, dropped = _twice(almaty)
    shift = ShiftFactory()
    staying = services.signup_create(shift=shift, volunteer=kept, by=alice)
    leaving = services.signup_create(shift=shift, volunteer=dropped, by=alice)
    TransportRequest.objects.create(signup=leaving, pickup="Сайран аялдамасы")

    volunteer_services.volunteer_merge(keep=kept, drop=dropped, by=alice)

    lift = TransportRequest.objects.get()
    assert lift.signup_id == staying.pk and lift.status == TransportRequest.Status.PENDING
    assert Signup.objects.get(pk=leaving.pk).status == Signup.Status.CANCELLED
