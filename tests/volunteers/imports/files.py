"""Real files as coordinators have them, made in the tests: CSV from Russian-locale Excel, UTF-8
with a BOM, XLSX with a title row merged above the header and two sheets."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from volunteers.imports import services
from volunteers.imports.models import ImportBatch
from volunteers.validators import iin_check_digit

HEADER_RU = ["ФИО", "Дата рождения", "Телефон", "Email", "ИИН", "Населённый пункт"]


def make_iin(birth: datetime.date, serial: int) -> str:
    """A valid IIN for that birth date (century digit 3/4 for the 1900s, 5/6 for the 2000s)."""
    century = 3 if birth.year < 2000 else 5
    for tail in range(serial, serial + 100):
        first11 = f"{birth:%y%m%d}{century}{tail % 10000:04d}"
        check = iin_check_digit(first11)
        if check is not None:
            return first11 + str(check)
    raise AssertionError("no IIN")


def person_row(n: int, *, birth: datetime.date | None = None) -> list[Any]:
    # Adults only (1970–1994): a minor would need a guardian.
    birth = birth or datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 9000)
    return [
        f"Ахметова{n} Айгуль Сериковна",
        birth.strftime("%d.%m.%Y"),
        f"8 (701) {n // 10000 % 1000:03d}-{n // 100 % 100:02d}-{n % 100:02d}",
        f"person{n}@example.kz",
        make_iin(birth, n),
        "Алматы",
    ]


def csv_bytes(rows: Iterable[Sequence[Any]], *, delimiter: str = ";", encoding: str = "cp1251") -> bytes:
    text = "\r\n".join(delimiter.join(str(c) for c in row) for row in rows) + "\r\n"
    return text.encode(encoding)


def xlsx_bytes(sheets: dict[str, list[Sequence[Any]]], *, title: str | None = None) -> bytes:
    """Each sheet's rows; with `title`, a merged title row and an empty row above the first's."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, (name, rows) in enumerate(sheets.items()):
        ws = workbook.create_sheet(name)
        if title and index == 0:
            ws.append([title])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
            ws.append([])
        for row in rows:
            ws.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def checked_batch(*, by: Any, region: Any, rows: bytes, name: str = "тізім.csv") -> ImportBatch:
    """An upload mapped as its header was guessed and checked: what a coordinator sees in the
    preview."""
    batch = services.batch_upload(by=by, region=region, upload=upload(name, rows))
    services.batch_map(batch=batch, by=by, mapping=batch.mapping)
    return services.batch_check(batch=batch, by=by)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
