"""Project-wide system checks."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


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


@register()
def iin_keys_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The IIN is stored encrypted (volunteers/crypto.py); without its keys nothing can be read
    or written, and keys derived from SECRET_KEY would be lost with it."""
    from cryptography.fernet import Fernet

    errors: list[CheckMessage] = []
    if not settings.IIN_ENCRYPTION_KEYS or not settings.IIN_HASH_KEY:
        errors.append(
            Error(
                "IIN_ENCRYPTION_KEYS and IIN_HASH_KEY must be set.",
                hint="Generate each with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'; see .env.example and README (IIN at rest).",
                id="volunteer_net.E002",
            )
        )
    for key in settings.IIN_ENCRYPTION_KEYS:
        try:
            Fernet(key.encode())
        except ValueError:
            errors.append(
                Error(
                    "An IIN_ENCRYPTION_KEYS entry is not a Fernet key (32 url-safe base64-encoded bytes).",
                    id="volunteer_net.E003",
                )
            )
    return errors


@register(Tags.security, deploy=True)
def site_url_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every link a message carries (a shift's page, an unsubscribe, a call-out's answer, a
    guardian's consent) starts with SITE_URL; left at its default, every e-mail and SMS would
    send people to http://127.0.0.1:8000. Tagged `deploy`: benches and builds run with DEBUG off
    and no site of their own."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme == "https" and parts.hostname not in {None, "localhost", "127.0.0.1", "::1"}:
        return []
    return [
        Error(
            f"SITE_URL is {settings.SITE_URL!r}: links in e-mails and SMS would not reach the site.",
            hint="Set SITE_URL to the site's public address, e.g. https://volunteer.kz (no trailing slash).",
            id="volunteer_net.E004",
        )
    ]


# The reminders' words name their hours (templates/notifications/*_reminder_*/subject.txt):
# "Tomorrow", which only a reminder 24 hours ahead is for every start (it is sent on the Almaty day
# before), then "In two hours" for a shift and "In an hour" for a visit.
REMINDER_WORDS = {"SHIFT_REMINDER_HOURS": (24, 2), "VISIT_REMINDER_HOURS": (24, 1)}


@register()
def reminder_hours_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Other hours would send "Tomorrow" two days ahead, or "In two hours" three hours ahead."""
    return [
        Warning(
            f"{name} is {','.join(map(str, getattr(settings, name)))}, but the reminders say "
            f"{'Tomorrow'!r} and {'In two hours' if name.startswith('SHIFT') else 'In an hour'!r}.",
            hint=f"Keep {','.join(map(str, hours))}, or change the reminders' subjects with it.",
            id="volunteer_net.W001",
        )
        for name, hours in REMINDER_WORDS.items()
        if tuple(getattr(settings, name)) != hours
    ]
