"""A teacher curating a school detachment registers a pupil from a phone, records the guardian's
written consent, and cannot open another school's detachment."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories import DetachmentFactory, UserFactory, years_ago
from volunteers.models import Volunteer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_curator_adds_a_pupil_and_records_consent_on_a_phone(
    page: Page, live_server: Any, login: Callable[[Any], None], almaty: Any
) -> None:
    teacher = UserFactory(email="teacher@example.kz", full_name="Мұғалім Айжан")
    detachment = DetachmentFactory(region=almaty, curator=teacher, school_name="№ 25 мектеп-гимназия")
    other = DetachmentFactory(region=almaty, school_name="№ 7 мектеп")

    login(teacher)
    # A curator starts on the list of their detachments.
    expect(page).to_have_url(f"{live_server.url}/detachments/")
    page.set_viewport_size({"width": 390, "height": 844})
    # The navigation folds into a menu on a phone.
    nav_link = page.locator("header nav a[href='/detachments/']")
    expect(nav_link).to_be_hidden()
    page.locator("header button[aria-controls=site-nav]").click()
    nav_link.click()
    expect(page.locator("main table")).to_contain_text("№ 25 мектеп-гимназия")
    expect(page.locator("main table")).not_to_contain_text("№ 7 мектеп")

    page.locator(f"main a[href='/detachments/{detachment.pk}/']").click()
    page.locator(f"main a[href='/detachments/{detachment.pk}/members/new/']").click()
    form = page.locator("main form")
    form.locator("[name=last_name]").fill("Бекова")
    form.locator("[name=first_name]").fill("Аружан")
    form.locator("[name=birth_date]").fill(years_ago(12).isoformat())
    form.locator("[name=phone]").fill("8 702 333 22 11")
    form.locator("[name=guardian_name]").fill("Бекова Гүлжан")
    form.locator("[name=guardian_phone]").fill("+7 (701) 222-33-44")
    form.locator("[name=guardian_relation]").select_option("mother")
    form.locator("button[type=submit]").click()

    # Under 14 without written consent: registered, and flagged as needing it.
    expect(page).to_have_url(f"{live_server.url}/detachments/{detachment.pk}/")
    row = page.locator("#members-table tbody tr", has_text="Бекова Аружан")
    expect(row).to_be_visible()
    member = Volunteer.objects.get(last_name="Бекова")
    assert member.detachment == detachment and member.region == almaty
    assert member.guardian_phone == "+77012223344"
    assert member.guardian_consent_at is None and not member.may_take_part()

    assert member.status == Volunteer.Status.AWAITING_GUARDIAN

    # The consent page offers the guardian's personal link and the paper form, with its document.
    row.locator(f"a[href='/detachments/{detachment.pk}/members/{member.pk}/guardian-consent/']").click()
    expect(page.locator("#guardian-link")).to_have_value(re.compile(r"/guardian/"))
    form = page.locator("main form", has=page.locator("input[name=action][value=record]"))
    form.locator("[name=document_number]").fill("25-3")
    form.locator("[name=document_date]").fill("2026-11-20")
    form.locator("[name=confirm]").check()
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/detachments/{detachment.pk}/")
    expect(page.locator("ul.messages .message-success")).to_be_visible()
    member.refresh_from_db()
    assert member.guardian_consent_at is not None and member.guardian_consent_recorded_by == teacher
    assert member.may_take_part() and member.status == Volunteer.Status.ACTIVE
    assert member.guardian_consents.get().document_number == "25-3"

    response = page.goto(f"/detachments/{other.pk}/")
    assert response is not None and response.status == 404
