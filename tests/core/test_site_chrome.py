"""The header and footer every page shares are rendered once per language and navigation and
kept (volunteer_net/templatetags/chrome_tags.py): each person still sees their own sections in
their own language, the header's forms carry the request's own CSRF token, and the page's address
in the language switcher is escaped."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import client_for
from tests.factories import DetachmentFactory, UserFactory


def _header(html: str) -> str:
    match = re.search(r'<header class="site-header">.*?</header>', html, re.S)
    assert match, "no site header"
    return match.group(0)


def _links(header: str) -> set[str]:
    return set(re.findall(r'<a [^>]*href="([^"]+)"', header))


def _tokens(header: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', header)


@pytest.mark.django_db
class TestNavigation:
    def test_each_person_sees_their_own_sections_whoever_came_before(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        curator = UserFactory(email="teacher@example.kz")
        DetachmentFactory(region=almaty, curator=curator)
        bob.refresh_from_db()
        roster, detachments = reverse("roster:list"), reverse("detachments:list")
        my_shifts, login = reverse("events:my_shifts"), reverse("login")
        # Staff have their day's sections; the public pages and the rest are on their overview.
        staff_sections = {
            roster,
            reverse("overview"),
            reverse("events:manage_campaigns"),
            reverse("care:request_list"),
            reverse("reports:dashboard"),
            reverse("notifications:staff_list"),
        }
        expected = {
            "coordinator": (staff_sections, {my_shifts, login, reverse("map"), detachments}),
            "curator": ({detachments, my_shifts}, {roster, login}),
            "volunteer": ({my_shifts, reverse("profile")}, {roster, detachments, login}),
            "anonymous": ({login, reverse("register")}, {roster, my_shifts, reverse("profile")}),
        }
        clients = {
            "coordinator": client_for(alice),
            "curator": client_for(curator),
            "volunteer": client_for(bob.user),
            "anonymous": Client(),
        }
        # Twice round, so that each header after the first is one kept from an earlier request.
        for _ in range(2):
            for persona, client in clients.items():
                links = _links(_header(client.get("/campaigns/").content.decode()))
                present, absent = expected[persona]
                assert present <= links, (persona, present - links)
                assert not absent & links, (persona, absent & links)

    @pytest.mark.parametrize("language", ["kk", "ru", "en"])
    def test_in_the_pages_language(self, alice, language: str) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        for other in ("kk", "ru", "en"):  # every language's header is kept before ours is asked for
            client.get(f"/campaigns/?lang={other}")
        html = client.get(f"/campaigns/?lang={language}").content.decode()
        header = _header(html)
        footer = re.search(r'<footer class="site-footer">.*?</footer>', html, re.S)
        assert footer
        with translation.override(language):
            log_out, roster = translation.gettext("Log out"), translation.pgettext("navigation", "Roster")
            zone = translation.gettext("Times are shown in Almaty time (UTC+5).")
        assert log_out in header and f">{roster}</a>" in header
        assert zone in footer.group(0)
        assert 'aria-current="true" data-lang="' + language + '"' in header
        if language != "en":
            assert "Log out" not in header


@pytest.mark.django_db
class TestPerRequestValues:
    def test_the_header_forms_carry_a_working_token_of_this_request(self, alice) -> None:  # type: ignore[no-untyped-def]
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)
        client.get("/campaigns/")  # the header is kept from here on
        header = _header(client.get("/campaigns/").content.decode())
        tokens = _tokens(header)
        assert len(tokens) == 2  # log out, and the language switcher
        assert all(len(token) == 64 and token.isalnum() for token in tokens)
        response = client.post(
            reverse("set_language"),
            {"language": "ru", "next": "/campaigns/", "csrfmiddlewaretoken": tokens[1]},
        )
        assert response.status_code == 302
        response = client.post(reverse("logout"), {"csrfmiddlewaretoken": tokens[0]})
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session
        # Without the token the same post is refused: the token above is what let it through.
        client.force_login(alice)
        assert client.post(reverse("logout")).status_code == 403

    def test_the_switcher_returns_to_this_page_escaped(self, alice) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        client.get("/campaigns/?first=1")
        header = _header(client.get('/campaigns/?a=1&b="x"').content.decode())
        next_path: Any = re.search(r'<input name="next" type="hidden" value="([^"]*)">', header)
        assert next_path
        assert next_path.group(1) == "/campaigns/?a=1&amp;b=%22x%22"

    def test_the_header_shares_the_pages_token(self, alice) -> None:  # type: ignore[no-untyped-def]
        # The roster's own forms and the header's carry one masked token of the request: the
        # secret is masked once a page, not once for the page and again for the header.
        html = client_for(alice).get(reverse("roster:list")).content.decode()
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        assert len(tokens) == 1


@pytest.mark.django_db
class TestAssets:
    def test_every_page_names_the_hashed_files_as_static_does(self, alice, settings) -> None:  # type: ignore[no-untyped-def]
        from django.templatetags.static import static

        html = client_for(alice).get("/campaigns/").content.decode()
        for path in ("css/app.css", "favicon.svg", "js/nav.js", "js/forms.js", "js/guardian.js"):
            assert f'"{static(path)}"' in html


@pytest.mark.django_db
class TestSessions:
    """volunteer_net/sessions.py reads the session's row with one plain SELECT."""

    def test_a_logged_in_session_is_read_in_one_query(self, alice, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
        from django.contrib.sessions.backends.db import SessionStore as DjangoStore

        from volunteer_net.sessions import SessionStore

        client = client_for(alice)
        key = client.session.session_key
        with django_assert_num_queries(1):
            data = SessionStore(key).load()
        assert data == DjangoStore(key).load()
        assert data["_auth_user_id"] == str(alice.pk)

    def test_an_expired_or_unknown_session_is_none_and_forgotten(self, alice) -> None:  # type: ignore[no-untyped-def]
        import datetime

        from django.contrib.sessions.models import Session
        from django.utils import timezone

        from volunteer_net.sessions import SessionStore

        key = client_for(alice).session.session_key
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - datetime.timedelta(seconds=1)
        )
        store = SessionStore(key)
        assert store.load() == {}
        assert store.session_key is None
        unknown = SessionStore("x" * 32)
        assert unknown.load() == {}
        assert unknown.session_key is None
        # An expired session sends the person to log in again, as before.
        client = Client()
        client.cookies["sessionid"] = key
        assert client.get(reverse("roster:list")).status_code == 302
