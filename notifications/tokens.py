"""One-click unsubscribe links: signed, so that no login is needed and nobody can forge one for
someone else. They do not expire: a link in a year-old e-mail still has to work."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"
_signer = signing.Signer(salt=SALT)


def unsubscribe_token(*, volunteer_id: int, channel: str) -> str:
    return _signer.sign(f"{volunteer_id}.{channel}")


def unsubscribe_url(*, volunteer_id: int, channel: str) -> str:
    token = unsubscribe_token(volunteer_id=volunteer_id, channel=channel)
    return _url_prefix(settings.SITE_URL) + token + "/"


@lru_cache(maxsize=4)
def _url_prefix(site_url: str) -> str:
    # reverse() once: it costs more than the signature, and a sweep builds thousands of links.
    return site_url + reverse("notifications:unsubscribe", kwargs={"token": "-"})[:-2]


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(volunteer id, channel), or None for a token that was not signed by us."""
    try:
        value = _signer.unsign(token)
    except signing.BadSignature:
        return None
    volunteer_id, _, channel = value.partition(".")
    if not volunteer_id.isdigit() or channel not in {"email", "sms"}:
        return None
    return int(volunteer_id), channel
