"""Unsubscribe links are signed with a key set up once; they must be the links Django's signer
makes and reads, old and new alike."""

from __future__ import annotations

import pytest
from django.core import signing

from notifications.tokens import SALT, read_unsubscribe_token, unsubscribe_token


@pytest.mark.parametrize("volunteer_id", [1, 42, 987654321])
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_token_is_the_signers_own(volunteer_id: int, channel: str) -> None:
    token = unsubscribe_token(volunteer_id=volunteer_id, channel=channel)
    assert token == signing.Signer(salt=SALT).sign(f"{volunteer_id}.{channel}")
    assert read_unsubscribe_token(token) == (volunteer_id, channel)


def test_a_token_signed_with_another_key_is_refused() -> None:
    forged = signing.Signer(key="another-secret-key-0123456789abcdefghijklmnop", salt=SALT).sign("42.email")
    assert read_unsubscribe_token(forged) is None
