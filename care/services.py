"""Writes for targeted help: intake, checks, offers, assignments, completion, recurrence and
erasure.

Assignment has the guarantees of shift sign-ups: the request row is locked
(`SELECT … FOR NO KEY UPDATE`) before its hands are counted, and the CHECK constraint
`care_hands_capacity` (taken_hands <= needed_hands) and the partial unique indexes on Assignment
back it in the database. Lock order everywhere: the request first, then the assignment (and the
volunteer's row, `_lock_volunteer`). Stopping, moving or erasing a person keeps it too: the
requests of their open assignments are locked before their row (`volunteer_requests_lock_ahead`).

Minors never go alone: a volunteer under 18 is refused individually and goes only as a member of
a detachment whose curator goes too (an adult), and only to requests not marked "adults only".

Messages (an urgent request to the region's coordinators, assignment and reminder to volunteers)
are handed to notifications/ by care/messages.py inside the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEntry, User
from detachments.models import Detachment
from volunteers.models import ADULT_AGE, Volunteer
from volunteers.services import volunteer_lock_to_take_part
from volunteers.validators import normalize_phone

from . import messages as care_messages
from .models import Assignment, Beneficiary, HelpRequest, address_key
from .selectors import takes_requests_in

BENEFICIARY_FIELDS = (
    "region",
    "locality",
    "full_name",
    "phone",
    "address",
    "latitude",
    "longitude",
    "needs",
    "notes",
    "how_to_reach",
    "consent_help",
    "consent_data",
)
REQUEST_FIELDS = (
    "kind",
    "details",
    "urgency",
    "due_from",
    "due_until",
    "recurrence",
    "needed_hands",
    "adults_only",
)


def beneficiary_duplicates(
    *, region_id: int, phone: str, address: str, exclude_id: int | None = None
) -> list[Beneficiary]:
    """Beneficiaries already on file with the same phone (anywhere) or the same address in the
    region: shown at intake so that one person does not get two files."""
    condition = Q()
    if phone:
        condition |= Q(phone=phone)
    key = address_key(address)
    if key:
        condition |= Q(region_id=region_id, address_key=key)
    if not condition:
        return []
    qs = Beneficiary.objects.filter(condition, erased_at__isnull=True)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.select_related("region").order_by("id")[:10])


def _validate_window(*, due_from: datetime.datetime, due_until: datetime.datetime) -> None:
    if due_until <= due_from:
        raise ValidationError({"due_until": _("The end of the window must be after its start.")})


def _validate_hands(needed: int) -> None:
    if not 1 <= needed <= 50:
        raise ValidationError({"needed_hands": _("Between 1 and 50 people.")})


def _new_request(
    *, beneficiary: Beneficiary, data: dict[str, Any], by: User | None, needs_check: bool
) -> HelpRequest:
    values = {key: data[key] for key in REQUEST_FIELDS if key in data}
    _validate_window(due_from=values["due_from"], due_until=values["due_until"])
    _validate_hands(int(values.get("needed_hands", 1)))
    request = HelpRequest(beneficiary=beneficiary, region_id=beneficiary.region_id, created_by=by, **values)
    request.needs_check = needs_check
    if request.recurrence == HelpRequest.Recurrence.WEEKLY:
        request.weekday = timezone.localtime(request.due_from).weekday()
    request.save()
    return request


@transaction.atomic
def request_intake(*, data: dict[str, Any], by: User) -> HelpRequest:
    """Staff take a request (coordinator, or front-office staff of the region): a new or an
    existing beneficiary and the request, on one form. Consent is recorded by the person taking
    it; without both consents nothing is kept."""
    region = data["region"]
    if not takes_requests_in(by, region.pk):
        raise ValidationError({"region": _("You do not take requests for this region.")})
    if not (data.get("consent_help") and data.get("consent_data")):
        raise ValidationError(
            {"consent_data": _("The person must agree to be helped and to have their data kept.")}
        )
    existing = data.get("existing_beneficiary")
    if existing is not None:
        if existing.region_id != region.pk or existing.is_erased:
            raise ValidationError({"existing_beneficiary": _("Choose a beneficiary of this region.")})
        beneficiary = _contact_as_told(existing, data, by=by)
    else:
        values = {key: data.get(key, "") for key in BENEFICIARY_FIELDS}
        values["phone"] = normalize_phone(values["phone"] or "")
        values["latitude"] = data.get("latitude")
        values["longitude"] = data.get("longitude")
        beneficiary = Beneficiary.objects.create(
            **values, consent_recorded_by=by, consent_recorded_at=timezone.now()
        )
    request = _new_request(beneficiary=beneficiary, data=data, by=by, needs_check=False)
    if request.urgency == HelpRequest.Urgency.URGENT:
        # Notification: the region's coordinators, at once.
        care_messages.urgent_request(request)
    return request


# What a person joined to their file at intake tells anew replaces what the file held: the
# contact those who go use. Their needs and notes are the file's own record, added to elsewhere.
CONTACT_FIELDS = ("locality", "address", "how_to_reach")


def _contact_as_told(beneficiary: Beneficiary, data: dict[str, Any], *, by: User) -> Beneficiary:
    """The file of the same person, with the contact they gave on this call: a pensioner who
    moved in with their daughter gives the same phone and a new address, and those who go must
    go there, not to the house on file. Fields left empty keep the file's; a new address without
    a point drops the old house's point. The consent was read to them again, so it is theirs now."""
    locked = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    if locked.is_erased:
        # Erased while the call was taken: their data are not written back into the file.
        raise ValidationError({"existing_beneficiary": _("Choose a beneficiary of this region.")})
    changed: list[str] = []
    for field in CONTACT_FIELDS:
        value = (data.get(field) or "").strip()
        if value and value != getattr(locked, field):
            setattr(locked, field, value)
            changed.append(field)
    phone = normalize_phone(data.get("phone") or "")
    if phone and phone != locked.phone:
        locked.phone = phone
        changed.append("phone")
    latitude, longitude = data.get("latitude"), data.get("longitude")
    if latitude is not None and longitude is not None:
        point = (latitude, longitude)
    elif "address" in changed:
        point = (None, None)
    else:
        point = (locked.latitude, locked.longitude)
    if point != (locked.latitude, locked.longitude):
        locked.latitude, locked.longitude = point
        changed += ["latitude", "longitude"]
    locked.consent_recorded_by = by
    locked.consent_recorded_at = timezone.now()
    locked.save(update_fields=[*changed, "consent_recorded_by", "consent_recorded_at"])
    return locked


@transaction.atomic
def request_report(*, volunteer: Volunteer, data: dict[str, Any], by: User) -> HelpRequest:
    """A volunteer reports someone in need. The request waits for a coordinator's check; the
    consents are the volunteer's word until the coordinator confirms them by phone."""
    if volunteer.anonymized_at is not None or volunteer.status != Volunteer.Status.ACTIVE:
        raise ValidationError(_("Your volunteer profile is not active."))
    values = {key: data.get(key, "") for key in BENEFICIARY_FIELDS}
    values["region"] = volunteer.region
    values["phone"] = normalize_phone(values["phone"] or "")
    values["latitude"] = data.get("latitude")
    values["longitude"] = data.get("longitude")
    if not (values["consent_help"] and values["consent_data"]):
        raise ValidationError(
            {"consent_data": _("The person must agree to be helped and to have their data kept.")}
        )
    beneficiary = Beneficiary.objects.create(
        **values, consent_recorded_by=by, consent_recorded_at=timezone.now()
    )
    return _new_request(beneficiary=beneficiary, data=data, by=by, needs_check=True)


@transaction.atomic
def request_check(*, request: HelpRequest, by: User) -> HelpRequest:
    """A coordinator has checked a reported request: volunteers may now offer."""
    locked = _lock_request(request.pk)
    _require_staff(by, locked)
    if locked.needs_check:
        locked.needs_check = False
        locked.checked_by = by
        locked.save(update_fields=["needs_check", "checked_by"])
        if locked.urgency == HelpRequest.Urgency.URGENT:
            care_messages.urgent_request(locked)
    return locked


def _lock_request(pk: int) -> HelpRequest:
    return (
        HelpRequest.objects.select_related("beneficiary", "region")
        .select_for_update(no_key=True, of=("self",))
        .get(pk=pk)
    )


def _lock_volunteer(pk: int) -> Volunteer:
    """The person's row as it is now, locked until the assignment is written: after the
    request's lock (the module's order). A pause, an archive, a move or an erasure committed a
    moment earlier is seen (its hooks gave up what the person held and could not see an
    assignment written after them); one in progress waits for this one, and then gives up what
    this one wrote. Such a stop locks the requests of the person's open assignments before their
    row (`volunteer_requests_lock_ahead`), so on one of those requests the two queue at the
    request's lock, whichever comes first, instead of each holding what the other waits for."""
    return volunteer_lock_to_take_part(pk)


def _require_staff(by: User, request: HelpRequest) -> None:
    if not takes_requests_in(by, request.region_id):
        raise ValidationError(_("This request is outside your regions."), code="out_of_region")


# Assignment rules ------------------------------------------------------------------------------


def volunteer_refusal(*, request: HelpRequest, volunteer: Volunteer) -> ValidationError | None:
    """Why `volunteer` may not go to `request` (hands aside), or None."""
    if not request.is_open:
        return ValidationError(_("This request is closed."), code="closed")
    if request.needs_check:
        return ValidationError(_("This request awaits a coordinator's check."), code="unchecked")
    if volunteer.anonymized_at is not None or volunteer.status != Volunteer.Status.ACTIVE:
        return ValidationError(
            _("%(name)s's volunteer profile is not active."),
            code="inactive",
            params={"name": volunteer.full_name},
        )
    if volunteer.region_id != request.region_id:
        return ValidationError(_("This request is in another region."), code="out_of_region")
    day = timezone.localtime(request.due_from).date()
    age = volunteer.age(day)
    if age is None:
        return ValidationError(
            _("A date of birth is needed: home visits are for adults."), code="age_unknown"
        )
    if age < ADULT_AGE:
        return ValidationError(
            _("Volunteers under 18 go only with their detachment and its curator, never alone."),
            code="minor_alone",
        )
    return None


def _full(request: HelpRequest) -> ValidationError:
    return ValidationError(
        _(
            "Enough people are already going (going: %(taken)s, needed: %(needed)s). To send "
            "someone else, withdraw one of them first."
        ),
        code="full",
        params={"needed": request.needed_hands, "taken": request.taken_hands},
    )


def _take(request: HelpRequest, hands: int) -> None:
    if request.taken_hands + hands > request.needed_hands:
        raise _full(request)
    request.taken_hands += hands
    if request.status == HelpRequest.Status.NEW and request.taken_hands > 0:
        request.status = HelpRequest.Status.ASSIGNED
    request.save(update_fields=["taken_hands", "status"])


def _free(request: HelpRequest, hands: int) -> None:
    request.taken_hands = max(request.taken_hands - hands, 0)
    if request.taken_hands == 0 and request.status == HelpRequest.Status.ASSIGNED:
        request.status = HelpRequest.Status.NEW
    request.save(update_fields=["taken_hands", "status"])


@transaction.atomic
def assignment_offer(*, request: HelpRequest, volunteer: Volunteer, by: User) -> Assignment:
    """ "I can do it": the volunteer offers to take an open request of their region; a
    coordinator confirms it. An offer takes no place, so a full request refuses new offers."""
    locked = _lock_request(request.pk)
    volunteer = _lock_volunteer(volunteer.pk)
    refusal = volunteer_refusal(request=locked, volunteer=volunteer)
    if refusal is not None:
        raise refusal
    if locked.free_hands <= 0:
        raise ValidationError(_("Enough people are already going."), code="full")
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                request=locked, volunteer=volunteer, status=Assignment.Status.OFFERED, assigned_by=by
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("You have already offered to help with this request."), code="already"
        ) from exc
    return assignment


@transaction.atomic
def assignment_confirm(*, assignment: Assignment, by: User) -> Assignment:
    """A coordinator confirms an offer: it takes one hand, never more than the request needs."""
    locked_request = _lock_request(assignment.request_id)
    _require_staff(by, locked_request)
    locked = (
        Assignment.objects.select_for_update(no_key=True, of=("self",))
        .select_related("volunteer")
        .get(pk=assignment.pk)
    )
    if locked.status != Assignment.Status.OFFERED:
        raise ValidationError(_("This offer is no longer waiting."), code="not_offered")
    if locked.volunteer_id is not None:
        locked.volunteer = _lock_volunteer(locked.volunteer_id)
        refusal = volunteer_refusal(request=locked_request, volunteer=locked.volunteer)
        if refusal is not None:
            raise refusal
    _take(locked_request, locked.hands)
    locked.status = Assignment.Status.CONFIRMED
    locked.confirmed_at = timezone.now()
    locked.assigned_by = by
    locked.save(update_fields=["status", "confirmed_at", "assigned_by"])
    # Notification: the volunteer, now and before the window opens.
    care_messages.assignment_confirmed(locked, locked_request)
    return locked


@transaction.atomic
def assignment_volunteer(*, request: HelpRequest, volunteer: Volunteer, by: User) -> Assignment:
    """A coordinator assigns a volunteer directly (confirmed at once)."""
    locked_request = _lock_request(request.pk)
    _require_staff(by, locked_request)
    volunteer = _lock_volunteer(volunteer.pk)
    refusal = volunteer_refusal(request=locked_request, volunteer=volunteer)
    if refusal is not None:
        raise refusal
    existing = Assignment.objects.filter(
        request=locked_request, volunteer=volunteer, status=Assignment.Status.OFFERED
    ).first()
    if existing is not None:
        return assignment_confirm(assignment=existing, by=by)
    _take(locked_request, 1)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                request=locked_request,
                volunteer=volunteer,
                status=Assignment.Status.CONFIRMED,
                confirmed_at=timezone.now(),
                assigned_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(_("Already assigned to this request."), code="already") from exc
    care_messages.assignment_confirmed(assignment, locked_request)
    return assignment


def assignments_volunteers(
    *, request: HelpRequest, volunteers: Iterable[Volunteer], by: User
) -> list[tuple[Volunteer, Assignment | ValidationError]]:
    """Assign several people, each on their own: one refusal does not undo the others."""
    results: list[tuple[Volunteer, Assignment | ValidationError]] = []
    for volunteer in volunteers:
        try:
            results.append((volunteer, assignment_volunteer(request=request, volunteer=volunteer, by=by)))
        except ValidationError as exc:
            results.append((volunteer, exc))
    return results


@transaction.atomic
def assignment_detachment(
    *, request: HelpRequest, detachment: Detachment, hands: int, curator_going: bool, by: User
) -> Assignment:
    """A school detachment goes, its curator with it (pupils never go alone), to a request not
    marked "adults only"."""
    locked_request = _lock_request(request.pk)
    _require_staff(by, locked_request)
    if not locked_request.is_open:
        raise ValidationError(_("This request is closed."), code="closed")
    if detachment.region_id != locked_request.region_id:
        raise ValidationError(
            {"detachment": _("This detachment is in another region.")}, code="out_of_region"
        )
    if locked_request.adults_only:
        raise ValidationError(
            _("This request is for adults only: a detachment of pupils cannot take it."), code="adults_only"
        )
    if detachment.curator_id is None or not curator_going:
        raise ValidationError(
            _("Pupils never go alone: the detachment's curator must go with them."), code="minor_alone"
        )
    if hands < 2:
        raise ValidationError(_("Count the curator and at least one pupil."), code="hands")
    if hands > locked_request.free_hands:
        raise _no_room_for_detachment(locked_request, hands)
    _take(locked_request, hands)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                request=locked_request,
                detachment=detachment,
                hands=hands,
                curator_going=True,
                status=Assignment.Status.CONFIRMED,
                confirmed_at=timezone.now(),
                assigned_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(_("This detachment is already assigned."), code="already") from exc
    # Notification: the curator, at once.
    care_messages.detachment_assigned(assignment, locked_request)
    return assignment


def _no_room_for_detachment(request: HelpRequest, hands: int) -> ValidationError:
    """Why a detachment of `hands` people cannot go, and what the coordinator can do instead: a
    bare "needs 1, 0 going" read as a contradiction when the detachment itself was too big."""
    params = {
        "needed": request.needed_hands,
        "taken": request.taken_hands,
        "free": request.free_hands,
        "hands": hands,
    }
    if request.free_hands <= 0:
        return _full(request)
    if request.free_hands < 2:
        # A detachment is at least two (the curator and a pupil): it can never fit here.
        return ValidationError(
            _(
                "Only one more person is needed (people needed: %(needed)s, already going: "
                "%(taken)s), and a detachment goes as at least two: the curator and a pupil. "
                "Assign an adult volunteer instead."
            ),
            code="full",
            params=params,
        )
    return ValidationError(
        _(
            "Too many people: %(free)s more are needed (people needed: %(needed)s, already going: "
            "%(taken)s), and %(hands)s would go with the detachment. Send at most %(free)s, the "
            "curator included."
        ),
        code="full",
        params=params,
    )


@transaction.atomic
def assignment_withdraw(*, assignment: Assignment, by: User) -> Assignment:
    """An offer or an assignment is withdrawn (by the volunteer, the detachment's curator or
    staff); its hands free."""
    locked_request = _lock_request(assignment.request_id)
    locked = Assignment.objects.select_for_update(no_key=True).get(pk=assignment.pk)
    own = (
        locked.volunteer_id is not None and Volunteer.objects.filter(pk=locked.volunteer_id, user=by).exists()
    )
    # The curator leads the pupils and says whether they can go, as a volunteer does for
    # themselves (their page offers them "Withdraw").
    curator = (
        locked.detachment_id is not None
        and Detachment.objects.filter(pk=locked.detachment_id, curator=by).exists()
    )
    if not (own or curator):
        _require_staff(by, locked_request)
    if locked.status not in (Assignment.Status.OFFERED, Assignment.Status.CONFIRMED):
        raise ValidationError(_("This assignment cannot be withdrawn any more."), code="not_active")
    was_going = locked.status == Assignment.Status.CONFIRMED
    if was_going:
        _free(locked_request, locked.hands)
    locked.status = Assignment.Status.WITHDRAWN
    locked.save(update_fields=["status"])
    if was_going and not (own or curator):
        care_messages.assignment_removed(locked, locked_request)
    else:
        care_messages.assignment_withdrawn(locked)
    if was_going and curator and locked_request.is_open:
        # Only the coordinators can send others in the pupils' place, and nobody else told them.
        care_messages.someone_needed_again(locked_request)
    return locked


def _give_up(assignments: QuerySet[Assignment], *, curator_removed: User | None = None) -> None:
    """Withdraw these offers and places of someone who no longer goes: the hands free (a request
    nobody else goes to needs someone again), the reminders are dropped, and the region's
    coordinators are told of each open request that lost someone going; with
    `curator_removed`, that curator, once, that the detachment need not go."""
    for assignment in assignments.order_by("request_id", "id"):
        # The module's lock order: the request first, then the assignment, read afresh.
        locked_request = _lock_request(assignment.request_id)
        locked = Assignment.objects.select_for_update(no_key=True, of=("self",)).get(pk=assignment.pk)
        if locked.status not in (Assignment.Status.OFFERED, Assignment.Status.CONFIRMED):
            continue
        was_going = locked.status == Assignment.Status.CONFIRMED
        if was_going:
            _free(locked_request, locked.hands)
        locked.status = Assignment.Status.WITHDRAWN
        locked.save(update_fields=["status"])
        care_messages.assignment_withdrawn(locked)
        if was_going and locked.detachment_id is not None:
            care_messages.detachment_released(locked, locked_request, curator=curator_removed)
        if was_going and locked_request.is_open:
            care_messages.someone_needed_again(locked_request)


def volunteer_requests_lock_ahead(*, volunteers: Sequence[Volunteer]) -> list[int]:
    """Lock the requests of these people's offers and places (any request's status), in ascending
    id, and return their ids. Registered in CareConfig.ready() as a lock-ahead hook of
    volunteers (`volunteers.services.register_lock_ahead_hook`): run before a pause, an archive, a
    withdrawn consent, a move or an erasure locks the person's row (a merge the two records'), so
    that the stop, move, anonymisation and merge hooks find their requests locked already and the module's lock order (the
    request, then the person) holds. A hook may give up fewer (a move keeps the new region's):
    those are held a moment longer, never waited for in a circle. The done requests whose outcome
    is the person's note (blanked on erasure) are not among them: nothing here holds a done
    request while it waits for a person."""
    open_assignments = Assignment.objects.filter(
        volunteer__in=volunteers, status__in=(Assignment.Status.OFFERED, Assignment.Status.CONFIRMED)
    )
    return list(
        HelpRequest.objects.select_for_update(no_key=True)
        .filter(pk__in=open_assignments.values("request_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def volunteer_assignments_give_up(*, volunteer: Volunteer, by: User | None) -> None:
    """Stop hook of volunteers (a profile paused or archived takes part in nothing): the
    person's offers and places on open requests go back to them. Help already given, and a
    request staff closed as done with the person still on it, keep the person and the hours."""
    _give_up(
        Assignment.objects.filter(
            volunteer=volunteer,
            status__in=(Assignment.Status.OFFERED, Assignment.Status.CONFIRMED),
            request__status__in=HelpRequest.OPEN,
        )
    )


def volunteer_assignments_recheck_age(*, volunteer: Volunteer, by: User | None) -> None:
    """Age hook of volunteers (a birth date corrected, records merged): a person now under 18 on
    a request's day, or of unknown age, gives up their offers and places on open requests as on
    a pause — minors go only with their detachment and its curator, never alone."""
    held = Assignment.objects.filter(
        volunteer=volunteer,
        status__in=(Assignment.Status.OFFERED, Assignment.Status.CONFIRMED),
        request__status__in=HelpRequest.OPEN,
    ).select_related("request")
    not_alone = [
        a.pk
        for a in held
        if (age := volunteer.age(timezone.localtime(a.request.due_from).date())) is None or age < ADULT_AGE
    ]
    if not_alone:
        _give_up(Assignment.objects.filter(pk__in=not_alone))


def volunteer_assignments_moved(*, volunteer: Volunteer, by: User | None) -> None:
    """Move hook of volunteers (a profile moved to another region): the person's offers and
    places on the old region's open requests go back to them, as on a pause; they no longer see
    those addresses (selectors.contact_for), so they could not go."""
    _give_up(
        Assignment.objects.filter(
            volunteer=volunteer,
            status__in=(Assignment.Status.OFFERED, Assignment.Status.CONFIRMED),
            request__status__in=HelpRequest.OPEN,
        ).exclude(request__region_id=volunteer.region_id)
    )


def volunteer_assignments_withdraw(*, volunteer: Volunteer, by: User | None) -> None:
    """Anonymisation hook: an erased profile holds no places on open requests, and the notes of
    all its assignments, done ones included, are blanked (free text about a visit to someone's
    home may name the volunteer or say anything about them). Statuses and hours stay: the
    reports and the request's history count them."""
    _give_up(
        Assignment.objects.filter(
            volunteer=volunteer, status__in=(Assignment.Status.OFFERED, Assignment.Status.CONFIRMED)
        )
    )
    # A request done by the person alone took their note as its outcome (`assignment_done`): that
    # copy goes too, unless staff have since written another. The requests first, then the
    # assignments: the module's lock order.
    copied = Assignment.objects.filter(
        volunteer=volunteer, request=OuterRef("pk"), note=OuterRef("outcome_note")
    )
    HelpRequest.objects.exclude(outcome_note="").filter(Exists(copied)).update(outcome_note="")
    Assignment.objects.filter(volunteer=volunteer).exclude(note="").update(note="")


def detachment_assignments_release(*, detachment: Detachment, curator: User | None, by: User | None) -> None:
    """Hook of detachments (extensions.CURATOR_GONE_HOOKS): a detachment left without its
    curator goes nowhere, pupils never go alone. Its offers and confirmed places on open
    requests are withdrawn, their hands freed (a request nobody else goes to needs someone
    again), the curator removed (unless their account is gone) is told the pupils need not go
    and the region's coordinators that the request needs someone. Help already given keeps its
    hours."""
    _give_up(
        Assignment.objects.filter(
            detachment=detachment,
            status__in=(Assignment.Status.OFFERED, Assignment.Status.CONFIRMED),
            request__status__in=HelpRequest.OPEN,
        ),
        curator_removed=curator,
    )


def detachment_curator_taken_over(*, detachment: Detachment) -> None:
    """Hook of detachments (extensions.CURATOR_TAKEN_OVER_HOOKS): a new curator has replaced the
    one before. The detachment still goes where it was sent, now led by them: they are told of
    each open request, as a curator is when the detachment is assigned."""
    going = (
        Assignment.objects.filter(
            detachment=detachment, status=Assignment.Status.CONFIRMED, request__status__in=HelpRequest.OPEN
        )
        .select_related("request__region", "request__beneficiary", "detachment__curator")
        .order_by("request_id", "id")
    )
    for assignment in going:
        care_messages.detachment_assigned(assignment, assignment.request)


def detachment_move_refusal(*, detachment: Detachment) -> ValidationError | None:
    """Refusal of detachments (extensions.MOVE_REFUSALS): a detachment that still goes to open
    requests of its region does not move to another one; it is withdrawn from them first."""
    going = Assignment.objects.filter(
        detachment=detachment,
        status__in=(Assignment.Status.OFFERED, Assignment.Status.CONFIRMED),
        request__status__in=HelpRequest.OPEN,
    )
    if not going.exists():
        return None
    return ValidationError(
        _(
            "This detachment is going to help requests of its region. Withdraw it from them "
            "before moving it to another region."
        ),
        code="goes_to_help",
    )


def _parse_hours(hours: Any) -> Decimal:
    try:
        value = Decimal(str(hours))
    except (ArithmeticError, ValueError, TypeError):
        value = Decimal("-1")
    if not value.is_finite() or not Decimal("0.25") <= value <= Decimal("24"):
        raise ValidationError({"hours": _("Between 0.25 and 24 hours.")})
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def request_start(*, request: HelpRequest, by: User) -> HelpRequest:
    """Someone assigned (or staff) says the work has begun."""
    locked = _lock_request(request.pk)
    assigned = Assignment.objects.filter(
        request=locked, volunteer__user=by, status=Assignment.Status.CONFIRMED
    ).exists()
    if not assigned:
        _require_staff(by, locked)
    if locked.status != HelpRequest.Status.ASSIGNED:
        raise ValidationError(_("Only an assigned request can be started."), code="not_assigned")
    locked.status = HelpRequest.Status.IN_PROGRESS
    locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def assignment_done(*, assignment: Assignment, hours: Any, note: str, by: User) -> Assignment:
    """The volunteer (or staff for them) marks their part done with the time spent: the hours
    count among the volunteer's hours. When every confirmed assignment is done, so is the
    request, and the address stays visible to them for CARE_CONTACT_DAYS_AFTER_DONE days."""
    locked_request = _lock_request(assignment.request_id)
    locked = Assignment.objects.select_for_update(no_key=True).get(pk=assignment.pk)
    own = (
        locked.volunteer_id is not None and Volunteer.objects.filter(pk=locked.volunteer_id, user=by).exists()
    )
    curator = (
        locked.detachment_id is not None
        and Detachment.objects.filter(pk=locked.detachment_id, curator=by).exists()
    )
    if not (own or curator):
        _require_staff(by, locked_request)
    if locked.status != Assignment.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed assignment can be marked done."), code="not_confirmed")
    value = _parse_hours(hours)
    now = timezone.now()
    if now < locked_request.due_from - datetime.timedelta(hours=12):
        raise ValidationError(_("The request's time has not come yet."), code="too_early")
    locked.status = Assignment.Status.DONE
    locked.hours = value
    locked.note = (note or "").strip()[:2000]
    locked.done_at = now
    locked.save(update_fields=["status", "hours", "note", "done_at"])
    care_messages.assignment_finished(locked)
    _done_when_nobody_waits(locked_request, now=now, note=locked.note)
    return locked


def _done_when_nobody_waits(request: HelpRequest, *, now: datetime.datetime, note: str) -> None:
    """The request (locked by the caller) is done once no confirmed assignment is left to do it;
    `note`, the last one's, becomes its outcome unless staff wrote one."""
    if Assignment.objects.filter(request=request, status=Assignment.Status.CONFIRMED).exists():
        return
    if request.status == HelpRequest.Status.DONE:
        # Closed as done by staff already: the hours recorded after it do not move the day it
        # was done (the reports count it in that period, and the address window runs from it).
        if note and not request.outcome_note:
            request.outcome_note = note
            request.save(update_fields=["outcome_note"])
        return
    request.status = HelpRequest.Status.DONE
    request.done_at = now
    request.closed_at = now
    if note and not request.outcome_note:
        request.outcome_note = note
    request.save(update_fields=["status", "done_at", "closed_at", "outcome_note"])
    care_messages.request_closed(request)


def _someone_going(request: HelpRequest) -> bool:
    """A confirmed assignment (a volunteer or a detachment), or one already done."""
    return Assignment.objects.filter(request=request, status__in=Assignment.TAKING).exists()


@transaction.atomic
def request_close(*, request: HelpRequest, status: str, outcome_note: str, by: User) -> HelpRequest:
    """Staff close a request: done, cannot help, or cancelled, with the outcome."""
    locked = _lock_request(request.pk)
    _require_staff(by, locked)
    if status not in HelpRequest.CLOSED:
        raise ValidationError({"status": _("Choose how the request ended.")})
    if not locked.is_open:
        raise ValidationError(_("This request is closed."), code="closed")
    if status == HelpRequest.Status.DONE and not _someone_going(locked):
        # Done with nobody going would count in the reports as help given that nobody gave.
        raise ValidationError(
            {
                "status": ValidationError(
                    _(
                        "Nobody is going to this request, so it cannot be closed as “%(done)s”. "
                        "Assign someone first, or close it as “%(cannot_help)s” or “%(cancelled)s”."
                    ),
                    code="nobody_going",
                    params={
                        "done": HelpRequest.Status.DONE.label,
                        "cannot_help": HelpRequest.Status.CANNOT_HELP.label,
                        "cancelled": HelpRequest.Status.CANCELLED.label,
                    },
                )
            }
        )
    now = timezone.now()
    locked.status = status
    locked.outcome_note = (outcome_note or "").strip()[:2000]
    locked.closed_at = now
    if status == HelpRequest.Status.DONE:
        locked.done_at = now
    locked.save(update_fields=["status", "outcome_note", "closed_at", "done_at"])
    care_messages.request_closed(locked)
    # Done by staff: the people confirmed keep their assignment (and may still record their
    # hours); otherwise nobody goes any more, and each is told.
    leaving = (
        (Assignment.Status.OFFERED,)
        if status == HelpRequest.Status.DONE
        else (Assignment.Status.CONFIRMED, Assignment.Status.OFFERED)
    )
    for assignment in Assignment.objects.filter(request=locked, status__in=leaving).select_related(
        "volunteer", "detachment__curator"
    ):
        was_going = assignment.status == Assignment.Status.CONFIRMED
        if was_going:
            # Nobody goes in their place: the page and the reports' export count who went.
            locked.taken_hands = max(locked.taken_hands - assignment.hands, 0)
        assignment.status = Assignment.Status.WITHDRAWN
        assignment.save(update_fields=["status"])
        if status == HelpRequest.Status.DONE:
            care_messages.assignment_withdrawn(assignment)
        else:
            care_messages.assignment_called_off(assignment, locked, was_going=was_going)
    locked.save(update_fields=["taken_hands"])
    if status == HelpRequest.Status.DONE:
        # Those who stay confirmed are not reminded to go to help already given (closed done
        # before its window, when someone else helped).
        for assignment in Assignment.objects.filter(request=locked, status=Assignment.Status.CONFIRMED):
            care_messages.assignment_finished(assignment)
    return locked


# Recurrence ------------------------------------------------------------------------------------


def _next_start(request: HelpRequest, after: datetime.date) -> datetime.datetime:
    """The series' first start on its weekday strictly after `after`, at the original time."""
    local = timezone.localtime(request.due_from)
    days = (request.weekday - after.weekday()) % 7 or 7  # type: ignore[operator]
    day = after + datetime.timedelta(days=days)
    return local.replace(year=day.year, month=day.month, day=day.day)


def occurrences_create_due(*, now: datetime.datetime | None = None) -> list[HelpRequest]:
    """For each weekly series still going, the occurrence after the latest one, once that one's
    day has come. Idempotent: the unique (series, due_from) makes a second run (or a second
    worker) create nothing.

    A week cancelled (the person away that week, in hospital) is that week only, the first one
    included: the series goes on until staff stop it ("Stop repeating", series_stop) or the
    person's data is erased, both of which make it one-off."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    created: list[HelpRequest] = []
    roots = HelpRequest.objects.filter(
        recurrence=HelpRequest.Recurrence.WEEKLY,
        series__isnull=True,
        beneficiary__erased_at__isnull=True,
        # Reported by a volunteer and not yet checked: the person's consent is still only
        # the volunteer's word, and an occurrence (made checked) would be offered to all.
        needs_check=False,
    ).annotate(latest=Max("occurrences__due_from"))
    for root in roots:
        latest = root.latest or root.due_from
        if timezone.localdate(latest) > today:
            continue  # the next one is already waiting
        start = _next_start(root, timezone.localdate(latest))
        length = root.due_until - root.due_from
        while start + length <= now:
            # Weeks nobody could be sent to (the series checked late, the task down for days)
            # are skipped: an occurrence already over would only sit at the top of the list as
            # overdue, help nobody can give any more.
            start = _next_start(root, timezone.localdate(start))
        try:
            with transaction.atomic():
                occurrence = HelpRequest.objects.create(
                    beneficiary_id=root.beneficiary_id,
                    region_id=root.region_id,
                    kind=root.kind,
                    details=root.details,
                    urgency=root.urgency,
                    due_from=start,
                    due_until=start + length,
                    recurrence=HelpRequest.Recurrence.WEEKLY,
                    weekday=root.weekday,
                    series=root,
                    needed_hands=root.needed_hands,
                    adults_only=root.adults_only,
                    created_by=None,
                )
        except IntegrityError:
            continue  # another run made it first
        created.append(occurrence)
    return created


@transaction.atomic
def series_stop(*, request: HelpRequest, by: User) -> list[HelpRequest]:
    """No more occurrences after `request`: the series is marked one-off from now on, and the
    occurrences after this one already made (the next week's is made once this week's day has
    come) are cancelled, those going told, as a request cancelled is. Returns those cancelled.

    Staff stop a series when the person has died, moved away or no longer wants the help: the
    next week's visit, still on the volunteer's list with its reminder, would send them to a door
    nobody opens. The request itself stays as it is, for staff to close as it ended."""
    root = request.series or request
    locked = _lock_request(root.pk)
    _require_staff(by, locked)
    HelpRequest.objects.filter(pk=locked.pk).update(recurrence=HelpRequest.Recurrence.ONCE, weekday=None)
    HelpRequest.objects.filter(series=locked).update(recurrence=HelpRequest.Recurrence.ONCE, weekday=None)
    later = (
        HelpRequest.objects.filter(
            Q(pk=locked.pk) | Q(series=locked),
            status__in=HelpRequest.OPEN,
            due_from__gt=max(request.due_from, timezone.now()),
        )
        .exclude(pk=request.pk)
        .order_by("due_from", "id")
    )
    return [
        request_close(request=occurrence, status=HelpRequest.Status.CANCELLED, outcome_note="", by=by)
        for occurrence in later
    ]


# Erasure ---------------------------------------------------------------------------------------


ERASED_FIELDS = {
    "full_name": "",
    "phone": "",
    "address": "",
    "latitude": None,
    "longitude": None,
    "needs": "",
    "notes": "",
    "how_to_reach": "",
    "locality": "",
}


def _erase(beneficiary: Beneficiary, *, by: User | None, reason: str) -> Beneficiary:
    locked = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    if locked.is_erased:
        return locked
    now = timezone.now()
    for field, value in ERASED_FIELDS.items():
        setattr(locked, field, value)
    locked.erased_at = now
    locked.save(update_fields=[*ERASED_FIELDS, "erased_at"])
    # The requests stay as counts (kind, region, dates, hours); their free texts may name the person.
    # Cancelled in the order of the reports' summary rows each one updates (region, Almaty day
    # of intake, kind: reports/requestsummary.py), so that two erasures at once take those
    # rows' locks in the same order and queue instead of deadlocking.
    open_requests = HelpRequest.objects.filter(beneficiary=locked, status__in=HelpRequest.OPEN).order_by(
        "region_id", TruncDate("created_at", tzinfo=timezone.get_default_timezone()), "kind", "id"
    )
    for request in open_requests:
        request_locked = _lock_request(request.pk)
        for assignment in Assignment.objects.filter(
            request=request_locked, status__in=(Assignment.Status.OFFERED, Assignment.Status.CONFIRMED)
        ).select_related("volunteer", "detachment__curator"):
            was_going = assignment.status == Assignment.Status.CONFIRMED
            if was_going:
                request_locked.taken_hands = max(request_locked.taken_hands - assignment.hands, 0)
            assignment.status = Assignment.Status.WITHDRAWN
            assignment.save(update_fields=["status"])
            # Told with the kind and the region only: the locality went with the person's data.
            care_messages.assignment_called_off(assignment, request_locked, was_going=was_going)
        request_locked.status = HelpRequest.Status.CANCELLED
        request_locked.closed_at = now
        request_locked.save(update_fields=["status", "closed_at", "taken_hands"])
        care_messages.request_closed(request_locked)
    HelpRequest.objects.filter(beneficiary=locked).update(
        details="", outcome_note="", recurrence="once", weekday=None
    )
    Assignment.objects.filter(request__beneficiary=locked).update(note="")
    audit_record(
        actor=by,
        action=AuditEntry.Action.ERASED,
        subject=locked,
        region_code=locked.region.code,
        detail={"reason": reason},
    )
    return locked


@transaction.atomic
def beneficiary_erase(*, beneficiary: Beneficiary, by: User) -> Beneficiary:
    """Erase on the person's request: their personal data goes, the counts stay."""
    if not takes_requests_in(by, beneficiary.region_id):
        raise ValidationError(_("This beneficiary is outside your regions."), code="out_of_region")
    return _erase(beneficiary, by=by, reason="request")


def beneficiaries_erase_expired(*, now: datetime.datetime | None = None) -> int:
    """Erase everyone whose last request closed more than CARE_RETENTION_DAYS ago (none open)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.CARE_RETENTION_DAYS)
    due = (
        Beneficiary.objects.filter(erased_at__isnull=True)
        .exclude(requests__status__in=HelpRequest.OPEN)
        .annotate(last_closed=Max("requests__closed_at"))
        .filter(Q(last_closed__lt=cutoff) | Q(last_closed__isnull=True, created_at__lt=cutoff))
    )
    count = 0
    for beneficiary in due:
        with transaction.atomic():
            _erase(beneficiary, by=None, reason="retention")
        count += 1
    return count
