"""A large file goes to a worker through the broker; with the broker down, the coordinator is
told to try again, and the batch is left as it was, not "checking" for good."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from regions.models import CoordinatorAssignment, Region
from tests.conftest import client_for
from tests.factories import UserFactory
from volunteers.imports import services, tasks
from volunteers.imports.models import ImportBatch
from volunteers.models import Volunteer

from .files import HEADER_RU, csv_bytes, person_row, upload

pytestmark = pytest.mark.django_db(transaction=True)

DOWN = "The work could not be started: nothing was changed. Try again in a few minutes."


def _broker_down(*args: object, **kwargs: object) -> None:
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_with_the_broker_down_the_check_and_the_import_say_so_and_can_be_tried_again(  # type: ignore[no-untyped-def]
    regions_in_transactional_db, settings, monkeypatch
) -> None:
    settings.IMPORT_ASYNC_ROWS = 2
    almaty = Region.objects.get(code="75")
    coordinator = UserFactory(email="alice@example.kz")
    CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
    data = csv_bytes([HEADER_RU, *(person_row(n) for n in range(1, 6))])
    batch = services.batch_upload(by=coordinator, region=almaty, upload=upload("big.csv", data))
    client = client_for(coordinator)
    client.cookies["django_language"] = "en"
    monkeypatch.setattr(tasks.validate_batch, "apply_async", _broker_down)
    monkeypatch.setattr(tasks.import_batch, "apply_async", _broker_down)

    post = {f"col_{k}": v for k, v in batch.mapping.items()}
    # The error came out of the commit: an error page, and the batch "checking" for ever.
    page = client.post(reverse("roster:import_mapping", args=[batch.pk]), post)
    assert page.status_code == 200 and DOWN in page.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UPLOADED

    # Checked all the same (here, as a worker would), the import meets the broker down too.
    services.batch_map(batch=batch, by=coordinator, mapping=batch.mapping)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.VALIDATING)
    services.batch_validate(batch_id=batch.pk)
    page = client.post(
        reverse("roster:import_run", args=[batch.pk]),
        {"consent_confirmed": "on", "consent_date": datetime.date(2025, 9, 1).isoformat()},
        follow=True,
    )
    assert page.status_code == 200 and DOWN in page.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert not Volunteer.objects.exists()
    # Back, it can be discarded (a busy batch cannot), and its file goes.
    services.batch_discard(batch=batch, by=coordinator)
