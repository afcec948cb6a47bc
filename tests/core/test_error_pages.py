"""Errors answer with pages that say what happened and what to do, in the reader's language:
403, 404, 405 (a GET on a button's address), 500 and a failed CSRF check."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.test import Client
from django.utils import translation

from tests.conftest import client_for
from volunteers.models import Volunteer


def _in(lang: str, text: str) -> str:
    with translation.override(lang):
        translated = translation.gettext(text)
    assert translated != text, f"{text!r} has no {lang} translation"
    return translated


def _kk(client: Client) -> Client:
    client.cookies["django_language"] = "kk"
    return client


@pytest.mark.django_db
class TestErrorPages:
    def test_404_in_kazakh_with_a_way_on(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        response = _kk(client_for(bob.user)).get("/no-such-page/")
        assert response.status_code == 404
        html = response.content.decode()
        assert _in("kk", "Page not found") in html
        assert 'href="/start/"' in html

    @pytest.mark.urls("tests.core.error_urls")
    def test_403_in_kazakh(self, bob, client: Client) -> None:  # type: ignore[no-untyped-def]
        response = _kk(client).get("/forbidden/")
        assert response.status_code == 403
        html = response.content.decode()
        assert _in("kk", "Access denied") in html
        assert 'href="/accounts/login/?next=/forbidden/"' in html

    @pytest.mark.urls("tests.core.error_urls")
    def test_500_renders_without_a_request_context(self, client: Client) -> None:
        client.raise_request_exception = False
        response = _kk(client).get("/broken/")
        assert response.status_code == 500
        html = response.content.decode()
        assert '<html lang="kk">' in html
        assert _in("kk", "Something went wrong") in html
        assert "DEBUG" not in html and "Traceback" not in html and "a bug in a view" not in html
        client.cookies["django_language"] = "ru"
        assert _in("ru", "Something went wrong") in client.get("/broken/").content.decode()

    def test_500_template_needs_no_context(self) -> None:
        with translation.override("kk"):
            html = get_template("500.html").render()
        assert _in("kk", "Back to the home page") in html

    def test_csrf_failure_is_explained_and_nothing_is_saved(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)
        _kk(client)
        before = Volunteer.objects.count()
        response = client.post(
            "/roster/new/", {"last_name": "Бекова", "first_name": "Аружан", "region": almaty.pk}
        )
        assert response.status_code == 403
        html = response.content.decode()
        assert _in("kk", "The form could not be sent") in html
        assert 'href="/roster/new/"' in html
        assert "CSRF" not in html and "DEBUG" not in html
        assert Volunteer.objects.count() == before

    def test_csrf_failure_on_login_for_an_anonymous_visitor(self) -> None:
        client = _kk(Client(enforce_csrf_checks=True))
        response = client.post("/accounts/login/", {"username": "a@example.kz", "password": "x"})
        assert response.status_code == 403
        assert _in("kk", "Open the page again") in response.content.decode()
        # The login form is a page: it is the one to open again.
        assert 'href="/accounts/login/"' in response.content.decode()

    def test_csrf_failure_on_a_buttons_address_offers_the_page_of_the_button(self, bob) -> None:  # type: ignore[no-untyped-def]
        # "Log out" pressed in a tab left open: opening /accounts/logout/ again would only say
        # "this address is for a button".
        bob.refresh_from_db()
        client = _kk(Client(enforce_csrf_checks=True))
        client.force_login(bob.user)
        response = client.post("/accounts/logout/", HTTP_REFERER="http://testserver/campaigns/")
        assert response.status_code == 403
        html = response.content.decode()
        assert 'href="http://testserver/campaigns/"' in html
        assert 'href="/accounts/logout/"' not in html
        assert client.get("/campaigns/").status_code == 200
        # Without a Referer (or with another site's), the person's start page.
        for referer in ({}, {"HTTP_REFERER": "https://evil.example/me/"}):
            html = client.post("/accounts/logout-everywhere/", **referer).content.decode()
            assert 'href="/start/"' in html
            assert "evil.example" not in html and 'href="/accounts/logout-everywhere/"' not in html
        # Nothing happened: still logged in.
        assert client.get("/me/").status_code == 200


@pytest.mark.django_db
class TestMethodNotAllowed:
    def test_get_on_log_out_everywhere_is_a_page_with_a_way_back(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = _kk(client_for(bob.user))
        response = client.get("/accounts/logout-everywhere/")
        assert response.status_code == 405
        assert response["Allow"] == "POST"
        html = response.content.decode()
        assert _in("kk", "This address is for a button") in html
        assert 'href="/me/"' in html
        # Still logged in: nothing happened.
        assert client.get("/me/").status_code == 200

    def test_get_on_log_out_is_a_page_not_a_blank_405(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = _kk(client_for(bob.user))
        response = client.get("/accounts/logout/")
        assert response.status_code == 405
        assert _in("kk", "This address is for a button") in response.content.decode()
        assert client.get("/me/").status_code == 200
        # The header's button still logs out.
        assert client.post("/accounts/logout/").status_code == 302
        assert client.get("/me/").status_code == 302
