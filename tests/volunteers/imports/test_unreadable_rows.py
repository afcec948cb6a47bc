"""A file that uploads but trips the reader further on — a cell past the CSV field limit, a broken
number in an XLSX — ends in the preview's "could not be processed" with nothing stored, not in an
error page; a sheet that cannot be read is refused on the mapping form."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.urls import reverse

from tests.conftest import client_for
from volunteers.imports.models import ImportBatch, ImportRow

from .files import csv_bytes, person_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["ФИО", "Дата рождения", "Телефон"]


def _broken_number(data: bytes, sheet: int, cell: str) -> bytes:
    """The XLSX with the number in `cell` of sheet `sheet` (1-based) replaced by letters, as a
    damaged file or another program may leave it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{sheet}.xml":
                content, n = re.subn(
                    rf'(<c r="{cell}"[^>]*t="n"[^>]*><v>)[^<]*(</v>)'.encode(), rb"\1abc\2", content
                )
                assert n == 1, "the cell to break is not a number in the sheet"
            target.writestr(item, content)
    return out.getvalue()


def _mapped_and_checked(client, batch: ImportBatch):  # type: ignore[no-untyped-def]
    data = {f"col_{k}": v for k, v in batch.mapping.items()}
    return client.post(reverse("roster:import_mapping", args=[batch.pk]), data)


def _upload(client, almaty, name: str, data: bytes) -> ImportBatch:  # type: ignore[no-untyped-def]
    response = client.post(reverse("roster:import"), {"region": almaty.pk, "file": upload(name, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.latest("pk")


def _ends_failed(client, batch: ImportBatch, response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 302
    assert response["Location"] == reverse("roster:import_preview", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert not ImportRow.objects.filter(batch=batch).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'id="import-failed"' in page.content.decode()


def test_a_cell_past_the_csv_field_limit_fails_the_check_with_a_message(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    client = client_for(alice)
    rows = [HEADER, *[person_row(n)[:3] for n in range(1, 31)], ["Ким Анна", "01.03.1990", "x" * 200_000]]
    batch = _upload(client, almaty, "list.csv", csv_bytes(rows, encoding="utf-8"))
    _ends_failed(client, batch, _mapped_and_checked(client, batch))


def test_a_broken_number_in_an_xlsx_row_fails_the_check_with_a_message(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    client = client_for(alice)
    rows = [["ФИО", "Дата рождения", "Телефон", "Стаж"], *[[*person_row(n)[:3], n] for n in range(1, 45)]]
    data = _broken_number(xlsx_bytes({"Тізім": rows}), 1, "D42")
    batch = _upload(client, almaty, "list.xlsx", data)
    _ends_failed(client, batch, _mapped_and_checked(client, batch))


def test_switching_to_an_unreadable_sheet_is_refused_on_the_form(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    client = client_for(alice)
    good = [HEADER, person_row(1)[:3]]
    bad = [["ФИО", "Стаж"], ["Ким Анна", 3]]
    data = _broken_number(xlsx_bytes({"A": good, "B": bad}), 2, "B2")
    batch = _upload(client, almaty, "list.xlsx", data)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("roster:import_mapping", args=[batch.pk]), {"sheet": "B"})
    assert response.status_code == 200
    assert "This sheet cannot be read" in response.content.decode()
    batch.refresh_from_db()
    # Still on the sheet that reads, with its mapping, ready to go on.
    assert batch.sheet == "A" and batch.status == ImportBatch.Status.UPLOADED and batch.mapping
