"""CSV and XLSX writers that hold one batch of rows at a time, whatever the export's size.

Both take an Export's columns and an iterator of row tuples (from a server-side cursor) and add a
totals row. CSV's text is neutralised against formula injection; XLSX's goes into string cells,
which are never formulas, as typed. CSV is generated chunk by chunk for a StreamingHttpResponse
(or a file); XLSX is streamed row by row into its zip (reports/xlsx.py).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils import timezone, translation

from .registry import Column
from .xlsx import DATE, DATETIME, DECIMAL, SheetWriter

# A spreadsheet runs a cell that begins with one of these as a formula (or as its start).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
BATCH = 2000


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file separates its cells and writes a decimal."""

    delimiter: str
    decimal: str


# Excel opens a CSV with the list separator and the decimal sign of Windows' regional settings:
# ";" and "," in Russia and Kazakhstan. A comma-separated file landed in one column there, and
# "4.00" hours read as April 2000. English keeps "," and "." (what Excel expects there).
SEMICOLON = CsvFormat(delimiter=";", decimal=",")
COMMA = CsvFormat(delimiter=",", decimal=".")


def csv_format(language: str | None = None) -> CsvFormat:
    """The CSV format of the reader's language (the active one unless given): the language an
    export is made in stands for the regional settings of the spreadsheet that opens it."""
    language = (language or translation.get_language() or "kk")[:2]
    return COMMA if language == "en" else SEMICOLON


def neutralise(value: str) -> str:
    """Text that a spreadsheet would take for a formula gets a leading apostrophe: the value
    stays readable ("'=HYPERLINK(…)", "'+7 701 …") and is never evaluated."""
    if value and value[0] in FORMULA_PREFIXES:
        return "'" + value
    return value


def _local_converter() -> Callable[[datetime.datetime], datetime.datetime]:
    """Aware UTC from the database to naive Almaty wall time, as the sheet shows it. The zone is
    looked up once per export: Django's per-call lookup costs more than the conversion."""
    zone = timezone.get_default_timezone()

    def local(value: datetime.datetime) -> datetime.datetime:
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return value.replace(tzinfo=None)

    return local


def _text(v: Any) -> str:
    if v is None:
        return ""
    v = str(v)
    return "'" + v if v and v[0] in FORMULA_PREFIXES else v


def _digits(v: Any) -> str:
    return "'" + str(v) if v else ""


def _csv_cell(
    kind: str, neutralised: bool = False, decimal: str = ".", digits: bool = False
) -> Callable[[Any], Any] | None:
    """The conversion a column's cells need in CSV (None: written as they are)."""
    if digits:
        return _digits
    if kind == "decimal" and decimal != ".":
        return lambda v: "" if v is None else str(v).replace(".", decimal)
    if kind == "text":
        return None if neutralised else _text
    if kind == "datetime":
        local = _local_converter()
        return lambda v: "" if v is None else local(v).isoformat(sep=" ", timespec="minutes")
    if kind == "date":
        return lambda v: "" if v is None else v.isoformat()
    return None


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
    fmt: CsvFormat | None = None,
) -> Iterator[bytes]:
    """UTF-8 with a BOM (so that Excel reads Cyrillic and Kazakh letters), one chunk per batch,
    in `fmt` (by default the active language's, read now: a streamed response's chunks are made
    after its view has returned)."""
    return _csv_chunks(columns, rows, totals_label=totals_label, progress=progress, fmt=fmt or csv_format())


def _csv_chunks(
    columns: list[Column],
    rows: Iterable[tuple[Any, ...]],
    *,
    totals_label: str,
    progress: Callable[[int], None] | None,
    fmt: CsvFormat,
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=fmt.delimiter)
    buffer.write(BOM)
    writer.writerow([str(c.header) for c in columns])
    cells = [_csv_cell(c.kind, c.neutralised, fmt.decimal, c.digits) for c in columns]
    # Only the columns that need a conversion get one; the others pass through as they came.
    converted = [(i, cell) for i, cell in enumerate(cells) if cell is not None]

    def convert(row: tuple[Any, ...]) -> list[Any]:
        out = list(row)
        for i, cell in converted:
            out[i] = cell(out[i])
        return out

    totals = Totals(columns)
    add = totals.add if totals.indexes else None
    writerow = writer.writerow
    pending = 0
    count = 0
    for row in rows:
        if add:
            add(row)
        writerow(convert(row))
        count += 1
        pending += 1
        if pending == BATCH:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
            if progress:
                progress(count)
    totals.rows = count
    if totals.indexes:
        line = totals.row(columns, totals_label)
        for i, cell in converted:
            if columns[i].kind == "decimal" and line[i] is not None:
                line[i] = cell(line[i])
        writer.writerow(["" if v is None else v for v in line])
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
    fmt: CsvFormat | None = None,
) -> None:
    for chunk in csv_chunks(columns, rows, totals_label=totals_label, progress=progress, fmt=fmt):
        target.write(chunk)


class _CountingWriter:
    """A file for COPY to write into: passes the bytes on and reports rows as lines go by."""

    def __init__(self, target: IO[bytes], progress: Callable[[int], None] | None) -> None:
        self.target = target
        self.progress = progress
        self.lines = 0
        self.reported = 0

    def write(self, data: bytes | str) -> int:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.target.write(raw)
        self.lines += raw.count(b"\n")
        if self.progress and self.lines - self.reported >= BATCH * 10:
            self.reported = self.lines
            self.progress(self.lines)
        return len(raw)


def write_csv_copy(
    target: IO[bytes],
    columns: list[Column],
    copy: Any,
    *,
    totals_label: str,
    progress: Callable[[int], None] | None = None,
    fmt: CsvFormat | None = None,
) -> int:
    """The CSV export written by PostgreSQL itself (COPY … TO STDOUT WITH CSV) between our BOM
    and header and our totals row: the same file as write_csv, at the database's speed."""
    from django.db import connection

    fmt = fmt or csv_format()
    values, totals = copy
    sql, params = values.query.sql_with_params()
    header = io.StringIO()
    header.write(BOM)
    csv.writer(header, delimiter=fmt.delimiter).writerow([str(c.header) for c in columns])
    target.write(header.getvalue().encode("utf-8"))
    sink = _CountingWriter(target, progress)
    names = [f"c{i}" for i in range(len(columns))]
    # Decimals with the format's sign, as write_csv writes them.
    cells = ", ".join(
        f"replace({n}::text, '.', '{fmt.decimal}')" if c.kind == "decimal" and fmt.decimal != "." else n
        for c, n in zip(columns, names, strict=True)
    )
    delimiter = fmt.delimiter.replace("'", "''")
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, params)
        if isinstance(statement, bytes):
            statement = statement.decode()
        cursor.copy_expert(
            f"COPY (SELECT {cells} FROM ({statement}) AS q({', '.join(names)})) "  # noqa: S608 (our own SQL)
            f"TO STDOUT WITH (FORMAT csv, DELIMITER '{delimiter}', ENCODING 'UTF8')",
            sink,
        )
        rows = cursor.rowcount
    if totals:
        sums = values.order_by().aggregate(**{f"t{i}": agg for i, agg in totals.items()})
        line: list[Any] = [""] * len(columns)
        line[0] = totals_label
        for i in totals:
            line[i] = sums[f"t{i}"] or 0
            if columns[i].kind == "decimal":
                line[i] = str(line[i]).replace(".", fmt.decimal)
        out = io.StringIO()
        csv.writer(out, delimiter=fmt.delimiter).writerow(line)
        target.write(out.getvalue().encode("utf-8"))
    if progress:
        progress(rows)
    return rows


def write_xlsx(
    target: str | IO[bytes],
    columns: list[Column],
    rows: Iterable[tuple[Any, ...]],
    *,
    sheet_name: str,
    totals_label: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Typed cells (numbers, dates in Almaty time), a frozen bold header and a totals row.

    Text is written as it was typed, without CSV's guard: it goes into string cells (inline
    strings), which a spreadsheet shows and never evaluates, so "=1+1" stays text and a phone
    "+77014230734" carries no apostrophe. The rows must come as typed too (services.export_write
    builds them inside exports.text_as_typed())."""
    sheet = SheetWriter(target, sheet_name=sheet_name, widths=[c.width for c in columns])
    try:
        sheet.styled_row([str(c.header) for c in columns], bold=True)
        prepare: dict[int, Callable[[Any], Any]] = {}
        for i, column in enumerate(columns):
            if column.kind == "datetime":
                prepare[i] = _local_converter()
        write = sheet.row_writer([c.kind for c in columns], prepare)
        totals = Totals(columns)
        add = totals.add if totals.indexes else None
        count = 0
        for row in rows:
            if add:
                add(row)
            write(row)
            count += 1
            if progress and count % BATCH == 0:
                progress(count)
        if totals.indexes:
            sheet.styled_row(
                [round(v, 2) if isinstance(v, float) else v for v in totals.row(columns, totals_label)],
                bold=True,
                kinds=[c.kind for c in columns],
            )
        sheet.close()
    except BaseException:
        sheet.discard()
        raise
    if progress:
        progress(count)
    return count


# Control characters XML 1.0 forbids (tab, LF and CR are allowed; LF and CR become references
# below so that each row is one line of COPY's output).
_SQL_ILLEGAL = "".join(chr(c) for c in [*range(1, 9), 11, 12, *range(14, 32)])


def _xml_cell_sql(kind: str, column: str, *, escaped: bool) -> str:
    """SQL that writes one cell of `column` (text the export query made CSV-ready) as OOXML; a
    text cell's value as it is, or (`escaped`) with what XML and COPY's lines cannot hold
    replaced."""
    if kind == "datetime":
        # 'YYYY-MM-DD HH24:MI' Almaty wall time → Excel's day number.
        value = f"(extract(epoch from ({column})::timestamp - timestamp '1899-12-30') / 86400)::text"
        return f"CASE WHEN {column} IS NULL THEN '<c/>' ELSE '<c s=\"{DATETIME}\"><v>' || {value} || '</v></c>' END"
    if kind == "date":
        value = f"(({column})::date - date '1899-12-30')::text"
        return (
            f"CASE WHEN {column} IS NULL THEN '<c/>' ELSE '<c s=\"{DATE}\"><v>' || {value} || '</v></c>' END"
        )
    if kind in ("int", "decimal"):
        style = f' s="{DECIMAL}"' if kind == "decimal" else ""
        return f"CASE WHEN {column} IS NULL THEN '<c/>' ELSE '<c{style}><v>' || ({column})::text || '</v></c>' END"
    text = f"({column})::text"
    if escaped:
        text = (
            f"replace(replace(replace(replace(replace(translate({text}, %(illegal)s, ''), "
            "'&', '&amp;'), '<', '&lt;'), '>', '&gt;'), E'\\n', '&#10;'), E'\\r', '&#13;')"
        )
    return (
        f"CASE WHEN {column} IS NULL OR ({column})::text = '' THEN '<c/>' "
        f"ELSE '<c t=\"inlineStr\"><is><t xml:space=\"preserve\">' || {text} || '</t></is></c>' END"
    )


def _xml_row_sql(columns: list[Column], names: list[str]) -> str:
    """SQL that writes one row's cells. Almost no value holds a character to escape: the row's
    text values are tested once, together (a regular-expression test per text cell took a
    tenth of a 500 000-row export), and only a row with such a character takes the escaping
    version of its cells."""
    pairs = list(zip(columns, names, strict=True))
    plain = " || ".join(_xml_cell_sql(c.kind, n, escaped=False) for c, n in pairs)
    texts = [n for c, n in pairs if c.kind not in _NOT_TEXT]
    if not texts:
        return plain
    escaped = " || ".join(_xml_cell_sql(c.kind, n, escaped=True) for c, n in pairs)
    values = f"concat({', '.join(texts)})"
    return f"CASE WHEN {values} ~ %(special)s THEN {escaped} ELSE {plain} END"


# The kinds whose cells are numbers (their SQL text holds nothing to escape).
_NOT_TEXT = frozenset({"datetime", "date", "int", "decimal"})


class _RawSheetSink:
    """COPY writes the sheet's rows here, straight into the zip's deflate stream."""

    def __init__(self, sheet: SheetWriter, progress: Callable[[int], None] | None) -> None:
        self.sheet = sheet
        self.progress = progress
        self.lines = 0
        self.reported = 0

    def write(self, data: bytes | str) -> int:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.sheet.stream.write(raw)
        if self.progress:
            self.lines += raw.count(b"\n")
            if self.lines - self.reported >= BATCH * 10:
                self.reported = self.lines
                self.progress(self.lines)
        return len(raw)


def write_xlsx_copy(
    target: str | IO[bytes],
    columns: list[Column],
    copy: Any,
    *,
    sheet_name: str,
    totals_label: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The XLSX export with its rows' XML written by PostgreSQL (COPY of one text column per row,
    the cells typed and escaped in SQL) into our deflate stream, between our header and totals
    rows: Python only compresses. The same cells as write_xlsx (openpyxl reads both alike)."""
    from django.db import connection

    values, totals = copy
    sql, params = values.query.sql_with_params()
    sheet = SheetWriter(target, sheet_name=sheet_name, widths=[c.width for c in columns])
    try:
        sheet.styled_row([str(c.header) for c in columns], bold=True)
        sheet.flush()
        names = [f"c{i}" for i in range(len(columns))]
        cells = _xml_row_sql(columns, names)
        sink = _RawSheetSink(sheet, progress)
        with connection.cursor() as cursor:
            inner = cursor.mogrify(sql, params)
            if isinstance(inner, bytes):
                inner = inner.decode()
            statement = cursor.mogrify(
                # MATERIALIZED: the export's rows planned as by themselves (as the CSV's COPY
                # plans them). As a subquery, PostgreSQL 15 weighed the row's XML per row against
                # its underestimate of the rows a parallel plan returns, and took a slower plan
                # that returns fewer of them on paper: 2.9 s instead of 2.1 s at 500 000 rows.
                f"WITH q({', '.join(names)}) AS MATERIALIZED ({inner.replace('%', '%%')}) "  # noqa: S608
                f"SELECT '<row r=\"' || (row_number() OVER () + 1)::text || '\">' || {cells} || '</row>' FROM q",
                {"illegal": _SQL_ILLEGAL, "special": f"[&<>\r\n{_SQL_ILLEGAL}]"},
            )
            if isinstance(statement, bytes):
                statement = statement.decode()
            # CSV format with a delimiter and quote no row can hold (both are removed above as
            # illegal XML): every line is exactly one row's XML, unquoted.
            cursor.copy_expert(
                f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01', ENCODING 'UTF8')",
                sink,
            )
            rows = cursor.rowcount
        sheet.row_number = rows + 1
        if totals:
            sums = values.order_by().aggregate(**{f"t{i}": agg for i, agg in totals.items()})
            line: list[Any] = [""] * len(columns)
            line[0] = totals_label
            for i in totals:
                line[i] = sums[f"t{i}"] or 0
            sheet.styled_row(line, bold=True, kinds=[c.kind for c in columns])
        sheet.close()
    except BaseException:
        sheet.discard()
        raise
    if progress:
        progress(rows)
    return rows
