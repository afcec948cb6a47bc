"""How an office's hours fall on a date, in Asia/Almaty: the one place that combines the weekly
schedule, a temporary schedule and the exceptions of the date. Pure functions over rows the
caller has loaded (so that a list of offices costs one query for all their hours)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import FrontOffice, OpeningHours, ScheduleException

MIDNIGHT = datetime.time(0)
EVENING_FROM = datetime.time(18)


class Holiday(NamedTuple):
    month: int
    day: int
    name: Promise
    # Religious holidays are not carried over when they fall on a weekend (law on holidays).
    religious: bool = False


# Fixed-date public holidays of Kazakhstan (Labour Code art. 84 and the law on holidays), named
# through the catalogue so each page shows them in its own language. Kurban ait moves with the
# lunar calendar: staff add it as a closed date each year.
KZ_PUBLIC_HOLIDAYS: tuple[Holiday, ...] = (
    Holiday(1, 1, _("New Year")),
    Holiday(1, 2, _("New Year")),
    Holiday(1, 7, _("Orthodox Christmas"), religious=True),
    Holiday(3, 8, _("International Women's Day")),
    Holiday(3, 21, _("Nauryz")),
    Holiday(3, 22, _("Nauryz")),
    Holiday(3, 23, _("Nauryz")),
    Holiday(5, 1, _("Unity Day of the People of Kazakhstan")),
    Holiday(5, 7, _("Defender of the Fatherland Day")),
    Holiday(5, 9, _("Victory Day")),
    Holiday(7, 6, _("Capital City Day")),
    Holiday(8, 30, _("Constitution Day")),
    Holiday(10, 25, _("Republic Day")),
    Holiday(12, 16, _("Independence Day")),
)


def _carried_over(holiday: Promise) -> str:
    return gettext("Day off carried over from %(holiday)s") % {"holiday": holiday}


# Lazy, like the names: the text is made in the language of the page that shows it.
_carried_over_name = lazy(_carried_over, str)


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@cache
def _holidays_of(year: int) -> dict[datetime.date, Promise | str]:
    days: dict[datetime.date, Promise | str] = {
        datetime.date(year, h.month, h.day): h.name for h in KZ_PUBLIC_HOLIDAYS
    }
    # A holiday on a Saturday or Sunday gives the next working day off (law on holidays, art. 5),
    # religious ones excepted: one day per holiday, in date order, so that Nauryz on Saturday to
    # Monday gives Tuesday and Wednesday, and a day already off is never given twice.
    for holiday in KZ_PUBLIC_HOLIDAYS:
        day = datetime.date(year, holiday.month, holiday.day)
        if holiday.religious or not is_weekend(day):
            continue
        off = day + datetime.timedelta(days=1)
        while is_weekend(off) or off in days:
            off += datetime.timedelta(days=1)
        days[off] = _carried_over_name(holiday.name)
    return dict(sorted(days.items()))


def public_holidays(year: int) -> list[tuple[datetime.date, Promise | str]]:
    """The public days off of `year`, each with its name (lazy: translated where it is shown)."""
    return list(_holidays_of(year).items())


def public_holiday_name(day: datetime.date) -> Promise | str | None:
    """The name of the public day off on `day`, in the language it is shown in, or None."""
    return _holidays_of(day.year).get(day)


@dataclass(frozen=True)
class Interval:
    starts_at: datetime.datetime
    ends_at: datetime.datetime


def _aware(day: datetime.date, at: datetime.time, *, closing: bool = False) -> datetime.datetime:
    if closing and at == MIDNIGHT:
        day, at = day + datetime.timedelta(days=1), MIDNIGHT
    return datetime.datetime.combine(day, at, tzinfo=tz())


def day_intervals(
    office: FrontOffice,
    day: datetime.date,
    hours: Sequence[OpeningHours],
    exceptions: Iterable[ScheduleException],
) -> list[Interval]:
    """The office's open intervals on `day` (Almaty time), earliest first.

    A closed date (the office's own or a national holiday) wins; then special hours of the date;
    then a temporary schedule whose period holds the date; then the regular week."""
    of_day = [e for e in exceptions if e.date == day and e.office_id in (None, office.pk)]
    if any(e.opens is None for e in of_day):
        return []
    pairs: list[tuple[datetime.time, datetime.time]]
    special = [(e.opens, e.closes) for e in of_day if e.opens is not None and e.closes is not None]
    if special:
        pairs = special
    else:
        temporary = [h for h in hours if h.valid_from is not None and h.valid_from <= day <= h.valid_until]  # type: ignore[operator]
        rows = temporary or [h for h in hours if h.valid_from is None]
        pairs = [(h.opens, h.closes) for h in rows if h.weekday == day.weekday()]
    return sorted(
        (Interval(_aware(day, a), _aware(day, b, closing=True)) for a, b in pairs), key=lambda i: i.starts_at
    )


def slot_times(office: FrontOffice, intervals: Iterable[Interval]) -> list[Interval]:
    """Cut each interval into visits of the office's length; a remainder too short is dropped."""
    step = datetime.timedelta(minutes=office.visit_minutes)
    out = []
    for interval in intervals:
        start = interval.starts_at
        while start + step <= interval.ends_at:
            out.append(Interval(start, start + step))
            start += step
    return out


def slot_times_between(
    office: FrontOffice,
    first: datetime.date,
    last: datetime.date,
    hours: Sequence[OpeningHours],
    exceptions: Iterable[ScheduleException],
) -> Iterator[tuple[datetime.date, Interval]]:
    """Every visit time of the office's schedule from `first` to `last` (Almaty dates), with its
    date: what its slots should be (services.slots_sync) and what they are checked against."""
    exceptions = list(exceptions)
    day = first
    while day <= last:
        for interval in slot_times(office, day_intervals(office, day, hours, exceptions)):
            yield day, interval
        day += datetime.timedelta(days=1)


def is_evening(starts_at: datetime.datetime) -> bool:
    return starts_at.astimezone(tz()).time() >= EVENING_FROM


def is_weekend(day: datetime.date) -> bool:
    return day.weekday() >= 5
