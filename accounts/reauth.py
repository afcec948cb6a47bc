"""Re-authentication before sensitive actions: changing the e-mail, deleting one's account,
exporting IINs.

A stolen or forgotten-open session should not be enough for those: the person must have typed
their password within the last REAUTH_MAX_AGE seconds — at log-in, or on the "confirm your
password" page (accounts/confirm-password/), which then returns to the action. The moment is kept
in the session, so it ends with it. It is recorded by the views that checked the password
(password_confirmed), never inferred from what a request carries: a log-in through a mailed link
proves the mailbox, not the password.

One decorator for views that are sensitive as a whole, and `reauth_needed`/`reauth_redirect`
for views where only some submissions are (a profile edit that changes the e-mail).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .destinations import usable_after_login

View = TypeVar("View", bound=Callable[..., HttpResponse])

SESSION_KEY = "_password_confirmed_at"


def password_confirmed(request: HttpRequest) -> None:
    """Record that the person has just typed their password in this session."""
    request.session[SESSION_KEY] = int(time.time())


def reauth_needed(request: HttpRequest) -> bool:
    """True when the password was last typed in this session longer ago than REAUTH_MAX_AGE."""
    confirmed_at = request.session.get(SESSION_KEY)
    if not isinstance(confirmed_at, int):
        return True
    return time.time() - confirmed_at > settings.REAUTH_MAX_AGE


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """`candidate` when it is a page of this site the person can open, else the profile page.
    A button's address or another role's page (a crafted or stale link) would greet them, once
    the password is typed, with a 405 or a "page not found"."""
    if (
        candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and usable_after_login(candidate, request.user)
    ):
        return candidate
    return reverse("profile")


def reauth_redirect(request: HttpRequest, next_url: str | None = None) -> HttpResponse:
    """To the "confirm your password" page, which comes back to `next_url` (default: here)."""
    target = next_url or request.get_full_path()
    return redirect(reverse("password_confirm") + "?" + urlencode({"next": target}))


def reauth_required(view: View) -> View:
    """The view runs only for someone logged in who typed their password recently; anybody else
    is sent to log in, or to confirm the password, and then back here."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if reauth_needed(request):
            # A form sent after the time ran out is not replayed: the person comes back to
            # the page (GET) and sends it again, knowingly.
            return reauth_redirect(request, request.path if request.method != "GET" else None)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
