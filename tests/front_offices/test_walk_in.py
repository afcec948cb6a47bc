"""The walk-in desk and minors: a new visitor under 18 is added with their parent or legal
representative, as the roster adds a walk-in (the profile's own rules, the guardian's fieldset,
the signed consent when it is at hand), and the visit is recorded either way."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from front_offices import services
from front_offices.models import FrontOffice, Visit, VisitSlot
from notifications.models import Message
from tests.conftest import client_for
from tests.factories import VolunteerFactory, years_ago
from volunteers.models import GuardianConsent, Volunteer

from .helpers import make_office, next_weekday, office_clerk, slot_at

pytestmark = pytest.mark.django_db

GUARDIAN_FIELDS = ("guardian_name", "guardian_phone", "guardian_relation")
GUARDIAN = {
    "walkin-guardian_name": "Серікова Гүлнар",
    "walkin-guardian_phone": "8 701 444 55 67",
    "walkin-guardian_relation": "mother",
}


@pytest.fixture
def office(almaty: Any) -> FrontOffice:
    return make_office()


@pytest.fixture
def clerk(office: FrontOffice) -> Client:
    user = office_clerk(office, "clerk-desk@example.kz")
    return client_for(user)


def _post(client: Client, office: FrontOffice, **extra: str) -> Any:
    """A new visitor of 12 (under 14: their guardian's written consent is needed to take part)."""
    data = {
        "walkin-phone": "8 701 444 55 66",
        "walkin-purpose": "registration",
        "walkin-first_name": "Айару",
        "walkin-last_name": "Серікова",
        "walkin-birth_date": years_ago(12).isoformat(),
        "walkin-own_document_number": "С-120",
    }
    return client.post(f"/front-offices/{office.pk}/walk-in/", data | extra)


def _summary(page: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert match is not None
    return match.group(0)


class TestWalkInMinor:
    def test_the_form_offers_the_guardian_fields_in_the_minors_fieldset(
        self, clerk: Client, office: FrontOffice
    ) -> None:
        page = clerk.get(f"/front-offices/{office.pk}/walk-in/").content.decode()
        fieldset = re.search(r"<fieldset[^>]*data-guardian-fields.*?</fieldset>", page, re.S)
        assert fieldset is not None
        for name in (*GUARDIAN_FIELDS, "guardian_consent_received", "guardian_document_number"):
            assert f'name="walkin-{name}"' in fieldset.group(0)
        # static/js/guardian.js shows the fieldset from the birth date it reads.
        assert re.search(r'<input[^>]*name="walkin-birth_date"[^>]*data-birth-date', page)

    def test_without_a_guardian_each_guardian_field_is_named_once(
        self, clerk: Client, office: FrontOffice
    ) -> None:
        response = _post(clerk, office)
        assert response.status_code == 200
        form = response.context["form"]
        assert form.non_field_errors() == []
        assert {name: len(errors) for name, errors in form.errors.items()} == dict.fromkeys(
            GUARDIAN_FIELDS, 1
        )
        summary = _summary(response.content.decode())
        for name in GUARDIAN_FIELDS:
            assert summary.count(f'href="#id_walkin-{name}"') == 1
        # Every entry of the summary names its field: none is a bare message.
        assert summary.count("<li>") == summary.count('<li><a href="#id_walkin-') == 3
        assert not Volunteer.objects.filter(phone="+77014445566").exists()
        assert not Visit.objects.exists()

    def test_with_a_guardian_the_minor_is_added_awaiting_consent_and_the_visit_recorded(
        self, clerk: Client, office: FrontOffice
    ) -> None:
        response = _post(clerk, office, **GUARDIAN)
        assert response.status_code == 302
        visit = Visit.objects.get(walk_in=True)
        person = Volunteer.objects.get(pk=visit.volunteer_id)
        assert (person.guardian_name, person.guardian_phone, person.guardian_relation) == (
            "Серікова Гүлнар",
            "+77014445567",
            "mother",
        )
        assert (visit.office, visit.status, visit.purpose) == (office, "arrived", "registration")
        # As the roster adds a walk-in: registered, but taking part in nothing until the guardian's
        # written consent is recorded.
        assert person.status == Volunteer.Status.AWAITING_GUARDIAN and person.guardian_consent_at is None
        assert not person.may_take_part()
        told = [m.level_tag for m in get_messages(response.wsgi_request)]
        assert told == ["success", "warning"]

    def test_with_the_signed_form_at_hand_the_minor_is_active(
        self, clerk: Client, office: FrontOffice
    ) -> None:
        today = timezone.localdate().isoformat()
        response = _post(
            clerk,
            office,
            **GUARDIAN,
            **{
                "walkin-guardian_consent_received": "on",
                "walkin-guardian_document_number": "ЗК-17",
                "walkin-guardian_document_date": today,
            },
        )
        assert response.status_code == 302
        person = Visit.objects.get(walk_in=True).volunteer
        person.refresh_from_db()
        assert person.status == Volunteer.Status.ACTIVE and person.guardian_consent_at is not None
        assert person.may_take_part()
        consent = GuardianConsent.objects.get(volunteer=person)
        assert (consent.method, consent.document_number, consent.guardian_name) == (
            "paper",
            "ЗК-17",
            "Серікова Гүлнар",
        )

    def test_the_consent_box_needs_the_forms_number_and_date(
        self, clerk: Client, office: FrontOffice
    ) -> None:
        response = _post(clerk, office, **GUARDIAN, **{"walkin-guardian_consent_received": "on"})
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"guardian_document_number", "guardian_document_date"}
        assert not Visit.objects.exists()

    def test_an_adult_needs_no_guardian(self, clerk: Client, office: FrontOffice) -> None:
        response = _post(clerk, office, **{"walkin-birth_date": years_ago(30).isoformat()})
        assert response.status_code == 302
        person = Visit.objects.get(walk_in=True).volunteer
        assert person.status == Volunteer.Status.ACTIVE and person.guardian_name == ""


class TestWalkInOwnConsent:
    """A newcomer added at the desk is on the roster: their own signed consent form is recorded,
    as the roster's walk-in form records it (law 94-V: no personal data kept without consent)."""

    def test_a_newcomer_needs_the_signed_forms_number(self, office: FrontOffice, clerk: Client) -> None:
        response = _post(
            clerk,
            office,
            **{"walkin-birth_date": years_ago(30).isoformat(), "walkin-own_document_number": ""},
        )
        assert response.status_code == 200
        assert 'href="#id_walkin-own_document_number"' in _summary(response.content.decode())
        assert not Volunteer.objects.filter(phone="+77014445566").exists()

    def test_someone_found_by_phone_needs_no_form(self, office: FrontOffice, clerk: Client) -> None:
        known = VolunteerFactory(region=office.region, phone="+77014445566")
        client_data = {"walkin-phone": "8 701 444 55 66", "walkin-purpose": "consultation"}
        response = clerk.post(f"/front-offices/{office.pk}/walk-in/", client_data)
        assert response.status_code == 302
        assert Visit.objects.get(walk_in=True).volunteer == known


class TestWalkInOfAnInactiveProfile:
    @pytest.mark.parametrize("status", ["paused", "archived"])
    def test_the_visit_is_recorded_and_the_clerk_is_warned(
        self, clerk: Client, office: FrontOffice, status: str
    ) -> None:
        person = VolunteerFactory(region=office.region, phone="+77015550101", status=status)
        clerk.cookies["django_language"] = "en"
        response = clerk.post(
            f"/front-offices/{office.pk}/walk-in/",
            {"walkin-phone": "8 701 555 01 01", "walkin-purpose": "consultation"},
        )
        assert response.status_code == 302
        visit = Visit.objects.get(volunteer=person)
        assert (visit.walk_in, visit.status) == (True, "arrived")
        label = {"paused": "Paused", "archived": "Archived"}[status]
        warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
        assert warnings == [
            f"The volunteer profile of {person.full_name} is “{label}”: the visit is recorded, but "
            "they cannot sign up for shifts or book visits until a coordinator of the region makes "
            "the profile active again."
        ]
        person.refresh_from_db()
        assert person.status == status

    def test_an_active_profile_is_not_warned_about(self, clerk: Client, office: FrontOffice) -> None:
        VolunteerFactory(region=office.region, phone="+77015550102")
        response = clerk.post(
            f"/front-offices/{office.pk}/walk-in/",
            {"walkin-phone": "+77015550102", "walkin-purpose": "consultation"},
        )
        assert response.status_code == 302
        assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


class TestWalkInWithABookingToday:
    """Someone the desk finds by phone who has booked for today came for that visit."""

    def test_their_booked_visit_is_checked_in_and_the_day_counts_them_once(
        self, office, clerk, almaty
    ) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, phone="+77014445599")
        slot = slot_at(office, next_weekday(1, after=2), 18)
        visit = services.visit_book(slot=slot, volunteer=person, purpose="certificate", by=None)
        # That visit as it stands on the day itself, in an hour.
        today, start = timezone.localdate(), timezone.now() + datetime.timedelta(hours=1)
        VisitSlot.objects.filter(pk=slot.pk).update(
            starts_at=start, ends_at=start + datetime.timedelta(minutes=30), local_date=today
        )
        Visit.objects.filter(pk=visit.pk).update(starts_at=start, local_date=today)

        response = clerk.post(
            f"/front-offices/{office.pk}/walk-in/",
            {
                "walkin-phone": "8 701 444 55 99",
                "walkin-purpose": "consultation",
                "walkin-outcome": "certificate_issued",
            },
            headers={"Accept-Language": "en"},
        )
        assert response.status_code == 302
        notes = [str(m) for m in get_messages(response.wsgi_request)]
        assert any("had a visit booked here today" in note for note in notes), notes

        visits = list(Visit.objects.filter(volunteer=person))
        assert [(v.pk, v.status, v.outcome, v.walk_in) for v in visits] == [
            (visit.pk, Visit.Status.ARRIVED, "certificate_issued", False)
        ]
        day = clerk.get(f"/front-offices/{office.pk}/day/?date={today.isoformat()}").content.decode()
        assert re.findall(r'<li class="visit-card" id="visit-(\d+)"', day) == [str(visit.pk)]
        assert not Message.objects.filter(
            recipient=person, kind__startswith="visit_reminder", status=Message.Status.PENDING
        ).exists()


def test_someone_come_of_age_is_told_their_own_form_is_needed_not_a_parents(office, clerk, almaty) -> None:  # type: ignore[no-untyped-def]
    """18 now and still awaiting a guardian who never answered: what is signed at the desk is
    the person's own consent (volunteers' roster records it)."""
    grown = VolunteerFactory(
        region=almaty,
        phone="+77014445511",
        birth_date=years_ago(18),
        status=Volunteer.Status.AWAITING_GUARDIAN,
    )
    assert grown.awaits_own_consent
    response = clerk.post(
        f"/front-offices/{office.pk}/walk-in/",
        {"walkin-phone": "8 701 444 55 11", "walkin-purpose": "consultation"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert "This person is 18 now and becomes active once their own consent is recorded." in notes
    assert not any("parent or legal representative" in note for note in notes), notes
