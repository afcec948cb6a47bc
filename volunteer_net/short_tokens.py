"""Short signed tokens for the links that go out by SMS (a guardian's consent link, an emergency
call-out's answer link).

Django's `signing.dumps` writes JSON, a timestamp and a 43-character signature: a guardian's link
came to 127 characters, and with the Kazakh or Russian text (UCS-2, 67 characters a part) the SMS
ran to four parts, each paid for. Here the fields are packed as bytes and the HMAC (SHA-256 with
SECRET_KEY and a salt, as signing's) is cut to 96 bits, which nobody guesses online: the token is
about a third as long. Links made before stay readable by their own code until they expire.
"""

from __future__ import annotations

import base64
import binascii
import struct

from django.utils.crypto import constant_time_compare, salted_hmac

# 12 bytes: guessing one takes 2**96 tries; a link page answers one try a request.
_MAC_BYTES = 12


class BadToken(Exception):
    """Not a token of this salt and layout: forged, cut short, or of another kind."""


def short_dumps(layout: str, values: tuple[int | bytes, ...], *, salt: str, key_extra: str = "") -> str:
    """`values` packed by `struct` `layout` (big-endian, no padding), signed. `key_extra` enters
    the signature only (a row's own secret, so that changing it kills the links made before)."""
    payload = struct.pack(">" + layout, *values)
    return _b64(payload + _mac(payload, salt=salt, key_extra=key_extra))


def short_loads(token: str, layout: str, *, salt: str, key_extra: str = "") -> tuple[int | bytes, ...]:
    """The values `short_dumps` packed, or BadToken."""
    payload, mac = _split(token, layout)
    if not constant_time_compare(mac, _mac(payload, salt=salt, key_extra=key_extra)):
        raise BadToken
    return struct.unpack(">" + layout, payload)


def short_peek(token: str, layout: str) -> tuple[int | bytes, ...]:
    """The values, unchecked: for a token whose signature takes a row's own secret, to find the
    row first. Check it with `short_loads` before trusting anything read by them."""
    payload, _mac_bytes = _split(token, layout)
    return struct.unpack(">" + layout, payload)


def is_short(token: str) -> bool:
    """Whether a token is of this kind: Django's signed values always hold a colon."""
    return ":" not in token


def _split(token: str, layout: str) -> tuple[bytes, bytes]:
    """(payload, signature) of a token of `layout`'s size, or BadToken."""
    raw = _decode(token)
    size = struct.calcsize(">" + layout)
    if len(raw) != size + _MAC_BYTES:
        raise BadToken
    return raw[:size], raw[size:]


def _decode(token: str) -> bytes:
    if not token.isascii():
        raise BadToken
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadToken from exc
    if _b64(raw) != token:
        # One token, one spelling: the decoder ignores the spare bits of the last character, and
        # skips characters outside the alphabet.
        raise BadToken
    return raw


def _mac(payload: bytes, *, salt: str, key_extra: str) -> bytes:
    return salted_hmac(salt, payload + key_extra.encode(), algorithm="sha256").digest()[:_MAC_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
