"""Two records of one person merged (volunteers.services.volunteer_merge): their visits booked in
the same slot are settled here, before the rows move to the kept record.

Left to the generic move, the kept record's visit of such a pair stays and the other is deleted,
whatever it held: an arrival recorded under the record being dropped went with its outcome, and
the slot went on counting two places taken for one person. Registered in FrontOfficesConfig."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from volunteers.extensions import held_by_both
from volunteers.models import Volunteer

from . import messages as visit_messages
from .models import Visit
from .services import _lock_slot, _take

# Which of a pair stays: the one that says most about what happened.
RANK = {Visit.Status.ARRIVED: 3, Visit.Status.BOOKED: 2, Visit.Status.NO_SHOW: 1}


def visits_merge(*, kept: Volunteer, dropped: Volunteer, by: User | None) -> list[Visit]:
    """For each slot both records hold a visit in, keep one (arrived before booked before did not
    come; else the earlier booking) and cancel the other: its place in the slot is freed and
    what of it had not been sent (reminders) is dropped, without a message (the person keeps
    their visit). Returns the visits cancelled. The visits are locked before their slot, as a
    cancellation locks them."""
    now = timezone.now()
    slot_ids = held_by_both(
        Visit.objects.filter(status__in=Visit.ACTIVE, slot__isnull=False),
        "slot_id",
        kept=kept,
        dropped=dropped,
    )
    cancelled: list[Visit] = []
    for slot_id in slot_ids:
        pair = list(
            Visit.objects.select_for_update(of=("self",))
            .filter(slot_id=slot_id, volunteer__in=[kept, dropped], status__in=Visit.ACTIVE)
            .order_by("pk")
        )
        if len(pair) < 2:
            continue
        slot = _lock_slot(slot_id)
        staying = min(pair, key=lambda v: (-RANK[Visit.Status(v.status)], v.created_at, v.pk))
        for visit in pair:
            if visit.pk == staying.pk:
                continue
            _take(slot, -1)
            visit.status, visit.cancelled_at = Visit.Status.CANCELLED, now
            visit.save(update_fields=["status", "cancelled_at"])
            visit_messages.visit_cancelled(visit, tell=False)
            cancelled.append(visit)
    return cancelled
