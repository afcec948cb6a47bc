"""Bytes of an uploaded file → rows of text, streamed: a CSV as Russian-locale Excel writes it
(semicolon, Windows-1251) or any other way (comma, UTF-8 with or without BOM, Excel's "Unicode
text": UTF-16, tab-separated), or one sheet of an XLSX read with openpyxl's read-only mode.
Nothing here evaluates a formula: a formula cell is read as the value the spreadsheet saved
with it (what the coordinator sees in that cell), and a text cell that starts with = + - @ as
the text it is."""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import functools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

# The header is looked for in the first rows, below any title and merged cells.
HEADER_SEARCH_ROWS = 20
SAMPLE_BYTES = 64 * 1024
# Control characters (tab and line breaks aside): nobody types them in a name or a phone, the
# database refuses NUL in text, and a spreadsheet cannot hold any of them (the import's report).
# Invisible marks too: a zero-width space or a soft hyphen from a web page or a Word table, the
# direction marks WhatsApp puts around a number (U+202A…U+202C), a BOM where two CSVs were
# joined. Kept, "\u200bИванов" was another person than "Иванов" to the duplicate checks and to
# the roster's search, and an IIN between direction marks was "not 12 digits".
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
XLSX_MAGIC = b"PK\x03\x04"

Cell = str | int | float | datetime.date | datetime.datetime | None


class UnreadableFile(Exception):
    """The file is neither a CSV nor an XLSX this module can read."""


@dataclass
class FileInfo:
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    sheets: list[str] = field(default_factory=list)


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text (*.txt)": the codec reads the BOM and the byte order from it.
        return "utf-16"
    try:
        # An incremental decoder: a letter cut in two at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        # Excel "CSV (разделители — запятые)" on a Russian-locale Windows, or its "CSV (MS-DOS)",
        # which is code page 866: there most letters are bytes 0x80–0xAF, which Windows-1251
        # spends on rare signs (its letters are 0xC0–0xFF). Read as 1251, such a file was
        # imported as "Ђе¬Ґв®ў ".
        high = sum(1 for byte in sample if byte >= 0xC0)
        low = sum(1 for byte in sample if 0x80 <= byte < 0xB0)
        return "cp866" if low > high else "cp1251"
    return "utf-8"


def detect_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    best, best_score = ",", -1
    for candidate in (";", ",", "\t"):
        counts = [line.count(candidate) for line in lines]
        # The separator is on nearly every line; the most frequent one wins.
        score = sum(counts) if counts and sum(1 for c in counts if c) >= max(1, len(counts) // 2) else 0
        if score > best_score:
            best, best_score = candidate, score
    return best


class OtherSpreadsheet(UnreadableFile):
    """An .xls (Excel 97–2003) or an .ods, whatever the file's name says."""


class Encrypted(UnreadableFile):
    """A workbook saved with a password: Excel wraps it in a container that is not a zip."""


# Excel 97–2003 files and password-protected workbooks are both OLE compound files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


class TooLargeUnpacked(UnreadableFile):
    """An XLSX whose parts unpack into more than IMPORT_MAX_UNPACKED_BYTES."""


def _refuse_a_bomb(path: Path) -> None:
    """Refuse a workbook by the sizes its zip declares, before any part is unpacked: the reader
    holds a cell's text (and the shared strings) in memory, so a megabyte of deflated letters
    became gigabytes of a worker's memory. A zip that lies about its sizes fails its CRC check
    when read (zipfile stops at the declared size)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(str(exc)) from exc
    if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise TooLargeUnpacked(f"{unpacked} bytes unpacked")


def inspect(path: Path) -> FileInfo:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if sample.startswith(OLE_MAGIC):
        # Said as what it is: "save it as CSV or XLSX" told the owner of a workbook named .xlsx
        # nothing, and a password-protected workbook is what a careful region keeps.
        raise Encrypted("password") if _ENCRYPTION_INFO in sample else OtherSpreadsheet("xls")
    if sample.startswith(XLSX_MAGIC) and _ODS_MIMETYPE in sample[:200]:
        raise OtherSpreadsheet("ods")
    if sample.startswith(XLSX_MAGIC):
        _refuse_a_bomb(path)
        try:
            workbook = _open_workbook(path)
        except Exception as exc:  # a damaged or password-protected workbook
            raise UnreadableFile(str(exc)) from exc
        try:
            sheets = [ws.title for ws in workbook.worksheets]
        finally:
            workbook.close()
        return FileInfo(format="xlsx", sheets=sheets)
    encoding = detect_encoding(sample)
    if encoding != "utf-16" and b"\x00" in sample:
        raise UnreadableFile("binary")
    text = sample.decode(encoding, errors="ignore")
    return FileInfo(format="csv", encoding=encoding, delimiter=detect_delimiter(text))


def _csv_rows(path: Path, info: FileInfo) -> Iterator[list[Cell]]:
    with path.open("r", encoding=info.encoding or "utf-8", errors="replace", newline="") as handle:
        yield from csv.reader(handle, delimiter=info.delimiter or ",")


def _open_workbook(path: Path) -> Any:
    """The workbook in openpyxl's read-only mode, values as saved (data_only: a formula cell —
    a full name put together from three columns, an age — is read as the value saved with it,
    not as the formula's text, which was imported as a name). Each sheet's stated size is read
    from the sheet's head alone (see _reader_class)."""
    reader = _reader_class()(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


@functools.cache
def _reader_class() -> type:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    class SizedFromHead(ReadOnlyWorksheet):
        """A read-only sheet whose stated size (<dimension>, before the rows) is looked for up
        to where the rows begin. openpyxl looks for it until the rows' end: a sheet that states
        none (a streaming writer's, a web export's) was parsed through whole each time the
        workbook was opened, which a check did half a dozen times."""

        def _get_size(self) -> None:
            with self._get_source() as source:
                for _event, element in iterparse(source, events=("start",)):
                    if element.tag == DIMENSION_TAG:
                        bounds = SheetDimension.from_tree(element).boundaries
                        self._min_column, self._min_row, self._max_column, self._max_row = bounds
                        return
                    if element.tag == DATA_TAG:
                        return

    class Reader(ExcelReader):
        def read_worksheets(self) -> None:
            # ExcelReader's own, for read-only mode, with the sheet class above.
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files:
                    continue
                if "chartsheet" in rel.Type:
                    self.read_chartsheet(sheet, rel)
                    continue
                ws = SizedFromHead(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)

    return Reader


@contextlib.contextmanager
def _worksheet(path: Path, sheet: str) -> Iterator[Any]:
    """The workbook's sheet of that name (its first sheet when none is named or the name is
    gone), streamed read-only; the workbook is closed after."""
    workbook = _open_workbook(path)
    try:
        yield workbook[sheet] if sheet in workbook.sheetnames else workbook.worksheets[0]
    finally:
        workbook.close()


@dataclass
class SheetLayout:
    """What read-only mode does not give of a sheet, read once for a whole pass over it: its
    vertical merges (first row → [(0-based column, last row)]) and its hidden rows."""

    merges: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    hidden: set[int] = field(default_factory=set)


def sheet_layout(path: Path, info: FileInfo, *, sheet: str = "") -> SheetLayout:
    """The sheet's merges and hidden rows (nothing for a CSV), to give iter_rows and to leave
    the hidden rows out by, with one stream through the sheet instead of one each."""
    if info.format != "xlsx":
        return SheetLayout()
    with _worksheet(path, sheet) as ws:
        merges, hidden = _scan_sheet(ws)
    return SheetLayout(merges=merges, hidden=hidden)


def _xlsx_rows(path: Path, sheet: str, layout: SheetLayout | None = None) -> Iterator[list[Cell]]:
    with _worksheet(path, sheet) as ws:
        starts = layout.merges if layout is not None else _vertical_merges(ws)
        running: list[tuple[int, int, Cell]] = []  # (column, last row, value)
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            row = list(values)
            if running:
                running = [item for item in running if item[1] >= number]
                for column, _last, value in running:
                    if column < len(row) and row[column] is None:
                        row[column] = value
            for column, last in starts.get(number, ()):
                if column < len(row) and row[column] is not None:
                    running.append((column, last, row[column]))
            yield row


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')
# A row's own tag, to read its number and whether it is hidden (by hand, by a filter, or in a
# collapsed group: Excel writes hidden="1" for each).
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_ROW_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')


def _vertical_merges(ws: Any) -> dict[int, list[tuple[int, int]]]:
    """Cells merged down a column (a school, a detachment, a district written once beside all
    its people): first row → [(0-based column, last row)]. Read-only mode does not give the
    merged ranges, and it gives the value in the first cell only, so the rows below read as if
    they had no school. The ranges are at the sheet's end: the part is streamed through once."""
    return _scan_sheet(ws)[0]


def _scan_sheet(ws: Any) -> tuple[dict[int, list[tuple[int, int]]], set[int]]:
    """The sheet's vertical merges (see _vertical_merges) and its hidden rows, from one stream
    through its XML (read-only mode gives neither)."""
    from openpyxl.utils import column_index_from_string

    found: set[tuple[int, int, int]] = set()
    hidden: set[int] = set()
    tail = b""
    number = 0
    with ws._get_source() as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            data = tail + chunk
            # A tag cut in two at the chunk's end is read whole with the next chunk.
            cut = data.rfind(b"<", max(0, len(data) - 4096))
            if cut >= 0 and b">" not in data[cut:]:
                data, tail = data[:cut], data[cut:]
            else:
                tail = b""
            for match in _MERGE.finditer(data):
                first_col, first_row, _last_col, last_row = match.groups()
                if int(last_row) > int(first_row):
                    found.add(
                        (int(first_row), column_index_from_string(first_col.decode()) - 1, int(last_row))
                    )
            for match in _ROW_TAG.finditer(data):
                attributes = match.group(1)
                stated = _ROW_NUMBER.search(attributes)
                number = int(stated.group(1)) if stated else number + 1
                if _ROW_HIDDEN.search(attributes):
                    hidden.add(number)
    starts: dict[int, list[tuple[int, int]]] = {}
    for first, column, last in sorted(found):
        starts.setdefault(first, []).append((column, last))
    return starts, hidden


def hidden_rows(path: Path, info: FileInfo, *, sheet: str = "") -> set[int]:
    """The numbers of the rows hidden in the sheet (hidden by hand or filtered out): a
    coordinator hides the rows they do not want, and sees the list without them. A CSV hides
    nothing."""
    if info.format != "xlsx":
        return set()
    return sheet_layout(path, info, sheet=sheet).hidden


# A column's own tag (`<col min="2" max="3" hidden="1"/>`, in <cols> before the rows): a range of
# columns sharing a width, hidden by hand or in a collapsed group.
_COL_TAG = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_COL_MIN = re.compile(rb'\bmin="(\d+)"')
_COL_MAX = re.compile(rb'\bmax="(\d+)"')
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")


def hidden_columns(path: Path, info: FileInfo, *, sheet: str = "") -> set[int]:
    """The 0-based indexes of the columns hidden in the sheet. A coordinator hides the columns
    they keep for themselves (an old phone, notes, a formula's parts) and sees the list without
    them; a CSV hides nothing. Only the sheet's head is read: <cols> comes before the rows."""
    if info.format != "xlsx":
        return set()
    head = b""
    with _worksheet(path, sheet) as ws, ws._get_source() as source:
        for chunk in iter(lambda: source.read(1 << 16), b""):
            head += chunk
            found = _SHEET_DATA.search(head)
            if found:
                head = head[: found.start()]
                break
    hidden: set[int] = set()
    for match in _COL_TAG.finditer(head):
        attributes = match.group(1)
        low, high = _COL_MIN.search(attributes), _COL_MAX.search(attributes)
        if _ROW_HIDDEN.search(attributes) and low and high:
            # A range as wide as the sheet (`max="16384"`: every column right of the list hidden)
            # is kept to more columns than a header can have (services.MAX_COLUMNS).
            hidden.update(range(int(low.group(1)) - 1, min(int(high.group(1)), 1024)))
    return hidden


_DATE_1904 = re.compile(rb'<(?:\w+:)?workbookPr\b[^>]*\bdate1904="(?:1|true)"')
WINDOWS_EPOCH = datetime.date(1899, 12, 30)
MAC_EPOCH = datetime.date(1904, 1, 1)


def date_epoch(path: Path, info: FileInfo) -> datetime.date:
    """The day a workbook's day numbers count from. Excel for Mac before 2011 saved workbooks in
    the 1904 date system, and a date kept as a plain number there (a column formatted "General",
    or with a custom format the reader does not know for a date) read with Windows' epoch came out
    four years and a day early. A CSV holds no epoch: its numbers are Windows'."""
    if info.format != "xlsx":
        return WINDOWS_EPOCH
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml")
    except (KeyError, zipfile.BadZipFile, OSError):
        return WINDOWS_EPOCH
    return MAC_EPOCH if _DATE_1904.search(workbook) else WINDOWS_EPOCH


def iter_rows(
    path: Path, info: FileInfo, *, sheet: str = "", layout: SheetLayout | None = None
) -> Iterator[list[Cell]]:
    """Every row of the file (or the chosen sheet) as it is, one at a time, without control
    characters in its text. `layout`: the sheet's, when the caller has read it already."""
    if info.format == "xlsx":
        rows = _xlsx_rows(path, sheet or (info.sheets[0] if info.sheets else ""), layout)
    else:
        rows = _csv_rows(path, info)
    for row in rows:
        yield [_CONTROL.sub("", c) if isinstance(c, str) and _CONTROL.search(c) else c for c in row]


def cell_text(value: Any) -> str:
    """A cell as the text a person sees; whole numbers without ".0" (phones, IINs typed as
    numbers), dates as dd.mm.yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y") if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def count_rows(path: Path, info: FileInfo, *, sheet: str = "") -> int:
    """About how many rows the file has, cheaply: lines of a CSV, the sheet's stated size."""
    if info.format == "xlsx":
        with _worksheet(path, sheet) as ws:
            stated = int(ws.max_row or 0)
            if 0 < stated <= settings.IMPORT_ASYNC_ROWS:
                return stated
            # Rows formatted down to 1 048 576 make the sheet's stated size a million: a list of
            # thirty went to the background with a progress bar counting to a million. A sheet
            # that states no size (web exports, streaming writers) was taken for an empty one,
            # and fifty thousand rows were checked within the request. Counted instead: the
            # last row that holds a value, read from the sheet's XML as it streams.
            return _last_filled_row(ws)
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _last_filled_row(ws: Any) -> int:
    # The parser openpyxl reads the same sheet with (defusedxml's when that is installed; the
    # expat of Python 3.11 refuses entity expansion attacks either way).
    from openpyxl.xml.functions import iterparse

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    last = number = 0
    rows: Any = None
    with ws._get_source() as source:  # the sheet's part of the zip, streamed
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if element.tag == f"{main}sheetData":
                    rows = element
                continue
            if element.tag == f"{main}row":
                number = int(element.get("r") or number + 1)
                if any(
                    (cell.findtext(f"{main}v") or "").strip() or cell.find(f"{main}is") is not None
                    for cell in element
                ):
                    last = number
                if rows is not None:
                    rows.clear()  # a row read is let go: memory stays flat in the sheet's size
    return last


def first_sheet_with_data(path: Path, info: FileInfo) -> str:
    """The first sheet with something in its first rows: a workbook often opens on an empty
    "Лист1" with the list on the next sheet."""
    for name in info.sheets:
        if any(any(cell for cell in row) for row in sample_rows(path, info, sheet=name)):
            return name
    return info.sheets[0] if info.sheets else ""


def sample_rows(
    path: Path, info: FileInfo, *, sheet: str = "", limit: int = HEADER_SEARCH_ROWS + 5
) -> list[list[str]]:
    rows = []
    for row in iter_rows(path, info, sheet=sheet):
        rows.append([cell_text(c) for c in row])
        if len(rows) >= limit:
            break
    return rows
