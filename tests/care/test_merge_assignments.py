"""A person on file twice, assigned to the same help request under each record, merged into one:
the assignment that says most stays (done, with its hours), the other is withdrawn, the request
counts the person's hands once, and a request nobody else is still to do is done.

The merge deleted the dropped record's assignment of such a pair whatever it held, so help done
under it lost its hours and the request counted two people going."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from care import services
from care.models import Assignment, HelpRequest
from notifications.models import Message
from tests.factories import VolunteerFactory
from volunteers import services as volunteer_services
from volunteers.extensions import volunteer_total_hours

pytestmark = pytest.mark.django_db


def _twice(almaty):  # type: ignore[no-untyped-def]
    return (
        VolunteerFactory(region=almaty, phone="+77015551234"),
        VolunteerFactory(region=almaty, phone="+77015559999"),
    )


def test_help_done_under_the_dropped_record_stays_with_its_hours(alice, almaty, request_almaty) -> None:  # type: ignore[no-untyped-def]
    kept, dropped = _twice(almaty)
    waiting = services.assignment_volunteer(request=request_almaty, volunteer=kept, by=alice)
    went = services.assignment_volunteer(request=request_almaty, volunteer=dropped, by=alice)
    HelpRequest.objects.filter(pk=request_almaty.pk).update(
        due_from=timezone.now() - datetime.timedelta(hours=1)
    )
    services.assignment_done(assignment=went, hours="2", note="Дәрі әкелінді", by=alice)
    request_almaty.refresh_from_db()
    assert request_almaty.status != HelpRequest.Status.DONE  # still waiting for "the other" person

    volunteer_services.volunteer_merge(keep=kept, drop=dropped, by=alice)

    active = Assignment.objects.filter(volunteer=kept, status__in=Assignment.ACTIVE)
    assert [(a.pk, a.status, a.hours) for a in active] == [(went.pk, Assignment.Status.DONE, Decimal(2))]
    assert Assignment.objects.get(pk=waiting.pk).status == Assignment.Status.WITHDRAWN
    assert volunteer_total_hours(kept) == Decimal(2)
    request_almaty.refresh_from_db()
    assert request_almaty.taken_hands == 1
    assert request_almaty.status == HelpRequest.Status.DONE
    assert request_almaty.outcome_note == "Дәрі әкелінді"


def test_two_confirmed_become_one_and_the_second_reminder_is_called_off(
    alice, almaty, request_almaty
) -> None:  # type: ignore[no-untyped-def]
    kept, dropped = _twice(almaty)
    first = services.assignment_volunteer(request=request_almaty, volunteer=dropped, by=alice)
    second = services.assignment_volunteer(request=request_almaty, volunteer=kept, by=alice)

    volunteer_services.volunteer_merge(keep=kept, drop=dropped, by=alice)

    assert Assignment.objects.get(pk=first.pk).status == Assignment.Status.CONFIRMED
    assert Assignment.objects.get(pk=second.pk).status == Assignment.Status.WITHDRAWN
    request_almaty.refresh_from_db()
    assert (request_almaty.taken_hands, request_almaty.status) == (1, HelpRequest.Status.ASSIGNED)
    pending = Message.objects.filter(
        recipient=kept, subject_type="care.assignment", status=Message.Status.PENDING
    ).values_list("subject_id", flat=True)
    assert second.pk not in set(pending)
