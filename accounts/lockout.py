"""Brute-force protection for the login page and the token endpoint, on django-axes.

axes counts failed authentications per account and per client address (AXES_LOCKOUT_PARAMETERS)
in the database, so the counts hold across web processes. Its one failure limit is stretched
here into two: a whole school or a mobile operator's customers can share one address, so the
address gets a higher limit than a single account does.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


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


class LoginAttemptHandler(AxesDatabaseHandler):
    """axes' database handler with a separate, higher limit for a client address."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # axes compares the result with LOGIN_FAILURE_LIMIT; the address's count is scaled so that
        # it reaches that limit exactly when it reaches LOGIN_IP_FAILURE_LIMIT.
        scaled = by_address * settings.LOGIN_FAILURE_LIMIT // max(settings.LOGIN_IP_FAILURE_LIMIT, 1)
        return max(by_account, scaled)
