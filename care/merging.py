"""Two records of one person merged (volunteers.services.volunteer_merge): their assignments to the
same help request are settled here, before the rows move to the kept record.

Left to the generic move, the kept record's assignment of such a pair stays and the other is
deleted, whatever it held: a request done under the record being dropped lost its hours, and the
request went on counting the person's hands twice. Registered in CareConfig.ready()."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from volunteers.extensions import held_by_both
from volunteers.models import Volunteer

from . import messages as care_messages
from .models import Assignment, HelpRequest
from .services import _done_when_nobody_waits, _free, _lock_request

# Which of a pair stays: the one that says most about what happened.
RANK = {Assignment.Status.DONE: 3, Assignment.Status.CONFIRMED: 2, Assignment.Status.OFFERED: 1}


def _staying(pair: list[Assignment]) -> Assignment:
    """Done before confirmed before offered; of two done, the one with more hours; else the
    earlier one."""
    return min(
        pair,
        key=lambda a: (-RANK[Assignment.Status(a.status)], -(a.hours or Decimal(0)), a.created_at, a.pk),
    )


def assignments_merge(*, kept: Volunteer, dropped: Volunteer, by: User | None) -> list[Assignment]:
    """For each request both records are assigned to, keep one (`_staying`) and withdraw the other:
    the hands it held are freed, what of it had not been sent (a reminder) is dropped, and a
    request left with nobody still to go is done.
    Returns the assignments withdrawn. Each request is locked, in id order, before its
    assignments: the care services' lock order."""
    request_ids = held_by_both(
        Assignment.objects.filter(status__in=Assignment.ACTIVE), "request_id", kept=kept, dropped=dropped
    )
    withdrawn: list[Assignment] = []
    for request_id in request_ids:
        request = _lock_request(request_id)
        pair = list(
            Assignment.objects.select_for_update(no_key=True)
            .filter(request=request, volunteer__in=[kept, dropped], status__in=Assignment.ACTIVE)
            .order_by("pk")
        )
        if len(pair) < 2:
            continue
        staying = _staying(pair)
        for assignment in pair:
            if assignment.pk == staying.pk:
                continue
            if assignment.status in Assignment.TAKING:
                _free(request, assignment.hands)
            assignment.status = Assignment.Status.WITHDRAWN
            assignment.save(update_fields=["status"])
            care_messages.assignment_withdrawn(assignment)
            withdrawn.append(assignment)
        # The person did their part under one record while the other still waited to: with the
        # waiting one gone, a request nobody else is still to do is done, as on any last "done".
        if staying.status == Assignment.Status.DONE and request.status in HelpRequest.OPEN:
            _done_when_nobody_waits(request, now=staying.done_at or timezone.now(), note=staying.note)
    return withdrawn
