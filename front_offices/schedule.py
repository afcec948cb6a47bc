"""How an office's hours fall on a date, in Asia/Almaty: the one place that combines the weekly
schedule, a temporary schedule and the exceptions of the date. Pure functions over rows the
caller has loaded (so that a list of offices costs one query for all their hours)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from .models import FrontOffice, OpeningHours, ScheduleException

MIDNIGHT = datetime.time(0)
EVENING_FROM = datetime.time(18)

# Fixed-date public holidays of Kazakhstan (Labour Code art. 84 and the law on holidays):
# New Year (2 days), International Women's Day, Nauryz (3 days), Unity Day, Defender of the
# Fatherland Day, Victory Day, Capital Day, Constitution Day, Republic Day, Independence Day.
# Kurban ait moves with the lunar calendar: staff add it as a closed date each year.
KZ_PUBLIC_HOLIDAYS: tuple[tuple[int, int, str], ...] = (
    (1, 1, "Жаңа жыл / Новый год"),
    (1, 2, "Жаңа жыл / Новый год"),
    (3, 8, "Халықаралық әйелдер күні / Международный женский день"),
    (3, 21, "Наурыз мейрамы / Наурыз мейрамы"),
    (3, 22, "Наурыз мейрамы / Наурыз мейрамы"),
    (3, 23, "Наурыз мейрамы / Наурыз мейрамы"),
    (5, 1, "Қазақстан халқының бірлігі мерекесі / Праздник единства народа Казахстана"),
    (5, 7, "Отан қорғаушы күні / День защитника Отечества"),
    (5, 9, "Жеңіс күні / День Победы"),
    (7, 6, "Астана күні / День столицы"),
    (8, 30, "Конституция күні / День Конституции"),
    (10, 25, "Республика күні / День Республики"),
    (12, 16, "Тәуелсіздік күні / День Независимости"),
)


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def public_holidays(year: int) -> list[tuple[datetime.date, str]]:
    return [(datetime.date(year, month, day), name) for month, day, name in KZ_PUBLIC_HOLIDAYS]


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


def is_evening(starts_at: datetime.datetime) -> bool:
    return starts_at.astimezone(tz()).time() >= EVENING_FROM


def is_weekend(day: datetime.date) -> bool:
    return day.weekday() >= 5
