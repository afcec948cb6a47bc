"""Writes for transport requests and emergency call-outs.

Transport: a volunteer with a confirmed or waitlisted sign-up asks for a lift (one request per
sign-up); the coordinator arranges it (driver, time, place, a group label for riders sharing a
car) or declines it with a reason, and the volunteer is told through notifications.

Call-outs: for an emergency campaign a coordinator calls out the adult, active volunteers of the
campaign's region (optionally only those with some skills). Each gets a signed, expiring link to
answer yes or no without logging in; those who said yes are then confirmed onto a shift through
`services.signup_create`, which keeps every sign-up rule (age, capacity, overlaps) in one place.
"""

from __future__ import annotations

import datetime
import math
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.models import Message
from notifications.services import message_schedule
from regions.validators import validate_point_in_kazakhstan
from volunteer_net.dates import when_text
from volunteer_net.short_tokens import BadToken, is_short, short_dumps, short_loads, short_peek
from volunteers.models import ADULT_AGE, Skill, Volunteer, years_before

from .models import CallOut, CallOutAnswer, Campaign, Shift, Signup, TransportRequest
from .services import callouts_close, signup_create

MAX_SEATS = 4
CALLOUT_SALT = "events.callout"
# A call-out is about the next hours or days; an old link must not change an answer a week on.
CALLOUT_LINK_MAX_AGE = datetime.timedelta(days=3)


# Transport ------------------------------------------------------------------------------------


def _check_transport_fields(*, pickup: str, seats: int) -> None:
    errors: dict[str, list[str]] = {}
    if not pickup.strip():
        errors["pickup"] = [_("Say where to pick you up.")]
    if not 1 <= seats <= MAX_SEATS:
        errors["seats"] = [_("From 1 to %(max)s seats.") % {"max": MAX_SEATS}]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def transport_request_save(*, signup: Signup, pickup: str, seats: int, note: str = "") -> TransportRequest:
    """Ask for transport, or change the request while it has not been answered."""
    signup = Signup.objects.select_for_update(of=("self",)).select_related("shift").get(pk=signup.pk)
    if signup.status not in (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED):
        raise ValidationError(
            _("Transport can be asked for a confirmed or waitlisted sign-up only."), code="status"
        )
    if signup.shift.cancelled_at is not None or signup.shift.starts_at <= timezone.now():
        raise ValidationError(_("This shift has been cancelled or has already started."), code="shift")
    _check_transport_fields(pickup=pickup, seats=seats)
    request = TransportRequest.objects.filter(signup=signup).first()
    if request is not None and request.is_answered:
        raise ValidationError(_("The coordinator has already answered this request."), code="answered")
    if request is None:
        request = TransportRequest(signup=signup)
    request.pickup, request.seats, request.note = pickup.strip(), seats, note.strip()
    request.status = TransportRequest.Status.PENDING
    request.save()
    return request


@transaction.atomic
def transport_request_cancel(*, request: TransportRequest) -> TransportRequest:
    request = TransportRequest.objects.select_for_update().get(pk=request.pk)
    if request.is_answered:
        raise ValidationError(_("The coordinator has already answered this request."), code="answered")
    request.status = TransportRequest.Status.CANCELLED
    request.save(update_fields=["status", "updated_at"])
    return request


def transport_answer_text(request: TransportRequest) -> str:
    """The answer as the volunteer reads it (in the active language)."""
    if request.status == TransportRequest.Status.DECLINED:
        return _("Transport cannot be arranged: %(reason)s") % {"reason": request.decline_reason}
    parts = [_("Transport arranged.")]
    # Either may be given without the other (the board's form asks for neither): a place alone
    # was left out of the message, a time alone read "Departure: 30.11.2026 07:00, ."
    departure = [
        when_text(request.departure_at) if request.departure_at is not None else "",
        request.departure_place,
    ]
    if any(departure):
        parts.append(f"{_('Departure:')} {', '.join(filter(None, departure))}.")
    parts.append(
        _("Driver: %(name)s, %(phone)s.")
        % {"name": request.driver_name, "phone": request.driver_phone_display}
    )
    if request.group:
        parts.append(_("Group: %(group)s.") % {"group": request.group})
    return " ".join(parts)


def _tell_transport_answer(request: TransportRequest) -> None:
    if Message.Kind.TRANSPORT_ANSWER not in Message.Kind.values:
        return
    volunteer = request.signup.volunteer
    with translation.override(volunteer.preferred_language or "kk"):
        text = transport_answer_text(request)
    message_schedule(
        recipient=volunteer,
        kind=Message.Kind.TRANSPORT_ANSWER,
        subject_type="events.transport",
        subject_id=request.pk,
        due_at=request.answered_at or timezone.now(),
        valid_until=request.signup.shift.ends_at,
        context={
            "title": request.signup.shift.campaign.title,
            "text": text,
            "url": reverse("events:my_shifts"),
        },
    )


def _lock_for_answer(request: TransportRequest) -> TransportRequest:
    locked = (
        TransportRequest.objects.select_for_update(of=("self",))
        .select_related("signup__volunteer", "signup__shift__campaign")
        .get(pk=request.pk)
    )
    # An erased person's request (a declined one stays declined) takes no new answer: it would
    # write a driver's details against nobody and message an erased profile.
    if (
        locked.status == TransportRequest.Status.CANCELLED
        or not locked.signup.is_active
        or locked.signup.volunteer.is_anonymised
    ):
        raise ValidationError(_("The volunteer has cancelled this request."), code="cancelled")
    return locked


@transaction.atomic
def transport_arrange(
    *,
    request: TransportRequest,
    by: User,
    driver_name: str,
    driver_phone: str,
    departure_at: datetime.datetime | None,
    departure_place: str,
    group: str = "",
) -> TransportRequest:
    """Mark a request arranged (or change the arrangement, or confirm it after the shift changed)
    and tell the volunteer."""
    locked = _lock_for_answer(request)
    if not driver_name.strip() or not driver_phone.strip():
        raise ValidationError({"driver_name": [_("Give the driver's name and phone.")]}, code="driver")
    locked.status = TransportRequest.Status.ARRANGED
    locked.driver_name, locked.driver_phone = driver_name.strip(), driver_phone.strip()
    locked.departure_at, locked.departure_place = departure_at, departure_place.strip()
    locked.group, locked.decline_reason = group.strip(), ""
    locked.answered_at, locked.answered_by = timezone.now(), by
    # Arranged again after the shift changed: the departure is now confirmed for its new time.
    locked.recheck_since = None
    locked.save()
    _tell_transport_answer(locked)
    return locked


@transaction.atomic
def transport_decline(*, request: TransportRequest, by: User, reason: str) -> TransportRequest:
    locked = _lock_for_answer(request)
    if not reason.strip():
        raise ValidationError({"decline_reason": [_("Give the reason.")]}, code="reason")
    locked.status = TransportRequest.Status.DECLINED
    locked.decline_reason = reason.strip()
    locked.answered_at, locked.answered_by = timezone.now(), by
    locked.recheck_since = None
    locked.save()
    _tell_transport_answer(locked)
    return locked


# Call-outs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Near:
    """A call-out's circle: volunteers whose area lies within `radius_km` of the point."""

    latitude: Decimal
    longitude: Decimal
    radius_km: int


EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine); a few metres off at Kazakhstan's scale, far below the
    kilometre to which volunteers' areas are kept."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _within(qs: QuerySet[Volunteer], near: Near) -> QuerySet[Volunteer]:
    """Narrow to volunteers within the circle: a bounding box in SQL (portable, and it lets the
    database skip most rows), then the exact distance for what is left. People who gave no area
    are not in any circle."""
    lat, lon = float(near.latitude), float(near.longitude)
    dlat = near.radius_km / 111.0
    dlon = near.radius_km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    boxed = qs.filter(
        latitude__gte=lat - dlat,
        latitude__lte=lat + dlat,
        longitude__gte=lon - dlon,
        longitude__lte=lon + dlon,
    ).values_list("id", "latitude", "longitude")
    inside = [
        pk
        for pk, vlat, vlon in boxed
        if vlat is not None
        and vlon is not None
        and distance_km(lat, lon, float(vlat), float(vlon)) <= near.radius_km
    ]
    return qs.filter(id__in=inside)


def callout_audience(
    *, campaign: Campaign, skills: Sequence[Skill] = (), near: Near | None = None
) -> QuerySet[Volunteer]:
    """Adult, active, not anonymised volunteers of the campaign's region; with `skills`, only
    those with at least one of them; with `near`, only those whose area is inside the circle.
    Nobody under 18 (law 42-VI art. 12), nor anyone whose age is unknown."""
    today = timezone.localdate()
    adult_born_by = years_before(today, ADULT_AGE)
    if campaign.region_id is None:
        return Volunteer.objects.none()
    qs = Volunteer.objects.filter(
        region_id=campaign.region_id,
        status=Volunteer.Status.ACTIVE,
        anonymized_at__isnull=True,
        birth_date__isnull=False,
        birth_date__lte=adult_born_by,
    )
    if skills:
        qs = qs.filter(skills__in=list(skills)).distinct()
    if near is not None:
        qs = _within(qs, near)
    return qs.order_by("last_name", "first_name", "id")


MAX_CALLOUT_RADIUS_KM = 500


def _validate_near(near: Near) -> None:
    validate_point_in_kazakhstan(near.latitude, near.longitude)
    if not 1 <= near.radius_km <= MAX_CALLOUT_RADIUS_KM:
        raise ValidationError(
            {
                "radius_km": [
                    ValidationError(
                        _("Enter a distance from 1 to %(max)s km."),
                        code="radius",
                        params={"max": MAX_CALLOUT_RADIUS_KM},
                    )
                ]
            }
        )


# The short link's fields (volunteer_net/short_tokens.py): the answer's row, when made (ms). The
# row's own secret enters the signature.
_CALLOUT_LAYOUT = "IQ"


def callout_token(answer: CallOutAnswer) -> str:
    """Short, for the SMS: a call-out goes to thousands, each SMS part paid for."""
    return short_dumps(
        _CALLOUT_LAYOUT, (answer.pk, int(time.time() * 1000)), salt=CALLOUT_SALT, key_extra=answer.token
    )


def _answers() -> QuerySet[CallOutAnswer]:
    # An erased person's links are dead (law 94-V): as forged ones, whatever their age.
    return CallOutAnswer.objects.select_related("callout__campaign", "volunteer").filter(
        volunteer__anonymized_at__isnull=True
    )


def _answer_from_short_token(token: str) -> CallOutAnswer:
    try:
        answer_id, _issued = short_peek(token, _CALLOUT_LAYOUT)
        assert isinstance(answer_id, int)
        answer = _answers().get(pk=answer_id)
        _answer_id, issued_ms = short_loads(token, _CALLOUT_LAYOUT, salt=CALLOUT_SALT, key_extra=answer.token)
    except BadToken:
        raise CallOutAnswer.DoesNotExist from None
    assert isinstance(issued_ms, int)
    if time.time() - issued_ms / 1000 > CALLOUT_LINK_MAX_AGE.total_seconds():
        raise signing.SignatureExpired
    return answer


def callout_answer_from_token(token: str) -> CallOutAnswer:
    """The answer row a link is for. Raises signing.SignatureExpired for an old link and
    CallOutAnswer.DoesNotExist for a forged one (or one whose row is gone). Links made before
    links were short are read as they were written, until they expire."""
    if is_short(token):
        return _answer_from_short_token(token)
    try:
        data: Any = signing.loads(token, salt=CALLOUT_SALT, max_age=CALLOUT_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise
    except signing.BadSignature:
        raise CallOutAnswer.DoesNotExist from None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int) or not isinstance(data.get("t"), str):
        raise CallOutAnswer.DoesNotExist
    return _answers().get(pk=data["a"], token=data["t"])


@transaction.atomic
def callout_create(
    *, campaign: Campaign, text: str, skills: Iterable[Skill] = (), near: Near | None = None, by: User
) -> CallOut:
    """Call out the campaign's audience and send each person their answer link."""
    skills = list(skills)
    if campaign.kind != Campaign.Kind.EMERGENCY:
        raise ValidationError(_("Call-outs are for emergency campaigns only."), code="kind")
    if campaign.region_id is None:
        raise ValidationError(_("A call-out needs a regional campaign."), code="national")
    if campaign.status != Campaign.Status.PUBLISHED:
        raise ValidationError(_("Publish the campaign before calling volunteers out."), code="not_open")
    if not text.strip():
        raise ValidationError({"text": [_("Write the message.")]}, code="text")
    if near is not None:
        _validate_near(near)
    audience = list(callout_audience(campaign=campaign, skills=skills, near=near))
    if not audience and near is not None:
        raise ValidationError(
            _(
                "Nobody matches: no adult, active volunteers of the region with these skills "
                "have given an area within %(km)s km of this point."
            )
            % {"km": near.radius_km},
            code="empty",
        )
    if not audience:
        raise ValidationError(
            _("Nobody matches: no adult, active volunteers of the region with these skills."), code="empty"
        )
    callout = CallOut.objects.create(
        campaign=campaign,
        text=text.strip(),
        created_by=by,
        latitude=near.latitude if near else None,
        longitude=near.longitude if near else None,
        radius_km=near.radius_km if near else None,
    )
    callout.skills.set(skills)
    answers = CallOutAnswer.objects.bulk_create(
        [CallOutAnswer(callout=callout, volunteer=v, token=secrets.token_hex(8)) for v in audience]
    )
    now = timezone.now()
    for answer in answers:
        message_schedule(
            recipient=answer.volunteer,
            kind=Message.Kind.CALLOUT,
            subject_type="events.callout",
            subject_id=answer.pk,
            due_at=now,
            valid_until=now + CALLOUT_LINK_MAX_AGE,
            context={
                "title": campaign.title,
                "text": callout.text,
                "url": reverse("events:callout_answer", args=[callout_token(answer)]),
            },
        )
    return callout


@transaction.atomic
def callout_answer_set(*, answer: CallOutAnswer, value: str) -> CallOutAnswer:
    """Record (or change) a volunteer's answer while the call-out is open. Raises
    CallOutAnswer.DoesNotExist, as `callout_answer_from_token` does, when the link died since it
    was read (the person was erased meanwhile: their row went or its token was blanked)."""
    locked = (
        CallOutAnswer.objects.select_for_update(of=("self",))
        .select_related("callout")
        .get(pk=answer.pk, token=answer.token)
    )
    if not locked.callout.is_open:
        raise ValidationError(_("This call-out is closed; answers can no longer change."), code="closed")
    if value not in (CallOutAnswer.Answer.YES, CallOutAnswer.Answer.NO):
        raise ValidationError(_("Answer yes or no."), code="invalid")
    locked.answer, locked.answered_at = value, timezone.now()
    locked.save(update_fields=["answer", "answered_at"])
    return locked


@transaction.atomic
@transaction.atomic
def callout_close(*, callout: CallOut) -> CallOut:
    """Closed by the coordinator: the answers stop, and the links not sent yet stay unsent."""
    callouts_close(CallOut.objects.filter(pk=callout.pk))
    callout.refresh_from_db()
    return callout


def callout_confirm(
    *, callout: CallOut, shift: Shift, by: User, volunteer_ids: Iterable[int] | None = None
) -> list[tuple[Volunteer, Signup | ValidationError]]:
    """Sign those who said yes (or the chosen ones among them) up for a shift of the call-out's
    campaign, each through `signup_create` on their own; a refusal is returned with the name."""
    if shift.campaign_id != callout.campaign_id:
        raise ValidationError(_("Choose a shift of this campaign."), code="shift")
    yes = CallOutAnswer.objects.filter(callout=callout, answer=CallOutAnswer.Answer.YES)
    if volunteer_ids is not None:
        yes = yes.filter(volunteer_id__in=list(volunteer_ids))
    people = [a.volunteer for a in yes.select_related("volunteer").order_by("volunteer_id")]
    results: list[tuple[Volunteer, Signup | ValidationError]] = []
    for volunteer in people:
        try:
            results.append(
                (volunteer, signup_create(shift=shift, volunteer=volunteer, by=by, waitlist_ok=False))
            )
        except ValidationError as exc:
            results.append((volunteer, exc))
    return results
