"""Who reaches the import's pages: coordinators of the batch's region and national staff; anybody
else meets a 404 (another region's upload does not exist for them), anonymous the login page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from front_offices.models import FrontOffice
from tests.conftest import persona_client, staff_personas
from volunteers.imports.models import ImportBatch

from .files import HEADER_RU, checked_batch, csv_bytes, person_row, upload

pytestmark = pytest.mark.django_db

ALLOWED = {"coordinator", "coordinator_with_staff_flag", "national_staff", "superuser"}
PERSONAS = [
    "anonymous",
    "volunteer",
    "curator",
    "office_staff",
    "coordinator",
    "coordinator_with_staff_flag",
    "other_coordinator",
    "national_staff",
    "superuser",
]


@pytest.fixture
def personas(alice, bob, charlie, nora, almaty) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    office = FrontOffice.objects.create(name="Алматы фронт-офисі", region=almaty, address="Абай даңғылы, 1")
    return staff_personas(alice=alice, bob=bob, charlie=charlie, nora=nora, office=office)


@pytest.fixture
def batch(alice, almaty) -> ImportBatch:  # type: ignore[no-untyped-def]
    return checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, person_row(1)]), name="list.csv")


def _pages(batch: ImportBatch) -> list[tuple[str, str]]:
    pk = batch.pk
    return [
        ("get", reverse("roster:import")),
        ("get", reverse("roster:import_template", args=["kk"])),
        ("get", reverse("roster:import_preview", args=[pk])),
        ("get", reverse("roster:import_mapping", args=[pk])),
        ("get", reverse("roster:import_status", args=[pk])),
        ("get", reverse("roster:import_report", args=[pk])),
        ("post", reverse("roster:import_choices", args=[pk])),
        ("post", reverse("roster:import_run", args=[pk])),
        ("post", reverse("roster:import_restart", args=[pk])),
        ("post", reverse("roster:import_discard", args=[pk])),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_on_each_page(personas, batch, persona: str) -> None:  # type: ignore[no-untyped-def]
    client = persona_client(personas, persona)
    for method, url in _pages(batch):
        response = getattr(client, method)(url)
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        elif persona in ALLOWED or (persona == "other_coordinator" and f"/{batch.pk}/" not in url):
            # Astana's coordinator has an import page and templates of their own.
            assert response.status_code in (200, 302), (url, response.status_code)
        else:
            # The pages with the batch's id do not exist for another region's coordinator.
            assert response.status_code == 404, (persona, url, response.status_code)
        if method == "post" and url.endswith("/discard/") and persona in ALLOWED:
            batch.refresh_from_db()
            assert batch.status == ImportBatch.Status.EXPIRED
            return


def test_the_roster_links_to_the_import_for_coordinators(alice) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import client_for

    page = client_for(alice).get(reverse("roster:list")).content.decode()
    assert f'href="{reverse("roster:import")}"' in page


def test_another_coordinator_cannot_upload_into_a_region_not_theirs(charlie, almaty) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import client_for

    response = client_for(charlie).post(
        reverse("roster:import"), {"region": almaty.pk, "file": upload("x.csv", csv_bytes([HEADER_RU]))}
    )
    assert response.status_code == 200 and not ImportBatch.objects.exists()


def test_status_endpoint_answers_json(alice, batch) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import client_for

    data = client_for(alice).get(reverse("roster:import_status", args=[batch.pk])).json()
    assert data == {"status": "validated", "busy": False, "stalled": False, "done": 1, "total": 1}
