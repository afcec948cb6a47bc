"""A check or an import whose task was lost (the worker died, Redis lost its queue) said
"checking" or "importing" for ever: the page now says it has stopped and offers to start again
or to discard it, and the lost task, should it come back, adds nobody twice."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from regions.models import CoordinatorAssignment, Region
from tests.conftest import client_for
from tests.factories import UserFactory
from volunteers.imports import services, tasks
from volunteers.imports.models import ImportBatch, ImportRow
from volunteers.models import Volunteer

from .files import HEADER_RU, checked_batch, csv_bytes, person_row

LONG_AGO = datetime.timedelta(minutes=11)


def _lost(batch: ImportBatch, status: str, ago: datetime.timedelta = LONG_AGO) -> None:
    """As a batch is once its task is gone: busy, handed over `ago`, held by nobody."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=status, queued_at=timezone.now() - ago)


def _page(client, batch: ImportBatch) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()  # type: ignore[no-any-return]


@pytest.mark.django_db
class TestLostTask:
    def test_a_lost_import_is_said_and_started_again_and_its_task_adds_nobody_twice(  # type: ignore[no-untyped-def]
        self, alice, almaty
    ) -> None:
        batch = checked_batch(
            by=alice, region=almaty, rows=csv_bytes([HEADER_RU, *map(person_row, range(1, 4))])
        )
        ImportBatch.objects.filter(pk=batch.pk).update(
            imported_by=alice, consent_date=datetime.date(2025, 9, 1)
        )
        _lost(batch, ImportBatch.Status.IMPORTING)
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        page = _page(client, batch)
        assert 'id="import-stalled"' in page and 'id="import-progress"' not in page
        assert "The import of this file has not moved on for 10 minutes" in page
        assert client.get(reverse("roster:import_status", args=[batch.pk])).json()["stalled"] is True

        response = client.post(reverse("roster:import_restart", args=[batch.pk]), follow=True)
        assert "Check the rows and press Import again" in response.content.decode()
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.VALIDATED and not Volunteer.objects.exists()
        services.batch_start_import(
            batch=batch, by=alice, consent_confirmed=True, consent_date=datetime.date(2025, 9, 1)
        )
        # The lost task delivered after all (Celery redelivers a task whose worker died).
        tasks.import_batch(batch.pk)
        batch.refresh_from_db()
        assert (batch.status, batch.created_count) == (ImportBatch.Status.DONE, 3)
        assert Volunteer.objects.filter(region=almaty).count() == 3

    def test_a_lost_check_is_started_again(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        batch = checked_batch(
            by=alice, region=almaty, rows=csv_bytes([HEADER_RU, *map(person_row, range(1, 4))])
        )
        _lost(batch, ImportBatch.Status.VALIDATING)
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        assert "The check of this file has not moved on" in _page(client, batch)
        client.post(reverse("roster:import_restart", args=[batch.pk]))
        batch.refresh_from_db()
        assert (batch.status, batch.total_rows) == (ImportBatch.Status.VALIDATED, 3)
        tasks.validate_batch(batch.pk)
        assert ImportRow.objects.filter(batch=batch).count() == 3

    def test_a_lost_batch_can_be_discarded(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, person_row(1)]))
        _lost(batch, ImportBatch.Status.IMPORTING)
        client_for(alice).post(reverse("roster:import_discard", args=[batch.pk]))
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.EXPIRED and batch.file_path == ""
        assert not ImportRow.objects.filter(batch=batch).exists()
        tasks.import_batch(batch.pk)
        assert not Volunteer.objects.exists()

    def test_a_batch_just_handed_to_a_worker_is_not_taken_for_lost(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, person_row(1)]))
        _lost(batch, ImportBatch.Status.VALIDATING, ago=datetime.timedelta(minutes=2))
        client = client_for(alice)
        page = _page(client, batch)
        assert 'id="import-progress"' in page and 'id="import-stalled"' not in page
        client.post(reverse("roster:import_restart", args=[batch.pk]))
        client.post(reverse("roster:import_discard", args=[batch.pk]))
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.VALIDATING and batch.file_path

    def test_a_day_old_lost_batch_is_cleaned_up(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, person_row(1)]))
        _lost(batch, ImportBatch.Status.IMPORTING)
        assert services.batches_clean_up(now=timezone.now() + datetime.timedelta(days=2)) == 1
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.EXPIRED and batch.file_path == ""


@pytest.mark.django_db(transaction=True)
def test_a_long_check_under_way_is_never_taken_for_lost(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """The work holds the batch's row: however long it has run, the page shows its progress."""
    almaty = Region.objects.get(code="75")
    coordinator = UserFactory(email="alice@example.kz")
    CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
    batch = checked_batch(by=coordinator, region=almaty, rows=csv_bytes([HEADER_RU, person_row(1)]))
    _lost(batch, ImportBatch.Status.IMPORTING, ago=datetime.timedelta(hours=3))
    holding, release = threading.Event(), threading.Event()

    def worker() -> None:
        try:
            with transaction.atomic():
                ImportBatch.objects.select_for_update().get(pk=batch.pk)
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert holding.wait(30)
        batch.refresh_from_db()
        assert not services.batch_stalled(batch=batch)
        assert services.batches_clean_up(now=timezone.now() + datetime.timedelta(days=2)) == 0
    finally:
        release.set()
        thread.join()
    assert services.batch_stalled(batch=batch)


@pytest.mark.django_db(transaction=True)
def test_a_click_while_the_work_holds_the_batch_is_answered_at_once(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """Waiting for the batch's row, a click on the preview hung for as long as a large file's
    check took, and then said the file was being processed."""
    almaty = Region.objects.get(code="75")
    coordinator = UserFactory(email="alice@example.kz")
    CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
    batch = checked_batch(by=coordinator, region=almaty, rows=csv_bytes([HEADER_RU, person_row(1)]))
    holding, release = threading.Event(), threading.Event()

    def worker() -> None:
        try:
            with transaction.atomic():
                ImportBatch.objects.select_for_update().get(pk=batch.pk)
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert holding.wait(30)
        client = client_for(coordinator)
        client.cookies["django_language"] = "en"
        started = time.monotonic()
        page = client.post(
            reverse("roster:import_choices", args=[batch.pk]),
            {"for_all": "create", "apply_all": "1"},
            follow=True,
        ).content.decode()
        assert time.monotonic() - started < 5
        assert "This file is being processed; wait until it is done." in page
    finally:
        release.set()
        thread.join()
    batch.refresh_from_db()
    assert batch.duplicate_choice == "skip"
