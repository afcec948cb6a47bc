"""Places where apps above volunteers/ add to what it does, without volunteers importing them.

volunteers/ sits below events/ (and any later app), so it cannot ask them for their rows. Instead
a higher app appends a callable here in its AppConfig.ready(), and volunteers/ calls every one:

- PERSONAL_DATA_SECTIONS: (key, callable(volunteer) -> JSON-able) pairs; each adds one section
  to the "download my data" file, so that it holds everything we keep about the person.
- ANONYMIZE_HOOKS: callables(*, volunteer, by) run inside `volunteer_anonymize`'s transaction,
  after the profile is marked anonymised; e.g. events/ cancels the person's upcoming sign-ups so
  that an erased profile holds no places. A hook that raises undoes the whole anonymisation.
- DETAIL_API_FIELDS: (key, callable(volunteer) -> JSON-able) pairs added to
  GET /api/volunteers/{id}/ (events adds "hours", as API.md promises).
- HOUR_SOURCES: (key, callable(volunteer) -> Decimal) pairs; `volunteer_total_hours` adds them
  up, so a person's hours count shifts attended (events) and help requests done (care) alike,
  wherever the total is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from accounts.models import User

from .models import Volunteer


class AnonymizeHook(Protocol):
    def __call__(self, *, volunteer: Volunteer, by: User | None) -> object: ...


PERSONAL_DATA_SECTIONS: list[tuple[str, Callable[[Volunteer], Any]]] = []
ANONYMIZE_HOOKS: list[AnonymizeHook] = []
DETAIL_API_FIELDS: list[tuple[str, Callable[[Volunteer], Any]]] = []
HOUR_SOURCES: list[tuple[str, Callable[[Volunteer], Decimal]]] = []


def register_personal_data_section(key: str, section: Callable[[Volunteer], Any]) -> None:
    """Idempotent: ready() may run more than once in tests."""
    if all(existing != key for existing, _ in PERSONAL_DATA_SECTIONS):
        PERSONAL_DATA_SECTIONS.append((key, section))


def register_anonymize_hook(hook: AnonymizeHook) -> None:
    if hook not in ANONYMIZE_HOOKS:
        ANONYMIZE_HOOKS.append(hook)


def register_detail_api_field(key: str, field: Callable[[Volunteer], Any]) -> None:
    if all(existing != key for existing, _ in DETAIL_API_FIELDS):
        DETAIL_API_FIELDS.append((key, field))


def register_hour_source(key: str, source: Callable[[Volunteer], Decimal]) -> None:
    if all(existing != key for existing, _ in HOUR_SOURCES):
        HOUR_SOURCES.append((key, source))


def volunteer_total_hours(volunteer: Volunteer) -> Decimal:
    """Every registered source's hours for the person, added up (one query per source)."""
    return sum((source(volunteer) for _, source in HOUR_SOURCES), Decimal("0"))
