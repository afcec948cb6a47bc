"""A large export's "Export" pressed twice prepares one file: a second job would build the same
workbook again and leave the coordinator two identical links."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages

from reports.models import ExportJob
from tests.conftest import client_for, in_its_language

from .conftest import period_query

ALREADY = "This form had already been saved; nothing was saved again."


@pytest.mark.django_db
def test_export_pressed_twice_is_one_job(nora, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REPORTS_DIRECT_MAX_ROWS = -1  # every export a background job
    client = client_for(nora)
    key = re.search(
        r'name="form_once" value="([0-9a-f]{32})"', client.get("/reports/export/").content.decode()
    )
    assert key is not None
    data = period_query(report="signups", file_format="xlsx", form_once=key.group(1))

    first = client.post("/reports/export/", data)
    second = client.post("/reports/export/", data)

    job = ExportJob.objects.get()
    assert first["Location"] == second["Location"] == f"/reports/exports/{job.pk}/"
    assert in_its_language(second, ALREADY) in [str(m) for m in get_messages(second.wsgi_request)]
