"""The dashboard's tables, written in Python rather than with template tags.

National staff's dashboard holds some twenty tables (the regions side by side, fifty
detachments, a table under every chart): through the template engine each of their ~800 cells
cost a variable lookup, a localisation and an escape and two loop iterations, a third of the
page's time when its figures were cached. Each cell is localised and escaped once here; the
markup is the same as the template's was, and the tests and browser checks read it as before.
The `figure` filter writes any other number of reports/ pages the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.utils import formats
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from reports.dashboard import Table
from volunteer_net.numbers import number_text

register = template.Library()


def _text(value: Any) -> str:
    """What a cell or a figure says, not yet escaped: numbers and dates in the page's language,
    decimals (hours) without needless trailing zeros as everywhere on the site (volunteer_net/numbers.py).
    A whole number prints as itself in every language unless thousands are grouped (they are not:
    USE_THOUSAND_SEPARATOR is off), and most cells are counts."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return number_text(value)
    return str(formats.localize(value))


def _cell(value: Any) -> str:
    # Text that is already safe (a label marked so) is not escaped twice.
    return str(conditional_escape(value if isinstance(value, str) else _text(value)))


@register.filter
def figure(value: Any) -> str:
    """A headline figure or any number of reports/ in a template, as the tables write it:
    {{ certificate.hours|figure }} → "13,5". A certificate's lines keep their hours as text
    ("12.50"), which is read as the number it is."""
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value  # "—", "16,7 %": already written for people
        return number_text(number) if number.is_finite() else value
    return _text(value)


def _row(headers: list[str], cells: list[Any]) -> str:
    parts = []
    # Cells past the headers are not shown (a row is as wide as its table).
    for i, (label, cell) in enumerate(zip(headers, cells, strict=False)):
        if i == 0:
            parts.append(f'<th scope="row" class="cell-primary">{_cell(cell)}</th>')
        else:
            parts.append(f'<td class="num" data-label="{label}">{_cell(cell)}</td>')
    return "<tr>" + "".join(parts) + "</tr>"


@register.simple_tag
def report_table(table: Table, caption: Any = "") -> SafeString:
    headers = [_cell(h) for h in table.headers]
    head = "".join(
        f'<th scope="col">{h}</th>' if i == 0 else f'<th scope="col" class="num">{h}</th>'
        for i, h in enumerate(headers)
    )
    if table.rows:
        body = "\n  ".join(_row(headers, row) for row in table.rows)
    else:
        # Outside the f-string: makemessages does not look inside one.
        nothing = escape(gettext("Nothing in this period."))
        body = f'<tr><td colspan="{len(headers)}">{nothing}</td></tr>'
    foot = f"\n  <tfoot>{_row(headers, table.totals)}</tfoot>" if table.totals else ""
    cap = f'<caption class="visually-hidden">{_cell(caption)}</caption>' if caption else ""
    return mark_safe(  # noqa: S308 (every value above is escaped)
        f'<div class="table-wrap"><table class="table-stack report-table">\n  {cap}\n'
        f"  <thead><tr>{head}</tr></thead>\n  <tbody>\n  {body}\n  </tbody>{foot}\n</table></div>"
    )
