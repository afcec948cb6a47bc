"""What a report covers: a period (Almaty dates, both ends included) and a scope inside the
user's regions (a region, a campaign, a detachment). Every selector of reports/ takes one."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from volunteers.services import identifier_kind


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of an Almaty day as an aware datetime (times are stored in UTC)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class ReportScope:
    user: Any
    start: datetime.date
    end: datetime.date
    region: int | None = None
    campaign: int | None = None
    detachment: int | None = None
    # A front office (the visits report).
    office: int | None = None
    # One person's own hours (certificates).
    volunteer: int | None = None
    # Only the roster export reads these: the roster page's own search and filters.
    roster: dict[str, Any] = field(default_factory=dict)
    include_iin: bool = False

    @property
    def start_at(self) -> datetime.datetime:
        return local_midnight(self.start)

    @property
    def end_before(self) -> datetime.datetime:
        return local_midnight(self.end + datetime.timedelta(days=1))

    def params(self) -> dict[str, Any]:
        """JSON-able, for a background job to replay: ids and dates, and the roster's own search
        text as typed (a phone, an IIN, a name), which the job needs to run. Anything kept longer
        than the job takes `audit_params()` instead."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "region": self.region,
            "campaign": self.campaign,
            "detachment": self.detachment,
            "office": self.office,
            "roster": self.roster,
            "include_iin": self.include_iin,
        }

    def audit_params(self) -> dict[str, Any]:
        """`params()` as the audit trail keeps them: nothing personal (accounts/audit.py)."""
        return params_without_search(self.params())

    @classmethod
    def from_params(cls, user: Any, params: dict[str, Any]) -> ReportScope:
        return cls(
            user=user,
            start=datetime.date.fromisoformat(params["start"]),
            end=datetime.date.fromisoformat(params["end"]),
            region=params.get("region"),
            campaign=params.get("campaign"),
            detachment=params.get("detachment"),
            office=params.get("office"),
            roster=params.get("roster") or {},
            include_iin=bool(params.get("include_iin")),
        )


def params_without_search(params: dict[str, Any]) -> dict[str, Any]:
    """A copy of `params` with the roster's free-text search replaced by what kind of thing was
    searched for ("phone", "iin", "email" or "name"), as volunteers/ records a roster lookup: the
    trail says a phone number was looked up, never which one."""
    roster = dict(params.get("roster") or {})
    query = str(roster.pop("q", "") or "")
    if not query.strip():
        return {**params, "roster": roster} if "roster" in params else dict(params)
    return {**params, "roster": roster, "search_by": identifier_kind(query) or "name"}


class _AllRegions:
    """The reader for a person's own figures (their certificate): every region, since a
    volunteer's hours are theirs wherever they were given. Never a request's user."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_national_staff = True
    pk = None


ALL_REGIONS = _AllRegions()


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The year so far: what regional staff report on most often."""
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), today
