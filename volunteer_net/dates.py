"""Moments as people read them on every page and in every message."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from typing import TypeVar

from django.utils import dates, formats, timezone, translation

_Moment = TypeVar("_Moment", datetime.date, datetime.datetime)

# Django date format characters that map one to one onto strftime's (the short date and time
# formats of kk, ru and en use only these); any other format goes through date_format.
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M"}


def fast_format(django_format: str) -> Callable[[_Moment], str]:
    """A formatter for one Django date format, looked up once for a page of rows: strftime when
    the format's characters all map onto it, Django's date_format otherwise. date_format looks the
    format up through gettext at each call, which a list of fifty or a hundred rows felt."""
    if any(ch.isalpha() and ch not in _STRFTIME for ch in django_format) or "%" in django_format:
        return lambda value: formats.date_format(value, django_format)
    pattern = "".join(_STRFTIME.get(ch, ch) for ch in django_format)
    return lambda value: value.strftime(pattern)


def when_text(moment: datetime.datetime) -> str:
    """A moment as people read it: Almaty time (the site's time zone) in the active language's
    short format ("22.12.2026 10:00" in Kazakh and Russian). Pages, messages and a shift's name
    write times with it, so that one moment never reads two ways."""
    return formats.date_format(
        timezone.localtime(moment, timezone.get_default_timezone()), "SHORT_DATETIME_FORMAT"
    )


def iso_local(moment: datetime.datetime | None) -> str | None:
    """A moment in ISO 8601 with Almaty's offset, as the API writes it ("2026-12-01T00:30:00+05:00"),
    None for none: "download my data" writes every moment so, and a shift at 00:30 on the 1st
    reads as the 1st, not as 19:30 UTC on the evening before."""
    return (
        timezone.localtime(moment, timezone.get_default_timezone()).isoformat()
        if moment is not None
        else None
    )


# Languages that write the names of weekdays and months in lower case inside a sentence. Django's
# ru and kk catalogues give the names capitalised ("Понедельник", "Пн", "Декабрь"), as a calendar
# heading shows them; after "Приёмы на" or "Свободное время:" a Russian or Kazakh reader sees a
# capital where none belongs.
_LOWER_CASE_NAMES = frozenset({"kk", "ru"})


@functools.lru_cache(maxsize=8)
def _names_pattern(language: str) -> re.Pattern[str]:
    names = {
        str(name)
        for table in (dates.WEEKDAYS, dates.WEEKDAYS_ABBR, dates.MONTHS, dates.MONTHS_AP)
        for name in table.values()
    }
    # Longest first, so that "Пн" never stops a longer name that starts the same.
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def names_in_text(text: str) -> str:
    """Date text ("Понедельник, 21 декабря") as it reads inside a sentence: weekday and month
    names in lower case in Kazakh and Russian ("понедельник, 21 декабря"), unchanged in English.
    Only for text that is a date and nothing else: a word in a title could be a month's name."""
    language = (translation.get_language() or "").split("-")[0]
    if language not in _LOWER_CASE_NAMES:
        return text
    return _names_pattern(language).sub(lambda match: match.group(0).lower(), text)


def date_in_text(value: datetime.date | datetime.datetime, date_format: str) -> str:
    """A date in the given format (Django's letters or a format's name) for use inside a sentence
    or after a label: "Приёмы на понедельник, 21 декабря", "Келесі ауысым: дс, 21 желтоқсан".
    A date that starts a heading or a line keeps the capital: use `date_format` there. A moment
    is read in Almaty time."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value, timezone.get_default_timezone())
    return names_in_text(formats.date_format(value, date_format))
