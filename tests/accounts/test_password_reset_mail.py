"""The "Forgot your password?" mail as its owner reads it: in their own language, with a link to
the site's address (SITE_URL), which opens the form to choose a new password."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

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
