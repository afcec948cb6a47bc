"""The files the import gives back: the report of a batch and the empty template, written with
openpyxl's write-only mode (rows streamed to disk). Every cell is written as text, so that a
value beginning with = + - @ is never taken for a formula by the spreadsheet that opens it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .mapping import FIELDS
from .models import ImportBatch, ImportRow
from .validation import error_text

TEMPLATE_FIELDS = (
    "full_name",
    "birth_date",
    "phone",
    "email",
    "iin",
    "region",
    "locality",
    "skills",
    "detachment",
    "guardian_name",
    "guardian_phone",
    "guardian_relation",
)


def _text_row(ws: WriteOnlyWorksheet, values: list[Any]) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=None if value is None else str(value))
        if value is not None:
            cell.data_type = "s"
        cells.append(cell)
    return cells


def template_file(language: str) -> Path:
    """The empty list with its headers in `language`, which the mapping recognises by itself."""
    with translation.override(language):
        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet(_("Volunteers"))
        ws.append(_text_row(ws, [str(FIELDS[key]) for key in TEMPLATE_FIELDS]))
        example = [
            "Серікова Айгерім Нұрланқызы",
            "25.03.2004",
            "+7 701 123 45 67",
            "aigerim@example.kz",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ]
        ws.append(_text_row(ws, example))
        return _save(workbook)


def _save(workbook: Workbook) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    handle.close()
    workbook.save(handle.name)
    return Path(handle.name)


def report_file(batch: ImportBatch, *, failed_only: bool = False) -> Path:
    """Every row with what became of it and, for a row refused, its errors in one column.
    `failed_only`: the rows not imported alone, to be corrected and uploaded again (the headers
    are the fields' names, which the mapping recognises)."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_("Report"))
    columns = [key for key in FIELDS if key in batch.mapping.values()]
    header = [_("Row"), *[str(FIELDS[key]) for key in columns], _("Result"), _("Errors")]
    ws.append(_text_row(ws, header))
    outcomes = dict(ImportRow.Outcome.choices)
    labels = {key: str(label) for key, label in FIELDS.items()}
    rows = ImportRow.objects.filter(batch=batch)
    if failed_only:
        rows = rows.filter(Q(has_errors=True) | Q(outcome=ImportRow.Outcome.FAILED))
    last = 0
    while True:
        chunk = list(rows.filter(number__gt=last).order_by("number")[:1000])
        if not chunk:
            break
        last = chunk[-1].number
        for row in chunk:
            problems = [
                (f"{labels[field]}: " if field in labels else "") + error_text(error)
                for field, errors in row.errors.items()
                for error in errors
            ]
            ws.append(
                _text_row(
                    ws,
                    [
                        row.number,
                        *[row.cells.get(key, "") for key in columns],
                        str(outcomes.get(row.outcome, "")),
                        "; ".join(problems),
                    ],
                )
            )
    return _save(workbook)
