"""Moments as people read them on every page and in every message."""

from __future__ import annotations

import datetime

from django.utils import formats, timezone


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
