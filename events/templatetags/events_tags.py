"""Shift times as people read them, in Almaty time and the page's language."""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from django import template
from django.utils import formats, timezone, translation

from ..models import Campaign, Shift

register = template.Library()


@functools.lru_cache(maxsize=1024)
def _day_in(day: datetime.date, language: str | None) -> str:
    return formats.date_format(day, "D, j E")


def _day(value: datetime.date | datetime.datetime) -> str:
    """ "Sat, 28 November" in the page's language. date_format looks up the names of the day and
    month through gettext each time; a page of 30 shifts repeats few dates, so they are kept per
    (date, language)."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    return _day_in(day, translation.get_language())


@register.filter
def shift_when(shift: Shift) -> str:
    """ "Sat, 28 November · 10:00–13:00"; a night shift shows the next day's end time with the day."""
    start = timezone.localtime(shift.starts_at)
    end = timezone.localtime(shift.ends_at)
    # "H:i" spelled directly: the same digits in every language, without a format lookup per call.
    start_time, end_time = f"{start:%H:%M}", f"{end:%H:%M}"
    if end.date() == start.date() or ((end.date() - start.date()).days == 1 and end.time() <= start.time()):
        suffix = "" if end.date() == start.date() else " (+1)"
        return f"{_day(start)} · {start_time}–{end_time}{suffix}"
    return f"{_day(start)} {start_time} – {_day(end)} {end_time}"


@register.filter
def campaign_dates(campaign: Campaign) -> str:
    first, last = campaign.starts_on, campaign.ends_on
    if first == last:
        return formats.date_format(first, "DATE_FORMAT")
    return f"{formats.date_format(first, 'MONTH_DAY_FORMAT')} – {formats.date_format(last, 'DATE_FORMAT')}"


@register.filter
def hours(value: Decimal | None) -> str:
    """12.50 → "12,5" in kk/ru, "12.5" in en; nothing for no hours."""
    if value is None:
        return ""
    # Trailing zeros go (10.00 → 10, 3.50 → 3.5), then the locale's decimal separator.
    return formats.number_format(Decimal(f"{value:.2f}".rstrip("0").rstrip(".")))


@register.filter
def get_item(mapping: dict[int, object], key: int) -> object:
    return mapping.get(key) if mapping else None
