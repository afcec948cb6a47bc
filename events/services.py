"""Writes for campaigns, shifts, sign-ups and attendance.

`signup_create` is the one place the sign-up rules live: pages, the API, a coordinator's bulk
add and a curator signing up pupils all call it. Capacity holds under any concurrency because
the shift row is locked (`SELECT … FOR NO KEY UPDATE`) before the confirmed places are counted;
the partial unique index on Signup backs "one active sign-up per person and shift".

Lock order, everywhere: first the shift (two, when a place moves: the lower id first), then
volunteer rows (in ascending id when several), and only then the writes whose triggers update
the report summaries (reports/summary.py), so that two transactions never wait for each other
in a circle. Stopping a person (paused, archived, a guardian's consent withdrawn) and erasing one
keep it too: the shifts of their upcoming places are locked before their row
(`volunteer_shifts_lock_ahead`).
A cancelled sign-up's transport request is written after the sign-up, as `transport_request_save`
locks them (sign-up, then request); nothing that holds a request waits for a summary row.

Messages to volunteers (confirmation, reminders, promotion from the waitlist, changes and
cancellations) are handed to the notifications app by `events/messages.py` at the places marked
"Notification:" below, inside the same transaction: nothing goes out for a write rolled back.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from regions.scoping import may_manage_region
from volunteer_net.dates import when_text
from volunteer_net.numbers import number_text
from volunteers.models import ADULT_AGE, Skill, Volunteer
from volunteers.services import volunteer_lock_own, volunteer_lock_to_take_part, volunteer_own

from . import messages as event_messages
from .models import (
    CalendarFeed,
    CallOut,
    CallOutAnswer,
    Campaign,
    Shift,
    ShiftSeries,
    Signup,
    TransportRequest,
)

# Places are taken by people confirmed, and by those already checked in.
TAKEN = (Signup.Status.CONFIRMED, Signup.Status.ATTENDED)
# A coordinator may check people in a little before the start (they arrive early).
CHECK_IN_LEAD = datetime.timedelta(hours=2)
MAX_SERIES_WEEKS = 52


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _number(value: Decimal) -> str:
    """3.50 → "3,5" in kk and ru, "3.5" in en."""
    return number_text(value)


def _lock_shift(shift_id: int) -> Shift:
    return (
        Shift.objects.select_related("campaign").select_for_update(no_key=True, of=("self",)).get(pk=shift_id)
    )


# Sign-up rules ---------------------------------------------------------------------------------


def shift_closed_refusal(*, shift: Shift, now: datetime.datetime | None = None) -> ValidationError | None:
    """Why nobody at all may sign up for `shift` now (cancelled, not open, started, past its
    deadline), or None: the shift's page says so before a visitor logs in to sign up."""
    now = now or timezone.now()
    campaign = shift.campaign
    if shift.cancelled_at is not None:
        return ValidationError(_("This shift has been cancelled."), code="shift_cancelled")
    if campaign.status == Campaign.Status.CANCELLED:
        return ValidationError(_("This campaign has been cancelled."), code="campaign_cancelled")
    if campaign.status != Campaign.Status.PUBLISHED:
        return ValidationError(_("This campaign is not open for sign-ups."), code="not_open")
    if now >= shift.starts_at:
        return ValidationError(_("This shift has already started."), code="started")
    if shift.signup_deadline is not None and now > shift.signup_deadline:
        return ValidationError(
            _("Sign-up for this shift closed at %(deadline)s."),
            code="deadline",
            params={"deadline": when_text(shift.signup_deadline)},
        )
    return None


def signup_refusal(
    *, shift: Shift, volunteer: Volunteer, now: datetime.datetime | None = None
) -> ValidationError | None:
    """Why `volunteer` may not sign up for `shift` now (capacity aside), or None.

    Pages call it to explain before anyone presses a button; `signup_create` calls it again
    under the lock, so what it answers there is what counts.
    """
    now = now or timezone.now()
    closed = shift_closed_refusal(shift=shift, now=now)
    if closed is not None:
        return closed
    if volunteer.status == Volunteer.Status.AWAITING_GUARDIAN and volunteer.awaits_guardian:
        # Not "inactive": a minor waiting for the guardian can do something about it, and the
        # pages point to the profile, where the link for the guardian is.
        return ValidationError(
            _("%(name)s waits for a parent's or guardian's consent before taking part in shifts."),
            code="awaiting_guardian",
            params={"name": volunteer.full_name},
        )
    if volunteer.awaits_own_consent:
        # Of age now, and still waiting for a guardian: the person's own consent is what is missing.
        return ValidationError(
            _("%(name)s is 18 now and gives their own consent to the processing of personal data first."),
            code="own_consent",
            params={"name": volunteer.full_name},
        )
    if volunteer.anonymized_at is not None or volunteer.status != Volunteer.Status.ACTIVE:
        return ValidationError(
            _("%(name)s's volunteer profile is not active."),
            code="inactive",
            params={"name": volunteer.full_name},
        )
    law = law_refusal(shift=shift, volunteer=volunteer)
    if law is not None:
        return law
    # The person's active sign-ups (a handful), then the times of their confirmed shifts: two
    # plain index reads. One query joining the shifts for both took ~4 ms on the national bench
    # database, most of it PostgreSQL planning its OR — on the busiest write over HTTP.
    mine = list(
        Signup.objects.filter(volunteer=volunteer, status__in=Signup.ACTIVE).values_list("shift_id", "status")
    )
    if any(shift_id == shift.pk for shift_id, _status in mine):
        return ValidationError(_("Already signed up for this shift."), code="already")
    taken = [shift_id for shift_id, status in mine if status in TAKEN]
    clash = _at_the_same_time(shift, taken).order_by("starts_at", "pk").first() if taken else None
    if clash is not None:
        return ValidationError(
            _("Already confirmed for another shift at that time: %(campaign)s, %(when)s."),
            code="overlap",
            params={"campaign": clash.campaign.title, "when": when_text(clash.starts_at)},
        )
    return None


def law_refusal(*, shift: Shift, volunteer: Volunteer) -> ValidationError | None:
    """Why the law keeps `volunteer` off `shift` on its Almaty date (age, emergency or adults-only
    work, a guardian's written consent under 14), or None. Part of `signup_refusal`, and asked
    again wherever a person already holds a place that a change could make unlawful: a promotion
    from the waitlist, a shift or campaign changed, a corrected birth date."""
    day = shift.local_date
    age = volunteer.age(day)
    if age is None and (shift.min_age or shift.requires_adult):
        return ValidationError(
            _("A date of birth is needed to check the minimum age of this shift."), code="age_unknown"
        )
    if age is not None and age < ADULT_AGE and shift.requires_adult:
        # Law 42-VI art. 12: under 18 never in emergency response, nor in heavy or hazardous work.
        if shift.campaign.kind == Campaign.Kind.EMERGENCY:
            message = _("Volunteers under 18 may not take part in emergency response (law 42-VI, art. 12).")
        else:
            message = _("This shift is for adults only: volunteers under 18 may not take part.")
        return ValidationError(message, code="adults_only")
    if age is not None and shift.min_age and age < shift.min_age:
        return ValidationError(
            _("The minimum age for this shift is %(min_age)s; on %(date)s the volunteer will be %(age)s."),
            code="min_age",
            params={"min_age": shift.min_age, "date": _day(day), "age": age},
        )
    if not volunteer.may_take_part(on=day):
        if volunteer.status == Volunteer.Status.AWAITING_GUARDIAN:
            # A minor waiting for the guardian holds only places of days they will be of age.
            return ValidationError(
                _("%(name)s waits for a parent's or guardian's consent before taking part in shifts."),
                code="awaiting_guardian",
                params={"name": volunteer.full_name},
            )
        # Under 14: the written consent of a parent or legal representative (law 42-VI art. 12).
        return ValidationError(
            _(
                "Under 14, the written consent of a parent or legal representative must be recorded "
                "before any activity."
            ),
            code="consent",
        )
    return None


def signed_up_law_check(shift: Shift) -> None:
    """Refuse a change of an upcoming shift (its times, minimum age, adults only, or its campaign
    made an emergency response) that would leave someone signed up whom the law keeps off it: a
    minor on adults-only or emergency work, someone below the new minimum age, a child under 14
    without the written consent on the new date. As with places, nobody is dropped silently: the
    coordinator withdraws them first (each is told), or keeps the shift as it was. `shift` (with
    the changed values) is locked by the caller, so nobody signs up in between; the admin's forms
    ask it too, before saving."""
    signed_up = (
        Signup.objects.filter(shift=shift, status__in=(Signup.Status.CONFIRMED, Signup.Status.WAITLISTED))
        .select_related("volunteer")
        .order_by("created_at", "id")
    )
    refused = [
        (signup.volunteer, refusal)
        for signup in signed_up
        if (refusal := law_refusal(shift=shift, volunteer=signup.volunteer)) is not None
    ]
    if refused:
        raise ValidationError(
            _(
                "After this change, people signed up for the shift of %(date)s could not take part: "
                "%(names)s. %(reason)s Withdraw their sign-ups first, or keep the shift as it was."
            ),
            code="signed_up_not_allowed",
            params={
                "date": _day(shift.local_date),
                "names": ", ".join(volunteer.full_name for volunteer, _refusal in refused),
                "reason": " ".join(refused[0][1].messages),
            },
        )


def _at_the_same_time(shift: Shift, shift_ids: Any) -> QuerySet[Shift]:
    """Of `shift_ids` (ids or a subquery of them), the shifts not cancelled that overlap `shift`:
    a person confirmed on one of them may not take `shift` too."""
    return Shift.objects.filter(
        pk__in=shift_ids, cancelled_at__isnull=True, starts_at__lt=shift.ends_at, ends_at__gt=shift.starts_at
    )


def _take(shift: Shift, places: int) -> None:
    """Adjust the locked shift's count of places taken (positive: taken, negative: freed)."""
    shift.taken_places += places
    shift.save(update_fields=["taken_places"])


def capacity_message(taken: int) -> str:
    return _(
        "%(taken)s volunteers are already confirmed: the shift cannot have fewer places. "
        "Cancel sign-ups first if some of them will not come."
    ) % {"taken": taken}


@transaction.atomic
def signup_create(*, shift: Shift, volunteer: Volunteer, by: User | None, waitlist_ok: bool = True) -> Signup:
    """Sign `volunteer` up for `shift`: confirmed while places remain, else waitlisted (if the
    shift keeps a waitlist and the caller accepts one), else refused with code "full".

    Refusals are a ValidationError with a code (see `signup_refusal`) and a translated message.
    """
    locked = _lock_shift(shift.pk)
    person = volunteer_lock_to_take_part(volunteer.pk)
    return _signup_locked(locked, person, by=by, waitlist_ok=waitlist_ok)


def signup_create_own(*, shift: Shift, user: User, waitlist_ok: bool = True) -> Signup:
    """`signup_create` for the account's own profile, found by the account as its row is locked
    (the API: one query fewer than looking the profile up first, on the busiest write over
    HTTP). Refused with code "no_profile" when the account has none (or an erased one).

    `shift` is the row as read for this request (`selectors.shift_get_for_signup`). When it had
    no place left and no waitlist the caller accepts, the sign-up is refused from what was read,
    without a transaction or a lock: places only come free by someone cancelling, so "full" was
    true when it was read, and an answer as of that moment is as right as one a moment later.
    In a rush for the last places, most requests end so; each used to wait in line for the
    shift's row lock only to be refused behind it. The refusal is the one the locked path gives
    (the person's reasons first, then "full")."""
    if not _has_place_for(shift, waitlist_ok=waitlist_ok):
        person = volunteer_own(user=user)
        raise signup_refusal(shift=shift, volunteer=person) or _full(shift)
    with transaction.atomic():
        locked = _lock_shift(shift.pk)
        person = volunteer_lock_own(user=user)
        return _signup_locked(locked, person, by=user, waitlist_ok=waitlist_ok)


def _has_place_for(shift: Shift, *, waitlist_ok: bool) -> bool:
    """Whether a sign-up may be taken: a free place, or a waitlist the caller accepts."""
    return shift.taken_places < shift.capacity or (shift.waitlist_enabled and waitlist_ok)


def _full(shift: Shift) -> ValidationError:
    if shift.waitlist_enabled:
        return ValidationError(_("This shift is full."), code="full")
    return ValidationError(_("This shift is full and keeps no waitlist."), code="full")


def _signup_locked(
    locked: Shift, person: Volunteer, *, by: User | None, waitlist_ok: bool, tell: bool = True
) -> Signup:
    """The sign-up itself, the shift and then the person locked by the caller (the lock order).
    `tell`: the usual confirmation (a move sends its own message instead)."""
    if person.is_minor(locked.local_date) and locked.campaign.kind != Campaign.Kind.EMERGENCY:
        # The campaign came joined to the shift as it was when this statement began: made an
        # emergency response while this waited for the shift (the change holds it locked), it is
        # read again, as only a minor's place depends on it (law 42-VI art. 12).
        locked.campaign.kind = Campaign.objects.values_list("kind", flat=True).get(pk=locked.campaign_id)
    refusal = signup_refusal(shift=locked, volunteer=person)
    if refusal is not None:
        raise refusal
    if not _has_place_for(locked, waitlist_ok=waitlist_ok):
        raise _full(locked)
    status = Signup.Status.CONFIRMED if locked.taken_places < locked.capacity else Signup.Status.WAITLISTED
    try:
        # No savepoint of its own: an IntegrityError leaves through this function's atomic block,
        # which rolls the whole sign-up back (or back to its savepoint, when nested).
        signup = Signup.objects.create(shift=locked, volunteer=person, status=status, signed_up_by=by)
    except IntegrityError as exc:
        # The partial unique index: only reachable if the row lock was bypassed.
        raise ValidationError(_("Already signed up for this shift."), code="already") from exc
    if status == Signup.Status.CONFIRMED:
        _take(locked, 1)
    # Notification: confirmed or waitlisted (signup.status), in the volunteer's language.
    if tell:
        event_messages.signup_created(signup, locked)
    return signup


def signups_create_many(
    *, shift: Shift, volunteers: Iterable[Volunteer], by: User, waitlist_ok: bool = True
) -> list[tuple[Volunteer, Signup | ValidationError]]:
    """Sign several people up, each on their own: a refusal of one does not undo the others.
    Returns each person with their sign-up or the reason they were refused."""
    results: list[tuple[Volunteer, Signup | ValidationError]] = []
    for volunteer in volunteers:
        try:
            results.append(
                (volunteer, signup_create(shift=shift, volunteer=volunteer, by=by, waitlist_ok=waitlist_ok))
            )
        except ValidationError as exc:
            results.append((volunteer, exc))
    return results


def _lock_waitlist(shift: Shift) -> list[tuple[Signup, Volunteer]]:
    """The shift's waitlist in sign-up order, each with their volunteer row locked.

    Called before the caller writes anything that a trigger rolls into the report summaries:
    a summary row is then always the last lock a transaction takes. Locking the people after
    the summary row would let a cancel here and a sign-up of one of these people elsewhere on
    the same campaign day wait for each other in a circle (PostgreSQL would abort one)."""
    waitlist = Signup.objects.filter(shift=shift, status=Signup.Status.WAITLISTED).order_by(
        "created_at", "id"
    )
    people: dict[int, Volunteer] = {}
    for _round in range(3):
        waiting = list(waitlist.all())  # a fresh read each round
        missing = {s.volunteer_id for s in waiting} - people.keys()
        if not missing:
            break
        people |= _lock_people(missing)
        # Read again once they are locked: a merge of two records of one person, committed while
        # this waited for them, may have moved the dropped record's place to the record it kept
        # (and deleted the other), and the place is now that person's. A merge locks the shifts of
        # both records' places before the records (volunteers.services.LOCK_AHEAD_HOOKS), so this
        # is left for a place taken in the instant between those locks and the records'.
    return [(signup, people[signup.volunteer_id]) for signup in waiting if signup.volunteer_id in people]


def _lock_people(ids: Iterable[int]) -> dict[int, Volunteer]:
    """Lock volunteer rows in ascending id (the module's lock order), by id."""
    return {
        v.pk: v
        for v in Volunteer.objects.filter(pk__in=set(ids)).order_by("pk").select_for_update(no_key=True)
    }


def _promote(
    shift: Shift, *, places: int, now: datetime.datetime, waiting: list[tuple[Signup, Volunteer]]
) -> list[Signup]:
    """Move up to `places` people from the waitlist (the shift and `waiting`, from
    `_lock_waitlist`, are locked by the caller), in the order they signed up. Someone who
    meanwhile may not take the place (another confirmed shift at the same time, an inactive
    profile) keeps their waitlist position and is passed over."""
    if places <= 0 or now >= shift.starts_at or not waiting:
        return []
    promoted: list[Signup] = []
    for signup, person in waiting:
        if len(promoted) == places:
            break
        if person.anonymized_at is not None or not person.may_take_part(on=shift.local_date):
            continue
        if law_refusal(shift=shift, volunteer=person) is not None:
            # Below the shift's age or a minor on adults-only work: never moved up onto it.
            continue
        elsewhere = Signup.objects.filter(volunteer=person, status__in=TAKEN).exclude(shift=shift)
        if _at_the_same_time(shift, elsewhere.values("shift_id")).exists():
            continue
        signup.status = Signup.Status.CONFIRMED
        signup.promoted_at = now
        signup.save(update_fields=["status", "promoted_at"])
        # Notification: moved from the waitlist to confirmed.
        event_messages.signup_promoted(signup, shift)
        promoted.append(signup)
    if promoted:
        _take(shift, len(promoted))
    return promoted


def _transport_cancel_open(requests: QuerySet[TransportRequest], *, now: datetime.datetime) -> int:
    """Cancel the open ones among `requests`, whose sign-ups (or person) are gone: no car for
    nobody, and the person's own data must not say a lift is still asked for. A declined request
    stays declined: the answer happened. Called after the sign-ups' rows are written, the order
    in which `transport_request_save` locks a sign-up and then its request.

    A coordinator's answer not sent yet (arranged or declined) is dropped too: the lift is for
    a place that is gone, and "transport arranged" must not follow "cancelled".

    The requests are written first: a coordinator answering one at this moment holds its row
    (`transport_arrange`), so the UPDATE waits for that answer to commit, and only then are the
    answers not sent yet looked for — the one just written among them."""
    cancelled = requests.filter(status__in=TransportRequest.OPEN).update(
        status=TransportRequest.Status.CANCELLED, updated_at=now
    )
    # Notification: answers of these requests still waiting to go out.
    event_messages.transport_answers_dropped(requests.values("pk"))
    return cancelled


@dataclass(frozen=True)
class Cancellation:
    """A sign-up given up, and whoever took the place it freed from the waitlist (the coordinator's
    confirmation names them)."""

    signup: Signup
    promoted: list[Signup]


@transaction.atomic
def signup_cancel(*, signup: Signup, by: User | None) -> Signup:
    """Cancel a confirmed or waitlisted sign-up before the shift starts; a confirmed place goes
    to the first person on the waitlist, exactly once (under the same shift lock). The person's
    open transport request for the shift is cancelled with it."""
    return signup_cancel_reported(signup=signup, by=by).signup


@transaction.atomic
def signup_cancel_reported(*, signup: Signup, by: User | None) -> Cancellation:
    """`signup_cancel`, saying who moved up into the freed place."""
    shift = _lock_shift(signup.shift_id)
    locked = Signup.objects.select_for_update(no_key=True).get(pk=signup.pk)
    promoted = _give_up(shift, locked, by=by, now=timezone.now(), tell=True)
    signup.refresh_from_db()
    return Cancellation(signup=locked, promoted=promoted)


def _give_up(
    shift: Shift, locked: Signup, *, by: User | None, now: datetime.datetime, tell: bool
) -> list[Signup]:
    """Cancel `locked` (the shift and the sign-up locked by the caller) and give a confirmed place
    to the waitlist; returns who moved up. `tell`: the person is told as for a cancellation (not
    when they are being moved: the move's own message says so)."""
    if locked.status not in (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED):
        raise ValidationError(_("This sign-up is no longer active."), code="not_active")
    if now >= shift.starts_at:
        raise ValidationError(
            _("The shift has already started: the coordinator marks attendance instead."), code="started"
        )
    freed = locked.status == Signup.Status.CONFIRMED
    waiting = _lock_waitlist(shift) if freed else []
    locked.status = Signup.Status.CANCELLED
    locked.cancelled_at = now
    locked.cancelled_by = by
    locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    _transport_cancel_open(TransportRequest.objects.filter(signup=locked), now=now)
    # Notification: to the volunteer when someone else (coordinator, curator) cancelled; for a
    # move, only what of this place had not gone out yet is dropped.
    if tell:
        event_messages.signup_cancelled(locked, shift, by=by)
    else:
        event_messages.signup_dropped(locked)
    if not freed:
        return []
    _take(shift, -1)
    return _promote(shift, places=1, now=now, waiting=waiting)


# Attendance and hours --------------------------------------------------------------------------


def _lock_signup_for_attendance(signup: Signup, now: datetime.datetime) -> tuple[Shift, Signup]:
    shift = _lock_shift(signup.shift_id)
    locked = Signup.objects.select_for_update(no_key=True).get(pk=signup.pk)
    if shift.cancelled_at is not None:
        raise ValidationError(_("This shift has been cancelled."), code="shift_cancelled")
    if now < shift.starts_at - CHECK_IN_LEAD:
        raise ValidationError(
            _("Attendance can be marked from two hours before the start."), code="too_early"
        )
    if locked.status not in (Signup.Status.CONFIRMED, Signup.Status.ATTENDED, Signup.Status.NO_SHOW):
        raise ValidationError(
            _("Only confirmed volunteers are marked present or absent."), code="not_confirmed"
        )
    return shift, locked


@transaction.atomic
def signup_check_in(*, signup: Signup, by: User) -> Signup:
    """The volunteer came: attended, with the shift's hours unless hours were already set."""
    now = timezone.now()
    shift, locked = _lock_signup_for_attendance(signup, now)
    if locked.status != Signup.Status.ATTENDED:
        if locked.status == Signup.Status.NO_SHOW:
            # Marked absent by mistake: the place is theirs again (it was never given away, as
            # nobody moves up from the waitlist once a shift has started).
            _take(shift, 1)
        locked.status = Signup.Status.ATTENDED
        locked.checked_in_at = now
        locked.hours = shift.duration_hours
        locked.hours_reason = ""
        locked.attendance_by = by
        locked.save(update_fields=["status", "checked_in_at", "hours", "hours_reason", "attendance_by"])
    return locked


@transaction.atomic
def signup_no_show(*, signup: Signup, by: User) -> Signup:
    """The volunteer did not come: no hours. Only once the shift has started."""
    now = timezone.now()
    shift, locked = _lock_signup_for_attendance(signup, now)
    if now < shift.starts_at:
        raise ValidationError(_("Absence can be marked once the shift has started."), code="too_early")
    if locked.status != Signup.Status.NO_SHOW:
        _take(shift, -1)
    locked.status = Signup.Status.NO_SHOW
    locked.checked_in_at = None
    locked.hours = None
    locked.hours_reason = ""
    locked.attendance_by = by
    locked.save(update_fields=["status", "checked_in_at", "hours", "hours_reason", "attendance_by"])
    return locked


def max_hours(shift: Shift) -> Decimal:
    """Hours credited for one shift never exceed a day, or the shift itself when it is longer."""
    return max(Decimal(24), shift.duration_hours)


@transaction.atomic
def signup_hours_set(*, signup: Signup, hours: Decimal, reason: str, by: User) -> Signup:
    """Credit other hours than the shift's window (came late, stayed longer): with a reason."""
    now = timezone.now()
    shift, locked = _lock_signup_for_attendance(signup, now)
    if locked.status != Signup.Status.ATTENDED:
        raise ValidationError({"hours": [_("Mark the volunteer present first.")]}, code="not_attended")
    reason = reason.strip()
    if hours < 0 or hours > max_hours(shift):
        raise ValidationError(
            {"hours": [_("Enter between 0 and %(max)s hours.") % {"max": _number(max_hours(shift))}]},
            code="hours_range",
        )
    if hours != shift.duration_hours and not reason:
        raise ValidationError(
            {
                "hours_reason": [
                    _("Say why the hours differ from the shift (%(default)s h).")
                    % {"default": _number(shift.duration_hours)}
                ]
            },
            code="reason_required",
        )
    locked.hours = hours
    locked.hours_reason = reason if hours != shift.duration_hours else ""
    locked.attendance_by = by
    locked.save(update_fields=["hours", "hours_reason", "attendance_by"])
    return locked


# Campaigns ---------------------------------------------------------------------------------------

CAMPAIGN_FIELDS = (
    "title",
    "description",
    "cover_text",
    "kind",
    "direction",
    "region",
    "contact",
    "starts_on",
    "ends_on",
)


def _check_region(by: User, region_id: int | None) -> None:
    # The pages offer only the user's regions; this keeps the rule when a service is called
    # from elsewhere. A national campaign (no region) is national staff's alone.
    if not may_manage_region(by, region_id):
        if region_id is None:
            raise ValidationError({"region": [_("Only national staff run national campaigns.")]})
        raise ValidationError({"region": [_("You do not coordinate this region.")]})


@transaction.atomic
def campaign_create(*, data: dict[str, Any], by: User) -> Campaign:
    campaign = Campaign(**{k: v for k, v in data.items() if k in CAMPAIGN_FIELDS}, organiser=by)
    _check_region(by, campaign.region_id)
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, data: dict[str, Any], by: User) -> Campaign:
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    kind_before, title_before = locked.kind, locked.title
    for field, value in data.items():
        if field in CAMPAIGN_FIELDS:
            setattr(locked, field, value)
    _check_region(by, locked.region_id)
    locked.full_clean()
    if locked.kind != kind_before:
        _kind_change_check(locked)
    outside = (
        locked.shifts.filter(cancelled_at__isnull=True)
        .exclude(_within_q(locked.starts_on, locked.ends_on))
        .order_by("starts_at")
        .first()
    )
    if outside is not None:
        raise ValidationError(
            _("The shift of %(date)s falls outside these dates; move or cancel it first."),
            params={"date": _day(outside.local_date)},
            code="shift_outside",
        )
    locked.save()
    if locked.title != title_before:
        event_messages.campaign_renamed(locked)
    campaign.refresh_from_db()
    return locked


def _kind_change_check(campaign: Campaign) -> None:
    """The upcoming shifts locked (the campaign's row is already: the campaign, then its shifts,
    as a cancellation locks them), so that nobody signs up under the old kind meanwhile; then
    the law asked of those signed up."""
    _lock_shifts(campaign.shifts.filter(cancelled_at__isnull=True, starts_at__gt=timezone.now()))
    campaign_kind_check(campaign)


def campaign_kind_change_check(campaign: Campaign) -> None:
    """`campaign_update`'s locks and check for a save that does not go through it: the admin's
    form asks this inside the transaction that then saves (ModelAdmin's change view is one), so
    that a minor's sign-up waits for the new kind instead of slipping in between."""
    list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk", flat=True))
    _kind_change_check(campaign)


def campaign_kind_check(campaign: Campaign) -> None:
    """Refuse making a campaign an emergency response (`campaign` with its new kind, not saved
    yet) while someone under 18 holds a place on one of its upcoming shifts: nobody under 18 in
    emergency response (law 42-VI art. 12). See `signed_up_law_check`."""
    if campaign.pk is None or campaign.kind != Campaign.Kind.EMERGENCY:
        return
    upcoming = Shift.objects.filter(
        campaign_id=campaign.pk, cancelled_at__isnull=True, starts_at__gt=timezone.now()
    )
    for shift in upcoming.order_by("starts_at", "id"):
        shift.campaign = campaign
        signed_up_law_check(shift)


# Which statuses each status may be reached from.
_TRANSITIONS: dict[str, set[str]] = {
    Campaign.Status.PUBLISHED: {Campaign.Status.DRAFT, Campaign.Status.CLOSED},
    Campaign.Status.CLOSED: {Campaign.Status.PUBLISHED},
    Campaign.Status.CANCELLED: {Campaign.Status.DRAFT, Campaign.Status.PUBLISHED, Campaign.Status.CLOSED},
}


@transaction.atomic
def campaign_set_status(*, campaign: Campaign, status: str, by: User) -> Campaign:
    """Publish (volunteers see it and sign up), close (sign-ups stop, sign-ups kept), reopen, or
    cancel (its upcoming shifts are cancelled with their sign-ups; final)."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status not in _TRANSITIONS.get(status, set()):
        raise ValidationError(
            _("This change of status is not possible for a campaign that is %(current)s."),
            params={"current": locked.get_status_display().lower()},
            code="transition",
        )
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    if status in (Campaign.Status.CANCELLED, Campaign.Status.CLOSED):
        # Nobody is taken on any more: a "yes, I can come" could no longer be confirmed.
        callouts_close(CallOut.objects.filter(campaign=locked))
    if status == Campaign.Status.CANCELLED:
        now = timezone.now()
        # Every shift not cancelled yet is locked first, in ascending id (the module's order for
        # two shifts), and only then are the upcoming ones chosen: one under way that a coordinator
        # re-timed to a later day a moment earlier is seen at its new time and cancelled too (read
        # before, it stayed open in the cancelled campaign), and a move between two of its shifts
        # queues instead of waiting in a circle with a cancellation taken in order of time.
        _lock_shifts(locked.shifts.filter(cancelled_at__isnull=True))
        upcoming = locked.shifts.filter(cancelled_at__isnull=True, starts_at__gt=now)
        cancelled: list[tuple[Shift, Signup]] = []
        for shift_id in upcoming.order_by("starts_at", "id").values_list("id", flat=True):
            shift = _shift_cancel(shift_id=shift_id, by=by, now=now, tell=False)
            cancelled += [(shift, signup) for signup in getattr(shift, "cancelled_signups", [])]
        # Notification: one message a person, however many of its shifts they held.
        event_messages.campaign_cancelled(locked, cancelled)
    campaign.refresh_from_db()
    return locked


def callouts_close(callouts: QuerySet[CallOut]) -> int:
    """Close the open ones of `callouts` and drop their links not sent yet, so that nobody is
    called out to what takes nobody on. Returns how many were closed."""
    still_open = list(callouts.filter(closed_at__isnull=True).values_list("pk", flat=True))
    if not still_open:
        return 0
    # Notification: the call-out links still waiting to go out.
    event_messages.callouts_dropped(CallOutAnswer.objects.filter(callout_id__in=still_open).values("pk"))
    return CallOut.objects.filter(pk__in=still_open, closed_at__isnull=True).update(closed_at=timezone.now())


# Shifts ------------------------------------------------------------------------------------------

SHIFT_FIELDS = (
    "place_name",
    "address",
    "latitude",
    "longitude",
    "starts_at",
    "ends_at",
    "capacity",
    "min_age",
    "adults_only",
    "signup_deadline",
    "waitlist_enabled",
    "notes",
)


# What a volunteer's plans hang on: when the shift is and where. A change of any of them is told
# to everyone signed up, and a lift arranged for the shift is checked again.
WHEN_AND_WHERE = ("starts_at", "ends_at", "place_name", "address", "latitude", "longitude")


def _within_q(first: datetime.date, last: datetime.date) -> Q:
    """Shifts starting within the campaign's dates, Almaty time."""
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min))
    return Q(starts_at__gte=start, starts_at__lt=end)


def shift_check(shift: Shift, *, new: bool) -> None:
    """The rules a shift's own fields must meet (the admin's form asks before saving)."""
    _validate_shift(shift, shift.campaign, new=new)


def _validate_shift(shift: Shift, campaign: Campaign, *, new: bool) -> None:
    shift.full_clean(exclude=["campaign", "series"])
    errors: dict[str, list[str]] = {}
    if campaign.status == Campaign.Status.CANCELLED or (new and campaign.status == Campaign.Status.CLOSED):
        # A closed campaign's existing shifts may still be corrected (times, places, notes).
        raise ValidationError(_("Shifts cannot be added to a closed or cancelled campaign."), code="closed")
    day = shift.local_date
    if not campaign.starts_on <= day <= campaign.ends_on:
        errors.setdefault("starts_at", []).append(
            _("The shift must start within the campaign's dates (%(first)s – %(last)s).")
            % {"first": _day(campaign.starts_on), "last": _day(campaign.ends_on)}
        )
    if shift.signup_deadline is not None and shift.signup_deadline > shift.starts_at:
        errors.setdefault("signup_deadline", []).append(_("The deadline must be before the shift starts."))
    if errors:
        raise ValidationError(errors)


def _lock_campaign_for_shifts(campaign: Campaign) -> Campaign:
    """The campaign as it is now, locked until new shifts are written: a cancellation (or a
    change of dates) waits for them and then sees them, or they see it and are refused. Read
    from the caller's copy, a shift could be added to a campaign cancelled a moment before, and
    stay open in it."""
    return Campaign.objects.select_for_update(no_key=True).get(pk=campaign.pk)


@transaction.atomic
def shift_create(
    *, campaign: Campaign, data: dict[str, Any], skills: Iterable[Skill] = (), by: User
) -> Shift:
    campaign = _lock_campaign_for_shifts(campaign)
    shift = Shift(campaign=campaign, **{k: v for k, v in data.items() if k in SHIFT_FIELDS})
    if shift.starts_at is not None and shift.starts_at <= timezone.now():
        raise ValidationError({"starts_at": [_("A new shift cannot start in the past.")]})
    _validate_shift(shift, campaign, new=True)
    shift.save()
    shift.required_skills.set(list(skills))
    return shift


@transaction.atomic
def shift_update(
    *,
    shift: Shift,
    data: dict[str, Any],
    skills: Iterable[Skill] | None = None,
    by: User,
    untold: list[event_messages.Moved] | None = None,
) -> Shift:
    """Edit a shift. Fewer places than people confirmed is refused — nobody is dropped silently;
    more places move people up from the waitlist. Given `untold`, the people whose shift changed
    time or place are listed there for the caller to tell (`series_update_following`)."""
    locked = _lock_shift(shift.pk)
    if locked.cancelled_at is not None:
        raise ValidationError(_("This shift has been cancelled."), code="shift_cancelled")
    before = {field: getattr(locked, field) for field in WHEN_AND_WHERE}
    now = timezone.now()
    for field, value in data.items():
        if field in SHIFT_FIELDS:
            setattr(locked, field, value)
    if before["starts_at"] > now and locked.starts_at != before["starts_at"] and locked.starts_at <= now:
        # An upcoming shift moved into the past is a mistyped date: everyone signed up would be
        # told of a time gone by, their reminders dropped. A shift under way or over may still
        # have its times corrected (its hours follow them).
        raise ValidationError(
            {
                "starts_at": [
                    _("The shift of %(date)s would start in the past.") % {"date": _day(locked.local_date)}
                ]
            },
            code="past",
        )
    taken = locked.taken_places
    if locked.capacity is not None and locked.capacity < taken:
        raise ValidationError(
            {"capacity": [capacity_message(taken)]},
            code="below_confirmed",
        )
    _validate_shift(locked, locked.campaign, new=False)
    if before["starts_at"] > now:
        signed_up_law_check(locked)
    waiting = _lock_waitlist(locked) if locked.capacity > taken else []
    locked.save()
    if skills is not None:
        locked.required_skills.set(list(skills))
    changed = any(getattr(locked, field) != value for field, value in before.items())
    retimed = (locked.starts_at, locked.ends_at) != (before["starts_at"], before["ends_at"])
    if retimed:
        # A shift's times corrected after attendance: the hours credited by the check-in follow
        # the shift's new length; hours a coordinator set by hand (with a reason) stay as set.
        Signup.objects.filter(shift=locked, status=Signup.Status.ATTENDED, hours_reason="").update(
            hours=locked.duration_hours
        )
    recheck: set[int] = set()
    if changed:
        # A lift arranged for the old time or place may no longer fit: flagged for the
        # coordinator to confirm or change (the board says so), not silently kept. The open
        # requests are locked first: one being answered at this moment is waited for, and
        # flagged if it was arranged (for the old time).
        open_requests = TransportRequest.objects.filter(
            signup__shift=locked, signup__status__in=Signup.ACTIVE, status__in=TransportRequest.OPEN
        )
        list(open_requests.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
        arranged = open_requests.filter(status=TransportRequest.Status.ARRANGED)
        recheck = set(arranged.values_list("signup_id", flat=True))
        arranged.update(recheck_since=timezone.now(), updated_at=timezone.now())
    # Notification: the time or the place changed — reminders move with the start (and carry
    # the new place), everyone signed up is told, and whoever had a lift that it is re-checked.
    if changed:
        event_messages.shift_moved(
            locked,
            signups=Signup.objects.filter(
                shift=locked, status__in=(Signup.Status.CONFIRMED, Signup.Status.WAITLISTED)
            ).select_related("volunteer"),
            transport_recheck=recheck,
            retimed=retimed,
            untold=untold,
        )
    _promote(locked, places=locked.capacity - taken, now=timezone.now(), waiting=waiting)
    shift.refresh_from_db()
    return locked


def _shift_cancel(*, shift_id: int, by: User, now: datetime.datetime, tell: bool = True) -> Shift:
    """Cancel the locked shift with its upcoming sign-ups and their open transport requests
    (for `shift_cancel`, and for each upcoming shift of a campaign being cancelled). The
    sign-ups it cancelled are left on the shift as `cancelled_signups`; with `tell` off, their
    people are not told here (a campaign's cancellation tells each person once)."""
    locked = _lock_shift(shift_id)
    if locked.cancelled_at is None:
        locked.cancelled_at = now
        locked.save(update_fields=["cancelled_at", "updated_at"])
        cancelled = Signup.objects.filter(
            shift=locked, status__in=(Signup.Status.CONFIRMED, Signup.Status.WAITLISTED)
        ).select_related("volunteer")
        signups = list(cancelled)
        locked.cancelled_signups = signups  # type: ignore[attr-defined]
        if tell:
            # Notification: each person whose sign-up is cancelled here.
            event_messages.shift_cancelled(locked, signups=signups)
        cancelled.update(status=Signup.Status.CANCELLED, cancelled_at=now, cancelled_by=by)
        _transport_cancel_open(TransportRequest.objects.filter(signup__in=signups), now=now)
        # Whoever was already checked in (from two hours before) keeps their place.
        locked.taken_places = Signup.objects.filter(shift=locked, status=Signup.Status.ATTENDED).count()
        locked.save(update_fields=["taken_places"])
    return locked


@transaction.atomic
def shift_cancel(*, shift: Shift, by: User) -> Shift:
    """Cancel an upcoming shift and the sign-ups for it."""
    now = timezone.now()
    if shift.starts_at <= now:
        raise ValidationError(_("A shift that has started cannot be cancelled."), code="started")
    locked = _shift_cancel(shift_id=shift.pk, by=by, now=now)
    shift.refresh_from_db()
    return locked


def series_dates(*, first_date: datetime.date, weekdays: Sequence[int], weeks: int) -> list[datetime.date]:
    """Every date on the given ISO weekdays within `weeks` weeks from `first_date` inclusive."""
    wanted = set(weekdays)
    return [
        day
        for offset in range(weeks * 7)
        if (day := first_date + datetime.timedelta(days=offset)).isoweekday() in wanted
    ]


def shift_window(
    day: datetime.date, start: datetime.time, end: datetime.time
) -> tuple[datetime.datetime, datetime.datetime]:
    """Almaty times on `day` as aware datetimes; an end at or before the start is the next day
    (a night shift 22:00–02:00). Kazakhstan keeps UTC+5 all year, so no time is skipped."""
    starts_at = timezone.make_aware(datetime.datetime.combine(day, start))
    ends_day = day if end > start else day + datetime.timedelta(days=1)
    return starts_at, timezone.make_aware(datetime.datetime.combine(ends_day, end))


@transaction.atomic
def shift_series_create(
    *,
    campaign: Campaign,
    first_date: datetime.date,
    weekdays: Sequence[int],
    start_time: datetime.time,
    end_time: datetime.time,
    weeks: int,
    data: dict[str, Any],
    skills: Iterable[Skill] = (),
    by: User,
) -> list[Shift]:
    """A weekly series in one go: a shift on each chosen weekday for `weeks` weeks, all at the
    same Almaty times. Every shift is checked; if one is refused, none is created."""
    if not 1 <= weeks <= MAX_SERIES_WEEKS:
        raise ValidationError({"weeks": [_("Between 1 and %(max)s weeks.") % {"max": MAX_SERIES_WEEKS}]})
    if not weekdays or not set(weekdays) <= set(range(1, 8)):
        raise ValidationError({"weekdays": [_("Choose at least one day of the week.")]})
    dates = series_dates(first_date=first_date, weekdays=weekdays, weeks=weeks)
    if not dates:
        raise ValidationError({"weekdays": [_("Choose at least one day of the week.")]})
    campaign = _lock_campaign_for_shifts(campaign)
    series = ShiftSeries.objects.create(
        campaign=campaign,
        weekdays=sorted(set(weekdays)),
        start_time=start_time,
        end_time=end_time,
        first_date=first_date,
        weeks=weeks,
        created_by=by,
    )
    now = timezone.now()
    shifts = []
    fields = {k: v for k, v in data.items() if k in SHIFT_FIELDS and k not in ("starts_at", "ends_at")}
    for day in dates:
        starts_at, ends_at = shift_window(day, start_time, end_time)
        shift = Shift(campaign=campaign, series=series, starts_at=starts_at, ends_at=ends_at, **fields)
        if starts_at <= now:
            raise ValidationError(
                {"first_date": [_("The shift of %(date)s would start in the past.") % {"date": _day(day)}]}
            )
        try:
            _validate_shift(shift, campaign, new=True)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "starts_at" in exc.error_dict:
                raise ValidationError(
                    {
                        "weeks": [
                            _("The shift of %(date)s falls outside the campaign's dates.")
                            % {"date": _day(day)}
                        ]
                    }
                ) from exc
            raise
        shifts.append(shift)
    created = Shift.objects.bulk_create(shifts)
    skill_ids = [s.pk for s in skills]
    if skill_ids:
        through = Shift.required_skills.through
        through.objects.bulk_create(
            [through(shift_id=shift.pk, skill_id=skill_id) for shift in created for skill_id in skill_ids]
        )
    return created


# Hooks, series "this and the following", moving people ---------------------------------------
# Appended as new functions only (other work edits the sign-up functions above in parallel).


def volunteer_signups_cancel_upcoming(*, volunteer: Volunteer, by: User | None) -> list[Signup]:
    """Cancel the person's confirmed or waitlisted places on shifts that have not started,
    each through `signup_cancel` (so a freed place goes to the waitlist). Registered in
    EventsConfig.ready() as an anonymisation hook (an erased profile must not hold places) and
    as a stop hook of `volunteers.services.volunteer_update` (nor a paused or archived one; the
    person is told of each place as for any cancellation by the organisers). A minor whose
    guardian's consent was withdrawn keeps a shift they will be of age for by its day. Also an age
    hook (a birth date corrected, records merged): of an active person only the places the law
    now keeps them from (`law_refusal`) go.

    Runs with the volunteer's row already locked by `volunteer_anonymize` (or `volunteer_update`,
    `guardian_consent_withdraw`), and the shifts it cancels on locked before it
    (`volunteer_shifts_lock_ahead`): the module's lock order, so a sign-up of the same person at
    that very moment, or a cancellation moving them up from a waitlist, queues behind it (or it
    behind them) instead of deadlocking. Each `signup_cancel` then locks the shift again (a no-op)
    and the people waiting on it after the person."""
    now = timezone.now()
    upcoming = (
        Signup.objects.filter(
            volunteer=volunteer,
            status__in=(Signup.Status.CONFIRMED, Signup.Status.WAITLISTED),
            shift__starts_at__gt=now,
        )
        .select_related("shift__campaign")
        .order_by("shift__starts_at", "id")
    )
    return [
        signup_cancel(signup=signup, by=by)
        for signup in upcoming
        if not volunteer.may_take_part(on=signup.shift.local_date)
        or law_refusal(shift=signup.shift, volunteer=volunteer) is not None
    ]


def volunteer_shifts_lock_ahead(*, volunteers: Sequence[Volunteer]) -> list[int]:
    """Lock the shifts of these people's confirmed or waitlisted places that have not started, in
    ascending id, and return their ids. Registered in EventsConfig.ready() as a lock-ahead hook
    of volunteers (`volunteers.services.register_lock_ahead_hook`): run before a pause, an
    archive, a withdrawn consent or an erasure locks the person's row (a merge the two records'),
    so that `volunteer_signups_cancel_upcoming` (`merging.signups_merge`) finds its shifts locked
    already and the module's lock order (the shift, then the people) holds. More may be locked than is cancelled (a shift a
    minor will be of age for; any, on a move to another region, which cancels none here): held a
    moment longer, never waited for in a circle."""
    upcoming = Signup.objects.filter(
        volunteer__in=volunteers,
        status__in=(Signup.Status.CONFIRMED, Signup.Status.WAITLISTED),
        shift__starts_at__gt=timezone.now(),
    )
    return _lock_shifts(Shift.objects.filter(pk__in=upcoming.values("shift_id")))


def _lock_shifts(shifts: QuerySet[Shift]) -> list[int]:
    """Lock these shifts in ascending id, the module's order for several shifts, and return their
    ids. No KEY lock: sign-ups referencing a shift still insert while it is held."""
    return list(shifts.order_by("pk").select_for_update(no_key=True).values_list("pk", flat=True))


def series_following(*, shift: Shift) -> list[Shift]:
    """This shift and the later ones of its series that are not cancelled (just it without one)."""
    if shift.series_id is None:
        return [shift]
    return list(
        Shift.objects.filter(
            series_id=shift.series_id, cancelled_at__isnull=True, starts_at__gte=shift.starts_at
        ).order_by("starts_at", "id")
    )


SERIES_FIELDS = ("place_name", "address", "capacity", "notes")


@transaction.atomic
def series_update_following(
    *,
    shift: Shift,
    data: dict[str, Any],
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    by: User,
) -> list[Shift]:
    """Change this shift and the later ones of its series in one step: the place, the number of
    places, the notes, and the Almaty start and end times (each shift keeps its own date). Each
    shift goes through `shift_update`; if any one is refused (fewer places than people confirmed,
    outside the campaign's dates, …) nothing is changed and the error names its date."""
    if (start_time is None) != (end_time is None):
        raise ValidationError({"start_time": [_("Give both the start and the end time.")]})
    fields = {k: v for k, v in data.items() if k in SERIES_FIELDS}
    updated: list[Shift] = []
    untold: list[event_messages.Moved] = []
    for each in series_following(shift=shift):
        changes = dict(fields)
        if start_time is not None and end_time is not None:
            changes["starts_at"], changes["ends_at"] = shift_window(each.local_date, start_time, end_time)
            if changes["starts_at"] <= timezone.now():
                raise ValidationError(
                    {
                        "start_time": [
                            _("The shift of %(date)s would start in the past.")
                            % {"date": _day(each.local_date)}
                        ]
                    }
                )
        try:
            updated.append(shift_update(shift=each, data=changes, by=by, untold=untold))
        except ValidationError as exc:
            # The atomic block above rolls back the shifts already changed.
            raise ValidationError(
                _("The shift of %(date)s: %(reason)s")
                % {"date": _day(each.local_date), "reason": " ".join(exc.messages)},
                code=getattr(exc, "code", None) or "series",
            ) from exc
    # Notification: each person once, however many of the shifts they hold.
    event_messages.series_moved(untold)
    return updated


@transaction.atomic
def series_cancel_following(*, shift: Shift, by: User) -> list[Shift]:
    """Cancel this shift and the later ones of its series, with their sign-ups (as
    `shift_cancel` does); each person is told once, of all their shifts cancelled here."""
    now = timezone.now()
    shifts: list[Shift] = []
    cancelled: list[tuple[Shift, Signup]] = []
    for each in series_following(shift=shift):
        if each.starts_at <= now:
            raise ValidationError(_("A shift that has started cannot be cancelled."), code="started")
        locked = _shift_cancel(shift_id=each.pk, by=by, now=now, tell=False)
        cancelled += [(locked, signup) for signup in getattr(locked, "cancelled_signups", [])]
        shifts.append(locked)
    # Notification: one message a person (a season's weekly shifts were a text each).
    event_messages.series_cancelled(cancelled)
    return shifts


@dataclass(frozen=True)
class Move:
    """A person moved: their new sign-up, the shift they left, and whoever took the place they
    freed there from the waitlist (the coordinator's confirmation says both)."""

    signup: Signup
    from_shift: Shift
    promoted: list[Signup]


@transaction.atomic
def signup_move(*, signup: Signup, to_shift: Shift, by: User) -> Move:
    """Move a person from their shift to another shift of the same campaign: their place is
    given up (the waitlist moves up) and they are signed up on the other (without a waitlist).
    They get one message, from which shift to which, not a cancellation and a new sign-up. If
    the new sign-up is refused, nothing changes and the refusal says why."""
    if to_shift.campaign_id != signup.shift.campaign_id:
        raise ValidationError(_("Choose a shift of the same campaign."), code="other_campaign")
    if to_shift.pk == signup.shift_id:
        raise ValidationError(_("Choose another shift."), code="same_shift")
    if signup.status != Signup.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed place can be moved."), code="not_confirmed")
    # Every lock first, in the module's order: both shifts (the lower id first, so that two
    # opposite moves at the same moment queue instead of waiting for each other), then the
    # person and whoever waits for the old place (ascending id); only then the writes.
    shifts = {shift_id: _lock_shift(shift_id) for shift_id in sorted((signup.shift_id, to_shift.pk))}
    old_shift, new_shift = shifts[signup.shift_id], shifts[to_shift.pk]
    waiting = Signup.objects.filter(shift_id=signup.shift_id, status=Signup.Status.WAITLISTED)
    people = _lock_people([signup.volunteer_id, *waiting.values_list("volunteer_id", flat=True)])
    old = Signup.objects.select_for_update(no_key=True).get(pk=signup.pk)
    if old.volunteer_id not in people:
        # A merge of two records of one person, committed while this waited for them, has moved
        # the place to the record it kept (and deleted the one the page named): the place is
        # moved for the person who holds it now.
        people |= _lock_people([old.volunteer_id])
    had_transport = TransportRequest.objects.filter(signup=old, status__in=TransportRequest.OPEN).exists()
    # Given up first so that the old place does not count as an overlap with the new shift.
    promoted = _give_up(old_shift, old, by=by, now=timezone.now(), tell=False)
    new = _signup_locked(new_shift, people[old.volunteer_id], by=by, waitlist_ok=False, tell=False)
    old.moved_to = new
    old.save(update_fields=["moved_to"])
    # Notification: one message, from the old shift to the new one, and the new shift's reminders.
    event_messages.signup_moved(new, new_shift, was_shift=old_shift, transport_dropped=had_transport)
    signup.refresh_from_db()
    return Move(signup=new, from_shift=old_shift, promoted=promoted)


# Personal calendar feed ------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_renew(*, volunteer: Volunteer) -> CalendarFeed:
    """Give the person a calendar address, or a new one in place of the old (which stops
    working at once: whoever was given it no longer sees the person's shifts)."""
    token = secrets.token_urlsafe(32)
    feed, _created = CalendarFeed.objects.update_or_create(
        volunteer=volunteer, defaults={"token": token, "created_at": timezone.now()}
    )
    return feed


@transaction.atomic
def calendar_feed_revoke(*, volunteer: Volunteer, by: User | None = None) -> None:
    """Stop the address (also an anonymisation hook: an erased profile has no feed)."""
    CalendarFeed.objects.filter(volunteer=volunteer).delete()


# Erasure (law 94-V) ------------------------------------------------------------------------------
# Anonymisation hooks (volunteers/extensions.py), run inside `volunteer_anonymize`'s transaction.

# What a transport request holds in free text: a pickup is often the person's home address, a
# note may say anything, and the driver's name and phone, the departure place and a refusal's
# reason were written about this one rider.
TRANSPORT_FREE_TEXT = ("pickup", "note", "driver_name", "driver_phone", "departure_place", "decline_reason")


def volunteer_transport_erase(*, volunteer: Volunteer, by: User | None) -> int:
    """Blank the free text of every transport request of the person, past shifts included, and
    cancel those still open (pending or arranged), so that no board lists a car for them.
    Declined ones stay declined: the answer happened. Returns the number of requests."""
    now = timezone.now()
    mine = TransportRequest.objects.filter(signup__volunteer=volunteer)
    _transport_cancel_open(mine, now=now)
    return mine.update(**dict.fromkeys(TRANSPORT_FREE_TEXT, ""), updated_at=now)


def volunteer_callout_links_revoke(*, volunteer: Volunteer, by: User | None) -> None:
    """Make the person's call-out links dead. An unanswered row is dropped: it says nothing but
    that they were called, and would stay "no answer yet" forever on the coordinator's page, so
    its counts keep adding up (called out = yes + no + no answer yet) over people who can still
    answer. An answer already given stays, as the coordinator may have acted on it, with its
    token blanked (a signed link carries a hex token, never an empty one)."""
    mine = CallOutAnswer.objects.filter(volunteer=volunteer)
    mine.filter(answer=CallOutAnswer.Answer.NONE).delete()
    mine.exclude(token="").update(token="")
