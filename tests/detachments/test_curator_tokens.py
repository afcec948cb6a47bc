"""A curator who loses the post loses their API tokens with it (accounts.services.
user_rights_reduced), as a coordinator does with a region: the coordinator empties the
curator's address, or another person accepts the invitation and replaces them. A token that
outlived the post would come back to life with it, in a script nobody remembers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_issue
from tests.conftest import client_for, mailed_link
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _me(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/me/").status_code


@pytest.fixture
def edit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Post the detachment's edit form as `user` with the curator's address `email`, as a
    coordinator does, letting an invitation's mail go out."""

    def _edit(user: Any, detachment: Any, email: str) -> Any:
        data = {
            "school_name": detachment.school_name,
            "school_number": detachment.school_number,
            "locality": detachment.locality,
            "region": detachment.region_id,
            "latitude": detachment.latitude or "",
            "longitude": detachment.longitude or "",
            "curator_email": email,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(user).post(f"/detachments/{detachment.pk}/edit/", data)

    return _edit


class TestCuratorRemovedLosesTokens:
    def test_the_coordinator_empties_the_curators_address(self, alice, curator, detachment, edit) -> None:  # type: ignore[no-untyped-def]
        token = api_token_issue(user=curator)
        assert _me(token) == 200
        assert edit(alice, detachment, "").status_code == 302
        detachment.refresh_from_db()
        assert detachment.curator is None
        assert _me(token) == 401
        assert not ApiToken.objects.filter(user=curator).exists()

    def test_another_person_accepts_the_invitation(self, alice, bob, curator, detachment, edit) -> None:  # type: ignore[no-untyped-def]
        old, new = api_token_issue(user=curator), api_token_issue(user=bob.user)
        assert edit(alice, detachment, bob.user.email).status_code == 302
        assert _me(old) == 200, "the curator stays until the invitation is accepted"
        client = Client()
        assert (
            client.post("/accounts/login/", {"username": bob.user.email, "password": PASSWORD}).status_code
            == 302
        )
        assert client.post(mailed_link(mail.outbox[-1], "/detachments/invitations/")).status_code == 302
        detachment.refresh_from_db()
        assert detachment.curator == bob.user
        assert _me(old) == 401
        assert _me(new) == 200, "the new curator's tokens are theirs to keep"

    def test_saving_the_detachment_with_its_curator_keeps_them(
        self, alice, curator, detachment, edit
    ) -> None:  # type: ignore[no-untyped-def]
        token = api_token_issue(user=curator)
        assert edit(alice, detachment, curator.email).status_code == 302
        assert _me(token) == 200
