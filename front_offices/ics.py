"""A visit as an iCalendar event (RFC 5545), for the phone's calendar."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from volunteer_net.ics import CRLF, escape_text, fold, utc

from .models import Visit


def _revision(visit: Visit) -> tuple[datetime.datetime, int]:
    """When the event last changed, and its SEQUENCE: a calendar that already holds the visit
    (the file opened again after a move or a cancellation) takes the new time or the
    cancellation only from a higher SEQUENCE (Outlook and Google keep the first copy of a UID
    otherwise). The seconds from the booking to its last move or its cancellation only grow."""
    changed = max(moment for moment in (visit.created_at, visit.moved_at, visit.cancelled_at) if moment)
    return changed, max(0, int((changed - visit.created_at).total_seconds()))


def visit_calendar(visit: Visit, *, summary: str, url: str) -> str:
    office = visit.office
    ends_at = (
        visit.slot.ends_at if visit.slot is not None else visit.starts_at + datetime.timedelta(minutes=30)
    )
    host = urlsplit(settings.SITE_URL).hostname or "volunteer-net"
    changed, sequence = _revision(visit)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Volunteer Net//Front offices//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:visit-{visit.pk}@{host}",
        f"DTSTAMP:{utc(timezone.now())}",
        f"LAST-MODIFIED:{utc(changed)}",
        f"SEQUENCE:{sequence}",
        f"DTSTART:{utc(visit.starts_at)}",
        f"DTEND:{utc(ends_at)}",
        f"SUMMARY:{escape_text(summary)}",
        f"LOCATION:{escape_text(office.address)}",
        f"DESCRIPTION:{escape_text(url)}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if visit.status == Visit.Status.CANCELLED else 'CONFIRMED'}",
    ]
    if office.latitude is not None and office.longitude is not None:
        lines.append(f"GEO:{office.latitude};{office.longitude}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return CRLF.join(fold(line) for line in lines) + CRLF
