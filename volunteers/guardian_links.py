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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import GuardianConsent, Volunteer

_SALT = "volunteers.guardian-consent"
# The link's format: 2 since links go to the guardian only (see above).
_VERSION = 2
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
    return signing.dumps(
        {"v": volunteer.pk, "g": _guardian_key(volunteer), "n": _VERSION, "t": timezone.now().timestamp()},
        salt=_SALT,
        compress=True,
    )


def guardian_link_url(volunteer: Volunteer) -> str:
    return settings.SITE_URL + reverse("guardian_consent", args=[guardian_link_token(volunteer)])


def guardian_link_read(token: str) -> GuardianLinkData:
    """The link's data, or a ValidationError saying plainly why it cannot be used."""
    expired = ValidationError(
        _("This link has expired. Ask the school curator or the front office for a new one."), code=_EXPIRED
    )
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.GUARDIAN_LINK_DAYS * 24 * 3600)
    except signing.SignatureExpired as exc:
        raise expired from exc
    except signing.BadSignature as exc:
        raise ValidationError(
            _("This link is not valid. Check that it was copied whole."), code="invalid"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("v"), int) or not isinstance(data.get("g"), str):
        raise ValidationError(_("This link is not valid. Check that it was copied whole."), code="invalid")
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


def guardian_link_matches(volunteer: Volunteer, data: GuardianLinkData) -> bool:
    """Whether the link still speaks for the guardian on file: the same guardian, and no consent
    withdrawn since it was made."""
    if data.guardian_key != _guardian_key(volunteer):
        return False
    withdrawn = GuardianConsent.objects.filter(volunteer=volunteer, withdrawn_at__isnull=False)
    if data.issued_at is not None:
        withdrawn = withdrawn.filter(withdrawn_at__gte=data.issued_at)
    return not withdrawn.exists()
