"""The check and the import of a file make as many queries for sixty rows as for twenty: rows are
read and written a chunk at a time, and matched against the roster by the database, never one
query per row."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from volunteers.imports import services
from volunteers.imports.models import ImportBatch

from .files import HEADER_RU, person_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def _queries(user, region, first: int, count: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The queries of the check and of the import of `count` new people from row `first` on."""
    data = xlsx_bytes({"Лист1": [HEADER_RU, *(person_row(n) for n in range(first, first + count))]})
    batch = services.batch_upload(by=user, region=region, upload=upload("list.xlsx", data))
    services.batch_map(batch=batch, by=user, mapping=batch.mapping)
    with CaptureQueriesContext(connection) as check:
        batch = services.batch_check(batch=batch, by=user)
    assert batch.status == ImportBatch.Status.VALIDATED and batch.total_rows == count
    with CaptureQueriesContext(connection) as imported:
        batch = services.batch_start_import(
            batch=batch, by=user, consent_confirmed=True, consent_date=datetime.date(2025, 9, 1)
        )
    assert batch.created_count == count
    return len(check.captured_queries), len(imported.captured_queries)


def test_check_and_import_queries_do_not_grow_with_rows(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    assert _queries(alice, almaty, 100, 20) == _queries(alice, almaty, 200, 60)
