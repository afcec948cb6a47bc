"""Every message kind and every page of notifications reads wholly in Kazakh and Russian."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from notifications.models import Message
from notifications.rendering import render_message
from notifications.tokens import unsubscribe_token
from tests.conftest import client_for
from tests.core.test_untranslated import _render, _texts

from .conftest import kz, schedule

pytestmark = pytest.mark.django_db

SAMPLE_CONTEXT = {
    "title": "Тал егу",
    "office": "Алматы фронт-офисі",
    "starts_at": "2026-05-20T10:00:00+05:00",
    "place": "Орталық саябақ",
    "text": "Мәтін",
    "subject": "Тақырып",
    "volunteer_name": "Дана Серікова",
    "url": "/1/",
}


def _rendered(kind: str, language: str, channel: str = "email") -> set[str]:
    message = Message(
        pk=1,
        kind=kind,
        channel=channel,
        language=language,
        context=SAMPLE_CONTEXT,
        subject_type="events.signup",
        subject_id=1,
        due_at=kz(2026, 5, 19, 10),
        next_attempt_at=kz(2026, 5, 19, 10),
        created_at=timezone.now(),
    )
    subject, text, html = render_message(message, unsubscribe_url="https://example.kz/unsubscribe/x/")
    rendered = f"<p>{subject}</p><pre>{text}</pre>{html}"
    # Links are addresses, not words to translate.
    return _texts(rendered.replace("https://example.kz/unsubscribe/x/", "").replace(settings.SITE_URL, ""))


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("kind", Message.Kind.values)
def test_every_kind_is_translated(kind: str, language: str) -> None:
    for channel in ("email", "sms"):
        assert not _rendered(kind, "en", channel) & _rendered(kind, language, channel), (kind, channel)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_english_left_on_the_pages(alice, bob, lang: str) -> None:  # type: ignore[no-untyped-def]
    message = schedule(bob)
    Message.objects.filter(pk=message.pk).update(
        status="failed", last_error="Too late: the moment it was for has passed."
    )
    token = unsubscribe_token(volunteer_id=bob.pk, channel="email")
    pages = [
        (client_for(alice), "get", "/messages/", None),
        (client_for(alice), "get", "/messages/?status=bogus", None),
        (client_for(alice), "get", f"/messages/{message.pk}/", None),
        (client_for(alice), "get", "/messages/broadcast/", None),
        (client_for(alice), "post", "/messages/broadcast/", {"subject": "", "action": "preview"}),
        (
            client_for(alice),
            "post",
            "/messages/broadcast/",
            {"subject": "Жиналыс", "body": "Мәтін", "action": "preview"},
        ),
        (client_for(bob.user), "get", "/me/messages/", None),
        (Client(), "get", f"/unsubscribe/{token}/", None),
        (Client(), "post", f"/unsubscribe/{token}/", None),
    ]
    leftovers = {}
    for client, method, url, data in pages:
        same = _texts(_render(client, method, url, data, "en")) & _texts(
            _render(client, method, url, data, lang)
        )
        if same:
            leftovers[f"{method} {url}"] = same
    assert not leftovers, leftovers
