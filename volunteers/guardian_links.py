"""The personal link a minor's parent or legal representative opens to give consent.

Signed with the site's secret and expiring (GUARDIAN_LINK_DAYS); it names the volunteer and the
guardian's phone at the time it was made, so that a link stops working when the guardian on
file changes, and when it was made, so that a consent withdrawn is not given back by a link sent
before (the guardian who withdrew it, or the wrong guardian it was withdrawn for, is sent a new
one). Consent is given once: a used link answers that it was already given.

The link is for the guardian alone: it is sent to the guardian's phone (notifications/, through
volunteers/extensions.py) and shown to staff who hand it over in person, never to the minor.
Links made before that rule (version 1, shown on the minor's own profile) read as expired.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from volunteer_net.short_tokens import BadToken, is_short, short_dumps, short_loads

from .models import GuardianConsent, Volunteer, VolunteerChange

_SALT = "volunteers.guardian-consent"
# The link's format: 2 since links go to the guardian only (see above).
_VERSION = 2
# The short format's (volunteer_net/short_tokens.py): version, person, issued (ms), guardian.
_SHORT_VERSION = 3
_SHORT_LAYOUT = "BIQ6s"
_SHORT_KEY_BYTES = 6
_EXPIRED = "expired"


@dataclass(frozen=True)
class GuardianLinkData:
    volunteer_id: int
    guardian_key: str
    # None for a link made before links carried it: such a link stops at any withdrawal on file.
    issued_at: datetime.datetime | None


def _guardian_key(volunteer: Volunteer) -> str:
    # A digest, not the number itself: the token is readable (signed, not encrypted).
    text = f"{volunteer.guardian_phone}|{volunteer.guardian_name}".encode()
    return hashlib.sha256(text).hexdigest()[:16]


def guardian_link_token(volunteer: Volunteer) -> str:
    """Short, for the SMS (volunteer_net/short_tokens.py): the person, when (in milliseconds, so
    that a withdrawal in the same second as the link still tells them apart), and the guardian
    on file as a 6-byte digest."""
    issued_ms = int(timezone.now().timestamp() * 1000)
    key = bytes.fromhex(_guardian_key(volunteer))[:_SHORT_KEY_BYTES]
    return short_dumps(_SHORT_LAYOUT, (_SHORT_VERSION, volunteer.pk, issued_ms, key), salt=_SALT)


def guardian_link_url(volunteer: Volunteer) -> str:
    return settings.SITE_URL + reverse("guardian_consent", args=[guardian_link_token(volunteer)])


def guardian_link_read(token: str) -> GuardianLinkData:
    """The link's data, or a ValidationError saying plainly why it cannot be used."""
    expired = ValidationError(
        _("This link has expired. Ask the school curator or the front office for a new one."), code=_EXPIRED
    )
    invalid = ValidationError(_("This link is not valid. Check that it was copied whole."), code="invalid")
    if is_short(token):
        return _read_short(token, expired=expired, invalid=invalid)
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.GUARDIAN_LINK_DAYS * 24 * 3600)
    except signing.SignatureExpired as exc:
        raise expired from exc
    except signing.BadSignature as exc:
        raise invalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("v"), int) or not isinstance(data.get("g"), str):
        raise invalid
    if data.get("n") != _VERSION:
        # Genuine, but of a kind the minor could copy from their own profile.
        raise expired
    issued = data.get("t")
    return GuardianLinkData(
        volunteer_id=data["v"],
        guardian_key=data["g"],
        issued_at=(
            datetime.datetime.fromtimestamp(issued, tz=datetime.UTC)
            if isinstance(issued, int | float) and not isinstance(issued, bool)
            else None
        ),
    )


def _read_short(token: str, *, expired: ValidationError, invalid: ValidationError) -> GuardianLinkData:
    try:
        version, volunteer_id, issued_ms, key = short_loads(token, _SHORT_LAYOUT, salt=_SALT)
    except BadToken as exc:
        raise invalid from exc
    assert isinstance(issued_ms, int) and isinstance(volunteer_id, int) and isinstance(key, bytes)
    issued = datetime.datetime.fromtimestamp(issued_ms / 1000, tz=datetime.UTC)
    if version != _SHORT_VERSION or timezone.now() - issued >= datetime.timedelta(
        days=settings.GUARDIAN_LINK_DAYS
    ):
        raise expired
    return GuardianLinkData(volunteer_id=volunteer_id, guardian_key=key.hex(), issued_at=issued)


def guardian_link_person(data: GuardianLinkData, people: QuerySet[Volunteer]) -> Volunteer | None:
    """The person the link names, among `people`. A record merged since into another is that
    one: the guardian was sent the link for the record a coordinator then removed as a duplicate,
    and it still speaks for them if `guardian_link_matches` finds the same guardian there. (The
    merge brings the history along, so the record kept holds the line naming the one it took in.)"""
    person = people.filter(pk=data.volunteer_id).first()
    if person is None:
        kept = VolunteerChange.objects.filter(
            action=VolunteerChange.Action.MERGE, merged_from=data.volunteer_id
        ).values("volunteer_id")
        person = people.filter(pk__in=kept).first()
    return person


def guardian_link_matches(volunteer: Volunteer, data: GuardianLinkData) -> bool:
    """Whether the link still speaks for the guardian on file: the same guardian, and no consent
    withdrawn since it was made."""
    # A short link carries the first 6 bytes of the digest, a longer one 8.
    if not data.guardian_key or not _guardian_key(volunteer).startswith(data.guardian_key):
        return False
    withdrawn = GuardianConsent.objects.filter(volunteer=volunteer, withdrawn_at__isnull=False)
    if data.issued_at is not None:
        withdrawn = withdrawn.filter(withdrawn_at__gte=data.issued_at)
    return not withdrawn.exists()
