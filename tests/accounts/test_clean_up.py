"""The daily clean-up deletes the sessions and API tokens that no longer let anyone in, and
nothing that still does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts import tasks
from accounts.models import ApiToken, api_token_digest
from accounts.services import api_token_issue
from tests.conftest import client_for


@pytest.mark.django_db
def test_expired_sessions_and_tokens_go_and_the_live_ones_stay(alice, bob, settings) -> None:  # type: ignore[no-untyped-def]
    live = client_for(alice)
    gone = client_for(bob.user)
    Session.objects.filter(session_key=gone.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    fresh = api_token_issue(user=alice)
    stale = api_token_issue(user=bob.user)
    ApiToken.objects.filter(digest=api_token_digest(stale)).update(
        created=timezone.now() - timedelta(hours=settings.TOKEN_TTL_HOURS, seconds=1)
    )

    assert tasks.clean_up() == {"sessions": 1, "tokens": 1, "form_keys": 0}

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session.session_key]
    assert list(ApiToken.objects.values_list("digest", flat=True)) == [api_token_digest(fresh)]
    # The person still logged in stays logged in.
    assert live.get("/start/", follow=True).context["user"] == alice
    assert tasks.clean_up() == {"sessions": 0, "tokens": 0, "form_keys": 0}
