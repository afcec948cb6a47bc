"""The password-reset form sends mail to any address typed in; it is limited per client address
(the registration form's limit is tested with the registration, tests/volunteers)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client


@pytest.mark.django_db
def test_password_reset_is_limited_per_address(bob, settings) -> None:  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": "2/h"}
    client = Client(REMOTE_ADDR="10.2.2.2")
    client.cookies["django_language"] = "kk"
    for _attempt in range(2):
        assert client.post("/accounts/password_reset/", {"email": bob.user.email}).status_code == 302
    refused = client.post("/accounts/password_reset/", {"email": bob.user.email})
    assert refused.status_code == 429
    assert "Желіңізден әрекеттер тым көп" in refused.content.decode()
    assert len(mail.outbox) == 2
    # Someone else, elsewhere, still gets their link.
    assert Client(REMOTE_ADDR="10.6.6.6").post("/accounts/password_reset/", {"email": bob.user.email}).url
    assert len(mail.outbox) == 3
