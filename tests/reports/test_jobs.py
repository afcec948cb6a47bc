"""Large exports as background jobs: progress, the file for its requester, expiry and clean-up.
Here the task runs in-process (as under `make run`, no Redis); test_worker.py runs it on a real
Celery worker over Redis."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEntry
from regions.models import CoordinatorAssignment
from reports import services
from reports.models import ExportJob
from tests.conftest import client_for

from .conftest import ASTANA_OFFICE, in_period, period_query

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eager(settings, tmp_path):  # type: ignore[no-untyped-def]
    from volunteer_net.celery import app

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # as under `make run`, without Redis
    settings.REPORTS_EXPORT_DIR = str(tmp_path)
    settings.REPORTS_DIRECT_MAX_ROWS = 0
    yield tmp_path
    app.conf.task_always_eager = was_eager


def test_large_export_runs_as_a_job_and_downloads(regions_in_transactional_db, world, nora, eager) -> None:  # type: ignore[no-untyped-def]
    client = client_for(nora)
    response = client.post("/reports/export/", period_query(report="signups", file_format="xlsx"))
    job = ExportJob.objects.get()
    assert response["Location"] == f"/reports/exports/{job.pk}/"
    status = json.loads(client.get(f"/reports/exports/{job.pk}/status.json").content)
    assert status["status"] == "done" and status["percent"] == 100
    page = client.get(f"/reports/exports/{job.pk}/").content.decode()
    assert "export_progress.js" in page and 'id="export-progress"' in page
    download = client.get(status["download_url"])
    rows = list(
        load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) == 2 + sum(1 for s in world.signups if in_period(s))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORTED)
    assert entry.detail["job"] == job.pk and entry.rows == len(rows) - 2


def test_expired_files_are_cleaned(regions_in_transactional_db, world, nora, eager) -> None:  # type: ignore[no-untyped-def]
    client = client_for(nora)
    client.post("/reports/export/", period_query(report="signups", file_format="csv"))
    job = ExportJob.objects.get()
    path = services.job_path(job)
    assert path.exists()
    assert services.export_jobs_clean() == 0
    later = timezone.now() + datetime.timedelta(hours=25)
    assert services.export_jobs_clean(now=later) == 1
    assert not path.exists()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404


def _export_as(user: Any) -> tuple[Any, ExportJob]:  # type: ignore[no-untyped-def]
    client = client_for(user)
    client.post("/reports/export/", period_query(report="signups", file_format="csv"))
    job = ExportJob.objects.get(requested_by=user)
    assert job.status == ExportJob.Status.DONE
    return client, job


def _can_download(client: Any, job: ExportJob) -> bool:  # type: ignore[no-untyped-def]
    status = json.loads(client.get(f"/reports/exports/{job.pk}/status.json").content)
    fetched = client.get(f"/reports/exports/{job.pk}/download/")
    page = client.get(f"/reports/exports/{job.pk}/").content.decode()
    # The page, the status the page polls and the download itself agree.
    assert (
        bool(status["download_url"]) == (fetched.status_code == 200) == ('id="export-withdrawn"' not in page)
    )
    return fetched.status_code == 200


def test_a_file_goes_with_the_regions_it_was_made_from(  # type: ignore[no-untyped-def]
    regions_in_transactional_db, world, alice, almaty, astana, eager
) -> None:
    # Alice's file holds Almaty's volunteers: hers while she coordinates Almaty, another region
    # added or not; once Almaty is taken from her, the file is no longer hers to fetch.
    client, job = _export_as(alice)
    assert job.params["covered_regions"] == [almaty.pk]
    assert _can_download(client, job)
    CoordinatorAssignment.objects.create(user=alice, region=astana)
    assert _can_download(client, job)
    CoordinatorAssignment.objects.filter(user=alice, region=almaty).delete()
    assert not _can_download(client, job)
    page = client.get(f"/reports/exports/{job.pk}/?lang=en").content.decode()
    assert "Your regions have changed since this file was made" in page
    # Running it again is open to her, over the region she has now.
    assert client.get("/reports/export/").status_code == 200


def test_national_staffs_file_goes_when_they_are_no_longer_national_staff(  # type: ignore[no-untyped-def]
    regions_in_transactional_db, world, nora, almaty, eager
) -> None:
    client, job = _export_as(nora)
    assert job.params["covered_regions"] is None
    assert _can_download(client, job)
    nora.is_national_staff = False
    nora.save(update_fields=["is_national_staff"])
    CoordinatorAssignment.objects.create(user=nora, region=almaty)
    assert not _can_download(client, job)


def test_a_file_goes_with_the_front_office_it_was_made_from(  # type: ignore[no-untyped-def]
    regions_in_transactional_db, world, alice, eager
) -> None:
    # Alice, Almaty's coordinator, also works in Astana's office: her visits file holds its
    # visitors. Once she no longer works there, the file is no longer hers to fetch.
    office = next(v.office for v in world.visits if v.office.name == ASTANA_OFFICE)
    office.staff.add(alice)
    client = client_for(alice)
    client.post("/reports/export/", period_query(report="visits", file_format="csv"))
    job = ExportJob.objects.get(requested_by=alice)
    assert job.status == ExportJob.Status.DONE
    assert ASTANA_OFFICE in services.job_path(job).read_text(encoding="utf-8-sig")
    assert _can_download(client, job)
    office.staff.remove(alice)
    assert not _can_download(client, job)
