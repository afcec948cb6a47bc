"""Certificates of hours: the PDF states name, hours and period (in Kazakh), its code is
confirmed by the public page, a forged or revoked one is not; who may issue, fetch and revoke."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AuditEntry
from reports import services
from reports.models import Certificate
from tests.conftest import client_for
from tests.factories import UserFactory

from .conftest import PERIOD, in_period, kk_number

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
    assert "Алматыбекова Айгүл" in text
    assert kk_number(hours) in text and "сағат" in text
    assert "01.01.2026" in text and "30.06.2026" in text
    assert "Еріктілік сағаттары туралы анықтама" in text
    certificate = Certificate.objects.get()
    assert certificate.code in text
    assert {line["title"] for line in certificate.campaigns} == {"Таза Алматы", "Қамқор Алматы"}
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CERTIFICATE, subject_id=str(certificate.pk)
    ).exists()


@pytest.mark.parametrize("typed", ["1234-5678-9012-3456/", " 1234 5678 9012 3456 ", "1234567890123456"])
def test_the_check_form_takes_a_code_as_pasted(typed: str) -> None:
    response = Client().get("/verify/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == "/verify/1234-5678-9012-3456/"


@pytest.mark.parametrize("typed", ["a/b", "/", "..", "1234-5678", "1234-5678-9012-3456-7"])
def test_the_check_form_refuses_what_is_no_code(typed: str) -> None:
    # "a/b" made no address to go to: a 500 for anyone.
    response = Client().get("/verify/", {"code": typed}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Enter the 16 digits of the code printed on the certificate." in response.content.decode()


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


def _pdf_of(certificate: Certificate, user) -> str:  # type: ignore[no-untyped-def]
    return " ".join(pdf_text(client_for(user).get(f"/certificates/{certificate.pk}.pdf").content).split())


class TestCertificateWording:
    """What the certificate says reads right in each of its languages: nothing inserted (a name, a
    date) would need a case ending that the text cannot give it, and its numbers read alike."""

    def test_kazakh_pdf_states_name_period_and_hours_without_inflecting_them(
        self, world, holder, alice
    ) -> None:  # type: ignore[no-untyped-def]
        certificate = services.certificate_issue(
            volunteer=holder, start=PERIOD[0], end=PERIOD[1], language="kk", by=alice
        )
        text = _pdf_of(certificate, alice)
        # "Осы анықтама Алматыбекова Айгүл 01.01.2026 бастап 30.06.2026 дейін …" needed the genitive
        # of the name and -нан/-ға on the dates: the facts are labelled instead.
        assert "бастап" not in text and "дейін" not in text
        assert "Аты-жөні Алматыбекова Айгүл" in text
        assert "Кезең 01.01.2026 – 30.06.2026" in text
        assert "Сағат 13,5" in text

    @pytest.mark.parametrize(
        ("language", "rows", "total"),
        [
            ("kk", ("Таза Алматы 7,5", "Қамқор Алматы 6"), "13,5"),
            ("ru", ("Таза Алматы 7,5", "Қамқор Алматы 6"), "13,5"),
            ("en", ("Таза Алматы 7.5", "Қамқор Алматы 6"), "13.5"),
        ],
    )
    def test_rows_and_total_are_numbers_of_the_certificates_language(  # type: ignore[no-untyped-def]
        self, world, holder, alice, language, rows, total
    ) -> None:
        certificate = services.certificate_issue(
            volunteer=holder, start=PERIOD[0], end=PERIOD[1], language=language, by=alice
        )
        # The lines are kept as printed ("7.50"); the page writes them as it writes the total.
        assert {line["hours"] for line in certificate.campaigns} == {"7.50", "6.00"}
        text = _pdf_of(certificate, alice)
        for row in rows:
            assert row in text
        assert text.count(f" {total}") == 2  # the facts and the table's total
        assert "7.50" not in text and "6.00" not in text and "13.50" not in text


class TestCertificateDates:
    """The list of certificates and the public check show the period in the page's language;
    the ISO date stays in the <time> element's attribute, for machines."""

    @pytest.mark.parametrize(
        ("language", "period"),
        [
            ("kk", "01.01.2026</time> – <time"),
            ("ru", "01.01.2026</time> – <time"),
            ("en", "01.01.2026</time> – <time"),
        ],
        ids=["kk", "ru", "en"],
    )
    def test_list_and_verify_page_write_dates_in_the_pages_language(  # type: ignore[no-untyped-def]
        self, world, holder, alice, language, period
    ) -> None:
        certificate = services.certificate_issue(
            volunteer=holder, start=PERIOD[0], end=PERIOD[1], language="kk", by=alice
        )
        staff, public = client_for(alice), Client()
        for client in (staff, public):
            client.cookies["django_language"] = language
        pages = {
            "list": staff.get("/reports/certificates/").content.decode(),
            "verify": public.get(f"/verify/{certificate.code}/").content.decode(),
        }
        for name, html in pages.items():
            assert period in html, name
            assert 'datetime="2026-01-01"' in html and 'datetime="2026-06-30"' in html, name
            assert ">2026-01-01" not in html and "2026-01-01 –" not in html, name
            assert "13.50" not in html and "13,50" not in html, name


def test_own_certificate_is_offered_in_the_holders_language(world, holder) -> None:  # type: ignore[no-untyped-def]
    """A Russian-speaking volunteer's form starts on Russian, as staff's does for them: they
    pressed "Download" and got a Kazakh certificate for a Russian-speaking employer."""
    holder.preferred_language = "ru"
    holder.save(update_fields=["preferred_language"])
    page = client_for(holder.user).get("/me/certificates/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<option value="ru" selected>' in page
    assert '<option value="kk" selected>' not in page


def test_a_revoked_certificate_is_no_longer_handed_out(world, holder, alice) -> None:  # type: ignore[no-untyped-def]
    """Once revoked, neither its holder nor staff get its PDF again: a fresh copy reads as valid
    as the day it was issued. The lists still show it, marked revoked, without a link."""
    certificate = services.certificate_issue(
        volunteer=holder, start=PERIOD[0], end=PERIOD[1], language="kk", by=alice
    )
    url = f"/certificates/{certificate.pk}.pdf"
    assert client_for(holder.user).get(url).status_code == 200
    services.certificate_revoke(certificate=certificate, by=alice, reason="Сағаттар түзетілді")
    for user in (holder.user, alice):
        assert client_for(user).get(url).status_code == 404
    own = client_for(holder.user).get("/me/certificates/").content.decode()
    staff = client_for(alice).get("/reports/certificates/").content.decode()
    for html in (own, staff):
        assert certificate.code in html and url not in html


def test_the_same_hours_asked_again_are_the_same_certificate(world, holder, alice) -> None:  # type: ignore[no-untyped-def]
    """A second click on "Download", or staff issuing what the holder already took, hands out the
    certificate already issued: a new code for the same hours on each click would leave several
    valid papers for one statement. Other hours, language or period make a new one."""
    client = client_for(holder.user)
    ask = {"start": PERIOD[0].isoformat(), "end": PERIOD[1].isoformat(), "language": "kk"}
    first = client.post("/me/certificates/", ask)["Location"]
    assert client.post("/me/certificates/", ask)["Location"] == first
    staff = client_for(alice).post(f"/reports/certificates/new/{holder.pk}/", ask)
    assert staff.status_code == 302
    assert Certificate.objects.count() == 1
    client.post("/me/certificates/", {**ask, "language": "ru"})
    assert Certificate.objects.count() == 2
    certificate = Certificate.objects.get(language="kk")
    services.certificate_revoke(certificate=certificate, by=alice, reason="Сағаттар түзетілді")
    again = client.post("/me/certificates/", ask)["Location"]
    assert again != first and Certificate.objects.filter(language="kk", revoked_at__isnull=True).count() == 1


def test_a_checked_certificate_is_not_for_search_engines(world, holder, alice) -> None:  # type: ignore[no-untyped-def]
    """A holder who posts their PDF online publishes the check link with it: the page answers its
    visitors, but tells search engines not to list the holder's name and hours."""
    certificate = services.certificate_issue(
        volunteer=holder, start=PERIOD[0], end=PERIOD[1], language="kk", by=alice
    )
    page = Client().get(f"/verify/{certificate.code}/")
    assert page.status_code == 200 and "Алматыбекова Айгүл" in page.content.decode()
    assert "noindex" in page["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in page.content.decode()
