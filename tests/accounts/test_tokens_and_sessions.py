"""API tokens expire and can be revoked; a password change, a password reset and "log out
everywhere" end the other sessions and every token."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User, api_token_digest
from tests.conftest import mailed_link
from tests.factories import PASSWORD


def _token_for(user: User) -> str:
    response = APIClient().post(
        "/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def _api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _session(user: User, password: str = PASSWORD) -> Client:
    """A real log-in through the page (force_login would skip what is being tested)."""
    client = Client()
    assert client.post("/accounts/login/", {"username": user.email, "password": password}).status_code == 302
    return client


def _logged_in(client: Client) -> bool:
    return client.get("/me/").status_code == 200


@pytest.mark.django_db
class TestTokenExpiry:
    def test_token_older_than_the_ttl_is_refused(self, bob, settings) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        settings.TOKEN_TTL_HOURS = 24
        token = _token_for(bob.user)
        assert _api(token).get("/api/me/").status_code == 200
        ApiToken.objects.filter(digest=api_token_digest(token)).update(
            created=timezone.now() - datetime.timedelta(hours=25)
        )
        refused = _api(token).get("/api/me/", HTTP_ACCEPT_LANGUAGE="kk")
        assert refused.status_code == 401
        assert refused.json()["detail"] == "Токеннің мерзімі өтті. Жаңасын алу үшін қайта кіріңіз."

    def test_logging_in_again_after_expiry_gives_a_new_token(self, bob, settings) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        old = _token_for(bob.user)
        ApiToken.objects.filter(digest=api_token_digest(old)).update(
            created=timezone.now() - datetime.timedelta(hours=settings.TOKEN_TTL_HOURS + 1)
        )
        new = _token_for(bob.user)
        assert new != old
        # The expired one is cleared away by the log-in.
        assert list(ApiToken.objects.filter(user=bob.user).values_list("digest", flat=True)) == [
            api_token_digest(new)
        ]
        assert _api(new).get("/api/me/").status_code == 200
        assert _api(old).get("/api/me/").status_code == 401


@pytest.mark.django_db
class TestTokenRevoke:
    def test_revoke_own_token(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        token = _token_for(bob.user)
        client = _api(token)
        assert client.post("/api/auth/token/revoke/").status_code == 204
        assert not ApiToken.objects.filter(user=bob.user).exists()
        assert client.get("/api/me/").status_code == 401

    def test_revoke_ends_the_token_sent_and_no_other(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        script, phone = _api(_token_for(bob.user)), _api(_token_for(bob.user))
        assert script.post("/api/auth/token/revoke/").status_code == 204
        assert script.get("/api/me/").status_code == 401
        assert phone.get("/api/me/").status_code == 200
        assert ApiToken.objects.filter(user=bob.user).count() == 1

    def test_revoke_from_a_browser_session_ends_every_token(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        tokens = [_token_for(bob.user), _token_for(bob.user)]
        browser = APIClient()
        browser.force_login(bob.user)
        assert browser.post("/api/auth/token/revoke/").status_code == 204
        assert [_api(token).get("/api/me/").status_code for token in tokens] == [401, 401]
        assert not ApiToken.objects.filter(user=bob.user).exists()

    def test_revoke_needs_credentials(self) -> None:
        assert APIClient().post("/api/auth/token/revoke/").status_code == 401


@pytest.mark.django_db
class TestPasswordChange:
    def test_change_keeps_this_session_ends_others_and_revokes_tokens(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        here, elsewhere = _session(bob.user), _session(bob.user)
        token = _token_for(bob.user)
        response = here.post(
            "/accounts/password_change/",
            {"old_password": PASSWORD, "new_password1": "Jana-Qupia-77", "new_password2": "Jana-Qupia-77"},
        )
        assert response.status_code == 302
        # The page says what the change did beyond the password.
        here.cookies["django_language"] = "en"
        assert "logged out on all other devices, and your API tokens revoked" in (
            here.get(response["Location"]).content.decode()
        )
        assert _logged_in(here)
        assert not _logged_in(elsewhere)
        assert _api(token).get("/api/me/").status_code == 401
        assert not ApiToken.objects.filter(user=bob.user).exists()

    def test_reset_ends_sessions_and_revokes_tokens(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        elsewhere = _session(bob.user)
        token = _token_for(bob.user)
        client = Client()
        client.post("/accounts/password_reset/", {"email": bob.user.email})
        form_page = client.get(mailed_link(mail.outbox[0], "/accounts/reset/"), follow=True)
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "Jana-Qupia-77", "new_password2": "Jana-Qupia-77"},
        )
        assert done.status_code == 302
        client.cookies["django_language"] = "en"
        assert "logged out on every device, and your API tokens revoked" in (
            client.get(done["Location"]).content.decode()
        )
        assert not _logged_in(elsewhere)
        assert _api(token).get("/api/me/").status_code == 401
        assert not ApiToken.objects.filter(user=bob.user).exists()


@pytest.mark.django_db
class TestResetLinkOfADeactivatedAccount:
    def test_sets_no_password(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = Client()
        client.post("/accounts/password_reset/", {"email": bob.user.email})
        link = mailed_link(mail.outbox[0], "/accounts/reset/")
        form_page = client.get(link, follow=True)
        User.objects.filter(pk=bob.user.pk).update(is_active=False)

        response = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "Jana-Qupia-77", "new_password2": "Jana-Qupia-77"},
        )
        assert response.status_code == 200 and not response.context["validlink"]
        assert not Client().get(link, follow=True).context["validlink"]
        bob.user.refresh_from_db()
        assert bob.user.check_password(PASSWORD)

    def test_an_active_account_still_sets_one(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = Client()
        client.post("/accounts/password_reset/", {"email": bob.user.email})
        page = client.get(mailed_link(mail.outbox[0], "/accounts/reset/"), follow=True)
        assert page.context["validlink"]
        client.post(
            page.redirect_chain[-1][0], {"new_password1": "Jana-Qupia-77", "new_password2": "Jana-Qupia-77"}
        )
        bob.user.refresh_from_db()
        assert bob.user.check_password("Jana-Qupia-77")


@pytest.mark.django_db
class TestLogOutEverywhere:
    def test_ends_other_sessions_and_tokens_but_not_this_one(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        here, elsewhere = _session(bob.user), _session(bob.user)
        token = _token_for(bob.user)
        assert 'action="/accounts/logout-everywhere/"' in here.get("/me/").content.decode()

        here.cookies["django_language"] = "ru"
        response = here.post("/accounts/logout-everywhere/", follow=True)
        assert response.status_code == 200
        assert "Вы вышли из системы на всех других устройствах" in response.content.decode()
        assert _logged_in(here)
        assert not _logged_in(elsewhere)
        assert _api(token).get("/api/me/").status_code == 401
        bob.user.refresh_from_db()
        assert bob.user.session_epoch == 1
        assert bob.user.check_password(PASSWORD), "the password stays as it is"
        # A new log-in works as before.
        assert _logged_in(_session(bob.user))

    def test_needs_post_and_login(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = _session(bob.user)
        assert client.get("/accounts/logout-everywhere/").status_code == 405
        assert Client().post("/accounts/logout-everywhere/").status_code == 302  # to the login page
        bob.user.refresh_from_db()
        assert bob.user.session_epoch == 0


class TestSessionExpiry:
    def test_a_session_ends_session_cookie_age_after_the_log_in(self, bob, settings) -> None:  # type: ignore[no-untyped-def]
        from django.contrib.sessions.models import Session

        settings.SESSION_COOKIE_AGE = 3600
        client = Client()
        login = client.post("/accounts/login/", {"username": bob.user.email, "password": PASSWORD})
        assert login.status_code == 302 and client.get("/me/").status_code == 200
        session = Session.objects.get()
        # Set by the log-in from the setting (give or take the seconds the test took).
        left = session.expire_date - timezone.now()
        assert datetime.timedelta(minutes=59) < left <= datetime.timedelta(hours=1)
        Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
        page = client.get("/me/")
        assert page.status_code == 302 and page.url.startswith("/accounts/login/")


class TestApiCsrf:
    @pytest.mark.parametrize(
        ("language", "words"),
        [("en", "nothing was saved"), ("ru", "ничего не сохранено"), ("kk", "ештеңе сақталмады")],
    )
    def test_a_session_post_without_the_csrf_token_is_refused_in_the_clients_language(
        self, bob, language: str, words: str
    ) -> None:  # type: ignore[no-untyped-def]
        # DRF's own answer was "CSRF Failed: CSRF token missing." in every language.
        bob.refresh_from_db()
        token = _token_for(bob.user)
        client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(bob.user)
        response = client.post("/api/auth/token/revoke/")
        assert response.status_code == 403
        detail = response.json()["detail"]
        assert words in detail.lower() and "CSRF Failed" not in detail
        assert ApiToken.objects.filter(digest=api_token_digest(token)).exists()
