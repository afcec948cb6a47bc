"""Brute-force protection for the login page and the token endpoint, on django-axes.

axes counts failed authentications per account and per client address (AXES_LOCKOUT_PARAMETERS)
in the database, so the counts hold across web processes. Its one failure limit is stretched
here into two: a whole school or a mobile operator's customers can share one address, so the
address gets a higher limit than a single account does.

A count per account, whatever the address, stops guessing spread over many addresses, but it is
also a way to keep the owner out: five wrong passwords every quarter of an hour, from anywhere,
and the right one is refused for good. So a browser the owner has proved themselves in (a log-in
with the password, a new password set through the mailed link) keeps a signed cookie naming the
account; there, the account's count is only that of the failures from the browser's own address.
The guesser elsewhere still meets the account's lock, and every address its own limit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core import signing
from django.db.models import Sum
from django.http import HttpRequest, HttpResponseBase
from django.utils.crypto import constant_time_compare, salted_hmac

from .ratelimit import client_ip

KNOWN_BROWSER_COOKIE = "known_browser"
KNOWN_BROWSER_DAYS = 365
# The one lifetime of the mark: what the browser is told to keep it for, and the oldest signature
# accepted back. Written twice, the two could drift apart and a kept cookie be refused (or the
# reverse).
KNOWN_BROWSER_MAX_AGE = timedelta(days=KNOWN_BROWSER_DAYS)
_KNOWN_BROWSER_SALT = "accounts.lockout.known_browser"


def attempted_email(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The e-mail an attempt was made for, as log-in matches it (case and spaces ignored), so that
    BOB@x and bob@x count against the same account."""
    value = (credentials or {}).get("username")
    if value is None:
        value = getattr(request, "data", request.POST).get("username")
    email = str(value or "").strip().lower()
    return email or None


def login_failures_forget(*, email: str) -> int:
    """Delete what axes keeps under an address: it stores the e-mail typed at each attempt in
    clear, and would keep it after the account (and the person's data) is gone. Only the
    attempts table is written with our settings (AXES_DISABLE_ACCESS_LOG, no failure log); the
    other two hold the same column should either be switched on. Returns the rows deleted."""
    email = email.strip()
    if not email:
        return 0
    deleted = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        # Older rows may keep the address as typed: attempted_email lower-cases only new ones.
        deleted += model.objects.filter(username__iexact=email).delete()[0]
    return deleted


def _account_mark(email: str) -> str:
    # A keyed digest, not the address: the cookie tells nobody whose browser it is.
    return salted_hmac(_KNOWN_BROWSER_SALT, email.strip().lower(), algorithm="sha256").hexdigest()[:32]


def known_browser_remember(response: HttpResponseBase, *, email: str) -> None:
    """Mark the browser that `response` goes to as one where the owner of `email` has proved
    themselves (see the module's note)."""
    response.set_signed_cookie(
        KNOWN_BROWSER_COOKIE,
        _account_mark(email),
        salt=_KNOWN_BROWSER_SALT,
        max_age=KNOWN_BROWSER_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def is_known_browser(request: HttpRequest, email: str | None) -> bool:
    """Whether the request comes from a browser marked for the account of `email`."""
    if not email:
        return False
    try:
        mark = request.get_signed_cookie(
            KNOWN_BROWSER_COOKIE,
            salt=_KNOWN_BROWSER_SALT,
            max_age=KNOWN_BROWSER_MAX_AGE,
        )
    except (KeyError, signing.BadSignature):
        return False
    return mark is not None and constant_time_compare(mark, _account_mark(email))


class LoginAttemptHandler(AxesDatabaseHandler):
    """axes' database handler with a separate, higher limit for a client address, and the
    account's count narrowed to the browser's own address on a known browser."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        of_account, of_address = self.get_user_attempts(request, credentials)
        if is_known_browser(request, attempted_email(request, credentials)):
            address = getattr(request, "axes_ip_address", None) or client_ip(request)
            of_account = of_account.filter(ip_address=address)
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in (of_account, of_address)
        )
        # axes compares the result with LOGIN_FAILURE_LIMIT; the address's count is scaled so that
        # it reaches that limit exactly when it reaches LOGIN_IP_FAILURE_LIMIT.
        scaled = by_address * settings.LOGIN_FAILURE_LIMIT // max(settings.LOGIN_IP_FAILURE_LIMIT, 1)
        return max(by_account, scaled)
