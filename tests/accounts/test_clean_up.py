"""The daily clean-up deletes the sessions and API tokens that no longer let anyone in, and
nothing that still does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import tasks
from tests.conftest import client_for


@pytest.mark.django_db
def test_expired_sessions_and_tokens_go_and_the_live_ones_stay(alice, bob, settings) -> None:  # type: ignore[no-untyped-def]
    live = client_for(alice)
    gone = client_for(bob.user)
    Session.objects.filter(session_key=gone.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    fresh = Token.objects.create(user=alice)
    stale = Token.objects.create(user=bob.user)
    Token.objects.filter(pk=stale.pk).update(
        created=timezone.now() - timedelta(hours=settings.TOKEN_TTL_HOURS, seconds=1)
    )

    assert tasks.clean_up() == {"sessions": 1, "tokens": 1, "form_keys": 0}

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session.session_key]
    assert list(Token.objects.values_list("key", flat=True)) == [fresh.key]
    # The person still logged in stays logged in.
    assert live.get("/start/", follow=True).context["user"] == alice
    assert tasks.clean_up() == {"sessions": 0, "tokens": 0, "form_keys": 0}
