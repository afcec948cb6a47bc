"""Minors and their guardian's consent (law 42-VI art. 12; personal-data law 94-V): a minor who
registers alone waits for the guardian; the guardian confirms through a signed, expiring link or
staff record a signed form with its number and date; consent can be withdrawn, with history."""

import datetime

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from tests.conftest import client_for
from tests.factories import MinorFactory, VolunteerFactory, years_ago
from volunteers import services
from volunteers.guardian_links import guardian_link_token
from volunteers.models import GuardianConsent, Volunteer

from .test_selfservice_views import _register, _registration

RECORD = {"action": "record", "document_number": "75-118", "document_date": "2026-11-20", "confirm": "on"}


@pytest.fixture
def child(almaty):  # type: ignore[no-untyped-def]
    """A 12-year-old of Almaty whose guardian has not consented yet."""
    return MinorFactory(
        region=almaty,
        birth_date=years_ago(12),
        first_name="Аружан",
        status=Volunteer.Status.AWAITING_GUARDIAN,
    )


@pytest.mark.django_db
class TestMinorRegisteringAlone:
    def test_is_kept_awaiting_the_guardian_and_sees_the_next_step(  # type: ignore[no-untyped-def]
        self, almaty, django_capture_on_commit_callbacks
    ) -> None:
        data = _registration(
            almaty,
            **{
                "profile-birth_date": years_ago(12).isoformat(),
                "profile-guardian_name": "Серікова Гүлнар",
                "profile-guardian_phone": "8 701 765 43 21",
                "profile-guardian_relation": "mother",
            },
        )
        _register(Client(), data, django_capture_on_commit_callbacks)
        minor = Volunteer.objects.get(user__email="dana@example.kz")
        assert minor.status == Volunteer.Status.AWAITING_GUARDIAN
        assert not minor.may_take_part()
        minor.user.is_active = True
        minor.user.save()
        page = client_for(minor.user).get("/me/", HTTP_ACCEPT_LANGUAGE="kk")
        html = page.content.decode()
        assert 'id="guardian-next-step"' in html
        assert "/guardian/" in page.context["guardian_link"].url

    def test_coordinator_cannot_just_switch_the_minor_to_active(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as exc:
            services.volunteer_update(volunteer=child, changed_by=alice, data={"status": "active"})
        assert "status" in exc.value.error_dict
        child.refresh_from_db()
        assert child.status == Volunteer.Status.AWAITING_GUARDIAN

    def test_filter_lists_minors_without_consent(self, alice, almaty, child) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=almaty)  # an adult
        MinorFactory(region=almaty, guardian_consent_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC))
        response = client_for(alice).get("/roster/", {"consent": "missing"})
        assert [v.pk for v in response.context["page"].object_list] == [child.pk]


@pytest.mark.django_db
class TestGuardianLink:
    def test_guardian_confirms_once_and_the_child_becomes_active(self, child) -> None:  # type: ignore[no-untyped-def]
        url = f"/guardian/{guardian_link_token(child)}/"
        page = Client().get(url, HTTP_ACCEPT_LANGUAGE="ru")
        assert page.status_code == 200
        assert "Аружан" in page.content.decode()
        assert child.last_name not in page.content.decode()  # the page names the child, no more
        response = Client().post(url, {"guardian_name": "Ахметова Гүлнара", "agree": "on"})
        assert response.status_code == 302
        child.refresh_from_db()
        assert child.status == Volunteer.Status.ACTIVE and child.may_take_part()
        consent = child.guardian_consents.get()
        assert consent.method == GuardianConsent.Method.LINK and consent.guardian_name == "Ахметова Гүлнара"
        assert consent.recorded_by is None
        # The link used again records nothing more and says it is done.
        again = Client().post(url, {"guardian_name": "Кто-то", "agree": "on"})
        assert again.status_code == 200 and again.context["done"]
        assert child.guardian_consents.count() == 1
        assert child.changes.filter(action="consent").count() == 1

    def test_without_ticking_the_box_nothing_is_recorded(self, child) -> None:  # type: ignore[no-untyped-def]
        response = Client().post(f"/guardian/{guardian_link_token(child)}/", {"guardian_name": "Ахметова"})
        assert response.status_code == 200 and "agree" in response.context["form"].errors
        assert not child.guardian_consents.exists()

    def test_forged_link_is_refused(self, child) -> None:  # type: ignore[no-untyped-def]
        forged = signing.dumps({"v": child.pk, "g": "0" * 16}, salt="someone-else")
        for token in (forged, guardian_link_token(child)[:-3] + "abc", "%00"):
            response = Client().post(f"/guardian/{token}/", {"guardian_name": "X", "agree": "on"})
            assert response.status_code in (400, 404), token
        assert not child.guardian_consents.exists()

    @override_settings(GUARDIAN_LINK_DAYS=0)
    def test_expired_link_is_refused(self, child) -> None:  # type: ignore[no-untyped-def]
        response = Client().get(f"/guardian/{guardian_link_token(child)}/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert "expired" in response.context["error"]

    def test_link_stops_working_when_the_guardian_changes(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        token = guardian_link_token(child)
        services.volunteer_update(
            volunteer=child,
            changed_by=alice,
            data={"guardian_name": "Ахметов Ерлан", "guardian_relation": "father"},
        )
        response = Client().post(f"/guardian/{token}/", {"guardian_name": "Ахметова", "agree": "on"})
        assert response.status_code == 404
        assert not child.guardian_consents.exists()


@pytest.mark.django_db
class TestStaffRecordAndWithdraw:
    def test_coordinator_records_a_signed_form_with_its_document(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(f"/roster/{child.pk}/guardian-consent/", RECORD)
        assert response.status_code == 302
        consent = child.guardian_consents.get()
        assert (consent.document_number, consent.document_date) == ("75-118", datetime.date(2026, 11, 20))
        assert consent.recorded_by == alice and consent.method == GuardianConsent.Method.PAPER
        child.refresh_from_db()
        assert child.status == Volunteer.Status.ACTIVE

    def test_future_document_date_is_a_field_error(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(
            f"/roster/{child.pk}/guardian-consent/", {**RECORD, "document_date": "2099-01-01"}
        )
        assert response.status_code == 200 and "document_date" in response.context["record_form"].errors
        assert not child.guardian_consents.exists()

    def test_withdrawal_keeps_the_record_and_the_child_waits_again(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        client.post(f"/roster/{child.pk}/guardian-consent/", RECORD)
        response = client.post(
            f"/roster/{child.pk}/guardian-consent/", {"action": "withdraw", "reason": "Мама позвонила"}
        )
        assert response.status_code == 302
        child.refresh_from_db()
        assert child.guardian_consent_at is None and child.status == Volunteer.Status.AWAITING_GUARDIAN
        consent = child.guardian_consents.get()
        assert consent.withdrawn_at is not None and consent.withdrawn_by == alice
        assert consent.withdrawal_reason == "Мама позвонила"
        assert list(child.changes.values_list("action", flat=True)[:2]) == ["consent_withdrawn", "consent"]
        # A new consent can be given after a withdrawal; the old record stays.
        client.post(f"/roster/{child.pk}/guardian-consent/", {**RECORD, "document_number": "75-119"})
        assert child.guardian_consents.count() == 2
        assert child.guardian_consents.filter(withdrawn_at__isnull=True).get().document_number == "75-119"

    def test_other_region_gets_404(self, charlie, child) -> None:  # type: ignore[no-untyped-def]
        client = client_for(charlie)
        assert client.get(f"/roster/{child.pk}/guardian-consent/").status_code == 404
        assert client.post(f"/roster/{child.pk}/guardian-consent/", RECORD).status_code == 404
        assert not child.guardian_consents.exists()

    def test_walk_in_records_how_the_persons_own_consent_was_given(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        data = {
            "last_name": "Омаров",
            "first_name": "Ерлан",
            "birth_date": years_ago(30).isoformat(),
            "phone": "+7 747 123 45 67",
            "region": almaty.pk,
            "preferred_language": "kk",
            "preferred_channel": "sms",
            "status": "active",
        }
        missing = client_for(alice).post("/roster/new/", data)
        assert missing.status_code == 200 and "own_document_number" in missing.context["form"].errors
        response = client_for(alice).post("/roster/new/", {**data, "own_document_number": "А-105"})
        assert response.status_code == 302
        person = Volunteer.objects.get(last_name="Омаров")
        assert person.consent_method == "paper" and person.consent_document == "А-105"
        assert person.consent_at is not None


@pytest.mark.django_db
class TestErasedPeopleStayErased:
    def test_anonymised_record_is_read_only_everywhere(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(region=almaty)
        services.volunteer_anonymize(volunteer=minor, requested_by=None)
        minor.refresh_from_db()
        with pytest.raises(ValidationError):
            services.volunteer_update(volunteer=minor, changed_by=alice, data={"status": "active"})
        client = client_for(alice)
        edit = client.post(f"/roster/{minor.pk}/edit/", {"last_name": "Revived", "status": "active"})
        assert edit.status_code == 404
        assert client.get(f"/roster/{minor.pk}/guardian-consent/").status_code == 404
        detail = client.get(f"/roster/{minor.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
        assert f'href="/roster/{minor.pk}/edit/"' not in detail.content.decode()
        minor.refresh_from_db()
        assert minor.status == Volunteer.Status.ARCHIVED and minor.last_name == ""
        assert minor.birth_date is None and minor.birth_year is not None
        assert not minor.skills.exists() and minor.detachment_id is None
