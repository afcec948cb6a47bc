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
- MERGE_HOOKS: callables(*, kept, dropped, by) run inside `volunteer_merge`'s transaction before
  the rows that refer to the dropped record move to the kept one. Where both records hold a row
  that may exist once per person (a sign-up for one shift), the moving would keep the kept
  record's and delete the other, whatever it held; a hook settles such pairs by its app's own
  rules first (events/ keeps the sign-up that was attended, with its hours, and gives the second
  place back to the waitlist).
- GUARDIAN_LINK_MESSENGER: how a minor's personal consent link reaches the guardian (notifications/
  sends it by SMS to the guardian's phone, and tells which links went out lately). The link goes
  to the guardian, never to the minor: a minor who holds it could consent for themselves.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import QuerySet

from accounts.models import User

from .models import Volunteer


class AnonymizeHook(Protocol):
    def __call__(self, *, volunteer: Volunteer, by: User | None) -> object: ...


class MergeHook(Protocol):
    def __call__(self, *, kept: Volunteer, dropped: Volunteer, by: User | None) -> object: ...


PERSONAL_DATA_SECTIONS: list[tuple[str, Callable[[Volunteer], Any]]] = []
ANONYMIZE_HOOKS: list[AnonymizeHook] = []
MERGE_HOOKS: list[MergeHook] = []
DETAIL_API_FIELDS: list[tuple[str, Callable[[Volunteer], Any]]] = []
HOUR_SOURCES: list[tuple[str, Callable[[Volunteer], Decimal]]] = []


@dataclass(frozen=True)
class GuardianLinkSent:
    """A personal link sent to a minor's guardian: when it was queued, and to which number."""

    at: datetime.datetime
    phone: str


class GuardianLinkMessenger(Protocol):
    def send(self, *, volunteer: Volunteer, url: str, valid_until: datetime.datetime) -> None:
        """Queue the link for the guardian's phone on file (after the caller's commit)."""

    def sent_since(self, *, volunteer: Volunteer, since: datetime.datetime) -> list[GuardianLinkSent]:
        """The links queued for the person's guardian since then, newest first."""


GUARDIAN_LINK_MESSENGER: list[GuardianLinkMessenger] = []


def register_personal_data_section(key: str, section: Callable[[Volunteer], Any]) -> None:
    """Idempotent: ready() may run more than once in tests."""
    if all(existing != key for existing, _ in PERSONAL_DATA_SECTIONS):
        PERSONAL_DATA_SECTIONS.append((key, section))


def register_anonymize_hook(hook: AnonymizeHook) -> None:
    if hook not in ANONYMIZE_HOOKS:
        ANONYMIZE_HOOKS.append(hook)


def register_merge_hook(hook: MergeHook) -> None:
    if hook not in MERGE_HOOKS:
        MERGE_HOOKS.append(hook)


def held_by_both(rows: QuerySet[Any], field: str, *, kept: Volunteer, dropped: Volunteer) -> list[Any]:
    """The values of `field` (a shift, a help request, a slot) that `rows` of both records share,
    ascending: the pairs a merge hook settles, in the order it locks them."""
    on_kept = rows.filter(volunteer=kept).values(field)
    shared = rows.filter(volunteer=dropped, **{f"{field}__in": on_kept}).values_list(field, flat=True)
    return sorted(set(shared))


def register_detail_api_field(key: str, field: Callable[[Volunteer], Any]) -> None:
    if all(existing != key for existing, _ in DETAIL_API_FIELDS):
        DETAIL_API_FIELDS.append((key, field))


def register_hour_source(key: str, source: Callable[[Volunteer], Decimal]) -> None:
    if all(existing != key for existing, _ in HOUR_SOURCES):
        HOUR_SOURCES.append((key, source))


def register_guardian_link_messenger(messenger: GuardianLinkMessenger) -> None:
    """One messenger; idempotent (ready() may run more than once in tests)."""
    GUARDIAN_LINK_MESSENGER[:] = [messenger]


def guardian_link_messenger() -> GuardianLinkMessenger | None:
    return GUARDIAN_LINK_MESSENGER[0] if GUARDIAN_LINK_MESSENGER else None


def volunteer_total_hours(volunteer: Volunteer) -> Decimal:
    """Every registered source's hours for the person, added up (one query per source)."""
    return sum((source(volunteer) for _, source in HOUR_SOURCES), Decimal("0"))
