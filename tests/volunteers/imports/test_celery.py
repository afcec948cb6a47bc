"""A large file goes through Celery: a real worker process on Redis checks it and imports it,
against the test database, while the page's status endpoint reports the progress."""

from __future__ import annotations

import datetime
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from regions.models import CoordinatorAssignment, Region
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.notifications.test_worker import processes, wait_for  # noqa: F401  (the fixture)
from volunteers.imports import services
from volunteers.imports.models import ImportBatch
from volunteers.models import Volunteer, VolunteerChange

from .files import HEADER_RU, csv_bytes, person_row

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 1200


def test_a_large_file_is_checked_and_imported_by_a_worker(processes, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    import_dir = str(tmp_path / "imports")
    settings.IMPORT_DIR = import_dir
    settings.IMPORT_ASYNC_ROWS = 100
    settings.IMPORT_IN_PROCESS = False
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    processes.worker("importer", IMPORT_DIR=import_dir)
    almaty = Region.objects.get(code="75")
    coordinator: User = UserFactory(email="alice@example.kz")
    CoordinatorAssignment.objects.get_or_create(user=coordinator, region=almaty)
    data = csv_bytes([HEADER_RU, *(person_row(n) for n in range(1, ROWS + 1))])
    batch = services.batch_upload(by=coordinator, region=almaty, upload=SimpleUploadedFile("big.csv", data))
    services.batch_map(batch=batch, by=coordinator, mapping=batch.mapping)

    with transaction.atomic():
        queued = services.batch_check(batch=batch, by=coordinator)
    # Queued, not run here: the request answers at once with the progress page.
    assert queued.status == ImportBatch.Status.VALIDATING
    client = client_for(coordinator)
    page = client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()
    assert 'id="import-progress"' in page and "js/import-progress.js" in page

    def status() -> dict[str, object]:
        return client.get(reverse("roster:import_status", args=[batch.pk])).json()  # type: ignore[no-any-return]

    wait_for(lambda: status()["status"] == "validated", timeout=120, what="the worker to check the file")
    final = status()
    assert final["done"] == final["total"] == ROWS and final["busy"] is False
    batch.refresh_from_db()
    assert batch.total_rows == ROWS and batch.error_rows == 0

    with transaction.atomic():
        services.batch_start_import(
            batch=batch, by=coordinator, consent_confirmed=True, consent_date=datetime.date(2025, 9, 1)
        )
    uploaded = batch.file_path
    wait_for(lambda: status()["status"] == "done", timeout=120, what="the worker to import the file")
    batch.refresh_from_db()
    # "Done" and the emptied path are one commit: a page that reads "done" never sees the path.
    assert batch.file_path == ""
    assert batch.created_count == ROWS
    assert Volunteer.objects.filter(region=almaty, consent_method="imported").count() == ROWS
    assert VolunteerChange.objects.filter(action="import").count() == ROWS
    # The file itself goes just after that commit.
    wait_for(lambda: not os.path.exists(uploaded), timeout=10, what="the worker to delete the imported file")
