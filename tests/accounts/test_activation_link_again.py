"""The confirmation link opened again after it has done its work: its owner, logged in by it, is
told the account is active, not "no longer valid, register again"; anyone else learns nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tokens import activation_token, activation_uid
from tests.conftest import client_for
from tests.factories import UserFactory


def _english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
class TestActivationLinkOpenedAgain:
    def test_owner_is_told_the_account_is_active(self) -> None:
        user = UserFactory(email="dana@example.kz", is_active=False)
        link = f"/accounts/activate/{activation_uid(user)}/{activation_token.make_token(user)}/"
        client = _english(Client())
        assert client.post(link)["Location"] == "/me/"
        user.refresh_from_db()
        assert user.is_active

        html = client.get(link).content.decode()
        assert "Your account is already active, and you are logged in." in html
        assert 'href="/start/"' in html
        assert "Register again" not in html

        # A visitor, or somebody else logged in, gets the plain answer.
        for other in (Client(), client_for(UserFactory(email="other@example.kz"))):
            html = _english(other).get(link).content.decode()
            assert "no longer valid" in html
            assert "already active" not in html
