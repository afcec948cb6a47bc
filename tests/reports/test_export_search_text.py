"""The roster's search text leaves no copy behind (accounts/audit.py: the trail never stores
personal values): an export's audit entry and page say what KIND of thing was searched for, and
a background export job drops the text once no worker will run it again."""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from reports import services
from reports.models import ExportJob
from tests.conftest import client_for

from .test_exports import read_csv

pytestmark = pytest.mark.django_db


def roster_export(client, **query):  # type: ignore[no-untyped-def]
    return client.post("/reports/export/roster/", {"query": urlencode(query), "file_format": "csv"})


def digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


@pytest.fixture
def eager(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Every export becomes a job, run in-process (as under `make run`, without Redis)."""
    from volunteer_net.celery import app

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.REPORTS_EXPORT_DIR = str(tmp_path)
    settings.REPORTS_DIRECT_MAX_ROWS = 0
    yield tmp_path
    app.conf.task_always_eager = was_eager


class TestRosterExportAudit:
    def test_search_by_phone_is_audited_as_a_phone_search(self, world, alice, nora) -> None:  # type: ignore[no-untyped-def]
        person = world.almaty_volunteers[0]
        response = roster_export(client_for(alice), q=person.phone)
        rows = read_csv(b"".join(response.streaming_content))  # type: ignore[attr-defined]
        assert [r[0] for r in rows[1:]] == [person.last_name]  # the search itself still works
        entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORTED)
        stored = json.dumps(entry.detail, ensure_ascii=False)
        assert digits(person.phone)[-7:] not in stored
        assert entry.detail["search_by"] == "phone" and "q" not in entry.detail["roster"]
        page = client_for(nora)
        page.cookies["django_language"] = "en"
        html = page.get("/reports/audit/").content.decode()
        assert digits(person.phone)[-7:] not in html
        assert "search by phone" in html

    def test_search_by_name_is_audited_as_a_name_search(self, world, alice) -> None:  # type: ignore[no-untyped-def]
        roster_export(client_for(alice), q="Алматыбекова", age_group="18to35")
        entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORTED)
        assert "Алматыбекова" not in json.dumps(entry.detail, ensure_ascii=False)
        assert entry.detail["search_by"] == "name"
        # The other filters are no one's personal values: they stay, to say what was exported.
        assert entry.detail["roster"]["age_group"] == "18to35"
        # Without a search, no kind of search is recorded.
        roster_export(client_for(alice), age_group="14to17")
        latest = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED).exclude(pk=entry.pk).get()
        assert "search_by" not in latest.detail and latest.detail["roster"]["age_group"] == "14to17"


class TestRosterExportJob:
    def test_finished_job_keeps_no_search_text(
        self, world, alice, eager, django_capture_on_commit_callbacks
    ) -> None:  # type: ignore[no-untyped-def]
        person = world.almaty_volunteers[0]
        client = client_for(alice)
        # The job is queued when the request's transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            response = roster_export(client, q=person.phone)
        job = ExportJob.objects.get()
        assert response["Location"] == f"/reports/exports/{job.pk}/"
        job.refresh_from_db()
        assert job.status == ExportJob.Status.DONE
        assert digits(person.phone)[-7:] not in json.dumps(job.params)
        assert job.params["search_by"] == "phone" and "q" not in job.params["roster"]
        # It ran with the search all the same: the file holds the one person found.
        download = client.get(f"/reports/exports/{job.pk}/download/")
        rows = read_csv(b"".join(download.streaming_content))  # type: ignore[attr-defined]
        assert [r[0] for r in rows[1:]] == [person.last_name]
        entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORTED)
        assert entry.detail["job"] == job.pk and entry.detail["search_by"] == "phone"
        assert digits(person.phone)[-7:] not in json.dumps(entry.detail)

    def test_job_never_started_forgets_the_search_when_failed(self, alice, settings) -> None:  # type: ignore[no-untyped-def]
        stale = timezone.now() - datetime.timedelta(seconds=settings.REPORTS_EXPORT_QUEUE_SECONDS + 60)
        params = {"start": "2026-01-01", "end": "2026-01-01", "roster": {"q": "061211600012", "sort": "name"}}
        job = ExportJob.objects.create(
            requested_by=alice, kind="roster", file_format="csv", params=params, created_at=stale
        )
        waiting = ExportJob.objects.create(
            requested_by=alice, kind="roster", file_format="csv", params=params
        )
        assert services.export_jobs_fail_stalled() == 1
        job.refresh_from_db()
        assert job.status == ExportJob.Status.FAILED
        assert "061211600012" not in json.dumps(job.params)
        assert job.params["search_by"] == "iin" and job.params["roster"] == {"sort": "name"}
        # A job still waiting for its worker needs its search to run.
        waiting.refresh_from_db()
        assert waiting.params["roster"]["q"] == "061211600012"


class TestRowsKeptBeforeTheFix:
    def test_migration_forgets_past_search_text_and_erased_names(self, world, alice) -> None:  # type: ignore[no-untyped-def]
        import importlib

        from django.apps import apps

        from reports.models import Certificate
        from tests.reports.factories import issued_certificate
        from volunteers.models import Volunteer

        migration = importlib.import_module("reports.migrations.0016_forget_erased_names_and_search_text")
        params = {"start": "2026-01-01", "end": "2026-01-01", "roster": {"q": "+7 701 123 45 67"}}
        entry = AuditEntry.objects.create(
            action=AuditEntry.Action.EXPORTED,
            subject_type="reports.export",
            subject_id="roster",
            detail=params,
        )
        done = ExportJob.objects.create(
            requested_by=alice, kind="roster", file_format="csv", params=params, status=ExportJob.Status.DONE
        )
        erased = world.almaty_volunteers[0]
        certificate = issued_certificate(erased, campaign=world.signups[0].shift.campaign, issued_by=alice)
        # Erased before erasure reached certificates: the name is still on it.
        Volunteer.objects.filter(pk=erased.pk).update(anonymized_at=timezone.now())
        migration.forwards(apps, None)
        entry.refresh_from_db()
        done.refresh_from_db()
        assert entry.detail["search_by"] == "phone" and "123 45 67" not in json.dumps(entry.detail)
        assert done.params["search_by"] == "phone" and "123 45 67" not in json.dumps(done.params)
        assert Certificate.objects.get(pk=certificate.pk).holder_name == ""
