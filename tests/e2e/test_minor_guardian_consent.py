"""A 15-year-old registers from a phone with a parent's details and confirms the address; the
personal link goes by SMS to the parent's phone (the minor's profile says where, and never shows
the link), the parent gives consent on their own phone, and the minor's profile then no longer asks
for it. Staff who hand the link over in person still see it and copy it with one press.

On the way: the guardian's fields show only once the birth date makes the person a minor, and a
mistake brings the error summary, which takes the focus and leads to the field."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from notifications.models import Message
from notifications.services import messages_send_due
from regions.models import CoordinatorAssignment, Region
from tests.conftest import mailed_link
from tests.e2e.conftest import log_in
from tests.factories import UserFactory, years_ago
from tests.notifications.conftest import clock
from volunteers.models import GuardianConsent, Volunteer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
EMAIL = "aruzhan.bekova@example.kz"
PASSWORD = "Zhuldyz-Tau-2026"


def sms_to_the_guardian(minor: Volunteer, capsys: pytest.CaptureFixture[str]) -> str:
    """The SMS the guardian's phone gets: the outbox is sent (at its first chance: no SMS goes out
    at night) and the console SMS backend's output read."""
    [message] = Message.objects.filter(subject_type="volunteers.guardian", subject_id=minor.pk)
    assert (message.channel, message.recipient_phone) == ("sms", "+77012223344")
    capsys.readouterr()
    with clock(message.next_attempt_at):
        messages_send_due(max_seconds=30)
    printed = capsys.readouterr().out
    assert "to +77012223344" in printed
    return printed


def test_minor_registers_and_the_guardian_consents_through_the_link(
    page: Page,
    browser: Browser,
    browser_context_args: dict[str, Any],
    live_server: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    almaty = Region.objects.get(code="75")
    page.set_viewport_size(PHONE)
    page.goto("/accounts/register/")
    form = page.locator("form#register-form")
    guardian = form.locator("#guardian-fields")
    # Nothing says the person is a minor yet: the guardian's fields wait.
    expect(guardian).to_be_hidden()

    form.locator("[name=account-email]").fill(EMAIL)
    form.locator("[name=account-password1]").fill(PASSWORD)
    form.locator("[name=account-password2]").fill(PASSWORD)
    form.locator("[name=account-consent]").check()
    form.locator("[name=profile-last_name]").fill("Бекова")
    form.locator("[name=profile-first_name]").fill("Аружан")
    birth_date = form.locator("[name=profile-birth_date]")
    birth_date.fill(years_ago(30).isoformat())
    expect(guardian).to_be_hidden()
    birth_date.fill(years_ago(15).isoformat())
    expect(guardian).to_be_visible()
    form.locator("[name=profile-phone]").fill("8 702 333 22 11")
    form.locator("[name=profile-region]").select_option(str(almaty.pk))
    form.locator("[name=profile-locality]").fill("Алматы")
    form.locator("[name=profile-guardian_name]").fill("Бекова Гүлжан")
    form.locator("[name=profile-guardian_relation]").select_option("mother")
    # The guardian's phone is forgotten.
    form.locator("button[type=submit]").click()

    # The page comes back with the summary focused; its link leads to the missing field.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    link = summary.locator("a[href='#id_profile-guardian_phone']")
    expect(link).to_be_visible()
    form = page.locator("form#register-form")
    expect(form.locator("#guardian-fields")).to_be_visible()
    link.click()
    guardian_phone = form.locator("[name=profile-guardian_phone]")
    expect(guardian_phone).to_be_focused()
    assert not Volunteer.objects.exists()

    guardian_phone.fill("+7 (701) 222-33-44")
    form.locator("[name=account-password1]").fill(PASSWORD)
    form.locator("[name=account-password2]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/register/done/")

    # The address is confirmed by the mailed link, which logs the minor in.
    assert [m.to for m in mail.outbox] == [[EMAIL]]
    page.goto(mailed_link(mail.outbox[0], "/accounts/activate/"))
    page.locator("form#activate-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/me/")
    next_step = page.locator("#guardian-next-step")
    expect(next_step).to_be_visible()
    # It says where the link went, with the number masked; the link itself is not on the page.
    expect(next_step.locator("#guardian-link-sent")).to_contain_text("+7 701 *** ** 44")
    expect(page.locator("#guardian-link")).to_have_count(0)
    assert "/guardian/" not in page.content()
    minor = Volunteer.objects.get(user__email=EMAIL)
    assert minor.status == Volunteer.Status.AWAITING_GUARDIAN and not minor.may_take_part()
    # "Send again" at once is refused with a reason, on the same page, and sends nothing more.
    next_step.locator("#guardian-link-send button[type=submit]").click()
    expect(page.locator(".messages .message-error")).to_be_visible()
    expect(page.locator("#guardian-next-step")).to_be_visible()
    assert Message.objects.filter(subject_type="volunteers.guardian").count() == 1

    # The coordinator, on a phone too, still sees the link to hand over in person and copies it.
    coordinator = UserFactory(email="coordinator@example.kz")
    CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
    staff_context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    try:
        staff = staff_context.new_page()
        log_in(staff, live_server, coordinator)
        staff.goto(f"/roster/{minor.pk}/guardian-consent/")
        field = staff.locator("#guardian-link")
        handed_url = field.input_value()
        assert "/guardian/" in handed_url
        # On a 360 px phone the whole link is in view (it wraps), and one press copies it.
        box = field.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
        staff_context.grant_permissions(["clipboard-read", "clipboard-write"])
        staff.locator("button[data-copy]").click()
        expect(staff.locator("[data-copied]")).not_to_be_empty()
        assert staff.evaluate("navigator.clipboard.readText()") == handed_url
    finally:
        staff_context.close()

    # The parent's phone gets the SMS with the link, and opens it: no account, no login.
    sms = sms_to_the_guardian(minor, capsys)
    found = re.search(r"https?://\S+/guardian/\S+/", sms)
    assert found is not None, sms
    guardian_url = found.group(0)
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    try:
        parent = context.new_page()
        parent.goto(urlsplit(guardian_url).path)
        consent_form = parent.locator("main form")
        expect(consent_form.locator("[name=guardian_name]")).to_have_value("Бекова Гүлжан")
        consent_form.locator("[name=agree]").check()
        consent_form.locator("button[type=submit]").click()
        expect(parent.locator("#guardian-done")).to_be_visible()
    finally:
        context.close()

    # Back on the minor's phone: the next step is gone.
    page.reload()
    expect(page.locator("dl.profile")).to_contain_text("Бекова Аружан")
    expect(page.locator("#guardian-next-step")).to_have_count(0)
    minor.refresh_from_db()
    assert minor.status == Volunteer.Status.ACTIVE and minor.may_take_part()
    assert minor.guardian_consent_at is not None
    consent = GuardianConsent.objects.get(volunteer=minor)
    assert consent.method == GuardianConsent.Method.LINK and consent.guardian_name == "Бекова Гүлжан"
    assert timezone.now() - consent.given_at < datetime.timedelta(minutes=5)


def test_without_javascript_the_guardian_fields_show(
    browser: Browser, browser_context_args: dict[str, Any]
) -> None:
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE, "java_script_enabled": False})
    try:
        page = context.new_page()
        page.goto("/accounts/register/")
        for name in ("guardian_name", "guardian_phone", "guardian_relation"):
            expect(page.locator(f"[name=profile-{name}]")).to_be_visible()
    finally:
        context.close()
