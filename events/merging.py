"""Two records of one person merged (volunteers.services.volunteer_merge): their sign-ups for the
same shift are settled here, by the sign-ups' own rules, before the rows move to the kept record.

Left to the generic move, the kept record's sign-up of such a pair stays and the other is deleted,
whatever it held: an attendance marked on the record being dropped went with its hours, and the
shift went on counting two places taken for one person. Registered in EventsConfig.ready()."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from volunteers.extensions import held_by_both
from volunteers.models import Volunteer

from . import messages as event_messages
from .models import Shift, Signup, TransportRequest
from .services import TAKEN, _lock_waitlist, _promote, _transport_cancel_open

# Which of a pair stays: the one that says most about what happened.
RANK = {Signup.Status.ATTENDED: 3, Signup.Status.CONFIRMED: 2, Signup.Status.WAITLISTED: 1}


def _staying(pair: list[Signup]) -> Signup:
    """Attended before confirmed before waitlisted; of two attended, the one with more hours; else
    the earlier sign-up (its place on a waitlist is the person's real one)."""
    return min(
        pair, key=lambda s: (-RANK[Signup.Status(s.status)], -(s.hours or Decimal(0)), s.created_at, s.pk)
    )


def signups_merge(*, kept: Volunteer, dropped: Volunteer, by: User | None) -> list[Signup]:
    """For each shift both records hold an active sign-up on, keep one (`_staying`) and cancel the
    other: a place it held is given back and goes to the waitlist as on any cancellation, what
    of it had not been sent (reminders) is dropped, and a lift asked for on it moves to the one
    that stays if that one has none. Returns the sign-ups cancelled.

    Runs with both volunteers' rows locked by the merge, then locks each shift in id order."""
    now = timezone.now()
    shift_ids = held_by_both(
        Signup.objects.filter(status__in=Signup.ACTIVE), "shift_id", kept=kept, dropped=dropped
    )
    cancelled: list[Signup] = []
    for shift_id in shift_ids:
        shift = Shift.objects.select_for_update().get(pk=shift_id)
        pair = list(
            Signup.objects.select_for_update(no_key=True)
            .filter(shift=shift, volunteer__in=[kept, dropped], status__in=Signup.ACTIVE)
            .order_by("pk")
        )
        if len(pair) < 2:
            continue
        staying = _staying(pair)
        leaving = [signup for signup in pair if signup.pk != staying.pk]
        freed = sum(signup.status in TAKEN for signup in leaving)
        # The waitlist's people are locked before any write a trigger rolls into the report
        # summaries, as every cancellation does (`_lock_waitlist`).
        waiting = _lock_waitlist(shift) if freed else []
        for signup in leaving:
            signup.status = Signup.Status.CANCELLED
            signup.cancelled_at = now
            signup.cancelled_by = by
            signup.save(update_fields=["status", "cancelled_at", "cancelled_by"])
            lift = TransportRequest.objects.filter(signup=signup, status__in=TransportRequest.OPEN)
            if not TransportRequest.objects.filter(signup=staying).exists():
                lift.update(signup=staying, updated_at=now)
            else:
                _transport_cancel_open(lift, now=now)
            event_messages.signup_dropped(signup)
            cancelled.append(signup)
        if freed:
            # Counted again rather than decremented: the places the shift holds are its rows'.
            shift.taken_places = Signup.objects.filter(shift=shift, status__in=TAKEN).count()
            shift.save(update_fields=["taken_places"])
            _promote(shift, places=min(freed, shift.capacity - shift.taken_places), now=now, waiting=waiting)
    return cancelled
