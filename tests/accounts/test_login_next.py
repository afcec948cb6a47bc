"""Where the login form sends a person: the page they had opened (`next`) when they can use it,
else their own start page, never a "page not found", a button's 405 or the form again."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.factories import PASSWORD


def log_in(user: Any, next_url: str) -> tuple[Client, str]:
    """Open the login page with `next` as the site's redirects do, log in, return where to."""
    client = Client()
    address = "/accounts/login/?" + urlencode({"next": next_url})
    form = client.get(address)
    assert form.status_code == 200
    response = client.post(address, {"username": user.email, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302, response.content
    return client, response["Location"]


@pytest.mark.django_db
class TestLoginNext:
    def test_own_page_is_where_the_login_ends(self, alice) -> None:  # type: ignore[no-untyped-def]
        client, location = log_in(alice, "/roster/?status=active")
        assert location == "/roster/?status=active"
        assert client.get(location).status_code == 200

    @pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
    def test_another_site_is_never_the_destination(self, alice, next_url: str) -> None:  # type: ignore[no-untyped-def]
        _client, location = log_in(alice, next_url)
        assert location == "/start/"

    def test_volunteer_sent_a_coordinators_link_lands_on_their_profile(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client, location = log_in(bob.user, "/overview/")
        assert location == "/start/"
        page = client.get(location, follow=True)
        assert page.status_code == 200
        assert page.redirect_chain[-1][0] == "/me/"

    def test_coordinator_whose_region_was_taken_away_lands_on_their_profile(self, alice) -> None:  # type: ignore[no-untyped-def]
        alice.coordinator_assignments.all().delete()
        client, location = log_in(alice, "/overview/")
        assert client.get(location, follow=True).redirect_chain[-1][0] == "/me/"

    @pytest.mark.parametrize("next_url", ["/accounts/logout-everywhere/", "/accounts/logout/"])
    def test_a_buttons_address_gives_way_to_the_start_page(self, alice, next_url: str) -> None:  # type: ignore[no-untyped-def]
        client, location = log_in(alice, next_url)
        assert location == "/start/"
        assert client.get(location)["Location"] == "/overview/"
        # Nothing was done on the way: still logged in.
        assert client.get("/overview/").status_code == 200

    @pytest.mark.parametrize("next_url", ["/accounts/login/", "/no-such-page/", "/%00"])
    def test_the_form_itself_or_no_page_gives_way_to_the_start_page(self, alice, next_url: str) -> None:  # type: ignore[no-untyped-def]
        _client, location = log_in(alice, next_url)
        assert location == "/start/"


@pytest.mark.django_db
class TestLoginPageWhenLoggedIn:
    def test_says_who_is_logged_in_and_offers_their_page(self, alice) -> None:  # type: ignore[no-untyped-def]
        client = Client()
        client.force_login(alice)
        client.cookies["django_language"] = "en"
        html = client.get("/accounts/login/").content.decode()
        assert "You are already logged in as alice@example.kz" in html
        assert 'href="/start/"' in html

    def test_a_visitor_sees_only_the_form(self) -> None:
        html = Client().get("/accounts/login/").content.decode()
        assert 'id="already-logged-in"' not in html


@pytest.mark.django_db
class TestLogOut:
    def test_the_page_after_logging_out_says_so(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = Client()
        client.force_login(bob.user)
        client.cookies["django_language"] = "en"
        response = client.post("/accounts/logout/", follow=True)
        assert response.redirect_chain == [("/", 302)]
        assert "You have logged out" in response.content.decode()
        assert client.get("/me/").status_code == 302
        # Said once: the next page does not repeat it.
        assert "You have logged out" not in client.get("/").content.decode()
