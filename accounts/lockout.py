"""Brute-force protection for the login page and the token endpoint, on django-axes.

axes counts failed authentications per account and per client address (AXES_LOCKOUT_PARAMETERS)
in the database, so the counts hold across web processes. Its one failure limit is stretched
here into two: a whole school or a mobile operator's customers can share one address, so the
address gets a higher limit than a single account does.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
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
