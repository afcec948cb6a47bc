"""The password-reset form sends mail to any address typed in; it is limited per client address
(the registration form's limit is tested with the registration, tests/volunteers), and the
mails anybody can have sent to one mailbox are limited per mailbox."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts.services import registration_repeated


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


@pytest.mark.django_db
def test_a_mailbox_gets_five_links_an_hour_however_many_addresses_ask(bob, alice) -> None:  # type: ignore[no-untyped-def]
    """Each address stays under its own limit; together they would bury the owner's mailbox."""
    bob.refresh_from_db()
    for n in range(8):
        typed = bob.user.email.upper() if n % 2 else bob.user.email
        response = Client(REMOTE_ADDR=f"203.0.113.{n}").post("/accounts/password_reset/", {"email": typed})
        # The page says what it always says: nothing tells the asker the mailbox is full.
        assert response.status_code == 302 and response.url == "/accounts/password_reset/done/"
    assert [message.to for message in mail.outbox] == [[bob.user.email]] * 5
    # Another mailbox is not affected.
    Client(REMOTE_ADDR="203.0.113.99").post("/accounts/password_reset/", {"email": alice.email})
    assert mail.outbox[-1].to == [alice.email]


@pytest.mark.django_db
def test_registrations_with_a_taken_address_share_the_mailboxs_limit(  # type: ignore[no-untyped-def]
    bob, django_capture_on_commit_callbacks
) -> None:
    bob.refresh_from_db()
    for n in range(3):
        Client(REMOTE_ADDR=f"203.0.113.{n}").post("/accounts/password_reset/", {"email": bob.user.email})
    with django_capture_on_commit_callbacks(execute=True):
        for _n in range(4):
            registration_repeated(user=bob.user, password="Qupia-Soz-42", language="ru")
    assert len(mail.outbox) == 5
