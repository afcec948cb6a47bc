""" "Download my data" holds the guardian consents given for the person: who consented, how, on
what document, when, and when and why one was withdrawn."""

from __future__ import annotations

import datetime
import json

import pytest

from tests.conftest import client_for
from tests.factories import MinorFactory, years_ago
from volunteers import services
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def test_the_download_holds_the_guardian_consents_withdrawn_ones_too(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    minor = MinorFactory(
        region=almaty,
        with_account=True,
        birth_date=years_ago(15),
        guardian_name="Гүлнара Ахметова",
        status=Volunteer.Status.AWAITING_GUARDIAN,
    )
    services.guardian_consent_record(
        volunteer=minor,
        recorded_by=alice,
        paper=services.PaperConsent(document_number="75-118", document_date=datetime.date(2026, 1, 20)),
    )
    services.guardian_consent_withdraw(volunteer=minor, withdrawn_by=alice, reason="Отозвано матерью")
    services.guardian_consent_record(
        volunteer=minor,
        recorded_by=alice,
        paper=services.PaperConsent(document_number="75-204", document_date=datetime.date(2026, 2, 2)),
    )
    minor.refresh_from_db()

    response = client_for(minor.user).get("/me/data.json")
    assert response.status_code == 200
    consents = json.loads(response.content)["volunteer"]["guardian_consents"]
    assert [c["document_number"] for c in consents] == ["75-204", "75-118"]  # the one in force first
    current, withdrawn = consents
    assert current["method"] == "paper" and current["guardian_name"] == "Гүлнара Ахметова"
    assert current["guardian_relation"] == "mother" and current["document_date"] == "2026-02-02"
    assert current["given_at"] and current["withdrawn_at"] is None
    assert withdrawn["withdrawn_at"] and withdrawn["withdrawal_reason"] == "Отозвано матерью"
    assert withdrawn["document_date"] == "2026-01-20"
    # Which staff member recorded them is about the staff, not the person.
    assert alice.email not in response.content.decode()


def test_an_adult_without_consents_gets_an_empty_list(bob) -> None:  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    data = json.loads(client_for(bob.user).get("/me/data.json").content)
    assert data["volunteer"]["guardian_consents"] == []
