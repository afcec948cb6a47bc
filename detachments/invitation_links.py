"""The link in a curator's invitation: the invitation's id, signed with the site's secret.

The signature makes a link impossible to forge or to turn into another invitation's; whether it
still works (accepted, revoked, expired) is the invitation row's to say, so that revoking takes
effect at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import CuratorInvitation

_SALT = "detachments.curator-invitation"


def invitation_token(invitation: CuratorInvitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=_SALT)


def invitation_url(invitation: CuratorInvitation) -> str:
    return settings.SITE_URL + reverse("detachments:invitation", args=[invitation_token(invitation)])


def invitation_id(token: str) -> int | None:
    """The invitation a link names; None for a forged, altered or truncated link."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or isinstance(data["i"], bool):
        return None
    return data["i"]
