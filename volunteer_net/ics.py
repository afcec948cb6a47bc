"""iCalendar (RFC 5545) text, shared by the shift and visit calendars (events/ics.py,
front_offices/ics.py): escaping of TEXT values, line folding and UTC times. Written by hand:
the format is small, and a dependency for one VEVENT is not worth it."""

from __future__ import annotations

import datetime

CRLF = "\r\n"
FOLD_AT = 75  # octets per line, CRLF excluded


def escape_text(value: str) -> str:
    """TEXT values: backslash, semicolon and comma are escaped; every line break — CRLF, LF and a
    lone CR, which some calendar apps also take as the end of a line, so that an office address
    typed with one could add properties of its own — becomes \\n."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a UTF-8 character;
    continuation lines start with a space (which counts towards their 75)."""
    out: list[str] = []
    current, size, limit = "", 0, FOLD_AT
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, FOLD_AT
        current += ch
        size += width
    out.append(current)
    return CRLF.join(out)


def utc(dt: datetime.datetime) -> str:
    return dt.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
