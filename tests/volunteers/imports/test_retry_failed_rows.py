"""Three rows of five hundred with errors: the coordinator imports the others, downloads those
three alone, corrects them and uploads that file, which the mapping reads by itself."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import client_for
from volunteers.imports import services
from volunteers.imports.models import ImportBatch
from volunteers.models import Volunteer

from .files import HEADER_RU, checked_batch, csv_bytes, person_row, upload

pytestmark = pytest.mark.django_db


def _import(batch: ImportBatch, user) -> ImportBatch:  # type: ignore[no-untyped-def]
    return services.batch_start_import(
        batch=batch, by=user, consent_confirmed=True, consent_date=datetime.date(2025, 9, 1)
    )


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_rows_with_errors_download_alone_and_upload_again_once_corrected(alice, almaty, language) -> None:  # type: ignore[no-untyped-def]
    rows = [person_row(n) for n in range(1, 6)]
    birth = rows[1][1]
    rows[1][1] = "31.02.1990"
    rows[3][2] = "8 701 12"
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, *rows], encoding="utf-8"))
    assert batch.error_rows == 2
    client = client_for(alice)
    client.cookies["django_language"] = language
    preview = client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()
    assert 'id="import-failed-rows"' in preview
    batch = _import(batch, alice)
    assert (batch.created_count, batch.failed_count) == (3, 2)
    page = client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()
    assert 'id="import-failed-rows"' in page

    # Only the report of every row was there: the two rows had to be found among five hundred.
    response = client.get(reverse("roster:import_report", args=[batch.pk]), {"rows": "failed"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert [row[0] for row in values[1:]] == ["3", "5"]
    assert values[1][1] == rows[1][0] and values[2][1] == rows[3][0]

    # Corrected in that file and uploaded: the mapping reads its headers by itself.
    ws.cell(row=2, column=3).value = birth
    ws.cell(row=3, column=4).value = "8 701 123 45 99"
    corrected = io.BytesIO()
    ws.parent.save(corrected)
    again = services.batch_upload(by=alice, region=almaty, upload=upload("errors.xlsx", corrected.getvalue()))
    assert sorted(again.mapping.values()) == sorted(
        ["full_name", "birth_date", "phone", "email", "iin", "locality"]
    )
    services.batch_map(batch=again, by=alice, mapping=again.mapping)
    again = services.batch_check(batch=again, by=alice)
    assert (again.total_rows, again.error_rows) == (2, 0)
    again = _import(again, alice)
    assert again.created_count == 2
    assert Volunteer.objects.filter(last_name__startswith="Ахметова").count() == 5
