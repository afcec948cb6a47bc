"""Which language a page speaks when the visitor need not be logged in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

# The codes of settings.LANGUAGES: what `?lang=`, a language cookie or a profile may name.
SUPPORTED = frozenset(code for code, _name in settings.LANGUAGES)


def profile_language(user: Any, default: str) -> str:
    """The language a person chose on their volunteer profile (where a person chooses one), else
    `default`: an account's mail, when nothing else says which language it reads."""
    volunteer = getattr(user, "volunteer", None)
    return volunteer.preferred_language if volunteer is not None else default


def link_language(request: HttpRequest, owner_language: str) -> str:
    """The language of a page opened from a personal link in a message (an unsubscribe, a
    call-out's answer): the one this browser chose on the site (the language cookie), else the
    language of the person the link is for, in which the message that carried it was written —
    not whatever the phone's settings happen to send."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in SUPPORTED else owner_language
