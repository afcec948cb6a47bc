"""Re-authentication before sensitive actions (accounts/reauth.py): changing the e-mail,
deleting the account, exporting IINs need the password typed within REAUTH_MAX_AGE; otherwise
the "confirm your password" page, which returns to the action."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client, override_settings

from accounts.models import AuditEntry, User
from accounts.reauth import SESSION_KEY
from accounts.tokens import activation_token, activation_uid
from front_offices.models import FrontOffice
from tests.conftest import client_for
from tests.factories import PASSWORD, VolunteerFactory, iin_for
from tests.reports.conftest import period_query
from volunteers.models import Volunteer

CONFIRM = "/accounts/confirm-password/"


def _next_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path == CONFIRM
    return parse_qs(location.query)["next"][0]


def _confirm(client: Client, next_url: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(CONFIRM, {"password": password, "next": next_url})


def _profile(volunteer: Volunteer, **changes: str) -> dict[str, object]:
    return {
        "last_name": volunteer.last_name,
        "first_name": volunteer.first_name,
        "birth_date": volunteer.birth_date.isoformat(),
        "phone": volunteer.phone,
        "email": volunteer.email,
        "region": volunteer.region_id,
        "preferred_language": "kk",
        "preferred_channel": "email",
        **changes,
    }


@pytest.mark.django_db
class TestAccountDelete:
    def test_without_a_recent_password_the_page_asks_for_it_then_comes_back(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        assert _next_of(client.get("/me/delete/")) == "/me/delete/"
        page = client.get(CONFIRM + "?next=/me/delete/")
        assert page.status_code == 200 and 'name="password"' in page.content.decode()
        response = _confirm(client, "/me/delete/")
        assert response.status_code == 302 and response["Location"] == "/me/delete/"
        assert client.get("/me/delete/").status_code == 200
        assert client.post("/me/delete/", {"confirm": "yes"}).status_code == 302
        bob.refresh_from_db()
        assert bob.user_id is None and bob.anonymized_at is not None

    def test_a_post_without_a_recent_password_deletes_nothing(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        assert _next_of(client.post("/me/delete/", {"confirm": "yes"})) == "/me/delete/"
        assert User.objects.filter(pk=bob.user_id).exists()

    def test_logging_in_with_the_password_counts(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = Client()
        client.post("/accounts/login/", {"username": bob.user.email, "password": PASSWORD})
        assert isinstance(client.session[SESSION_KEY], int)
        assert client.get("/me/delete/").status_code == 200

    def test_logging_in_to_the_admin_with_the_password_counts(self, nora) -> None:  # type: ignore[no-untyped-def]
        client = Client()
        response = client.post("/admin/login/", {"username": nora.email, "password": PASSWORD})
        assert response.status_code == 302
        assert isinstance(client.session[SESSION_KEY], int)

    def test_a_mailed_link_that_logs_in_is_no_password_whatever_the_form_carries(self, almaty) -> None:  # type: ignore[no-untyped-def]
        """Whoever opens someone's confirmation link is logged in as them; a "password" field
        added to that form made it count as the password typed, and the e-mail could be
        changed (or the account deleted) at once."""
        person = VolunteerFactory(region=almaty, with_account=True)
        User.objects.filter(pk=person.user_id).update(is_active=False, last_login=None)
        person.user.refresh_from_db()
        link = f"/accounts/activate/{activation_uid(person.user)}/{activation_token.make_token(person.user)}/"
        client = Client()
        assert client.post(link, {"password": "anything at all"}).status_code == 302
        assert client.get("/me/").status_code == 200
        assert SESSION_KEY not in client.session
        assert _next_of(client.get("/me/delete/")) == "/me/delete/"

    @override_settings(REAUTH_MAX_AGE=600)
    def test_a_password_typed_too_long_ago_is_asked_again(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        session = client.session
        session[SESSION_KEY] = int(time.time()) - 601
        session.save()
        assert _next_of(client.get("/me/delete/")) == "/me/delete/"
        session[SESSION_KEY] = int(time.time()) - 590
        session.save()
        assert client.get("/me/delete/").status_code == 200

    def test_anonymous_is_sent_to_log_in(self, db) -> None:  # type: ignore[no-untyped-def]
        assert Client().get("/me/delete/")["Location"].startswith("/accounts/login/")
        assert Client().get(CONFIRM)["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
class TestConfirmPage:
    def test_wrong_password_is_a_form_error(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        response = _confirm(client, "/me/delete/", password="not-the-password")
        assert response.status_code == 200
        assert "password" in response.context["form"].errors
        assert SESSION_KEY not in client.session
        assert _next_of(client.get("/me/delete/")) == "/me/delete/"

    def test_the_page_speaks_kazakh_and_russian(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        kk = client.get(CONFIRM, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
        ru = client.get(CONFIRM, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        assert "Confirm your password" not in kk and "Confirm your password" not in ru
        wrong = client.post(CONFIRM, {"password": "x", "next": "/me/"}, HTTP_ACCEPT_LANGUAGE="ru")
        assert wrong.context["form"].errors["password"] == ["Неверный пароль."]

    @pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/me/", "javascript:alert(1)"])
    def test_next_outside_the_site_goes_to_the_profile(self, bob, unsafe: str) -> None:  # type: ignore[no-untyped-def]
        response = _confirm(client_for(bob.user), unsafe)
        assert response.status_code == 302 and response["Location"] == "/me/"

    @pytest.mark.parametrize("unusable", ["/overview/", "/accounts/logout-everywhere/", "/no-such-page/"])
    def test_next_the_person_cannot_open_goes_to_the_profile(self, bob, unusable: str) -> None:  # type: ignore[no-untyped-def]
        # A coordinator's page for a volunteer, a button's address: the password typed, the
        # person lands on their profile, not on a "page not found" or the 405 page.
        bob.refresh_from_db()
        client = client_for(bob.user)
        response = _confirm(client, unusable)
        assert response.status_code == 302 and response["Location"] == "/me/"
        assert client.get(response["Location"]).status_code == 200

    @override_settings(LOGIN_FAILURE_LIMIT=3, AXES_FAILURE_LIMIT=3)
    def test_wrong_passwords_lock_out_as_at_log_in(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        for _attempt in range(2):
            assert _confirm(client, "/me/delete/", password="guess").status_code == 200
        locked = _confirm(client, "/me/delete/", password="guess")
        assert locked.status_code == 429
        # Locked out: even the right password does not confirm, at log-in or here.
        assert _confirm(client, "/me/delete/").status_code == 429
        assert SESSION_KEY not in client.session
        login = Client().post("/accounts/login/", {"username": bob.user.email, "password": PASSWORD})
        assert login.status_code == 429


@pytest.mark.django_db
class TestEmailChange:
    def test_a_new_email_needs_the_password_and_is_not_saved_before(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = client_for(bob.user)
        response = client.post("/me/edit/", _profile(bob, email="new.address@example.kz"))
        assert _next_of(response) == "/me/edit/"
        bob.refresh_from_db()
        assert bob.email != "new.address@example.kz"
        assert _confirm(client, "/me/edit/")["Location"] == "/me/edit/"
        assert client.post("/me/edit/", _profile(bob, email="new.address@example.kz")).status_code == 302
        bob.refresh_from_db()
        assert bob.email == "new.address@example.kz"

    def test_other_changes_need_no_password(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        response = client_for(bob.user).post(
            "/me/edit/", _profile(bob, locality="Медеу ауданы", email=bob.email.upper())
        )
        assert response.status_code == 302 and response["Location"] == "/me/"
        bob.refresh_from_db()
        assert bob.locality == "Медеу ауданы"


@pytest.mark.django_db
class TestIinExport:
    def test_national_staff_confirm_the_password_before_iins_leave(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        bob.iin = iin_for(bob.birth_date)
        bob.save()
        client = client_for(nora)
        query = period_query(report="roster", file_format="csv", include_iin="on")
        next_url = _next_of(client.post("/reports/export/", query))
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED).exists()
        # The way back is the export page with the same choices, the IIN box ticked.
        assert urlsplit(next_url).path == "/reports/export/"
        assert parse_qs(urlsplit(next_url).query)["include_iin"] == ["on"]
        back = client.get(_confirm(client, next_url)["Location"])
        assert back.status_code == 200 and back.context["form"]["include_iin"].value() == "on"
        response = client.post("/reports/export/", query)
        assert response.status_code == 200
        assert bob.iin.encode() in b"".join(response.streaming_content)
        assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED).count() == 1

    def test_exports_without_iins_need_no_password(self, nora) -> None:  # type: ignore[no-untyped-def]
        response = client_for(nora).post("/reports/export/", period_query(report="roster", file_format="csv"))
        assert response.status_code == 200


@pytest.mark.django_db
class TestRolesInTheAdmin:
    """A national staff session left open (or stolen) is not enough to hand out roles."""

    def _grant(self, client: Client, user: User, almaty) -> object:  # type: ignore[no-untyped-def]
        return client.post(
            f"/admin/accounts/user/{user.pk}/change/",
            {
                "email": user.email,
                "full_name": user.full_name,
                "is_active": "on",
                "is_national_staff": "on",
                "is_staff": "on",
                "coordinator_assignments-TOTAL_FORMS": "1",
                "coordinator_assignments-INITIAL_FORMS": "0",
                "coordinator_assignments-0-region": almaty.pk,
            },
        )

    def test_making_someone_national_staff_asks_for_the_password_first(self, nora, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = client_for(nora)
        url = f"/admin/accounts/user/{bob.user.pk}/change/"
        assert _next_of(self._grant(client, bob.user, almaty)) == url
        bob.user.refresh_from_db()
        assert not bob.user.is_national_staff and not bob.user.coordinator_assignments.exists()

        assert _confirm(client, url).status_code == 302
        assert self._grant(client, bob.user, almaty).status_code == 302
        bob.user.refresh_from_db()
        assert bob.user.is_national_staff and bob.user.coordinator_assignments.get().region == almaty

    def test_a_coordinated_region_given_or_taken_on_its_own_page_asks_too(
        self, nora, alice, almaty, astana
    ) -> None:  # type: ignore[no-untyped-def]
        client = client_for(nora)
        response = client.post(
            "/admin/regions/coordinatorassignment/add/", {"user": alice.pk, "region": astana.pk}
        )
        assert _next_of(response) == "/admin/regions/coordinatorassignment/add/"
        assignment = alice.coordinator_assignments.get()
        response = client.post(
            "/admin/regions/coordinatorassignment/",
            {"action": "delete_selected", "_selected_action": [assignment.pk], "post": "yes"},
        )
        assert _next_of(response) == "/admin/regions/coordinatorassignment/"
        assert list(alice.coordinator_assignments.values_list("region", flat=True)) == [almaty.pk]

    def test_giving_the_front_office_staff_role_asks_too_the_offices_details_do_not(
        self, nora, bob, almaty
    ) -> None:  # type: ignore[no-untyped-def]
        office = FrontOffice.objects.create(
            name="Алматы фронт-офисі", region=almaty, address="Абай даңғылы, 1"
        )
        url = f"/admin/front_offices/frontoffice/{office.pk}/change/"
        data = {
            "name": office.name,
            "region": almaty.pk,
            "address": office.address,
            "visit_minutes": 30,
            "visitors_at_once": 2,
            "is_active": "on",
        }
        client = client_for(nora)
        assert _next_of(client.post(url, data | {"staff": [bob.user_id]})) == url
        assert not office.staff.exists()
        assert client.post(url, data | {"phone": "8 727 250 12 34"}).status_code == 302
        office.refresh_from_db()
        assert office.phone == "+77272501234"

        _confirm(client, url)
        assert client.post(url, data | {"staff": [bob.user_id]}).status_code == 302
        assert list(office.staff.all()) == [bob.user]

    def test_reading_needs_no_password(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        client = client_for(nora)
        assert client.get("/admin/accounts/user/").status_code == 200
        assert client.get(f"/admin/accounts/user/{bob.user_id}/change/").status_code == 200
        assert client.get("/admin/accounts/user/", {"q": "bob"}).status_code == 200
