"""Brute-force protection: the login page and the token endpoint lock an account after five
failures and an address after twenty, for fifteen minutes, whichever door was knocked on."""

from __future__ import annotations

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.lockout import KNOWN_BROWSER_COOKIE
from tests.conftest import client_for, mailed_link
from tests.factories import PASSWORD, UserFactory


def _login(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": email, "password": password})


def _token(client: APIClient, email: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/token/", {"email": email, "password": password}, format="json", **extra)


def _logged_in(client: Client) -> bool:
    return client.get("/me/").status_code == 200


@pytest.mark.django_db
class TestLoginPage:
    def test_five_wrong_then_right_is_refused(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = Client()
        client.cookies["django_language"] = "ru"
        for _attempt in range(4):
            assert _login(client, bob.user.email, "wrong-guess").status_code == 200
        fifth = _login(client, bob.user.email, "wrong-guess")
        assert fifth.status_code == 429
        assert "Слишком много неудачных попыток входа" in fifth.content.decode()

        right = _login(client, bob.user.email, PASSWORD)
        assert right.status_code == 429
        assert not _logged_in(client)
        # The counts are in the database, which every web process shares.
        assert AccessAttempt.objects.filter(username=bob.user.email).exists()

    def test_lock_is_per_account_whatever_the_case_or_address(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        for n in range(5):
            _login(Client(REMOTE_ADDR=f"10.0.0.{n}"), f"  {bob.user.email.upper()} ", "wrong-guess")
        client = Client(REMOTE_ADDR="10.0.0.99")
        client.cookies["django_language"] = "kk"
        refused = _login(client, bob.user.email, PASSWORD)
        assert refused.status_code == 429
        assert "Кірудің сәтсіз әрекеттері тым көп" in refused.content.decode()
        assert not _logged_in(client)

    def test_address_is_locked_after_twenty_failures_on_any_accounts(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        guesser = Client(REMOTE_ADDR="10.7.7.7")
        for n in range(19):
            assert _login(guesser, f"someone{n}@example.kz", "guess").status_code == 200
        assert _login(guesser, "someone-else@example.kz", "guess").status_code == 429
        assert _login(guesser, bob.user.email, PASSWORD).status_code == 429
        # Nobody else behind another address is affected, bob included.
        other = Client(REMOTE_ADDR="10.8.8.8")
        assert _login(other, bob.user.email, PASSWORD).status_code == 302
        assert _logged_in(other)

    def test_a_few_typos_from_a_shared_address_lock_nobody_out(self, bob) -> None:  # type: ignore[no-untyped-def]
        """A school behind one address: classmates' typos add up, but far below the address limit."""
        bob.refresh_from_db()
        school = "10.5.5.5"
        for n in range(8):
            _login(Client(REMOTE_ADDR=school), f"pupil{n}@example.kz", "typo")
        client = Client(REMOTE_ADDR=school)
        assert _login(client, bob.user.email, PASSWORD).status_code == 302

    def test_lock_ends_after_fifteen_minutes(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = Client()
        for _attempt in range(5):
            _login(client, bob.user.email, "wrong-guess")
        assert _login(client, bob.user.email, PASSWORD).status_code == 429
        AccessAttempt.objects.update(
            attempt_time=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(minutes=16)
        )
        assert _login(client, bob.user.email, PASSWORD).status_code == 302
        assert _logged_in(client)

    def test_setting_a_new_password_lifts_the_account_lock(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        for n in range(5):
            _login(Client(REMOTE_ADDR=f"10.1.1.{n}"), bob.user.email, "wrong-guess")
        client = Client()
        client.post("/accounts/password_reset/", {"email": bob.user.email})
        form_page = client.get(mailed_link(mail.outbox[0], "/accounts/reset/"), follow=True)
        client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "Jana-Qupia-77", "new_password2": "Jana-Qupia-77"},
        )
        assert _login(client, bob.user.email, "Jana-Qupia-77").status_code == 302
        assert _logged_in(client)


@pytest.mark.django_db
class TestPasswordChangePage:
    """Whoever finds a session open cannot try the owner's password there without end."""

    def _change(self, client: Client, old: str):  # type: ignore[no-untyped-def]
        return client.post(
            "/accounts/password_change/",
            {"old_password": old, "new_password1": "Jana-Qupia-77", "new_password2": "Jana-Qupia-77"},
        )

    def test_wrong_old_passwords_lock_out_as_at_log_in(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = client_for(bob.user)
        for _attempt in range(4):
            response = self._change(client, "wrong-guess")
            assert response.status_code == 200 and "old_password" in response.context["form"].errors
        assert self._change(client, "wrong-guess").status_code == 429
        assert self._change(client, PASSWORD).status_code == 429
        bob.user.refresh_from_db()
        assert bob.user.check_password(PASSWORD)
        # The log-in page is locked for the account as well.
        assert _login(Client(), bob.user.email, PASSWORD).status_code == 429

    def test_the_right_old_password_changes_it(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = client_for(bob.user)
        assert self._change(client, PASSWORD).status_code == 302
        bob.user.refresh_from_db()
        assert bob.user.check_password("Jana-Qupia-77")


@pytest.mark.django_db
class TestNobodyLocksTheOwnerOutOfTheirOwnBrowser:
    """Five wrong passwords from anywhere lock the account; repeated every quarter of an hour
    they would keep it locked for good. The browser where the owner logged in (or set a new
    password through the mailed link) only counts the failures from its own address."""

    def _lock_from_elsewhere(self, email: str) -> None:
        for n in range(5):
            _login(Client(REMOTE_ADDR=f"198.51.100.{n}"), email, "wrong-guess")

    def test_the_owner_logs_in_where_they_did_before(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        owners = Client(REMOTE_ADDR="10.9.9.9")
        assert _login(owners, bob.user.email, PASSWORD).status_code == 302
        owners.post("/accounts/logout/")
        self._lock_from_elsewhere(bob.user.email)

        assert _login(owners, bob.user.email, PASSWORD).status_code == 302
        assert _logged_in(owners)
        # Anywhere else the account stays locked, the guesser's next try included.
        assert _login(Client(REMOTE_ADDR="10.9.9.10"), bob.user.email, PASSWORD).status_code == 429
        assert _login(Client(REMOTE_ADDR="198.51.100.9"), bob.user.email, "guess-6").status_code == 429

    def test_a_new_password_set_through_the_link_marks_the_browser(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = Client(REMOTE_ADDR="10.9.9.11")
        client.post("/accounts/password_reset/", {"email": bob.user.email})
        form_page = client.get(mailed_link(mail.outbox[0], "/accounts/reset/"), follow=True)
        client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "Jana-Qupia-77", "new_password2": "Jana-Qupia-77"},
        )
        # The guesser locks the account again right after the reset lifted the lock.
        self._lock_from_elsewhere(bob.user.email)
        assert _login(client, bob.user.email, "Jana-Qupia-77").status_code == 302
        assert _logged_in(client)

    def test_the_browser_counts_its_own_failures(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        owners = Client(REMOTE_ADDR="10.9.9.12")
        _login(owners, bob.user.email, PASSWORD)
        for _attempt in range(5):
            _login(owners, bob.user.email, "wrong-guess")
        assert _login(owners, bob.user.email, PASSWORD).status_code == 429

    def test_a_browser_marked_for_another_account_or_a_forged_mark_does_not_help(self, bob, alice) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        alices = Client(REMOTE_ADDR="10.9.9.13")
        assert _login(alices, alice.email, PASSWORD).status_code == 302
        alices.post("/accounts/logout/")
        self._lock_from_elsewhere(bob.user.email)
        assert _login(alices, bob.user.email, PASSWORD).status_code == 429

        forged = Client(REMOTE_ADDR="10.9.9.14")
        forged.cookies[KNOWN_BROWSER_COOKIE] = "0" * 32
        assert _login(forged, bob.user.email, PASSWORD).status_code == 429
        assert not _logged_in(forged)

    def test_the_mark_lasts_a_year_in_the_browser_and_on_the_server_alike(self, bob, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        owners = Client(REMOTE_ADDR="10.9.9.15")
        response = _login(owners, bob.user.email, PASSWORD)
        assert response.cookies[KNOWN_BROWSER_COOKIE]["max-age"] == 365 * 24 * 60 * 60
        mark = owners.cookies[KNOWN_BROWSER_COOKIE].value
        owners.post("/accounts/logout/")
        self._lock_from_elsewhere(bob.user.email)

        # A browser that kept the cookie past its year (a clock set back, a copied cookie) has a
        # mark the server no longer accepts either: the lock holds there too.
        real_time = time.time
        monkeypatch.setattr(time, "time", lambda: real_time() + 366 * 24 * 60 * 60)
        assert _login(owners, bob.user.email, PASSWORD).status_code == 429
        monkeypatch.setattr(time, "time", lambda: real_time() + 364 * 24 * 60 * 60)
        assert owners.cookies[KNOWN_BROWSER_COOKIE].value == mark
        assert _login(owners, bob.user.email, PASSWORD).status_code == 302


@pytest.mark.django_db
class TestTokenEndpoint:
    def test_five_wrong_then_right_is_refused(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = APIClient()
        for _attempt in range(4):
            assert _token(client, bob.user.email, "wrong-guess").status_code == 400
        assert _token(client, bob.user.email, "wrong-guess").status_code == 429
        right = _token(client, bob.user.email, PASSWORD, HTTP_ACCEPT_LANGUAGE="ru")
        assert right.status_code == 429
        assert "token" not in right.json()
        assert "Слишком много неудачных попыток входа" in right.json()["detail"]
        assert right["Retry-After"] == str(15 * 60)

    def test_failures_on_the_api_lock_the_login_page_too(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        for _attempt in range(5):
            _token(APIClient(), bob.user.email, "wrong-guess")
        client = Client()
        assert _login(client, bob.user.email, PASSWORD).status_code == 429
        assert not _logged_in(client)

    def test_requests_are_throttled_per_address(self, monkeypatch, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        # The rate comes from settings (API_TOKEN_THROTTLE_RATE); DRF reads it once at import.
        monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth_token": "3/min"})
        client = APIClient(REMOTE_ADDR="10.3.3.3")
        for n in range(3):
            assert _token(client, f"nobody{n}@example.kz", "guess").status_code == 400
        throttled = _token(client, bob.user.email, PASSWORD)
        assert throttled.status_code == 429 and "token" not in throttled.json()
        assert _token(APIClient(REMOTE_ADDR="10.4.4.4"), bob.user.email, PASSWORD).status_code == 200


@pytest.mark.django_db
def test_client_address_is_read_from_our_proxy_only(settings) -> None:  # type: ignore[no-untyped-def]
    """Behind one proxy (NUM_PROXIES=1) the client is the address that proxy appended; what the
    client wrote into X-Forwarded-For itself cannot buy it a fresh count."""
    settings.NUM_PROXIES = 1
    user = UserFactory(email="dana@example.kz")
    for n in range(5):
        client = Client(REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.9")
        _login(client, f"x{n}@example.kz", "guess")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    assert _login(Client(), user.email, PASSWORD).status_code == 302
