"""A shift as an iCalendar (RFC 5545) event, written by hand: the format is small, and a
dependency for one VEVENT is not worth it. Times are UTC (the trailing Z), which every calendar
shows in its own zone; text is escaped and lines are folded at 75 octets as the RFC requires.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from volunteer_net.ics import CRLF, escape_text, fold, utc

from .models import Shift


def _revision(shift: Shift) -> tuple[datetime.datetime, int]:
    """When the event last changed, and its SEQUENCE: a calendar that already holds the shift
    (a file opened again after a move, a feed read again) takes the new time, place or
    cancellation only from a higher SEQUENCE (Outlook and Google keep the first copy of a UID
    otherwise). The seconds from the shift's creation to its last change, the shift's or its
    campaign's (the title), only grow, and need no counter of their own."""
    changed = max(shift.updated_at, shift.campaign.updated_at)
    return changed, max(0, int((changed - shift.created_at).total_seconds()))


def _vevent(shift: Shift, *, url: str, host: str, stamp: str) -> list[str]:
    campaign = shift.campaign
    changed, sequence = _revision(shift)
    location = ", ".join(p for p in (shift.place_name, shift.address) if p)
    description = "\n\n".join(p for p in (campaign.cover_text, shift.notes, url) if p)
    lines = [
        "BEGIN:VEVENT",
        f"UID:shift-{shift.pk}@{host}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{utc(changed)}",
        f"SEQUENCE:{sequence}",
        f"DTSTART:{utc(shift.starts_at)}",
        f"DTEND:{utc(shift.ends_at)}",
        f"SUMMARY:{escape_text(campaign.title)}",
        f"LOCATION:{escape_text(location)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if shift.cancelled_at or campaign.status == campaign.Status.CANCELLED else 'CONFIRMED'}",
    ]
    if shift.latitude is not None and shift.longitude is not None:
        lines.append(f"GEO:{shift.latitude};{shift.longitude}")
    lines.append("END:VEVENT")
    return lines


def _calendar(events: list[str], *, extra: list[str] | None = None) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Volunteer Net//Campaigns//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *(extra or []),
        *events,
        "END:VCALENDAR",
    ]
    return CRLF.join(fold(line) for line in lines) + CRLF


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "volunteer-net"


def shift_calendar(shift: Shift, *, url: str) -> str:
    return _calendar(_vevent(shift, url=url, host=_host(), stamp=utc(timezone.now())))


def shifts_calendar(shifts: Iterable[Shift], *, url_for: Callable[[Shift], str], name: str) -> str:
    """A subscription feed: one VEVENT per shift (same UIDs as the single-shift download, so a
    calendar does not show a shift twice); a cancelled shift stays in, as STATUS:CANCELLED, so
    calendars that already hold it strike it out."""
    host, stamp = _host(), utc(timezone.now())
    events = [line for shift in shifts for line in _vevent(shift, url=url_for(shift), host=host, stamp=stamp)]
    return _calendar(events, extra=[f"X-WR-CALNAME:{escape_text(name)}", "X-PUBLISHED-TTL:PT1H"])
