"""A coordinator of Astana exports nothing of Almaty: not a row, not a name in any byte, whatever
the parameters; other people's export jobs and certificates do not exist for them."""

from __future__ import annotations

import io
import zipfile

import pytest

from regions.models import CoordinatorAssignment
from reports.models import ExportJob
from reports.registry import EXPORTS
from tests.conftest import client_for
from tests.factories import UserFactory

from .conftest import ALMATY_NAMES, ALMATY_OFFICE, ASTANA_OFFICE, period_query

pytestmark = pytest.mark.django_db

SECRETS = (
    *ALMATY_NAMES,
    "HYPERLINK",
    "Таза Алматы",
    "Қамқор Алматы",
    "Алматы № 7",
    "Алматы қаласы",
    ALMATY_OFFICE,
    "Алатау кеңсесі",
)


def all_bytes(content: bytes) -> str:
    """The text of a CSV, or of every part of an XLSX (a zip of XML files)."""
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    return content.decode("utf-8-sig")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("report", sorted(EXPORTS))
def test_astana_exports_hold_nothing_of_almaty(world, charlie, report, file_format) -> None:  # type: ignore[no-untyped-def]
    client = client_for(charlie)
    response = client.post("/reports/export/", period_query(report=report, file_format=file_format))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    text = all_bytes(content)
    for secret in SECRETS:
        assert secret not in text, (report, secret)
    if report in ("roster", "signups", "hours", "visits"):
        assert "Астанабеков" in text  # their own region's rows are there
    # Asking for Almaty explicitly: a form error, no file.
    for field, value in (
        ("region", world.almaty.pk),
        ("detachment", world.detachment.pk),
        ("campaign", world.signups[0].shift.campaign_id),
        ("office", world.visits[0].office_id),
    ):
        response = client.post(
            "/reports/export/", period_query(report=report, file_format=file_format, **{field: value})
        )
        assert response["Content-Type"].startswith("text/html")
        assert b"errorlist" in response.content


def test_roster_button_cannot_reach_another_region(world, charlie) -> None:  # type: ignore[no-untyped-def]
    response = client_for(charlie).post(
        "/reports/export/roster/", {"query": f"region={world.almaty.pk}&q=Алматыбекова", "file_format": "csv"}
    )
    text = all_bytes(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert not any(secret in text for secret in SECRETS)


def test_jobs_are_their_requesters_only(world, alice, charlie, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.REPORTS_EXPORT_DIR = str(tmp_path)
    settings.REPORTS_DIRECT_MAX_ROWS = 0
    client = client_for(alice)
    response = client.post("/reports/export/", period_query(report="signups", file_format="xlsx"))
    assert response.status_code == 302  # to the job's page
    job = ExportJob.objects.get()
    for url in (
        f"/reports/exports/{job.pk}/",
        f"/reports/exports/{job.pk}/status.json",
        f"/reports/exports/{job.pk}/download/",
    ):
        assert client_for(charlie).get(url).status_code == 404


def test_staff_pages_answer_404_to_others(world, bob, charlie, alice, nora) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    volunteer = client_for(bob.user)
    for url in ("/reports/", "/reports/export/", "/reports/certificates/", "/reports/audit/"):
        assert volunteer.get(url).status_code == 404
        assert Client().get(url).status_code == 302
    assert client_for(alice).get("/reports/audit/").status_code == 404
    assert client_for(nora).get("/reports/audit/").status_code == 200
    almaty_person = world.almaty_volunteers[0]
    assert client_for(charlie).get(f"/reports/certificates/new/{almaty_person.pk}/").status_code == 404
    assert client_for(alice).get(f"/reports/certificates/new/{almaty_person.pk}/").status_code == 200


def test_a_dashboard_seen_by_an_offices_staff_is_not_served_to_others(world, alice, settings) -> None:  # type: ignore[no-untyped-def]
    """Alice, Almaty's coordinator, also works in Astana's office and sees its visits. Another
    Almaty coordinator opening the same dashboard within minutes got her cached sections, with
    Astana's office and visitors in them."""
    settings.REPORTS_DASHBOARD_CACHE_SECONDS = 300
    astana_office = next(v.office for v in world.visits if v.office.name == ASTANA_OFFICE)
    astana_office.staff.add(alice)
    alina = UserFactory(email="alina@example.kz")
    CoordinatorAssignment.objects.create(user=alina, region=world.almaty)
    assert ASTANA_OFFICE in client_for(alice).get("/reports/", period_query()).content.decode()
    page = client_for(alina).get("/reports/", period_query()).content.decode()
    assert 'id="section-visits"' in page and ALMATY_OFFICE in page
    assert ASTANA_OFFICE not in page
