"""A streaming XLSX writer for exports of hundreds of thousands of rows.

XlsxWriter (even in constant_memory mode) spends ~10 µs in Python per cell, which put a
500 000-row export at a tenth of PostgreSQL's own COPY. An export's sheet is simple — typed cells,
one bold header row kept in view, a totals row — so it is written here as the OOXML it is: the
sheet's XML goes row by row into a deflate stream inside the zip (one row in memory at a time),
strings inline (no shared-string table to hold), numbers and dates typed, with the few fixed
parts (workbook, styles, content types) around it. openpyxl and Excel read it back.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Callable, Iterable
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

# Styles (cellXfs indexes in STYLES below). Dates are shown day first, as the pages write them in
# every language (the cell holds the date itself: Excel sorts and filters it as a date).
PLAIN, BOLD, DATE, DATETIME, DECIMAL, BOLD_DECIMAL = 0, 1, 2, 3, 4, 5
# Excel's day 0 (the 1900 date system, with its leap-year quirk folded in).
_EPOCH_ORDINAL = datetime.date(1899, 12, 30).toordinal()
# Characters XML 1.0 does not allow at all (tab, LF and CR are allowed).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="3"><numFmt numFmtId="164" formatCode="dd\\.mm\\.yyyy"/><numFmt numFmtId="165" formatCode="dd\\.mm\\.yyyy\\ hh:mm"/><numFmt numFmtId="166" formatCode="0.00"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def _workbook(sheet_name: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name={quoteattr(sheet_name)} sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_xml(value: str) -> str:
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    return escape(value)


def serial(value: datetime.datetime | datetime.date) -> float:
    """Excel's day number (1900 system) of a naive local date or time."""
    if isinstance(value, datetime.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return value.toordinal() - _EPOCH_ORDINAL + seconds / 86400
    return float(value.toordinal() - _EPOCH_ORDINAL)


class SheetWriter:
    """Rows go in one by one; `close()` finishes the archive."""

    def __init__(self, target: str | IO[bytes], *, sheet_name: str, widths: list[int]) -> None:
        self.archive = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        try:
            for name, text in (
                ("[Content_Types].xml", CONTENT_TYPES),
                ("_rels/.rels", ROOT_RELS),
                ("xl/workbook.xml", _workbook(sheet_name[:31] or "Sheet1")),
                ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                ("xl/styles.xml", STYLES),
            ):
                self.archive.writestr(name, text)
            self.stream = self.archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        except BaseException:
            _quietly(self.archive.close)
            raise
        self.letters = [column_letter(i) for i in range(len(widths))]
        self.row_number = 0
        self.buffer: list[str] = []
        cols = "".join(
            f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths)
        )
        self._put(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews>'
            f"<cols>{cols}</cols><sheetData>"
        )

    def _put(self, text: str) -> None:
        self.buffer.append(text)
        if len(self.buffer) >= 500:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.stream.write("".join(self.buffer).encode("utf-8"))
            self.buffer = []

    def row_writer(
        self, kinds: list[str], prepare: dict[int, Callable[[Any], Any]] | None = None
    ) -> Callable[[tuple[Any, ...]], None]:
        """A function that writes one data row of these column kinds (text, int, decimal, date,
        datetime); `prepare` converts a column's values first (neutralising, local time). Cells
        carry no reference: they are positional, an empty one is written as <c/>."""
        prepare = prepare or {}

        def cell(kind: str, before: Callable[[Any], Any] | None) -> Callable[[Any], str]:
            if kind == "text":

                def text(v: Any) -> str:
                    # The hot path of a large export: plain checks first, the regex and the
                    # escaping only for the rare values that need them.
                    if v is None or v == "":
                        return "<c/>"
                    if type(v) is not str:
                        v = str(v)
                    if before:
                        v = before(v)
                    if not v.isprintable():
                        v = _ILLEGAL.sub("", v)
                    if "&" in v or "<" in v or ">" in v:
                        v = escape(v)
                    if v[:1] == " " or v[-1:] == " ":
                        return f'<c t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>'
                    return f'<c t="inlineStr"><is><t>{v}</t></is></c>'

                return text
            if kind in ("int", "decimal"):
                style = f' s="{DECIMAL}"' if kind == "decimal" else ""
                return lambda v: "<c/>" if v is None else f"<c{style}><v>{v}</v></c>"
            style = f' s="{DATETIME if kind == "datetime" else DATE}"'

            def moment(v: Any) -> str:
                if v is None:
                    return "<c/>"
                if before:
                    v = before(v)
                return f"<c{style}><v>{serial(v)!r}</v></c>"

            return moment

        cells = [cell(kind, prepare.get(i)) for i, kind in enumerate(kinds)]
        put = self._put

        def write(row: tuple[Any, ...]) -> None:
            self.row_number += 1
            put(
                f'<row r="{self.row_number}">{"".join([f(v) for f, v in zip(cells, row, strict=False)])}</row>'
            )

        return write

    def styled_row(self, values: Iterable[Any], *, bold: bool, kinds: list[str] | None = None) -> None:
        """The header and totals rows: text and numbers, bold. A number is shown with two decimals
        only in a column of `kinds` "decimal" (or when no kinds are given): a total of counts
        reads as its rows do, "6", not "6.00"."""
        self.row_number += 1
        n = self.row_number
        cells = []
        for i, (letter, value) in enumerate(zip(self.letters, values, strict=False)):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                style = f' s="{BOLD}"' if bold else ""
                cells.append(f'<c r="{letter}{n}" t="inlineStr"{style}><is><t>{text_xml(value)}</t></is></c>')
            else:
                counted = kinds is not None and i < len(kinds) and kinds[i] != "decimal"
                style = f' s="{BOLD if counted else BOLD_DECIMAL}"' if bold else ""
                cells.append(f'<c r="{letter}{n}"{style}><v>{value}</v></c>')
        self._put(f'<row r="{n}">{"".join(cells)}</row>')

    def close(self) -> None:
        self._put("</sheetData></worksheet>")
        self.flush()
        self.stream.close()
        self.archive.close()

    def discard(self) -> None:
        """Let go of the archive after a failed write (a full disk): close what is open without
        caring what it writes, so that nothing tries again when the objects are collected."""
        _quietly(self.stream.close)
        _quietly(self.archive.close)


def _quietly(close: Callable[[], None]) -> None:
    try:
        close()
    except (OSError, ValueError):
        pass
