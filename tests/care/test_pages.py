"""Access to the care pages for every persona (outside the scope: 404; anonymous: log in), and
lists whose queries do not grow with their rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from care import services
from care.models import HelpRequest
from tests.conftest import client_for, staff_personas

from .factories import BeneficiaryFactory, HelpRequestFactory, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    from front_offices.models import FrontOffice

    return FrontOffice.objects.create(name="Алматы фронт-офисі", region=almaty, address="Абай 1")


@pytest.fixture
def personas(alice, bob, charlie, nora, office):  # type: ignore[no-untyped-def]
    return staff_personas(alice=alice, bob=bob, charlie=charlie, nora=nora, office=office)


def status_of(personas, persona: str, url: str) -> int:  # type: ignore[no-untyped-def]
    user = personas[persona]
    client = client_for(user) if user is not None else __import__("django.test").test.Client()
    response = client.get(url)
    if persona == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        return 302
    return response.status_code


# (url, personas answered 200; everybody else logged in gets 404)
STAFF = {"coordinator", "coordinator_with_staff_flag", "office_staff", "national_staff", "superuser"}
VOLUNTEER = {"volunteer"}


class TestAccess:
    def test_every_page_for_every_persona(self, personas, almaty) -> None:  # type: ignore[no-untyped-def]
        request = HelpRequestFactory(needed_hands=3)
        bob = personas["volunteer"].volunteer
        assignment = services.assignment_volunteer(request=request, volunteer=bob, by=personas["coordinator"])
        pages = {
            # Lists and the intake form: any staff (their own regions' rows).
            "/care/requests/": STAFF | {"other_coordinator"},
            "/care/requests/new/": STAFF | {"other_coordinator"},
            f"/care/requests/{request.pk}/": STAFF | VOLUNTEER,
            f"/care/beneficiaries/{request.beneficiary_id}/erase/": STAFF,
            "/care/": VOLUNTEER | {"curator"},
            "/care/report/": VOLUNTEER,
            f"/care/assignments/{assignment.pk}/done/": STAFF | VOLUNTEER,
        }
        for url, allowed in pages.items():
            for persona in personas:
                code = status_of(personas, persona, url)
                if persona == "anonymous":
                    continue
                expected = 200 if persona in allowed else 404
                assert code == expected, (url, persona, code)

    def test_other_region_is_404_for_every_url(self, charlie, astana, almaty) -> None:  # type: ignore[no-untyped-def]
        request = HelpRequestFactory(needed_hands=2)
        from tests.factories import VolunteerFactory

        volunteer = VolunteerFactory(region=almaty)
        offer = services.assignment_offer(request=request, volunteer=volunteer, by=charlie)
        client = client_for(charlie)
        for url in (
            f"/care/requests/{request.pk}/",
            f"/care/beneficiaries/{request.beneficiary_id}/erase/",
            f"/care/assignments/{offer.pk}/done/",
            f"/api/care/requests/{request.pk}/",
        ):
            assert client.get(url).status_code == 404, url
        for url in (
            f"/care/requests/{request.pk}/check/",
            f"/care/requests/{request.pk}/assign/",
            f"/care/requests/{request.pk}/assign-detachment/",
            f"/care/requests/{request.pk}/close/",
            f"/care/requests/{request.pk}/stop-repeating/",
            f"/care/assignments/{offer.pk}/confirm/",
            f"/care/assignments/{offer.pk}/withdraw/",
        ):
            assert (
                client.post(url, {"status": "cancelled", "volunteers": [volunteer.pk]}).status_code == 404
            ), url
        request.refresh_from_db()
        offer.refresh_from_db()
        assert (request.status, offer.status) == ("new", "offered")

    def test_get_on_an_action_is_the_405_page(self, alice, request_almaty) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).get(f"/care/requests/{request_almaty.pk}/close/")
        assert response.status_code == 405

    def test_office_staff_take_but_do_not_match(self, clerk, bob, request_almaty) -> None:  # type: ignore[no-untyped-def]
        client = client_for(clerk)
        page = client.get(f"/care/requests/{request_almaty.pk}/").content.decode()
        assert 'id="suggestions"' not in page
        response = client.post(f"/care/requests/{request_almaty.pk}/assign/", {"volunteers": [bob.pk]})
        assert response.status_code == 404
        assert not request_almaty.assignments.exists()


class TestPagesWork:
    def test_coordinator_assigns_suggested_volunteers_from_the_page(
        self, alice, bob, dana, request_almaty
    ) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        page = client.get(f"/care/requests/{request_almaty.pk}/").content.decode()
        assert 'id="suggestions"' in page and bob.full_name in page
        response = client.post(
            f"/care/requests/{request_almaty.pk}/assign/", {"volunteers": [bob.pk, dana.pk]}
        )
        assert response.status_code == 302
        request_almaty.refresh_from_db()
        assert (request_almaty.taken_hands, request_almaty.status) == (2, "assigned")

    def test_staff_remove_someone_in_their_own_words_and_the_volunteer_withdraws(  # type: ignore[no-untyped-def]
        self, alice, bob, dana, request_almaty
    ) -> None:
        staff, volunteer = client_for(alice), client_for(bob.user)
        for client in (staff, volunteer):
            client.cookies["django_language"] = "en"
        services.assignment_volunteer(request=request_almaty, volunteer=bob, by=alice)
        services.assignment_volunteer(request=request_almaty, volunteer=dana, by=alice)
        page = staff.get(f"/care/requests/{request_almaty.pk}/").content.decode()
        # Staff remove a volunteer; "Withdraw" is the volunteer's own word for their own place.
        assert ">Remove from this request</button>" in page and ">Withdraw</button>" not in page
        assert ">Withdraw</button>" in volunteer.get(f"/care/requests/{request_almaty.pk}/").content.decode()
        dana_place = request_almaty.assignments.get(volunteer=dana)
        response = staff.post(f"/care/assignments/{dana_place.pk}/withdraw/", follow=True)
        assert f"{dana.full_name}: removed from this request." in response.content.decode()
        bob_place = request_almaty.assignments.get(volunteer=bob)
        response = volunteer.post(f"/care/assignments/{bob_place.pk}/withdraw/", follow=True)
        assert "Withdrawn." in response.content.decode()

    def test_the_list_map_asks_the_api_for_the_chosen_region(self, alice, almaty, request_almaty) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        page = client.get(f"/care/requests/?region={almaty.pk}").content.decode()
        assert 'data-geojson="/api/care/requests/map/?region=75"' in page
        geo = client.get("/api/care/requests/map/?region=75").json()
        assert [f["properties"]["id"] for f in geo["features"]] == [request_almaty.pk]

    def test_the_map_shows_the_kind_the_list_is_filtered_to(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        """Looking for who can take medicine: the list shows the medicine requests, and so does
        the map above it (it showed the groceries and the snow too, more points than the list)."""
        import html
        import re

        medicine = HelpRequestFactory(kind="medicine")
        HelpRequestFactory(kind="groceries")
        HelpRequestFactory(kind="snow")
        client = client_for(alice)
        page = client.get(f"/care/requests/?region={almaty.pk}&kind=medicine").content.decode()
        match = re.search(r'data-geojson="([^"]*)"', page)
        assert match is not None
        assert page.count('class="shift-card care-card') == 1
        geo = client.get(html.unescape(match.group(1))).json()
        assert [f["properties"]["id"] for f in geo["features"]] == [medicine.pk]
        assert client.get("/api/care/requests/map/?kind=nonsense").status_code == 400

    def test_closing_from_the_page(self, alice, request_almaty) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(
            f"/care/requests/{request_almaty.pk}/close/",
            {"status": "cannot_help", "outcome_note": "Көлік жоқ"},
        )
        assert response.status_code == 302
        request_almaty.refresh_from_db()
        assert (request_almaty.status, request_almaty.outcome_note) == ("cannot_help", "Көлік жоқ")

    def test_done_with_nobody_going_is_refused_on_the_close_form(self, alice, request_almaty) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        response = client.post(
            f"/care/requests/{request_almaty.pk}/close/", {"status": "done", "outcome_note": "Бәрі жақсы"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        form = html.split(f'action="/care/requests/{request_almaty.pk}/close/"')[1].split("</form>")[0]
        assert "Nobody is going to this request, so it cannot be closed as “Done”." in form
        assert "Assign someone first, or close it as “Cannot help” or “Cancelled”." in form
        assert "Бәрі жақсы" in form  # the note as typed
        request_almaty.refresh_from_db()
        assert (request_almaty.status, request_almaty.outcome_note) == ("new", "")

    def test_volunteer_reports_someone_in_need(self, bob, alice) -> None:  # type: ignore[no-untyped-def]
        from .test_services import intake_data

        data = intake_data(bob.region)
        post = {k: ("on" if v is True else v) for k, v in data.items() if k != "region" and v is not False}
        post["due_from"] = data["due_from"].strftime("%Y-%m-%dT%H:%M")
        post["due_until"] = data["due_until"].strftime("%Y-%m-%dT%H:%M")
        response = client_for(bob.user).post("/care/report/", post)
        assert response.status_code == 302
        request = HelpRequest.objects.get()
        assert request.needs_check and request.region == bob.region
        assert request.pk in [
            r.pk for r in __import__("care.selectors").selectors.request_list_for_staff(user=alice)
        ]

    def test_a_point_outside_kazakhstan_is_an_error_under_its_own_field(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        from .test_services import intake_data

        data = intake_data(almaty, longitude="100.5")
        post = {k: (v.pk if hasattr(v, "pk") else ("on" if v is True else v)) for k, v in data.items()}
        post["due_from"] = data["due_from"].strftime("%Y-%m-%dT%H:%M")
        post["due_until"] = data["due_until"].strftime("%Y-%m-%dT%H:%M")
        response = client_for(alice).post("/care/requests/new/", post)
        assert response.status_code == 200 and not HelpRequest.objects.exists()
        assert list(response.context["form"].errors) == ["longitude"]

    def test_bad_input_is_a_form_error_not_a_500(self, alice, bob, request_almaty) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        response = client.post(
            "/care/requests/new/", {"latitude": "1e400", "due_from": "x", "needed_hands": "-1"}
        )
        assert response.status_code == 200
        assignment = services.assignment_volunteer(request=request_almaty, volunteer=bob, by=alice)
        response = client_for(bob.user).post(f"/care/assignments/{assignment.pk}/done/", {"hours": "NaN"})
        assert response.status_code == 200
        assert client.get("/care/requests/?region=abc&page=zz").status_code == 200

    def test_the_erase_page_counts_every_request_on_file(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        """Half a year of weekly shopping: the clerk reads how many requests go with the file."""
        beneficiary = BeneficiaryFactory()
        start = in_days(1)
        for week in range(26):
            HelpRequestFactory(beneficiary=beneficiary, due_from=start + datetime.timedelta(weeks=week))
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        page = client.get(f"/care/beneficiaries/{beneficiary.pk}/erase/").content.decode()
        assert "26 requests on file." in page

    def test_staff_close_as_done_and_record_the_hours_of_each_who_went(  # type: ignore[no-untyped-def]
        self, alice, bob, almaty
    ) -> None:
        """Two went, one of them without an account (she phoned the office): the coordinator
        closes the request and records each one's hours from the request's page."""
        from tests.factories import VolunteerFactory
        from volunteers.extensions import volunteer_total_hours

        walk_in = VolunteerFactory(region=almaty, last_name="Ахметова", first_name="Гүлнар")
        request = HelpRequestFactory(needed_hands=2, due_from=in_days(-1), due_until=in_days(-1, hour=13))
        for volunteer in (bob, walk_in):
            services.assignment_volunteer(request=request, volunteer=volunteer, by=alice)
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        client.post(f"/care/requests/{request.pk}/close/", {"status": "done", "outcome_note": ""})
        page = client.get(f"/care/requests/{request.pk}/").content.decode()
        for volunteer, hours in ((bob, "2"), (walk_in, "1.5")):
            place = request.assignments.get(volunteer=volunteer)
            assert f'href="/care/assignments/{place.pk}/done/"' in page
            form = client.get(f"/care/assignments/{place.pk}/done/").content.decode()
            assert volunteer.full_name in form
            response = client.post(f"/care/assignments/{place.pk}/done/", {"hours": hours}, follow=True)
            assert response.redirect_chain[-1][0] == f"/care/requests/{request.pk}/"
            assert f"{volunteer.full_name}: the hours have been recorded." in response.content.decode()
        assert (volunteer_total_hours(bob), volunteer_total_hours(walk_in)) == (Decimal("2"), Decimal("1.5"))
        request.refresh_from_db()
        assert (request.status, request.taken_hands) == ("done", 2)

    def test_office_staff_close_what_they_took_with_the_hours(self, alice, bob, clerk) -> None:  # type: ignore[no-untyped-def]
        """The pensioner calls the office back: the shopping came. The clerk closes the request
        and records the volunteer's hours from its page."""
        from volunteers.extensions import volunteer_total_hours

        request = HelpRequestFactory(due_from=in_days(-1), due_until=in_days(-1, hour=13))
        place = services.assignment_volunteer(request=request, volunteer=bob, by=alice)
        client = client_for(clerk)
        client.cookies["django_language"] = "en"
        page = client.get(f"/care/requests/{request.pk}/").content.decode()
        assert f'action="/care/requests/{request.pk}/close/"' in page
        response = client.post(
            f"/care/requests/{request.pk}/close/", {"status": "done", "outcome_note": "Апа алғысын айтты"}
        )
        assert response.status_code == 302
        client.post(f"/care/assignments/{place.pk}/done/", {"hours": "1.5"})
        request.refresh_from_db()
        assert (request.status, request.outcome_note) == ("done", "Апа алғысын айтты")
        assert volunteer_total_hours(bob) == Decimal("1.5")


class TestQueryCounts:
    def test_staff_list_does_not_grow_with_rows(self, alice, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        HelpRequestFactory.create_batch(2)
        with django_assert_max_num_queries(12) as few:
            client.get("/care/requests/")
        HelpRequestFactory.create_batch(25, urgency="urgent")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get("/care/requests/")

    def test_volunteer_page_does_not_grow_with_rows(self, alice, bob, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        services.assignment_volunteer(request=HelpRequestFactory(), volunteer=bob, by=alice)
        HelpRequestFactory.create_batch(2)
        with django_assert_max_num_queries(14) as few:
            client.get("/care/")
        for _ in range(10):
            services.assignment_volunteer(request=HelpRequestFactory(), volunteer=bob, by=alice)
        HelpRequestFactory.create_batch(20)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get("/care/")

    def test_map_and_api_list_do_not_grow_with_rows(self, alice, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        HelpRequestFactory.create_batch(2)
        with django_assert_max_num_queries(10) as few_map:
            client.get("/api/care/requests/map/")
        with django_assert_max_num_queries(10) as few_api:
            client.get("/api/care/requests/")
        HelpRequestFactory.create_batch(30)
        with django_assert_max_num_queries(len(few_map.captured_queries)):
            assert len(client.get("/api/care/requests/map/").json()["features"]) == 32
        with django_assert_max_num_queries(len(few_api.captured_queries)):
            assert client.get("/api/care/requests/").json()["count"] == 32


class TestIntakeConsent:
    """The intake page asks staff to read the consent aloud: it shows the text, and the text says
    what the app really does (who keeps the data and why, who sees the address, for how long,
    when it is erased, how to withdraw), with the configured numbers."""

    def test_intake_shows_the_consent_to_read_before_its_ticks(self, alice, settings) -> None:  # type: ignore[no-untyped-def]
        settings.CARE_CONTACT_DAYS_AFTER_DONE = 5
        settings.CARE_RETENTION_DAYS = 180
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        html = client.get("/care/requests/new/").content.decode()
        consent = html.split('id="consent-text"')[1].split("</section>")[0]
        for said in (
            "Volunteer Net",  # who keeps the data
            "in order to arrange this help",  # what for
            "Only they and those who go to you see your address and phone",  # who sees the address
            "for 5 days after the help at most",  # the contact window (CARE_CONTACT_DAYS_AFTER_DONE)
            "erased 180 days after your last request is closed",  # retention (CARE_RETENTION_DAYS)
            "withdraw your consent at any time",  # how to withdraw
            "Do you agree to be helped, and to have your data kept for this?",
        ):
            assert said in consent, said
        assert html.index('id="consent-text"') < html.index('name="consent_help"')

    def test_a_volunteer_reporting_someone_has_the_same_text_to_tell_them(self, bob, settings) -> None:  # type: ignore[no-untyped-def]
        # The report form's ticks say the person agreed; what they agreed to was nowhere.
        settings.CARE_CONTACT_DAYS_AFTER_DONE = 5
        settings.CARE_RETENTION_DAYS = 180
        client = client_for(bob.user)
        client.cookies["django_language"] = "en"
        html = client.get("/care/report/").content.decode()
        consent = html.split('id="consent-text"')[1].split("</section>")[0]
        assert "What the person agrees to: tell them before you send" in consent
        assert "for 5 days after the help at most" in consent and "erased 180 days after" in consent
        assert html.index('id="consent-text"') < html.index('name="consent_help"')


class TestPhoneDisplay:
    def test_request_page_groups_the_phone_and_dials_the_stored_number(self, alice) -> None:  # type: ignore[no-untyped-def]
        request = HelpRequestFactory(beneficiary=BeneficiaryFactory(phone="+77272551122"))
        html = client_for(alice).get(f"/care/requests/{request.pk}/").content.decode()
        phone = html.split('id="contact-phone"')[1].split("</dd>")[0]
        assert 'href="tel:+77272551122"' in phone
        assert ">+7 727 255 11 22</a>" in phone


def test_done_agrees_with_what_is_done_in_russian() -> None:
    """One English "Done", several Russian words: a request is «Выполнена», an assignment
    «Выполнено», the reports' count «Выполненные» beside «Открытые», and the file's date column
    «Дата выполнения», not a status word over a column of dates."""
    from django.utils import translation

    from care.models import Assignment, HelpRequest
    from reports.helprequests import help_request_columns

    with translation.override("ru"):
        assert str(HelpRequest.Status.DONE.label) == "Выполнена"
        assert str(Assignment.Status.DONE.label) == "Выполнено"
        columns = [str(c.header) for c in help_request_columns(None)]  # type: ignore[arg-type]
        assert "Дата выполнения" in columns and "Выполнена" not in columns
    with translation.override("kk"):
        assert str(HelpRequest.Status.DONE.label) == "Орындалды"
