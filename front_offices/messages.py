"""What visits tell people, and when: the services call these inside their own transaction, like
events/messages.py. Every message is about one visit (subject "front_offices.visit", its id), so
cancelling or moving one person's reminders touches nobody else's. Texts are rendered by the
sweep in the volunteer's language, times in Almaty."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notifications.services import (
    message_schedule,
    messages_cancel,
    messages_schedule_reminders,
    messages_schedule_with_reminders,
    reminder_times,
)

from .models import Visit

SUBJECT_TYPE = "front_offices.visit"
REMINDER_KINDS = ("visit_reminder_24h", "visit_reminder_1h")


def _reminders(starts_at: datetime.datetime) -> list[tuple[str, datetime.datetime]]:
    return reminder_times(starts_at, REMINDER_KINDS, settings.VISIT_REMINDER_HOURS)


def visit_context(visit: Visit, *, note: str = "") -> dict[str, Any]:
    office = visit.office
    # The visit's page asks its owner to log in: someone without an account (booked at the
    # office or by its staff) would be sent to a login they cannot pass. Theirs is the office's
    # page, with its address and hours.
    # A closed office has no page (it answers "not found"): they are sent to the list of the
    # offices that are open, to find another.
    if visit.volunteer.user_id is not None:
        page = reverse("front_offices:visit", args=[visit.pk])
    elif office.is_active:
        page = reverse("front_offices:detail", args=[office.pk])
    else:
        page = reverse("front_offices:list")
    return {
        "office": office.name,
        "place": office.address,
        "starts_at": timezone.localtime(visit.starts_at, timezone.get_default_timezone()),
        "note": note,
        "url": settings.SITE_URL + page,
    }


def _schedule(
    visit: Visit, kind: str, *, due_at: datetime.datetime, context: dict[str, Any], **kw: Any
) -> None:
    message_schedule(
        recipient=visit.volunteer,
        kind=kind,
        subject_type=SUBJECT_TYPE,
        subject_id=visit.pk,
        due_at=due_at,
        context=context,
        **kw,
    )


def _schedule_reminders(visit: Visit, context: dict[str, Any]) -> None:
    messages_schedule_reminders(
        recipient=visit.volunteer,
        subject_type=SUBJECT_TYPE,
        subject_id=visit.pk,
        context=context,
        starts_at=visit.starts_at,
        reminders=_reminders(visit.starts_at),
    )


def visit_booked(visit: Visit) -> None:
    # A new visit has no messages yet: all of them in one INSERT (the busiest write path).
    messages_schedule_with_reminders(
        recipient=visit.volunteer,
        subject_type=SUBJECT_TYPE,
        subject_id=visit.pk,
        context=visit_context(visit),
        first="visit_booked",
        starts_at=visit.starts_at,
        reminders=_reminders(visit.starts_at),
    )


def visit_moved(visit: Visit) -> None:
    """A new time: the old reminders are dropped, new ones scheduled, and the person told."""
    now = timezone.now()
    messages_cancel(subject_type=SUBJECT_TYPE, subject_id=visit.pk, kinds=[*REMINDER_KINDS, "visit_moved"])
    context = visit_context(visit)
    _schedule(visit, "visit_moved", due_at=now, context=context)
    _schedule_reminders(visit, context)


def visits_office_changed(visits: list[Visit]) -> None:
    """The office's name or address has changed: the reminders still to go out for `visits`
    (booked, not begun) carry the new ones, or people would be reminded to come to the old
    address. Scheduling a reminder again for its slot refreshes a waiting one's text."""
    for visit in visits:
        _schedule_reminders(visit, visit_context(visit))


def visit_cancelled(visit: Visit, *, reason: str = "", tell: bool = True) -> None:
    """Whatever of the visit has not gone out is dropped; the person is told unless they
    cancelled it themselves (`tell=False`), with the office's reason when it gave one."""
    messages_cancel(subject_type=SUBJECT_TYPE, subject_id=visit.pk)
    if tell:
        _schedule(visit, "visit_cancelled", due_at=timezone.now(), context=visit_context(visit, note=reason))


def visit_settled(visit: Visit) -> None:
    """The person came (or did not): reminders still waiting are dropped."""
    messages_cancel(subject_type=SUBJECT_TYPE, subject_id=visit.pk, kinds=list(REMINDER_KINDS))
