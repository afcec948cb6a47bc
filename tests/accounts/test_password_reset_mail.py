"""The "Forgot your password?" mail as its owner reads it: in their own language, with a link to
the site's address (SITE_URL), which opens the form to choose a new password."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.utils import translation

from accounts.views import PasswordResetView
from tests.conftest import mailed_link
from tests.factories import UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def ask_for_a_link(email: str, **headers: str) -> mail.EmailMessage:
    # Asked from a browser set to English, through a host name that is not the site's.
    response = Client().post(
        "/accounts/password_reset/",
        {"email": email},
        HTTP_ACCEPT_LANGUAGE="en",
        HTTP_HOST="localhost",
        **headers,
    )
    assert response.status_code == 302
    [message] = mail.outbox
    return message


class TestPasswordResetMail:
    def test_goes_in_the_owners_language_with_the_sites_link(self, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language="ru", with_account=True)
        message = ask_for_a_link(person.user.email)
        assert message.subject == "Volunteer Net: установка нового пароля"
        assert "Здравствуйте" in message.body and "Hello" not in message.body
        html = message.alternatives[0].content  # type: ignore[union-attr]
        assert f'href="{settings.SITE_URL}/accounts/reset/' in html
        assert (
            f"\n{settings.SITE_URL}/accounts/reset/" in message.body
            and "http://localhost/" not in message.body
        )
        # The link opens the form to choose the password.
        page = Client().get(mailed_link(message, "/accounts/reset/"), follow=True)
        assert page.status_code == 200 and 'name="new_password1"' in page.content.decode()

    def test_an_account_without_a_profile_gets_the_pages_language(self) -> None:
        user = UserFactory(email="clerk@example.kz")
        message = ask_for_a_link(user.email)
        assert "Hello" in message.body

    def test_says_how_long_the_link_works(self, almaty) -> None:  # type: ignore[no-untyped-def]
        # Opened on the fourth day, a link that never said it expires reads as broken.
        days = settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)
        assert days == 3
        message = ask_for_a_link(UserFactory(email="clerk@example.kz").email)
        assert "The link works once and for 3 days." in message.body
        assert "The link works once and for 3 days." in message.alternatives[0].content  # type: ignore[union-attr]
        person = VolunteerFactory(region=almaty, preferred_language="ru", with_account=True)
        mail.outbox.clear()
        message = ask_for_a_link(person.user.email)
        with translation.override("ru"):
            expected = translation.ngettext(
                "The link works once and for %(days)s day.", "The link works once and for %(days)s days.", 3
            ) % {"days": 3}
        assert expected != "The link works once and for 3 days."
        assert expected in message.body


def _close(response) -> None:  # type: ignore[no-untyped-def]
    """What the server does once the answer has gone (as the test client does it: without
    closing the test's database connection)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def test_the_link_leaves_after_the_answer_so_it_takes_as_long_for_any_address(almaty) -> None:  # type: ignore[no-untyped-def]
    """Sent while the page waited, the mail made the answer slower for an address with an
    account than for one without: a stopwatch told which addresses are registered."""
    person = VolunteerFactory(region=almaty, preferred_language="kk", with_account=True)
    view = PasswordResetView.as_view()
    for email, mailed in (("nobody@example.kz", 0), (person.user.email, 1)):
        mail.outbox.clear()
        request = RequestFactory().post("/accounts/password_reset/", {"email": email})
        request.session = SessionStore()
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        with translation.override("ru"):
            response = view(request)
        assert response.status_code == 302
        # The answer is complete; nothing has been sent yet.
        assert mail.outbox == []
        _close(response)
        assert len(mail.outbox) == mailed
    [message] = mail.outbox
    assert message.to == [person.user.email] and "Сәлеметсіз бе" in message.body
    page = Client().get(mailed_link(message, "/accounts/reset/"), follow=True)
    assert page.status_code == 200 and 'name="new_password1"' in page.content.decode()


def test_a_mail_server_that_is_down_does_not_break_the_answer(bob, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bob.refresh_from_db()

    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    response = Client().post("/accounts/password_reset/", {"email": bob.user.email})
    assert response.status_code == 302 and response.url == "/accounts/password_reset/done/"
