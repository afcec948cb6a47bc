"""What a report covers: a period (Almaty dates, both ends included) and a scope inside the
user's regions (a region, a campaign, a detachment). Every selector of reports/ takes one."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone


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
        """JSON-able, for a background job and the audit trail (ids and dates, nothing personal)."""
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
