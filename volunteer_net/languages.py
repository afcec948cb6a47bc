"""Which language a page speaks when the visitor need not be logged in."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

_SUPPORTED = {code for code, _name in settings.LANGUAGES}


def link_language(request: HttpRequest, owner_language: str) -> str:
    """The language of a page opened from a personal link in a message (an unsubscribe, a
    call-out's answer): the one this browser chose on the site (the language cookie), else the
    language of the person the link is for, in which the message that carried it was written —
    not whatever the phone's settings happen to send."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in _SUPPORTED else owner_language
