"""A visit as an iCalendar event (RFC 5545), for the phone's calendar."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from .models import Visit

CRLF = "\r\n"


def _text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """At most 75 octets a line, never inside a UTF-8 character."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    out.append(current)
    return CRLF.join(out)


def _utc(dt: datetime.datetime) -> str:
    return dt.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def visit_calendar(visit: Visit, *, summary: str, url: str) -> str:
    office = visit.office
    ends_at = (
        visit.slot.ends_at if visit.slot is not None else visit.starts_at + datetime.timedelta(minutes=30)
    )
    host = urlsplit(settings.SITE_URL).hostname or "volunteer-net"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Volunteer Net//Front offices//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:visit-{visit.pk}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(visit.starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{_text(summary)}",
        f"LOCATION:{_text(office.address)}",
        f"DESCRIPTION:{_text(url)}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if visit.status == Visit.Status.CANCELLED else 'CONFIRMED'}",
    ]
    if office.latitude is not None and office.longitude is not None:
        lines.append(f"GEO:{office.latitude};{office.longitude}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return CRLF.join(_fold(line) for line in lines) + CRLF
