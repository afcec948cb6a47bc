"""The IIN at rest: encrypted, with a keyed hash beside it for uniqueness and lookup.

A database dump alone does not reveal who a person is: the `iin` column holds a Fernet token
(AES-128 in CBC mode with an HMAC-SHA256 tag, a random IV per value) made with a key from the
environment, and `iin_hash` an HMAC-SHA256 of the IIN under a second key, so that "is this IIN
registered?" and the one-person-one-IIN constraint work without decrypting anything.

Keys (settings, from the environment):
- IIN_ENCRYPTION_KEYS: comma-separated Fernet keys, the first one current. To rotate, put a new
  key first and keep the old ones after it, run `manage.py rotate_iin_key` (re-encrypts every
  row with the first key), then drop the old keys.
- IIN_HASH_KEY: the HMAC key. Changing it means recomputing every hash (`rotate_iin_key
  --rehash`, run with the new key in place), because lookups compare hashes.
Development and the test suite derive both from SECRET_KEY; production must set them
(system check volunteer_net.E002).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.IIN_ENCRYPTION_KEYS))


def encrypt(iin: str) -> str:
    return fernet().encrypt(iin.encode()).decode()


def decrypt(token: str) -> str:
    """The IIN of a stored token. A value that is not a token of ours (a row written before
    encryption, restored from an old dump) is refused loudly rather than shown as an IIN."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("an IIN value that no configured IIN_ENCRYPTION_KEYS key opens") from exc


def rotate(token: str) -> str:
    """The same IIN encrypted with the current (first) key."""
    return fernet().rotate(token.encode()).decode()


def iin_digest(iin: str) -> str:
    return hmac.new(settings.IIN_HASH_KEY.encode(), iin.encode(), hashlib.sha256).hexdigest()
