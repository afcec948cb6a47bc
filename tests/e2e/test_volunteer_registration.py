"""A volunteer registers, corrects a mistake without retyping everything, confirms the address
by the mailed link, then edits the profile."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from regions.models import Region
from tests.conftest import mailed_link
from volunteers.models import Volunteer, VolunteerChange

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "aigerim.nurlanova@example.kz"
NEW_PASSWORD = "Tulpar-2026-zhuldyz"
LAST_NAME = "Нұрланова"
FIRST_NAME = "Әйгерім"
MIDDLE_NAME = "Серікқызы"
BIRTH_DATE = datetime.date(1998, 4, 12)


def field(page: Page, html_name: str) -> Locator:
    """The block of one form field (label, input, errors) rendered by includes/form_fields.html."""
    return page.locator(f"#field-{html_name}")


def assert_field_error(page: Page, html_name: str) -> None:
    block = field(page, html_name)
    expect(block).to_have_class("field field-error")
    expect(block.locator("ul.errorlist li")).not_to_have_count(0)
    expect(block.locator("ul.errorlist li").first).to_be_visible()


def test_register_with_a_phone_mistake_then_edit_profile(page: Page, live_server: Any) -> None:
    almaty = Region.objects.get(code="75")

    response = page.goto("/accounts/register/")
    assert response is not None and response.status == 200
    form = page.locator("form#register-form")
    form.locator("[name=account-email]").fill(EMAIL)
    form.locator("[name=account-password1]").fill(NEW_PASSWORD)
    form.locator("[name=account-password2]").fill(NEW_PASSWORD)
    form.locator("[name=account-consent]").check()
    form.locator("[name=profile-last_name]").fill(LAST_NAME)
    form.locator("[name=profile-first_name]").fill(FIRST_NAME)
    form.locator("[name=profile-middle_name]").fill(MIDDLE_NAME)
    form.locator("[name=profile-birth_date]").fill(BIRTH_DATE.isoformat())
    form.locator("[name=profile-phone]").fill("12345")
    form.locator("[name=profile-region]").select_option(str(almaty.pk))
    form.locator("[name=profile-locality]").fill("Алатау ауданы")
    form.locator("button[type=submit]").click()

    # The form comes back with the error next to the phone...
    expect(page).to_have_url(f"{live_server.url}/accounts/register/")
    assert_field_error(page, "profile-phone")
    expect(page.locator(".field-error")).to_have_count(1)
    # ...and nothing the person typed is lost (Django never re-renders passwords).
    form = page.locator("form#register-form")
    expect(form.locator("[name=account-email]")).to_have_value(EMAIL)
    expect(form.locator("[name=account-consent]")).to_be_checked()
    expect(form.locator("[name=profile-last_name]")).to_have_value(LAST_NAME)
    expect(form.locator("[name=profile-first_name]")).to_have_value(FIRST_NAME)
    expect(form.locator("[name=profile-middle_name]")).to_have_value(MIDDLE_NAME)
    expect(form.locator("[name=profile-birth_date]")).to_have_value(BIRTH_DATE.isoformat())
    expect(form.locator("[name=profile-phone]")).to_have_value("12345")
    expect(form.locator("[name=profile-region]")).to_have_value(str(almaty.pk))
    expect(form.locator("[name=profile-locality]")).to_have_value("Алатау ауданы")
    expect(form.locator("[name=account-password1]")).to_have_value("")
    assert not User.objects.filter(email=EMAIL).exists()
    assert not Volunteer.objects.filter(last_name=LAST_NAME).exists()

    # Corrected phone, written the everyday way; the passwords are typed again.
    form.locator("[name=account-password1]").fill(NEW_PASSWORD)
    form.locator("[name=account-password2]").fill(NEW_PASSWORD)
    form.locator("[name=profile-phone]").fill("8 701 123 45 67")
    before = timezone.now()
    form.locator("button[type=submit]").click()

    # Not logged in yet: the page asks to confirm the address by the mailed link.
    expect(page).to_have_url(f"{live_server.url}/accounts/register/done/")
    expect(page.locator("header a[href='/accounts/login/']")).to_be_visible()
    user = User.objects.get(email=EMAIL)
    assert not user.is_active
    # The live server runs in this process, so its mail lands in the same outbox.
    assert [m.to for m in mail.outbox] == [[EMAIL]]
    page.goto(mailed_link(mail.outbox[0], "/accounts/activate/"))
    page.locator("form#activate-form button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/me/")
    expect(page.locator("ul.messages .message-success")).to_be_visible()
    profile = page.locator("dl.profile")
    expect(profile).to_contain_text(f"{LAST_NAME} {FIRST_NAME} {MIDDLE_NAME}")
    expect(profile).to_contain_text("+7 701 123 45 67")
    expect(profile).to_contain_text(almaty.name_kk)
    # Confirmed and logged in: the header offers to log out.
    expect(page.locator("header form[action='/accounts/logout/'] button")).to_be_visible()

    user.refresh_from_db()
    assert user.is_active
    assert user.check_password(NEW_PASSWORD)
    volunteer = Volunteer.objects.get(user=user)
    assert (volunteer.last_name, volunteer.first_name, volunteer.middle_name) == (
        LAST_NAME,
        FIRST_NAME,
        MIDDLE_NAME,
    )
    assert volunteer.birth_date == BIRTH_DATE
    assert volunteer.phone == "+77011234567"
    assert volunteer.region == almaty
    assert volunteer.locality == "Алатау ауданы"
    assert volunteer.email == EMAIL
    assert volunteer.consent_at is not None
    assert before <= volunteer.consent_at <= timezone.now()
    assert volunteer.consent_version == settings.CONSENT_VERSION

    # Editing the profile: the same kind of mistake, then the correction.
    page.locator("main a[href='/me/edit/']").click()
    expect(page).to_have_url(f"{live_server.url}/me/edit/")
    form = page.locator("form#profile-form")
    expect(form.locator("[name=phone]")).to_have_value("+77011234567")
    form.locator("[name=locality]").fill("Медеу ауданы")
    form.locator("[name=phone]").fill("12345")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/me/edit/")
    assert_field_error(page, "phone")
    expect(page.locator(".field-error")).to_have_count(1)
    form = page.locator("form#profile-form")
    expect(form.locator("[name=phone]")).to_have_value("12345")
    expect(form.locator("[name=locality]")).to_have_value("Медеу ауданы")
    expect(form.locator("[name=last_name]")).to_have_value(LAST_NAME)
    expect(form.locator("[name=birth_date]")).to_have_value(BIRTH_DATE.isoformat())
    volunteer.refresh_from_db()
    assert volunteer.phone == "+77011234567"
    assert volunteer.locality == "Алатау ауданы"

    form.locator("[name=phone]").fill("+7 702 555 12 34")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/me/")
    expect(page.locator("ul.messages .message-success")).to_be_visible()
    expect(page.locator("dl.profile")).to_contain_text("+7 702 555 12 34")
    expect(page.locator("dl.profile")).to_contain_text("Медеу ауданы")
    volunteer.refresh_from_db()
    assert volunteer.phone == "+77025551234"
    assert volunteer.locality == "Медеу ауданы"
    assert volunteer.last_name == LAST_NAME
    change = VolunteerChange.objects.filter(volunteer=volunteer).first()  # newest first
    assert change is not None
    assert change.action == VolunteerChange.Action.UPDATE
    assert change.changed_by == user
    assert change.fields == ["locality", "phone"]
