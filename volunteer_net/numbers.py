"""Numbers as people read them on every page and in every message: in the active language,
without needless trailing zeros — 164.00 → "164", 12.50 → "12,5" in Kazakh and Russian, "12.5" in
English. One rule for hours, shares and durations everywhere: a report's "164,00" beside a shift
page's "164", or "8.0 %" beside "164,00", read as two systems. Files never come here: XLSX and
JSON keep machine values, and a Kazakh or Russian CSV writes its decimal comma itself
(reports/writers.py), as the spreadsheet of that language reads it.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats


def number_text(value: Decimal | int | float, *, grouped: bool = False) -> str:
    """A count or a decimal (hours, a share, a duration) in the active language; `grouped`
    separates the thousands as the language does (the charts, whose labels are read at a glance)."""
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        # Two places are all any figure here holds (hours to the quarter, shares to the tenth);
        # then trailing zeros go.
        value = Decimal(f"{value:.2f}".rstrip("0").rstrip("."))
    return str(formats.number_format(value, force_grouping=grouped))


def percent_text(value: Decimal | None) -> str:
    """A share in per cent ("16,7 %"); "—" when there was nothing to divide. The sign is kept
    beside its number by a no-break space."""
    return "—" if value is None else f"{number_text(value)}\u00a0%"
