"""Writes for front offices: office details, visit slots, bookings and the staff's day.

Capacity is the database's to keep: a booking locks its slot's row (SELECT … FOR UPDATE) before it
reads the count, and the CHECK constraint `slot_taken_within_capacity` refuses any write that
would overfill it, should a path ever bypass the lock. A person's row is locked too, so that their
limit of future visits and a reschedule are decided one request at a time.

The lock order: the person, then the office, then the visits, then the slots (each kind in id
order when several are locked at once). A booking, or a move into an office, holds the office's
row shared (`_hold_office`) before its slot, so that closing the office (its row locked for the
update) waits for the bookings under way and they for it; a cancellation locks its visit and then
its slot, a move the person, the visit and then both slots; blocking slots locks the visits booked
in them before the slots (`_lock_block`), and closing an office its upcoming visits before their
slots (`office_closed_visits_cancel`). Taken the other way round by two requests at once, each
would wait for the other, and PostgreSQL would end one of them with a deadlock error (a 503 to
its user).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import services as accounts_services
from accounts.models import User
from volunteer_net.dates import when_text
from volunteers.models import Volunteer
from volunteers.services import (
    PaperConsent,
    volunteer_create,
    volunteer_lock_own,
    volunteer_lock_to_take_part,
    volunteer_own,
)
from volunteers.validators import normalize_phone

from . import messages as visit_messages
from . import selectors
from .models import FrontOffice, OpeningHours, Purpose, ScheduleException, Visit, VisitSlot
from .schedule import is_evening, is_weekend, public_holidays, slot_times_between

# What a coordinator may change. The region and the staff are national staff's decision.
EDITABLE_FIELDS = (
    "name",
    "address",
    "latitude",
    "longitude",
    "phone",
    "email",
    "services",
    "visit_minutes",
    "visitors_at_once",
    "languages",
    "accessibility",
    "is_active",
)


@transaction.atomic
def front_office_update(*, office: FrontOffice, data: dict[str, Any], by: User | None = None) -> FrontOffice:
    """Update an office's details; other keys are ignored.

    Validated by the model (phone in E.164, the point inside Kazakhstan) before saving. An office
    closed here (`is_active` off) cancels its upcoming visits (`office_closed_visits_cancel`).
    """
    locked = FrontOffice.objects.select_for_update().get(pk=office.pk)
    was_active = locked.is_active
    slotting = (locked.visit_minutes, locked.visitors_at_once)
    told = (locked.name, locked.address)
    fields = [field for field in EDITABLE_FIELDS if field in data]
    for field in fields:
        setattr(locked, field, data[field])
    locked.full_clean()
    locked.save(update_fields=fields)
    if was_active and not locked.is_active:
        office_closed_visits_cancel(office=locked, by=by)
    elif locked.is_active and (slotting != (locked.visit_minutes, locked.visitors_at_once) or not was_active):
        # The slots follow at once, as they follow the hours: a new visit length or number of
        # visitors at once was otherwise offered only after the next hourly sync, the old places
        # booked meanwhile.
        office_slots_resync(office=locked)
    if locked.is_active and told != (locked.name, locked.address):
        office_reminders_refresh(office=locked)
    # Keep the caller's instance in step with what was saved.
    office.refresh_from_db()
    return locked


def office_reminders_refresh(*, office: FrontOffice) -> None:
    """After the office's name or address changed: the reminders of its visits booked and not
    begun say the new ones (the reminders' texts are written when the visit is booked)."""
    visits = list(
        Visit.objects.filter(office=office, status=Visit.Status.BOOKED, starts_at__gt=timezone.now())
        .select_related("volunteer")
        .order_by("pk")
    )
    for visit in visits:
        visit.office = office
    visit_messages.visits_office_changed(visits)


@transaction.atomic
def office_staff_removed(*, users: Iterable[User]) -> None:
    """People taken off an office's staff (or whose office was deleted) lose their API tokens
    (accounts.services.user_rights_reduced), as a coordinator does with a region: the staff
    read the visitors' names and phones, and a token that outlived the role would come back to
    life with it."""
    for user in users:
        accounts_services.user_rights_reduced(user=user)


@transaction.atomic
def office_closed_visits_cancel(*, office: FrontOffice, by: User | None) -> list[Visit]:
    """A closed office receives nobody: each visit booked there that has not begun is cancelled
    as `visit_cancel` cancels one (its place freed, its reminders dropped) and the person is told
    once, in their own language, that the office has closed. Otherwise they would be reminded of,
    and come to, a visit at an office that no longer opens. Returns the cancelled visits.

    The visits are locked all at once, in id order, then their slots (the lock order), each row
    once: they used to be locked and read here and then again by `visit_cancel`, one by one."""
    visits, slots = _lock_to_cancel(
        Visit.objects.filter(office=office, status=Visit.Status.BOOKED, starts_at__gt=timezone.now())
    )
    for visit in visits:
        with translation.override(visit.volunteer.preferred_language or settings.LANGUAGE_CODE):
            reason = _("The front office has closed.")
        _cancel_locked(visit, slot=_slot_of(visit, slots), by=by, reason=reason)
    return visits


def _lock_to_cancel(visits: QuerySet[Visit]) -> tuple[list[Visit], dict[int, VisitSlot]]:
    """Lock `visits` all at once, in id order, then their slots in id order (the module's lock
    order, as a block takes them), and read each row once; the visits in order of time, the slots
    by id. Cancelled one by one, each visit and then its slot, in order of time, a person's two
    visits of one day were locked against the id order a block of that day takes them in, and the
    two deadlocked. Under each row's lock PostgreSQL reads `visits`' conditions again: a visit
    cancelled meanwhile, or moved by its person to another office, is left out. As in
    `_lock_visit`, the lock is taken on the visits' rows alone and they are read with their
    related rows after it."""
    ids = list(visits.select_for_update().order_by("pk").values_list("pk", flat=True))
    locked = list(
        Visit.objects.filter(pk__in=ids)
        .select_related("office__region", "volunteer")
        .order_by("starts_at", "pk")
    )
    slots = {
        slot.pk: slot
        for slot in VisitSlot.objects.select_related("office")
        .select_for_update(of=("self",))
        .filter(pk__in={visit.slot_id for visit in locked if visit.slot_id is not None})
        .order_by("pk")
    }
    return locked, slots


def _slot_of(visit: Visit, slots: dict[int, VisitSlot]) -> VisitSlot | None:
    return slots[visit.slot_id] if visit.slot_id is not None else None


def horizon_days() -> int:
    return int(settings.FRONT_OFFICE_BOOKING_HORIZON_DAYS)


# Slots -----------------------------------------------------------------------------------------


@transaction.atomic
def slots_sync(
    *, office: FrontOffice, first: datetime.date, last: datetime.date, now: datetime.datetime | None = None
) -> tuple[int, int]:
    """Make the office's stored slots from `first` to `last` (Almaty dates) match its schedule.

    Idempotent: missing slots are created, future slots the schedule no longer has are deleted
    unless somebody ever booked them (staff see and move those), capacity follows the office's
    "visitors at once" where the bookings allow. Returns (created, deleted)."""
    now = now or timezone.now()
    hours = list(OpeningHours.objects.filter(office=office))
    exceptions = list(
        ScheduleException.objects.filter(date__range=(first, last)).filter(office__isnull=True)
        | ScheduleException.objects.filter(date__range=(first, last), office=office)
    )
    wanted = {
        t.starts_at: VisitSlot(
            office=office,
            starts_at=t.starts_at,
            ends_at=t.ends_at,
            local_date=day,
            is_evening=is_evening(t.starts_at),
            is_weekend=is_weekend(day),
            capacity=office.visitors_at_once,
        )
        for day, t in slot_times_between(office, first, last, hours, exceptions)
        if t.starts_at > now
    }
    existing = VisitSlot.objects.filter(office=office, local_date__range=(first, last))
    have = {start: (pk, end) for pk, start, end in existing.values_list("pk", "starts_at", "ends_at")}
    created = VisitSlot.objects.bulk_create(
        [slot for start, slot in wanted.items() if start not in have], ignore_conflicts=True, batch_size=2000
    )
    # A start the schedule keeps ends where the visit length now says (a longer or shorter visit
    # set since): the page, the API and the overlap of a person's visits read the slot's end.
    VisitSlot.objects.bulk_update(
        [
            VisitSlot(pk=pk, ends_at=wanted[start].ends_at)
            for start, (pk, end) in have.items()
            if start in wanted and end != wanted[start].ends_at
        ],
        ["ends_at"],
        batch_size=2000,
    )
    off_schedule = existing.filter(starts_at__gt=now).exclude(starts_at__in=list(wanted))
    stale = off_schedule.filter(taken=0).exclude(Exists(Visit.objects.filter(slot=OuterRef("pk"))))
    deleted, _by_model = stale.delete()
    # A time the schedule no longer has, kept for the visits booked there (the staff move or
    # block them), takes no new booking: its places are only those taken. It used to keep its
    # free places, offered and booked at an hour the office is closed.
    off_schedule.exclude(capacity=F("taken")).update(capacity=F("taken"))
    # A changed "visitors at once" reaches future slots that hold no more bookings than it (and a
    # time back in the schedule gets its places back).
    existing.filter(starts_at__in=list(wanted), taken__lte=office.visitors_at_once).exclude(
        capacity=office.visitors_at_once
    ).update(capacity=office.visitors_at_once)
    return len(created), deleted


def _on_schedule(slot: VisitSlot) -> bool:
    """Whether the office's schedule (hours and that day's exceptions) still has `slot`'s time."""
    office = slot.office
    hours = list(OpeningHours.objects.filter(office=office))
    exceptions = list(
        ScheduleException.objects.filter(date=slot.local_date).filter(
            Q(office__isnull=True) | Q(office=office)
        )
    )
    day = slot.local_date
    return any(
        t.starts_at == slot.starts_at for _day, t in slot_times_between(office, day, day, hours, exceptions)
    )


def _free(slot: VisitSlot) -> None:
    """Give back a place of the locked slot. In a time the schedule no longer has (see
    `slots_sync`), the place goes with the visit, so that it is not offered until the next sync.
    Only a full slot can be such a time, so the schedule is read only then."""
    if slot.taken >= slot.capacity and not _on_schedule(slot):
        slot.capacity -= 1
        slot.taken -= 1
        slot.save(update_fields=["capacity", "taken"])
    else:
        _take(slot, -1)


def slots_sync_all(*, days: int | None = None, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Every active office's slots from today to the booking horizon (and a week beyond, so the
    horizon never meets an ungenerated day). The periodic task and the command call this."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    last = today + datetime.timedelta(days=(days if days is not None else horizon_days() + 7))
    created = deleted = 0
    for office in FrontOffice.objects.filter(is_active=True):
        c, d = slots_sync(office=office, first=today, last=last, now=now)
        created, deleted = created + c, deleted + d
    return created, deleted


def public_holidays_ensure(*, years: list[int]) -> int:
    """National closed dates for the public days off of those years, the carried-over ones
    included (idempotent: a date already recorded is left as it is).

    Pages name these rows from the holiday table in their own language
    (`ScheduleException.reason_display`); the stored reason, in the site's language, is what the
    admin and a row the law no longer lists fall back on."""
    added = 0
    with translation.override(settings.LANGUAGE_CODE):
        for year in years:
            for day, name in public_holidays(year):
                _row, made = ScheduleException.objects.get_or_create(
                    office=None, date=day, opens=None, defaults={"reason": str(name)}
                )
                added += made
    return added


@transaction.atomic
def slots_block(
    *,
    office: FrontOffice,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    reason: str,
    by: User,
) -> list[Visit]:
    """Block every slot of the office overlapping [starts_at, ends_at) — one slot, an interval or
    a whole day — with a reason. Visits booked in them are cancelled and each person is told the
    reason. Returns the cancelled visits."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason: it is sent to the people already booked.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    now = timezone.now()
    in_range = VisitSlot.objects.filter(office=office, starts_at__lt=ends_at, ends_at__gt=starts_at)
    # Only slots not yet begun: a morning visit blocked with "the whole day" at 15:00 has taken
    # place (or is for the staff to mark); cancelling it would tell the person afterwards that
    # their visit was cancelled.
    slot_ids = list(in_range.filter(starts_at__gt=now).order_by("pk").values_list("pk", flat=True))
    if not slot_ids:
        if in_range.exists():
            raise ValidationError({"starts_at": _("This time has already passed.")})
        raise ValidationError({"starts_at": _("There are no visit slots in that time.")})
    slots, visits = _lock_block(slot_ids)
    cancelled: list[Visit] = []
    for slot in slots:
        here = [visit for visit in visits if visit.slot_id == slot.pk]
        for visit in here:
            visit.status, visit.cancelled_at, visit.cancel_reason = Visit.Status.CANCELLED, now, reason
            visit.save(update_fields=["status", "cancelled_at", "cancel_reason"])
            visit_messages.visit_cancelled(visit, reason=reason)
            cancelled.append(visit)
        slot.blocked_reason = reason
        slot.taken = max(0, slot.taken - len(here))
        slot.save(update_fields=["blocked_reason", "taken"])
    return cancelled


class _BookedMeanwhile(Exception):
    """A visit entered a slot being blocked between the locking of the visits and of the slots."""


def _lock_block(slot_ids: list[int]) -> tuple[list[VisitSlot], list[Visit]]:
    """The slots and the visits booked in them, locked in the module's order: the visits, then the
    slots, as a cancellation takes a visit and then its slot. They used to be locked the other way
    round, and a person cancelling a visit as the staff blocked its time could deadlock with them.

    A visit booked or moved into one of the slots between the two steps is not locked yet (its
    booking held the slot, so it has committed by the time the slots are ours), and locking it now
    would be the wrong order: the savepoint is rolled back instead, which lets go of every lock
    taken in it, and both steps run again, the newcomer then among the visits. Each round needs
    another booking to slip in, so the rounds are few."""
    while True:
        try:
            with transaction.atomic():
                booked = Visit.objects.filter(slot_id__in=slot_ids, status=Visit.Status.BOOKED)
                held = set(booked.select_for_update().order_by("pk").values_list("pk", flat=True))
                slots = list(VisitSlot.objects.filter(pk__in=slot_ids).select_for_update().order_by("pk"))
                visits = list(booked.select_related("office", "volunteer").order_by("pk"))
                if not {visit.pk for visit in visits} <= held:
                    raise _BookedMeanwhile
                return slots, visits
        except _BookedMeanwhile:
            continue


@transaction.atomic
def slot_unblock(*, slot: VisitSlot, by: User) -> VisitSlot:
    """Open a blocked slot for booking again (the meeting called off, the repair done early).
    The visits its block cancelled stay cancelled: their people were told, and may book again.

    A time the schedule no longer has (a closed date, hours removed) opens with no free place,
    as `slots_sync` keeps such a time: its block had freed the places of the visits it cancelled,
    and opening it as it was would offer them at an hour the office is closed."""
    locked = VisitSlot.objects.select_related("office").select_for_update(of=("self",)).get(pk=slot.pk)
    if locked.starts_at <= timezone.now():
        raise ValidationError(_("This time has already passed."), code="past")
    locked.blocked_reason = ""
    if locked.capacity > locked.taken and not _on_schedule(locked):
        locked.capacity = locked.taken
    locked.save(update_fields=["blocked_reason", "capacity"])
    return locked


# Booking ---------------------------------------------------------------------------------------


def _hold_office(slot_id: int) -> None:
    """Lock the row of the slot's office FOR SHARE until the end of the transaction: bookings of
    an office hold it together, and closing it (`front_office_update`, the admin's save) waits
    for them, as they wait for it. So a booking that reads the office open, after this, commits
    before the close looks for the visits to cancel; one that comes while it closes reads it
    closed once the close has committed, and is refused. Without it a booking read the office
    open, the close cancelled the visits it found, and the booking then committed its own: a visit
    in a closed office. Taken after the person and before the slot (the lock order)."""
    # Django's select_for_update has no shared mode; FOR UPDATE would queue the office's bookings
    # one behind another, where FOR SHARE lets them hold it together.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM front_offices_frontoffice WHERE id ="
            " (SELECT office_id FROM front_offices_visitslot WHERE id = %s) FOR SHARE",
            [slot_id],
        )


def _lock_slot(slot_id: int) -> VisitSlot:
    return VisitSlot.objects.select_related("office__region").select_for_update(of=("self",)).get(pk=slot_id)


def booking_refusal(
    *,
    slot: VisitSlot,
    volunteer: Volunteer,
    now: datetime.datetime | None = None,
    moving: Visit | None = None,
) -> ValidationError | None:
    """Why `volunteer` may not book `slot` now, or None. Pages ask it to explain before anyone
    presses a button; the services ask again under the locks, and that answer counts.
    `moving`: the visit being rescheduled (it does not count against the limit)."""
    now = now or timezone.now()
    # A visit is not volunteering: someone awaiting a consent (a minor's guardian's, or their own
    # once 18) may come in, and the office is where such a form is signed and recorded.
    if volunteer.anonymized_at is not None or volunteer.status not in (
        Volunteer.Status.ACTIVE,
        Volunteer.Status.AWAITING_GUARDIAN,
    ):
        return ValidationError(_("This volunteer profile is not active."), code="inactive")
    if not slot.office.is_active:
        return ValidationError(_("This front office is closed for bookings."), code="closed")
    if slot.starts_at <= now:
        return ValidationError(_("This time has already passed."), code="past")
    # By the Almaty date, as the booking page and "next free visit" offer days: every slot of
    # the horizon's last day is bookable, whatever the hour of today it is now.
    if slot.local_date > timezone.localdate(now) + datetime.timedelta(days=horizon_days()):
        return ValidationError(
            _("Visits can be booked at most %(days)s days ahead.") % {"days": horizon_days()}, code="horizon"
        )
    if slot.blocked_reason:
        return ValidationError(
            _("The office does not receive visitors at this time: %(reason)s")
            % {"reason": slot.blocked_reason},
            code="blocked",
        )
    # One place at a time: a visit booked at this time, in this office or another, is the one to
    # keep (the person's row lock in visit_book makes this check race-free).
    booked = Visit.objects.filter(volunteer=volunteer, status=Visit.Status.BOOKED)
    overlapping = Q(starts_at__lt=slot.ends_at, slot__ends_at__gt=slot.starts_at)
    if moving is not None:
        if booked.filter(overlapping).exclude(pk=moving.pk).exists():
            return _duplicate()
    else:
        # Both counts of the person's few booked visits in one read: a round trip fewer on the
        # busiest write of the front offices (bench/over_http.py). The slot is joined LEFT, so a
        # walk-in visit (no slot) still counts towards the limit.
        counts = booked.aggregate(
            clash=Count("pk", filter=overlapping), future=Count("pk", filter=Q(starts_at__gt=now))
        )
        if counts["clash"]:
            return _duplicate()
        limit = int(settings.FRONT_OFFICE_MAX_FUTURE_VISITS)
        future = counts["future"]
        if future >= limit:
            return ValidationError(
                _("You already have %(count)s upcoming visits, the most allowed. Cancel one to book another.")
                % {"count": future},
                code="limit",
            )
    if slot.taken >= slot.capacity:
        return _slot_full()
    return None


def _duplicate() -> ValidationError:
    return ValidationError(_("You already have a visit booked at this time."), code="duplicate")


def _slot_full() -> ValidationError:
    return ValidationError(_("This time is fully booked. Please choose another."), code="full")


def _clean_booking(purpose: str, note: str) -> tuple[str, str]:
    errors = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Choose what the visit is for.")]
    note = (note or "").strip()
    if len(note) > 500:
        errors["note"] = [_("At most 500 characters.")]
    if errors:
        raise ValidationError(errors)
    return purpose, note


def _take(slot: VisitSlot, places: int) -> None:
    slot.taken += places
    slot.save(update_fields=["taken"])


def _lock_person(volunteer: Volunteer) -> Volunteer:
    return volunteer_lock_to_take_part(volunteer.pk)


@transaction.atomic
def visit_book(
    *, slot: VisitSlot, volunteer: Volunteer, purpose: str, note: str = "", by: User | None
) -> Visit:
    """Book a place in `slot` for `volunteer`. Refusals are a ValidationError with a code (full,
    closed, blocked, past, horizon, limit, duplicate, inactive) and a translated message; bad
    input is a ValidationError keyed by field."""
    purpose, note = _clean_booking(purpose, note)
    person = _lock_person(volunteer)
    _hold_office(slot.pk)
    locked = _lock_slot(slot.pk)
    return _book_locked(person, locked, purpose=purpose, note=note, by=by)


def visit_book_own(*, slot_id: int, user: User, purpose: str, note: str = "") -> Visit:
    """`visit_book` for the account's own profile, found by the account as its row is locked,
    in a slot given by its id (the API). No profile (or an erased one): refused with code
    "no_profile"; no such slot: a field error.

    The slot is read first, without a lock: one with no place left is refused from that read,
    without a transaction, as a full shift is (events.services.signup_create_own). Places only
    come free by a cancellation, so "full" was true when read; and in a rush for the last
    places of an evening most requests end so, each of them otherwise queued on the person's
    and the slot's row locks only to be refused. The person's own reasons come first, as under
    the locks (`booking_refusal` says "full" last). A slot with a place is booked under the
    locks, as before, one read later."""
    purpose, note = _clean_booking(purpose, note)
    slot = VisitSlot.objects.select_related("office").filter(pk=slot_id).first()
    if slot is None:
        raise ValidationError({"slot": [_("No such visit slot.")]})
    if slot.taken >= slot.capacity:
        raise booking_refusal(slot=slot, volunteer=volunteer_own(user=user)) or _slot_full()
    with transaction.atomic():
        person = volunteer_lock_own(user=user)
        _hold_office(slot_id)
        locked = _lock_slot(slot_id)
        return _book_locked(person, locked, purpose=purpose, note=note, by=user)


def _book_locked(person: Volunteer, locked: VisitSlot, *, purpose: str, note: str, by: User | None) -> Visit:
    """The booking itself, the person and then the slot locked by the caller (the lock order)."""
    refusal = booking_refusal(slot=locked, volunteer=person)
    if refusal is not None:
        raise refusal
    try:
        # No savepoint of its own: an IntegrityError leaves through this function's atomic block,
        # which rolls the booking back (or back to its savepoint, when nested).
        visit = Visit.objects.create(
            office=locked.office,
            slot=locked,
            volunteer=person,
            starts_at=locked.starts_at,
            local_date=locked.local_date,
            is_evening=locked.is_evening,
            is_weekend=locked.is_weekend,
            purpose=purpose,
            note=note,
            created_by=by,
        )
        _take(locked, 1)
    except IntegrityError as exc:
        # The partial unique index or the CHECK: only reachable if the row locks were bypassed.
        raise _slot_full() from exc
    visit_messages.visit_booked(visit)
    return visit


def _lock_visit(visit_id: int) -> Visit:
    # The row is locked on its own, then read with its office: a lock taken through the join
    # loses the row when a move to another office commits while it waits (PostgreSQL checks the
    # moved row against the office it had read), and the visit would seem not to exist.
    list(Visit.objects.select_for_update().filter(pk=visit_id).values_list("pk", flat=True))
    return Visit.objects.select_related("office__region", "volunteer").get(pk=visit_id)


def _still_at(locked: Visit, office: FrontOffice | None) -> None:
    """Refuse a staff action taken from `office`'s pages on a visit, locked, that is no longer
    there: the page was read before its person moved it to another office, and the action (a
    cancellation, a check-in) would otherwise land on a visit of the other office. None: the
    caller acts wherever the visit is (its person, the services' own callers)."""
    if office is not None and locked.office_id != office.pk:
        raise ValidationError(
            _(
                "This visit is no longer at %(office)s: it has been moved to another office. Nothing was changed."
            )
            % {"office": office.name},
            code="moved",
        )


@transaction.atomic
def visit_cancel(
    *, visit: Visit, by: User | None, reason: str = "", at_office: FrontOffice | None = None
) -> Visit:
    """Cancel a booked visit and free its place. The person is told unless they cancelled it.
    `at_office`: the office whose staff act, from its pages; a visit moved away meanwhile is
    refused (code "moved")."""
    locked = _lock_visit(visit.pk)
    _still_at(locked, at_office)
    if locked.status != Visit.Status.BOOKED:
        raise ValidationError(_("Only a booked visit can be cancelled."), code="not_booked")
    if locked.starts_at <= timezone.now():
        raise ValidationError(_("This time has already passed."), code="past")
    slot = None
    if locked.slot_id is not None:
        slot = (
            VisitSlot.objects.select_related("office").select_for_update(of=("self",)).get(pk=locked.slot_id)
        )
    return _cancel_locked(locked, slot=slot, by=by, reason=reason)


def _cancel_locked(visit: Visit, *, slot: VisitSlot | None, by: User | None, reason: str) -> Visit:
    """The cancellation itself, the booked visit and then its slot (if it holds a place) locked and
    read by the caller: the place freed, the visit cancelled, the person told unless it is theirs."""
    if slot is not None:
        _free(slot)
    visit.status, visit.cancelled_at, visit.cancel_reason = Visit.Status.CANCELLED, timezone.now(), reason
    visit.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    own = by is not None and visit.volunteer.user_id == by.pk
    visit_messages.visit_cancelled(visit, reason=reason, tell=not own)
    return visit


def visit_move_refusal(*, visit: Visit, now: datetime.datetime | None = None) -> ValidationError | None:
    """Why `visit` may not be moved now, whatever the new time, or None. The move page asks it
    before offering times; `visit_reschedule` asks again under the lock.

    A visit whose time has begun stays where it is, as a cancellation does: the staff mark it
    (arrived or did not come), and moving it would take it off that day's record. A move is
    not counted against the limit of upcoming visits either: a past visit nobody marked would
    otherwise come back as one upcoming visit more than the limit allows."""
    now = now or timezone.now()
    if visit.status != Visit.Status.BOOKED:
        return ValidationError(_("Only a booked visit can be moved."), code="not_booked")
    if visit.starts_at <= now:
        return ValidationError(_("This visit has already begun: it can no longer be moved."), code="past")
    return None


@transaction.atomic
def visit_reschedule(
    *, visit: Visit, to_slot: VisitSlot, by: User | None, at_office: FrontOffice | None = None
) -> Visit:
    """Move a booked visit to another slot in one step: the new place is taken before the old one
    is freed, in one transaction, so a refusal leaves the booking where it was. Locks the person,
    holds the office moved into (`_hold_office`), locks the visit, then both slots in id order
    (two moves between the same slots cannot deadlock). `at_office`: as in `visit_cancel`."""
    person = _lock_person(visit.volunteer)
    # The office moved into, as a booking holds it: a move into an office as it closes is refused.
    _hold_office(to_slot.pk)
    locked = _lock_visit(visit.pk)
    _still_at(locked, at_office)
    refusal = visit_move_refusal(visit=locked)
    if refusal is not None:
        raise refusal
    if locked.slot_id == to_slot.pk:
        raise ValidationError(_("You already have a visit booked at this time."), code="duplicate")
    ids = sorted(i for i in (locked.slot_id, to_slot.pk) if i is not None)
    slots = {s.pk: s for s in (_lock_slot(i) for i in ids)}
    new = slots[to_slot.pk]
    if new.office_id != locked.office_id and by is not None and locked.volunteer.user_id != by.pk:
        raise ValidationError(_("A visit can only be moved within its office."), code="office")
    refusal = booking_refusal(slot=new, volunteer=person, moving=locked)
    if refusal is not None:
        raise refusal
    _take(new, 1)
    if locked.slot_id is not None:
        _free(slots[locked.slot_id])
    locked.slot, locked.office = new, new.office
    locked.starts_at, locked.local_date = new.starts_at, new.local_date
    locked.is_evening, locked.is_weekend = new.is_evening, new.is_weekend
    locked.moved_at = timezone.now()
    locked.save(
        update_fields=["slot", "office", "starts_at", "local_date", "is_evening", "is_weekend", "moved_at"]
    )
    visit_messages.visit_moved(locked)
    return locked


# The staff's day -------------------------------------------------------------------------------


# People come early, and the desk may see them at once: arrival can be marked from an hour before
# the visit (not hours ahead, when the click can only be a mistake on the wrong card). "Did not
# come" waits for the visit's time to begin: until then the person may still come.
ARRIVAL_OPENS_BEFORE = datetime.timedelta(minutes=60)


def arrival_opens_at(visit: Visit) -> datetime.datetime:
    return visit.starts_at - ARRIVAL_OPENS_BEFORE


def visit_mark_refusal(
    *, visit: Visit, status: str, now: datetime.datetime | None = None
) -> ValidationError | None:
    """Why `visit` may not be marked `status` now, or None. The staff's day asks it to show only
    the buttons that can be used; `visit_mark` asks again under the lock, and that answer counts.
    Back to booked (undoing a mistaken click) is always allowed."""
    now = now or timezone.now()
    if visit.status == Visit.Status.CANCELLED:
        return ValidationError(_("This visit has been cancelled."), code="cancelled")
    if status == Visit.Status.ARRIVED and now < arrival_opens_at(visit):
        return ValidationError(
            _("Arrival can be marked from %(when)s.") % {"when": when_text(arrival_opens_at(visit))},
            code="early",
        )
    if status == Visit.Status.NO_SHOW:
        if visit.walk_in:
            # Checked in at the desk, whatever the hours: the person is there.
            return ValidationError(
                _("A walk-in is at the office: “did not come” does not apply."), code="walk_in"
            )
        if now < visit.starts_at:
            return ValidationError(
                _("“Did not come” can be marked from %(when)s, when the visit begins.")
                % {"when": when_text(visit.starts_at)},
                code="not_started",
            )
    return None


@transaction.atomic
def visit_mark(*, visit: Visit, status: str, by: User, at_office: FrontOffice | None = None) -> Visit:
    """Arrived or did not come (or back to booked, to undo a mistaken click). Refusals: a
    ValidationError with a code (cancelled, early, not_started, walk_in, and moved for a visit
    no longer at `at_office`, as in `visit_cancel`)."""
    if status not in (Visit.Status.ARRIVED, Visit.Status.NO_SHOW, Visit.Status.BOOKED):
        raise ValidationError({"status": _("Choose arrived or did not come.")})
    locked = _lock_visit(visit.pk)
    _still_at(locked, at_office)
    refusal = visit_mark_refusal(visit=locked, status=status)
    if refusal is not None:
        raise refusal
    locked.status = status
    locked.save(update_fields=["status"])
    if status != Visit.Status.BOOKED:
        visit_messages.visit_settled(locked)
    return locked


@transaction.atomic
def visit_outcome_set(*, visit: Visit, outcome: str, by: User, at_office: FrontOffice | None = None) -> Visit:
    """What was done; on a booked visit it also marks the arrival, under the same rule.
    `at_office`: as in `visit_cancel`."""
    if outcome and outcome not in Visit.Outcome.values:
        raise ValidationError({"outcome": _("Choose what was done.")})
    locked = _lock_visit(visit.pk)
    _still_at(locked, at_office)
    if locked.status == Visit.Status.CANCELLED:
        raise ValidationError(_("This visit has been cancelled."), code="cancelled")
    arrives = bool(outcome) and locked.status == Visit.Status.BOOKED
    if arrives:
        refusal = visit_mark_refusal(visit=locked, status=Visit.Status.ARRIVED)
        if refusal is not None:
            raise refusal
    locked.outcome = outcome
    if arrives:
        locked.status = Visit.Status.ARRIVED
        visit_messages.visit_settled(locked)
    locked.save(update_fields=["outcome", "status"])
    return locked


@transaction.atomic
def walk_in_register(
    *,
    office: FrontOffice,
    phone: str,
    purpose: str,
    note: str = "",
    first_name: str = "",
    last_name: str = "",
    birth_date: datetime.date | None = None,
    guardian_name: str = "",
    guardian_phone: str = "",
    guardian_relation: str = "",
    guardian_consent: PaperConsent | None = None,
    own_document_number: str = "",
    outcome: str = "",
    by: User,
) -> Visit:
    """Someone came without booking: found by phone among the volunteers of the office's region,
    or added as a new one, and their visit recorded as arrived now, in one step. Holds no slot's
    place. Accepted whatever the office's hours: staff at the desk are the judge of that.

    A newcomer is added as the roster adds a walk-in (`volunteer_create`), with their own signed
    consent form's number (`own_document_number`) as the record of their consent to the
    processing of personal data. A new minor's guardian's name,
    phone and relation are required by the profile's own rules (errors keyed by those fields),
    and without the guardian's written consent (`guardian_consent`, the signed paper form) the
    person is kept awaiting it and takes part in nothing; the visit is recorded either way.
    The guardian's fields are ignored for someone found by phone.

    Only the office's region is searched, as the roster import matches: a number typed at the desk
    must not tell the clerk whether it is on file elsewhere in the country, nor whose it is (a
    visit would then open that person's record to the office). Someone of another region is added
    here like a newcomer, and the same phone flags the pair as possible duplicates for staff.

    Someone found by phone who has a visit booked here today came for it: that visit is the one
    checked in (`walk_in` false on the visit returned), with the outcome and the note given. A
    walk-in of its own beside it counted the person twice on the day, and the booking was later
    marked "did not come" though they had."""
    purpose, note = _clean_booking(purpose, note)
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    if not phone:
        raise ValidationError({"phone": [_("Enter the visitor's phone number.")]})
    if outcome and outcome not in Visit.Outcome.values:
        raise ValidationError({"outcome": [_("Choose what was done.")]})
    volunteer = (
        Volunteer.objects.filter(phone=phone, region_id=office.region_id, anonymized_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if volunteer is None:
        errors = {}
        if not first_name.strip():
            errors["first_name"] = [_("Not found by phone: enter the first name to add the visitor.")]
        if not last_name.strip():
            errors["last_name"] = [_("Not found by phone: enter the last name to add the visitor.")]
        if birth_date is None:
            errors["birth_date"] = [_("Not found by phone: enter the date of birth to add the visitor.")]
        if not own_document_number.strip():
            errors["own_document_number"] = [
                _("Not found by phone: enter the number of the visitor's signed consent form to add them.")
            ]
        if errors:
            raise ValidationError(errors)
        volunteer = volunteer_create(
            created_by=by,
            data={
                "first_name": first_name.strip(),
                "last_name": last_name.strip(),
                "phone": phone,
                "birth_date": birth_date,
                "region": office.region,
                "guardian_name": guardian_name.strip(),
                "guardian_phone": guardian_phone,
                "guardian_relation": guardian_relation,
            },
            own_consent=PaperConsent(
                document_number=own_document_number.strip(), document_date=timezone.localdate()
            ),
            guardian_consent=guardian_consent,
        )
    else:
        booked = _check_in_booked_today(volunteer=volunteer, office=office, outcome=outcome, note=note)
        if booked is not None:
            return booked
    now = timezone.now()
    return Visit.objects.create(
        office=office,
        volunteer=volunteer,
        starts_at=now,
        local_date=timezone.localdate(now),
        is_evening=is_evening(now),
        is_weekend=is_weekend(timezone.localdate(now)),
        purpose=purpose,
        note=note,
        status=Visit.Status.ARRIVED,
        outcome=outcome,
        walk_in=True,
        created_by=by,
    )


def _check_in_booked_today(
    *, volunteer: Volunteer, office: FrontOffice, outcome: str, note: str
) -> Visit | None:
    """The person's first visit booked at `office` for today, checked in (see `walk_in_register`),
    or None when there is none. Its own note is kept, the desk's added after it."""
    found = (
        Visit.objects.filter(
            volunteer=volunteer, office=office, status=Visit.Status.BOOKED, local_date=timezone.localdate()
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        return None
    locked = _lock_visit(found)
    if locked.status != Visit.Status.BOOKED or locked.office_id != office.pk:
        return None  # cancelled, marked or moved elsewhere while the desk typed
    locked.status = Visit.Status.ARRIVED
    locked.outcome = outcome or locked.outcome
    if note:
        locked.note = f"{locked.note} · {note}"[:500] if locked.note else note
    locked.save(update_fields=["status", "outcome", "note"])
    visit_messages.visit_settled(locked)
    return locked


def volunteer_visits_cancel_upcoming(*, volunteer: Volunteer, by: User | None) -> list[Visit]:
    """An erased profile holds no places: its upcoming visits are cancelled (nobody told: the
    person asked for the erasure). Registered as an anonymise hook of volunteers/."""
    visits, slots = _lock_to_cancel(
        Visit.objects.filter(volunteer=volunteer, status=Visit.Status.BOOKED, starts_at__gt=timezone.now())
    )
    cancelled = []
    for visit in visits:
        cancelled.append(_cancel_locked(visit, slot=_slot_of(visit, slots), by=by, reason=""))
        visit_messages.visit_cancelled(visit, tell=False)
    return cancelled


def volunteer_visits_give_up(*, volunteer: Volunteer, by: User | None) -> list[Visit]:
    """A paused or archived profile books nothing (`booking_refusal`) and holds no places either:
    its upcoming visits are cancelled, each as `visit_cancel` cancels one (locked all together
    first, `_lock_to_cancel`), so the place is free for others and the reminders are dropped; the person is told of each unless they made the change
    themselves. Registered as a stop hook of `volunteers.services.volunteer_update`. A minor
    waiting for a guardian's consent keeps their visits: the office is where it gets sorted out."""
    if volunteer.status not in (Volunteer.Status.PAUSED, Volunteer.Status.ARCHIVED):
        return []
    visits, slots = _lock_to_cancel(
        Visit.objects.filter(volunteer=volunteer, status=Visit.Status.BOOKED, starts_at__gt=timezone.now())
    )
    return [_cancel_locked(visit, slot=_slot_of(visit, slots), by=by, reason="") for visit in visits]


def volunteer_visit_texts_erase(*, volunteer: Volunteer, by: User | None) -> int:
    """Blank the free text of every visit of the person, past ones included: the note they or the
    staff wrote and a cancellation's reason may hold anything (an IIN was found in one). The
    visits themselves stay, with their office, date, purpose, status and outcome, which is what
    the reports count. Registered as an anonymise hook after `volunteer_visits_cancel_upcoming`.
    Returns the number of visits changed."""
    return (
        Visit.objects.filter(volunteer=volunteer)
        .exclude(note="", cancel_reason="")
        .update(note="", cancel_reason="")
    )


# Hours and exceptions, kept by the office's staff and the region's coordinators ----------------


def office_slots_resync(*, office: FrontOffice) -> None:
    """The office's slots from today to past the horizon made again from its schedule, visit
    length and visitors at once, as the hourly sync makes them: after any change to those."""
    today = timezone.localdate()
    slots_sync(office=office, first=today, last=today + datetime.timedelta(days=horizon_days() + 7))


@transaction.atomic
def opening_hours_add(
    *,
    office: FrontOffice,
    weekday: int,
    opens: datetime.time,
    closes: datetime.time,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    by: User,
) -> OpeningHours:
    """One more interval of the week (or of a temporary schedule); the slots follow at once."""
    row = OpeningHours(
        office=office,
        weekday=weekday,
        opens=opens,
        closes=closes,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    row.full_clean()
    row.save()
    office_slots_resync(office=office)
    return row


@transaction.atomic
def opening_hours_delete(*, hours: OpeningHours, by: User) -> None:
    office = hours.office
    hours.delete()
    office_slots_resync(office=office)


@transaction.atomic
def schedule_exception_add(
    *,
    office: FrontOffice,
    date: datetime.date,
    opens: datetime.time | None = None,
    closes: datetime.time | None = None,
    reason: str = "",
    by: User,
) -> ScheduleException:
    """A closed date (no times) or special hours on a date. Slots that had bookings stay for the
    staff to move or block (blocking tells the people booked)."""
    row = ScheduleException(office=office, date=date, opens=opens, closes=closes, reason=reason.strip())
    row.full_clean()
    row.save()
    office_slots_resync(office=office)
    return row


def schedule_changed_resync(*, office_ids: Iterable[int | None]) -> list[tuple[FrontOffice, int]]:
    """After hours or dates were changed outside the office's hours page (the admin), the
    offices they concern get their slots at once, as that page gives them: free places on a
    closed date went on being booked until the hourly sync. A national closed date (no office)
    concerns every active office. Returns each office left with upcoming visits at times it no
    longer opens and how many, for the staff to move or cancel them on the hours page."""
    ids = set(office_ids)
    offices = FrontOffice.objects.filter(is_active=True).order_by("name", "pk")
    if None not in ids:
        offices = offices.filter(pk__in=ids)
    left: list[tuple[FrontOffice, int]] = []
    for office in offices:
        office_slots_resync(office=office)
        booked = len(selectors.visits_off_schedule(office=office))
        if booked:
            left.append((office, booked))
    return left


@transaction.atomic
def schedule_exception_delete(*, exception: ScheduleException, by: User) -> None:
    office = exception.office
    exception.delete()
    if office is not None:
        office_slots_resync(office=office)
