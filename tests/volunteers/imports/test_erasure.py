"""An erased person's spreadsheet rows go with their data: the rows of a finished import that
made their record, and in a batch still in its preview the rows matched with it, which vanish
from the preview (and from the import) while the rest of the batch carries on."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import VolunteerFactory
from volunteers import services as volunteer_services
from volunteers.imports import services
from volunteers.imports.models import ImportBatch, ImportRow
from volunteers.models import Volunteer

from .files import HEADER_RU, csv_bytes, person_row, upload

pytestmark = pytest.mark.django_db

BASIS = "Application No. 5"


def _checked(user, region, rows) -> ImportBatch:  # type: ignore[no-untyped-def]
    data = csv_bytes([HEADER_RU, *rows], encoding="utf-8")
    batch = services.batch_upload(by=user, region=region, upload=upload("list.csv", data))
    services.batch_map(batch=batch, by=user, mapping=batch.mapping)
    return services.batch_check(batch=batch, by=user)


def _import(batch: ImportBatch, user) -> ImportBatch:  # type: ignore[no-untyped-def]
    return services.batch_start_import(
        batch=batch, by=user, consent_confirmed=True, consent_date=datetime.date(2025, 9, 1)
    )


def test_the_rows_that_made_an_imported_record_are_deleted_on_erasure(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    batch = _import(_checked(alice, almaty, [person_row(1), person_row(2)]), alice)
    person = Volunteer.objects.get(last_name="Ахметова1")
    other = Volunteer.objects.get(last_name="Ахметова2")
    assert ImportRow.objects.filter(batch=batch, volunteer_id=person.pk).exists()

    response = client_for(alice).post(
        reverse("roster:erase", args=[person.pk]), {"basis": BASIS, "confirm": "on"}
    )
    assert response.status_code == 302
    assert not ImportRow.objects.filter(volunteer_id=person.pk).exists()
    assert not ImportRow.objects.filter(batch=batch, key_email="person1@example.kz").exists()
    # Another person's row of the same file stays, and so do the import's counts.
    assert ImportRow.objects.filter(batch=batch, volunteer_id=other.pk).exists()
    batch.refresh_from_db()
    assert batch.created_count == 2


def test_a_matched_row_vanishes_from_a_preview_which_then_imports_the_rest(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    on_file = VolunteerFactory(region=almaty, phone="+77010000001", email="person1@example.kz")
    rows = [person_row(1), person_row(2), person_row(1)]  # the person twice, and someone new
    batch = _checked(alice, almaty, rows)
    assert (batch.total_rows, batch.duplicate_rows) == (3, 2)
    assert ImportRow.objects.filter(batch=batch, existing_id=on_file.pk).count() == 2

    volunteer_services.volunteer_erase_on_request(volunteer=on_file, by=alice, basis=BASIS)

    remaining = ImportRow.objects.filter(batch=batch)
    assert list(remaining.values_list("key_email", flat=True)) == ["person2@example.kz"]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert (batch.total_rows, batch.error_rows, batch.duplicate_rows) == (1, 0, 0)
    page = client_for(alice).get(reverse("roster:import_preview", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ахметова2" in text and "Ахметова1" not in text
    # The import goes on with what is left, and does not bring the erased person back.
    batch = _import(batch, alice)
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.created_count, batch.updated_count, batch.skipped_count) == (1, 0, 0)
    assert not Volunteer.objects.filter(last_name="Ахметова1").exists()


def test_a_row_only_repeating_the_persons_row_goes_too(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """Within the file, a later row with the same phone is taken for the same person."""
    batch = _import(_checked(alice, almaty, [person_row(1), person_row(1)]), alice)
    person = Volunteer.objects.get(last_name="Ахметова1")
    assert ImportRow.objects.filter(batch=batch).count() == 2
    volunteer_services.volunteer_erase_on_request(volunteer=person, by=alice, basis=BASIS)
    assert not ImportRow.objects.filter(batch=batch).exists()
