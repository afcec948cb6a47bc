"""Views of a volunteer's personal data by staff are recorded (accounts/audit.py): who, when,
where — once per view, never the values; the person's coordinators and national staff see the
trail on the person's page. Searching the roster by phone, IIN or e-mail is recorded too; by
name, and the roster list itself, are not."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEntry
from tests.care.factories import HelpRequestFactory
from tests.conftest import client_for
from tests.factories import DetachmentFactory, MinorFactory, UserFactory, iin_for

VIEWED = AuditEntry.Action.VIEWED


def _views_of(volunteer):  # type: ignore[no-untyped-def]
    return list(
        AuditEntry.objects.filter(
            action=VIEWED, subject_type="volunteers.volunteer", subject_id=str(volunteer.pk)
        )
    )


@pytest.mark.django_db
class TestViewsAreRecorded:
    def test_the_roster_page_of_a_person_records_one_view(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        assert client_for(alice).get(f"/roster/{bob.pk}/").status_code == 200
        [entry] = _views_of(bob)
        assert (entry.actor, entry.region_code, entry.detail) == (alice, "75", {"where": "roster"})

    def test_the_trail_holds_no_personal_values(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        client_for(alice).get(f"/roster/{bob.pk}/")
        client_for(alice).get(f"/roster/{bob.pk}/edit/")
        stored = str(list(AuditEntry.objects.values_list("detail", "subject_id", "subject_type")))
        for value in (bob.last_name, bob.first_name, bob.phone, bob.email):
            assert value not in stored

    def test_the_edit_form_records_a_view_and_saving_does_not(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        assert client.get(f"/roster/{bob.pk}/edit/").status_code == 200
        assert [e.detail["where"] for e in _views_of(bob)] == ["roster-edit"]
        bob.refresh_from_db()
        data = {
            "last_name": bob.last_name,
            "first_name": "Бауыр",
            "birth_date": bob.birth_date.isoformat(),
            "phone": bob.phone,
            "email": bob.email,
            "region": bob.region_id,
            "locality": bob.locality,
            "preferred_language": "kk",
            "preferred_channel": "email",
            "status": bob.status,
        }
        assert client.post(f"/roster/{bob.pk}/edit/", data).status_code == 302
        assert len(_views_of(bob)) == 1

    def test_the_api_detail_records_a_view(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        api = APIClient()
        api.force_authenticate(nora)
        assert api.get(f"/api/volunteers/{bob.pk}/").status_code == 200
        [entry] = _views_of(bob)
        assert (entry.actor, entry.detail) == (nora, {"where": "api"})

    def test_the_detachment_member_form_records_a_view(self, almaty) -> None:  # type: ignore[no-untyped-def]
        curator = UserFactory(email="teacher@example.kz")
        detachment = DetachmentFactory(region=almaty, curator=curator)
        member = MinorFactory(region=almaty, detachment=detachment)
        url = f"/detachments/{detachment.pk}/members/{member.pk}/edit/"
        assert client_for(curator).get(url).status_code == 200
        [entry] = _views_of(member)
        assert (entry.actor, entry.detail) == (curator, {"where": "detachment"})

    def test_the_persons_own_pages_and_other_regions_record_nothing(self, bob, charlie) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        own = client_for(bob.user)
        for url in ("/me/", "/me/edit/", "/me/data.json", "/api/me/"):
            assert own.get(url).status_code == 200, url
        assert client_for(charlie).get(f"/roster/{bob.pk}/").status_code == 404
        assert not AuditEntry.objects.exists()

    def test_the_roster_list_records_no_row_views(self, alice, bob, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        assert client.get("/roster/").status_code == 200
        assert client.get("/roster/", {"q": "Қасымов"}).status_code == 200
        api = APIClient()
        api.force_authenticate(alice)
        assert api.get("/api/volunteers/", {"q": "Қасымов"}).status_code == 200
        assert not AuditEntry.objects.exists()


@pytest.mark.django_db
class TestLookupsByIdentifier:
    @pytest.mark.parametrize(
        ("query", "kind"),
        [("+7 701 555 01 01", "phone"), ("87015550101", "phone"), ("volunteer@example.kz", "email")],
    )
    def test_a_search_by_phone_or_email_is_recorded_without_the_query(
        self, alice, query: str, kind: str
    ) -> None:  # type: ignore[no-untyped-def]
        assert client_for(alice).get("/roster/", {"q": query}).status_code == 200
        [entry] = AuditEntry.objects.all()
        assert (entry.actor, entry.action, entry.subject_type) == (alice, VIEWED, "volunteers.roster")
        assert entry.detail == {"where": "roster", "search_by": kind}
        assert query not in str(entry.detail)

    def test_a_search_by_iin_through_the_api_is_recorded(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        iin = iin_for(bob.birth_date)
        api = APIClient()
        api.force_authenticate(nora)
        assert api.get("/api/volunteers/", {"q": iin}).status_code == 200
        [entry] = AuditEntry.objects.all()
        assert entry.detail == {"where": "api", "search_by": "iin"}


@pytest.mark.django_db
class TestTrailIsShown:
    def test_the_coordinator_sees_who_viewed_the_person(self, alice, nora, bob) -> None:  # type: ignore[no-untyped-def]
        nora.full_name = "Нұргүл Әбенова"
        nora.save()
        client_for(nora).get(f"/roster/{bob.pk}/")
        response = client_for(alice).get(f"/roster/{bob.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        trail = [(e.actor, e.detail["where"]) for e in response.context["trail"]]
        assert trail == [(alice, "roster"), (nora, "roster")]
        html = response.content.decode()
        section = html[html.index('id="audit-trail"') :]
        assert "Нұргүл Әбенова" in section and "viewed personal data" in section

    def test_the_trail_costs_one_query_whatever_its_length(
        self, alice, bob, django_assert_max_num_queries
    ) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        client.get(f"/roster/{bob.pk}/")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get(f"/roster/{bob.pk}/")
        for _n in range(5):
            client.get(f"/roster/{bob.pk}/")
        with CaptureQueriesContext(connection) as many:
            client.get(f"/roster/{bob.pk}/")
        assert len(many) == len(few)


@pytest.mark.django_db
class TestBeneficiaryTrail:
    def test_the_coordinator_sees_who_saw_the_contact_and_the_volunteer_does_not(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        from care import services as care_services

        help_request = HelpRequestFactory()
        care_services.assignment_volunteer(request=help_request, volunteer=bob, by=alice)
        bob.refresh_from_db()
        assert client_for(bob.user).get(f"/care/requests/{help_request.pk}/").status_code == 200
        response = client_for(alice).get(f"/care/requests/{help_request.pk}/")
        who = [e.actor for e in response.context["trail"]]
        assert who[:2] == [alice, bob.user]
        assert 'id="audit-trail"' in response.content.decode()
        volunteer_page = client_for(bob.user).get(f"/care/requests/{help_request.pk}/").content.decode()
        assert 'id="audit-trail"' not in volunteer_page
