"""National staff open accounts for coordinators and office staff in the admin without a password:
the owner chooses it through the welcome e-mail, and nobody else ever knows it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.services import registration_repeated
from accounts.tokens import activation_token, activation_uid
from regions.models import CoordinatorAssignment
from tests.conftest import client_for, mailed_link
from tests.factories import UserFactory

ADD_URL = "/admin/accounts/user/add/"
NEW_PASSWORD = "Жаңа-құпия-сөз-2026"


def _add(client: Client, *, email: str, language: str, region_id: int | None = None):  # type: ignore[no-untyped-def]
    data = {
        "email": email,
        "full_name": "Айгүл Сейітова",
        "language": language,
        "coordinator_assignments-TOTAL_FORMS": "1" if region_id else "0",
        "coordinator_assignments-INITIAL_FORMS": "0",
        "coordinator_assignments-MIN_NUM_FORMS": "0",
        "coordinator_assignments-MAX_NUM_FORMS": "1000",
    }
    if region_id:
        data["coordinator_assignments-0-region"] = str(region_id)
    return client.post(ADD_URL, data, HTTP_ACCEPT_LANGUAGE="ru")


@pytest.mark.django_db
class TestOpeningAnAccount:
    def test_the_add_form_asks_for_no_password(self, nora) -> None:  # type: ignore[no-untyped-def]
        page = client_for(nora).get(ADD_URL, HTTP_ACCEPT_LANGUAGE="ru")
        assert page.status_code == 200
        html = page.content.decode()
        assert 'name="password1"' not in html and 'name="password"' not in html
        assert 'name="full_name"' in html and 'name="language"' in html
        assert page.context["adminform"].form["language"].value() == "ru"

    def test_a_coordinator_chooses_their_password_through_the_mail_in_their_language(
        self, nora, almaty, django_capture_on_commit_callbacks
    ) -> None:  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            response = _add(
                client_for(nora, password_confirmed=True),
                email=" Aigul@Example.KZ ",
                language="kk",
                region_id=almaty.pk,
            )
        assert response.status_code == 302, response.context["adminform"].form.errors
        user = User.objects.get(email="aigul@example.kz")
        assert not user.has_usable_password()
        assert CoordinatorAssignment.objects.filter(user=user, region=almaty).exists()
        assert [m.to for m in mail.outbox] == [["aigul@example.kz"]]
        message = mail.outbox[0]
        assert message.subject == "Volunteer Net: есептік жазбаңыз дайын, құпия сөзіңізді таңдаңыз"
        assert "Сәлеметсіз бе, Айгүл Сейітова!" in message.body
        assert "http://testserver" not in message.body and "example.com" not in message.body

        # The link opens the form that sets the password; the password then logs in.
        client = Client()
        form_page = client.get(mailed_link(message, "/accounts/reset/"), follow=True)
        assert form_page.context["validlink"]
        done = client.post(
            form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert done.status_code == 302
        logged_in = Client()
        logged_in.post("/accounts/login/", {"username": "aigul@example.kz", "password": NEW_PASSWORD})
        assert logged_in.session["_auth_user_id"] == str(user.pk)
        # It works once.
        again = Client().get(mailed_link(message, "/accounts/reset/"), follow=True)
        assert not again.context["validlink"]

    def test_an_address_that_has_an_account_is_refused_and_nothing_is_sent(
        self, nora, alice, django_capture_on_commit_callbacks
    ) -> None:  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            response = _add(
                client_for(nora, password_confirmed=True), email="ALICE@example.kz", language="en"
            )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["email"] == [
            "Учётная запись с таким адресом эл. почты уже существует."
        ]
        assert User.objects.filter(email__iexact="alice@example.kz").count() == 1
        assert mail.outbox == []

    def test_a_coordinator_cannot_open_accounts(self, alice) -> None:  # type: ignore[no-untyped-def]
        alice.is_staff = True
        alice.save(update_fields=["is_staff"])
        assert _add(client_for(alice), email="x@example.kz", language="ru").status_code == 404
        assert not User.objects.filter(email="x@example.kz").exists()


@pytest.mark.django_db
class TestALapsedLink:
    def test_forgot_password_sends_a_link_to_an_account_without_a_password(self) -> None:
        user = UserFactory(email="office@example.kz")
        user.set_unusable_password()
        user.save()
        assert Client().post("/accounts/password_reset/", {"email": "office@example.kz"}).status_code == 302
        assert [m.to for m in mail.outbox] == [["office@example.kz"]]

    def test_a_deactivated_account_gets_no_link(self) -> None:
        user = UserFactory(email="gone@example.kz", is_active=False)
        user.set_unusable_password()
        user.save()
        Client().post("/accounts/password_reset/", {"email": "gone@example.kz"})
        assert mail.outbox == []

    def test_national_staff_send_the_link_again_to_those_still_without_a_password(
        self, nora, alice, django_capture_on_commit_callbacks
    ) -> None:  # type: ignore[no-untyped-def]
        waiting = UserFactory(email="waiting@example.kz")
        waiting.set_unusable_password()
        waiting.save()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(nora, password_confirmed=True).post(
                "/admin/accounts/user/",
                {"action": "send_welcome_again", "_selected_action": [waiting.pk, alice.pk]},
                HTTP_ACCEPT_LANGUAGE="ru",
                follow=True,
            )
        assert response.status_code == 200
        assert [m.to for m in mail.outbox] == [["waiting@example.kz"]]
        assert "Здравствуйте" in mail.outbox[0].body
        shown = [str(m) for m in response.context["messages"]]
        assert shown == [
            "Ссылка отправлена на 1 учётную запись.",
            "Пропущена 1 учётная запись: уже есть пароль или запись отключена.",
        ]


@pytest.mark.django_db
class TestNobodyElseSetsAPassword:
    def test_national_staff_neither_see_nor_set_a_persons_password(self, nora, alice) -> None:  # type: ignore[no-untyped-def]
        client = client_for(nora)
        page = client.get(f"/admin/accounts/user/{alice.pk}/change/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "../password/" not in html and "pbkdf2" not in html
        response = client.post(
            f"/admin/accounts/user/{alice.pk}/password/",
            {"password1": "n3w-Passw0rd!", "password2": "n3w-Passw0rd!"},
        )
        assert response.status_code == 403
        alice.refresh_from_db()
        assert not alice.check_password("n3w-Passw0rd!")

    def test_the_superuser_still_may_for_an_owner_who_lost_their_mailbox(self, alice) -> None:  # type: ignore[no-untyped-def]
        root = User.objects.create_superuser(email="root@example.kz", password="R00t-pass-2026")
        client = client_for(root)
        assert "../password/" in client.get(f"/admin/accounts/user/{alice.pk}/change/").content.decode()
        response = client.post(
            f"/admin/accounts/user/{alice.pk}/password/",
            {"password1": "n3w-Passw0rd!", "password2": "n3w-Passw0rd!"},
        )
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.check_password("n3w-Passw0rd!")


@pytest.mark.django_db
class TestBeforeARoleIsGiven:
    def test_an_account_without_a_role_is_told_what_comes_next(self, almaty) -> None:  # type: ignore[no-untyped-def]
        waiting = UserFactory(email="waiting@example.kz")
        client = client_for(waiting)
        page = client.get("/start/", follow=True, HTTP_ACCEPT_LANGUAGE="kk")
        assert page.redirect_chain[-1][0] == "/me/"
        assert "Бұл есептік жазбаға әлі рөл берілмеген." in page.content.decode()
        # Given a region, they land on its overview instead.
        CoordinatorAssignment.objects.create(user=waiting, region=almaty)
        assert client.get("/start/").url == "/overview/"
        assert "рөл берілмеген" not in client.get("/me/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()


@pytest.mark.django_db
class TestADeactivatedAccountStaysDeactivated:
    """National staff open a coordinator's account and deactivate it before its owner set a
    password. Registering as a volunteer with its address must not bring it back: the mailed
    confirmation used to activate it and log its owner in, coordinated region and all."""

    def _deactivated_coordinator(self, nora, almaty, capture) -> User:  # type: ignore[no-untyped-def]
        with capture(execute=True):
            _add(
                client_for(nora, password_confirmed=True),
                email="left@example.kz",
                language="ru",
                region_id=almaty.pk,
            )
        user = User.objects.get(email="left@example.kz")
        User.objects.filter(pk=user.pk).update(is_active=False)
        mail.outbox.clear()
        user.refresh_from_db()
        return user

    def test_registering_with_its_address_mails_no_confirmation(  # type: ignore[no-untyped-def]
        self, nora, almaty, django_capture_on_commit_callbacks
    ) -> None:
        self._deactivated_coordinator(nora, almaty, django_capture_on_commit_callbacks)
        data = {
            "account-email": "left@example.kz",
            "account-password1": "Tau-Samal-2026",
            "account-password2": "Tau-Samal-2026",
            "account-consent": "on",
            "profile-last_name": "Серікова",
            "profile-first_name": "Дана",
            "profile-birth_date": "1990-01-01",
            "profile-phone": "8 701 555 44 33",
            "profile-region": almaty.pk,
            "profile-preferred_language": "kk",
            "profile-preferred_channel": "email",
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post("/accounts/register/", data)
        assert response.status_code == 302 and response.url == "/accounts/register/done/"
        assert not any("/accounts/activate/" in message.body for message in mail.outbox)
        assert not User.objects.get(email="left@example.kz").is_active

    def test_a_confirmation_link_does_not_activate_it(  # type: ignore[no-untyped-def]
        self, nora, almaty, django_capture_on_commit_callbacks
    ) -> None:
        user = self._deactivated_coordinator(nora, almaty, django_capture_on_commit_callbacks)
        link = f"/accounts/activate/{activation_uid(user)}/{activation_token.make_token(user)}/"
        client = Client()
        assert not client.get(link).context["validlink"]
        client.post(link)
        user.refresh_from_db()
        assert not user.is_active
        assert client.get("/me/").status_code != 200

    def test_a_registration_awaiting_confirmation_still_gets_its_link_again(  # type: ignore[no-untyped-def]
        self, django_capture_on_commit_callbacks
    ) -> None:
        user = UserFactory(email="pending@example.kz", is_active=False)
        with django_capture_on_commit_callbacks(execute=True):
            registration_repeated(user=user, password="x", language="ru")
        assert "/accounts/activate/" in mail.outbox[-1].body
