"""Project-wide system checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def email_backend_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With DEBUG off there is no console fallback (settings.py): password-reset and activation
    links printed to the console would sit in the logs. Not tagged `deploy`, so `migrate` and
    `check` stop too, not only `check --deploy`."""
    if settings.EMAIL_BACKEND:
        return []
    return [
        Error(
            "EMAIL_BACKEND is not set.",
            hint="With DEBUG off, set EMAIL_BACKEND (e.g. django.core.mail.backends.smtp.EmailBackend) "
            "and the EMAIL_HOST* variables; see .env.example.",
            id="volunteer_net.E001",
        )
    ]
