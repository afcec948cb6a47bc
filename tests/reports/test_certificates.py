"""Certificates of hours: the PDF states name, hours and period (in Kazakh), its code is
confirmed by the public page, a forged or revoked one is not; who may issue, fetch and revoke."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from accounts.models import AuditEntry
from reports import services
from reports.models import Certificate
from tests.conftest import client_for
from tests.factories import UserFactory

from .conftest import PERIOD, in_period

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_volunteer_downloads_own_certificate_in_kazakh(world, holder) -> None:  # type: ignore[no-untyped-def]
    client = client_for(holder.user)
    response = client.post(
        "/me/certificates/", {"start": PERIOD[0].isoformat(), "end": PERIOD[1].isoformat(), "language": "kk"}
    )
    assert response.status_code == 302
    pdf = client.get(response["Location"])
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(pdf.content).split())
    hours = sum(
        (
            s.hours
            for s in world.signups
            if s.volunteer_id == holder.pk and in_period(s) and s.status == "attended"
        ),
        Decimal(0),
    )
    assert hours == Decimal("13.50")
    with translation.override("kk"):
        shown = formats.number_format(hours)
    assert "Алматыбекова Айгүл" in text
    assert shown in text and "сағат" in text
    assert "01.01.2026" in text and "30.06.2026" in text
    assert "Еріктілік сағаттары туралы анықтама" in text
    certificate = Certificate.objects.get()
    assert certificate.code in text
    assert {line["title"] for line in certificate.campaigns} == {"Таза Алматы", "Қамқор Алматы"}
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CERTIFICATE, subject_id=str(certificate.pk)
    ).exists()


def test_verification_confirms_a_real_code_only(world, holder, alice) -> None:  # type: ignore[no-untyped-def]
    certificate = services.certificate_issue(
        volunteer=holder, start=PERIOD[0], end=PERIOD[1], language="ru", by=alice
    )
    public = Client()
    page = public.get(f"/verify/{certificate.code}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-result="valid"' in html
    assert "Алматыбекова Айгүл" in html and certificate.issuer in html
    # Nothing else about the person: no phone, e-mail, birth date or IIN.
    for private in (holder.phone, holder.email, holder.iin, holder.birth_date.isoformat()):
        assert private not in html
    assert public.get(f"/verify/{certificate.code.replace('-', '')}/").status_code == 200
    forged = public.get("/verify/1234-5678-9012-3456/")
    assert forged.status_code == 404 and 'data-result="unknown"' in forged.content.decode()
    services.certificate_revoke(certificate=certificate, by=alice, reason="Қате енгізілген")
    revoked = public.get(f"/verify/{certificate.code}/")
    assert revoked.status_code == 404 and 'data-result="revoked"' in revoked.content.decode()
    assert "Алматыбекова" not in revoked.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVOKED).count() == 1


def test_staff_issue_and_revoke_within_their_region(world, holder, alice, charlie) -> None:  # type: ignore[no-untyped-def]
    data = {"start": PERIOD[0].isoformat(), "end": PERIOD[1].isoformat(), "language": "kk"}
    assert client_for(charlie).post(f"/reports/certificates/new/{holder.pk}/", data).status_code == 404
    response = client_for(alice).post(f"/reports/certificates/new/{holder.pk}/", data)
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.issued_by == alice
    # Another region's coordinator: the certificate does not exist for them.
    assert client_for(charlie).get(f"/certificates/{certificate.pk}.pdf").status_code == 404
    assert (
        client_for(charlie)
        .post(f"/reports/certificates/{certificate.pk}/revoke/", {"reason": "x"})
        .status_code
        == 404
    )
    assert "Алматыбекова" not in client_for(charlie).get("/reports/certificates/").content.decode()
    # Another volunteer cannot fetch it either.
    other = UserFactory(email="other@example.kz")
    assert client_for(other).get(f"/certificates/{certificate.pk}.pdf").status_code == 404
    client_for(alice).post(f"/reports/certificates/{certificate.pk}/revoke/", {"reason": "Қате"})
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoked_by == alice


def test_no_hours_no_certificate(world, holder) -> None:  # type: ignore[no-untyped-def]
    response = client_for(holder.user).post(
        "/me/certificates/", {"start": "2024-01-01", "end": "2024-12-31", "language": "en"}
    )
    assert response.status_code == 200 and b"errorlist" in response.content
    response = client_for(holder.user).post(
        "/me/certificates/",
        {
            "start": "2026-01-01",
            "end": (timezone.localdate() + datetime.timedelta(days=400)).isoformat(),
            "language": "en",
        },
    )
    assert response.status_code == 200 and not Certificate.objects.exists()
