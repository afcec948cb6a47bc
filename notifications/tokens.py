"""One-click unsubscribe links: signed, so that no login is needed and nobody can forge one for
someone else. They do not expire: a link in a year-old e-mail still has to work."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"
_signer = signing.Signer(salt=SALT)


def unsubscribe_token(*, volunteer_id: int, channel: str) -> str:
    """`_signer.sign(f"{volunteer_id}.{channel}")`, with the HMAC keyed once rather than per link:
    Signer derives its key (a SHA-256 of salt and secret) and sets up the HMAC on every call, and a
    sweep signs a link per message. tests/notifications/test_tokens.py compares the two."""
    value = f"{volunteer_id}.{channel}"
    mac = _keyed_hmac(_signer.salt, _signer.key).copy()
    mac.update(value.encode())
    signature = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
    return f"{value}{_signer.sep}{signature}"


@lru_cache(maxsize=4)
def _keyed_hmac(salt: str, key: str) -> hmac.HMAC:
    # django.core.signing.Signer.signature: salted_hmac(salt + "signer", value, key, sha256).
    derived = hashlib.sha256(f"{salt}signer{key}".encode()).digest()
    return hmac.new(derived, digestmod=hashlib.sha256)


def unsubscribe_url(*, volunteer_id: int, channel: str) -> str:
    token = unsubscribe_token(volunteer_id=volunteer_id, channel=channel)
    return _url_prefix(settings.SITE_URL) + token + "/"


@lru_cache(maxsize=4)
def _url_prefix(site_url: str) -> str:
    # reverse() once: it costs more than the signature, and a sweep builds thousands of links.
    return site_url + reverse("notifications:unsubscribe", kwargs={"token": "-"})[:-2]


# What a link may turn off: a channel, or staff's announcements on every channel.
ANNOUNCEMENTS = "announcements"


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(volunteer id, channel or ANNOUNCEMENTS), or None for a token that was not signed by us."""
    try:
        value = _signer.unsign(token)
    except signing.BadSignature:
        return None
    volunteer_id, _, channel = value.partition(".")
    if not volunteer_id.isdigit() or channel not in {"email", "sms", ANNOUNCEMENTS}:
        return None
    return int(volunteer_id), channel


# Announcements: a link to the full text at the end of an SMS cut short. Short, since it is paid
# for by the character: the announcement's id and 60 bits of its signature (an announcement is
# sent to a region's volunteers; the signature keeps the others from being read by counting).
ANNOUNCEMENT_SALT = "notifications.announcement"
_ANNOUNCEMENT_SIGNATURE = 10


def announcement_token(*, broadcast_id: int) -> str:
    mac = _keyed_hmac(ANNOUNCEMENT_SALT, _signer.key).copy()
    mac.update(str(broadcast_id).encode())
    signature = base64.urlsafe_b64encode(mac.digest()).decode()[:_ANNOUNCEMENT_SIGNATURE]
    return f"{broadcast_id}-{signature}"


def read_announcement_token(token: str) -> int | None:
    """The announcement's id, or None for a token we did not sign."""
    number, _, _signature = token.partition("-")
    if not number.isdigit() or len(number) > 18:
        return None
    expected = announcement_token(broadcast_id=int(number))
    return int(number) if hmac.compare_digest(expected, token) else None


# Since the link went to everybody alike, someone with a phone and no account (most of an
# imported list) had no way to stop announcements. Each SMS now carries the recipient's own link:
# `<announcement>.<volunteer>.<signature>`. The dots keep it apart from the per-broadcast links
# already sent (whose base64 signature has none), which go on showing the text. 48 bits of
# signature rather than 60 pay for the volunteer's id: the link is tried online, one request at a
# time, and at a thousand a second finding one takes thousands of years.
_ANNOUNCEMENT_PERSON_SIGNATURE = 8


def announcement_person_token(*, broadcast_id: int, volunteer_id: int) -> str:
    value = f"{broadcast_id}.{volunteer_id}"
    mac = _keyed_hmac(ANNOUNCEMENT_SALT, _signer.key).copy()
    mac.update(value.encode())
    signature = base64.urlsafe_b64encode(mac.digest()).decode()[:_ANNOUNCEMENT_PERSON_SIGNATURE]
    return f"{value}.{signature}"


def read_announcement_link(token: str) -> tuple[int, int | None] | None:
    """(announcement id, volunteer id) of a recipient's own link, (announcement id, None) of a
    per-broadcast one, None for a link we did not sign."""
    if "." not in token:
        broadcast_id = read_announcement_token(token)
        return None if broadcast_id is None else (broadcast_id, None)
    broadcast, _, rest = token.partition(".")
    volunteer, _, _signature = rest.partition(".")
    if not (broadcast.isdigit() and volunteer.isdigit()) or len(broadcast) > 18 or len(volunteer) > 18:
        return None
    expected = announcement_person_token(broadcast_id=int(broadcast), volunteer_id=int(volunteer))
    return (int(broadcast), int(volunteer)) if hmac.compare_digest(expected, token) else None


def announcement_path(*, broadcast_id: int) -> str:
    return reverse(
        "notifications:announcement", kwargs={"token": announcement_token(broadcast_id=broadcast_id)}
    )


def announcement_person_url(*, broadcast_id: int, volunteer_id: int) -> str:
    token = announcement_person_token(broadcast_id=broadcast_id, volunteer_id=volunteer_id)
    return _announcement_prefix(settings.SITE_URL) + token + "/"


@lru_cache(maxsize=4)
def _announcement_prefix(site_url: str) -> str:
    # reverse() once, as for the unsubscribe links: an announcement's sweep builds one per SMS.
    return site_url + reverse("notifications:announcement", kwargs={"token": "-"})[:-2]
