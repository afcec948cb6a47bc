"""Certificates and the person's rights (law 94-V): after erasure neither the public
verification page nor the coordinators' list shows the holder's name, and no PDF is made for
them; "download my data" lists the person's own certificates."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from reports import selectors, services
from reports.models import Certificate
from tests.conftest import client_for
from volunteers.services import account_delete, volunteer_anonymize

from .conftest import PERIOD

pytestmark = pytest.mark.django_db

SECOND_HALF = (datetime.date(2025, 7, 1), datetime.date(2025, 12, 31))


@pytest.fixture
def certificate(holder, alice) -> Certificate:  # type: ignore[no-untyped-def]
    return services.certificate_issue(
        volunteer=holder, start=PERIOD[0], end=PERIOD[1], language="ru", by=alice
    )


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


class TestCertificatesAfterErasure:
    def test_verify_page_says_erased_and_shows_nothing_of_the_holder(
        self, world, holder, certificate, alice
    ) -> None:  # type: ignore[no-untyped-def]
        other = services.certificate_issue(
            volunteer=world.almaty_volunteers[2], start=PERIOD[0], end=PERIOD[1], language="kk", by=alice
        )
        account_delete(user=holder.user)
        certificate.refresh_from_db()
        other.refresh_from_db()
        assert certificate.holder_name == ""
        # Only the erased person's certificates.
        assert other.holder_name == world.almaty_volunteers[2].full_name
        assert other.holder_name in Client().get(f"/verify/{other.code}/").content.decode()
        page = english(Client()).get(f"/verify/{certificate.code}/")
        html = page.content.decode()
        # Not 200: a checker reading the status only must not take it for a valid certificate.
        assert page.status_code == 410
        assert 'data-result="erased"' in html
        assert "personal data has been erased at their request" in html
        assert "Алматыбекова" not in html and "Айгүл" not in html
        # Nor its figures: the paper beside the code names the person.
        for figure in (
            "13.5",
            "13,5",
            "2026-01-01",
            "2026-06-30",
            "01.01.2026",
            "30.06.2026",
            certificate.issuer,
        ):
            assert figure not in html

    def test_coordinators_list_shows_a_neutral_label(self, holder, certificate, alice) -> None:  # type: ignore[no-untyped-def]
        services.certificate_revoke(certificate=certificate, by=alice, reason="Айгүлдің сағаттары қате")
        volunteer_anonymize(volunteer=holder, requested_by=alice)
        certificate.refresh_from_db()
        # Staff's reason may name the person too.
        assert (certificate.holder_name, certificate.revoke_reason) == ("", "")
        html = english(client_for(alice)).get("/reports/certificates/").content.decode()
        assert certificate.code in html
        assert "Алматыбекова" not in html and "Айгүл" not in html
        assert "Anonymised volunteer" in html
        # No link to a PDF that would not be made.
        assert f"/certificates/{certificate.pk}.pdf" not in html

    def test_no_pdf_is_made_for_an_erased_holder(self, holder, certificate, alice) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        assert client.get(f"/certificates/{certificate.pk}.pdf").status_code == 200
        volunteer_anonymize(volunteer=holder, requested_by=alice)
        assert client.get(f"/certificates/{certificate.pk}.pdf").status_code == 404


class TestMyDataCertificates:
    def test_download_lists_own_certificates_only(self, world, holder, certificate, alice) -> None:  # type: ignore[no-untyped-def]
        older = services.certificate_issue(
            volunteer=holder, start=SECOND_HALF[0], end=SECOND_HALF[1], language="kk", by=alice
        )
        services.certificate_revoke(certificate=older, by=alice, reason="Қате кезең")
        someone_else = services.certificate_issue(
            volunteer=world.almaty_volunteers[2], start=PERIOD[0], end=PERIOD[1], language="kk", by=alice
        )
        response = client_for(holder.user).get("/me/data.json")
        assert response.status_code == 200
        assert someone_else.code not in response.content.decode()
        rows = {row["code"]: row for row in json.loads(response.content)["certificates"]}
        assert set(rows) == {certificate.code, older.code}
        current = rows[certificate.code]
        assert current["period_start"] == "2026-01-01" and current["period_end"] == "2026-06-30"
        assert current["hours"] == "13.50" and current["revoked"] is False
        assert {line["title"] for line in current["campaigns"]} == {"Таза Алматы", "Қамқор Алматы"}
        # With Almaty's offset, as every moment of the file.
        assert current["issued_at"] == timezone.localtime(certificate.issued_at).isoformat()
        assert current["issued_at"].endswith("+05:00")
        assert rows[older.code]["revoked"] is True and rows[older.code]["hours"] == "9.00"
        # Who issued it is the staff's data, not the holder's.
        assert "alice@example.kz" not in response.content.decode()

    def test_section_reads_in_one_query_however_many(
        self, holder, certificate, alice, django_assert_num_queries
    ) -> None:  # type: ignore[no-untyped-def]
        services.certificate_issue(
            volunteer=holder, start=SECOND_HALF[0], end=SECOND_HALF[1], language="kk", by=alice
        )
        with django_assert_num_queries(1):
            section = selectors.personal_data_certificates(holder)
        assert len(section) == 2
        json.dumps(section)
