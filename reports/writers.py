"""CSV and XLSX writers that hold one batch of rows at a time, whatever the export's size.

Both take an Export's columns and an iterator of row tuples (from a server-side cursor), neutralise
text against formula injection, and add a totals row. CSV is generated chunk by chunk for a
StreamingHttpResponse (or a file); XLSX goes through XlsxWriter's constant_memory mode, which
flushes each row to disk as soon as the next one starts.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.utils import timezone

from .registry import Column

# A spreadsheet runs a cell that begins with one of these as a formula (or as its start).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
BATCH = 2000


def neutralise(value: str) -> str:
    """Text that a spreadsheet would take for a formula gets a leading apostrophe: the value
    stays readable ("'=HYPERLINK(…)", "'+7 701 …") and is never evaluated."""
    if value and value[0] in FORMULA_PREFIXES:
        return "'" + value
    return value


def _local(value: datetime.datetime) -> datetime.datetime:
    """Aware UTC from the database to naive Almaty wall time, as the sheet shows it."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def _csv_cell(kind: str) -> Callable[[Any], Any]:
    if kind == "text":
        return lambda v: "" if v is None else neutralise(str(v))
    if kind == "datetime":
        return lambda v: "" if v is None else f"{_local(v):%Y-%m-%d %H:%M}"
    if kind == "date":
        return lambda v: "" if v is None else v.isoformat()
    return lambda v: "" if v is None else v


class Totals:
    """Running sums of the columns that have a total (numbers only)."""

    def __init__(self, columns: list[Column]) -> None:
        self.indexes = [i for i, c in enumerate(columns) if c.total]
        self.sums: dict[int, Any] = {i: 0 for i in self.indexes}
        self.rows = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows += 1
        for i in self.indexes:
            value = row[i]
            if value is not None:
                self.sums[i] += value

    def row(self, columns: list[Column], label: str) -> list[Any]:
        out: list[Any] = [None] * len(columns)
        out[0] = label
        for i in self.indexes:
            out[i] = self.sums[i]
        return out


def csv_chunks(
    columns: list[Column],
    rows: Iterable[tuple[Any, ...]],
    *,
    totals_label: str,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """UTF-8 with a BOM (so that Excel reads Cyrillic and Kazakh letters), one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([str(c.header) for c in columns])
    cells = [_csv_cell(c.kind) for c in columns]
    pairs = list(zip(cells, range(len(columns)), strict=True))
    totals = Totals(columns)
    add = totals.add
    pending = 0
    for row in rows:
        add(row)
        writer.writerow([cell(row[i]) for cell, i in pairs])
        pending += 1
        if pending == BATCH:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
            if progress:
                progress(totals.rows)
    if totals.indexes:
        writer.writerow(["" if v is None else v for v in totals.row(columns, totals_label)])
    yield buffer.getvalue().encode("utf-8")
    if progress:
        progress(totals.rows)


def write_csv(
    target: IO[bytes],
    columns: list[Column],
    rows: Iterable[tuple[Any, ...]],
    *,
    totals_label: str,
    progress: Callable[[int], None] | None = None,
) -> None:
    for chunk in csv_chunks(columns, rows, totals_label=totals_label, progress=progress):
        target.write(chunk)


def write_xlsx(
    target: str | IO[bytes],
    columns: list[Column],
    rows: Iterable[tuple[Any, ...]],
    *,
    sheet_name: str,
    totals_label: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Typed cells (numbers, dates in Almaty time), a frozen bold header and a totals row."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    formats = {
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "decimal": workbook.add_format({"num_format": "0.00"}),
        "int": None,
    }
    for i, column in enumerate(columns):
        sheet.set_column(i, i, column.width)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, [str(c.header) for c in columns], bold)

    write_string = sheet.write_string
    write_number = sheet.write_number
    write_datetime = sheet.write_datetime
    plan = []
    for i, column in enumerate(columns):
        plan.append((i, column.kind, formats.get(column.kind)))
    totals = Totals(columns)
    add = totals.add
    r = 0
    for row in rows:
        r += 1
        add(row)
        for i, kind, fmt in plan:
            value = row[i]
            if value is None or value == "":
                continue
            if kind == "text":
                write_string(r, i, neutralise(str(value)))
            elif kind == "datetime":
                write_datetime(r, i, _local(value), fmt)
            elif kind == "date":
                write_datetime(r, i, value, fmt)
            elif kind == "decimal":
                write_number(r, i, float(value) if isinstance(value, Decimal) else value, fmt)
            else:
                write_number(r, i, value)
        if progress and r % BATCH == 0:
            progress(r)
    if totals.indexes:
        r += 1
        for i, value in enumerate(totals.row(columns, totals_label)):
            if value is None:
                continue
            if i in totals.sums:
                write_number(
                    r,
                    i,
                    float(value),
                    workbook.add_format({"bold": True, "num_format": "0.00"})
                    if columns[i].kind == "decimal"
                    else bold,
                )
            else:
                write_string(r, i, str(value), bold)
    workbook.close()
    if progress:
        progress(totals.rows)
    return totals.rows
