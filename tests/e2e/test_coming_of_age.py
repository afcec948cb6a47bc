"""On a phone, in Kazakh: someone who registered at 17, whose guardian never answered, is 18 now.
The shift they want says what is missing and leads to the profile, where they give their own
consent, and the sign-up goes through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from events.models import Signup
from regions.models import CoordinatorAssignment
from tests.e2e.test_campaign_signup import _log_in_on_phone
from tests.e2e.test_pages_phone_a11y import _check, _set_language
from tests.events.factories import CampaignFactory, ShiftFactory, in_days
from tests.factories import ComeOfAgeFactory, UserFactory
from volunteers.models import Volunteer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_come_of_age_gives_their_own_consent_and_signs_up(
    page: Page, live_server: Any, login: Callable[[Any], None], almaty: Any
) -> None:
    person = ComeOfAgeFactory(region=almaty, with_account=True, first_name="Аружан")
    shift = ShiftFactory(
        campaign=CampaignFactory(title="Көктемгі тазалық", region=almaty), starts_at=in_days(3, 10)
    )
    _set_language(page, live_server, "kk")
    _log_in_on_phone(page, login, person.user)

    # The profile, where a volunteer lands, fits the phone and passes axe with its new section.
    problems: list[str] = []
    _check(page, "/me/", 200, problems, "[come of age, kk]")
    assert not problems, "\n".join(problems)
    expect(page.locator("#own-consent")).to_be_visible()

    page.goto(f"/shifts/{shift.pk}/")
    expect(page.locator("#refusal")).to_contain_text("18 жасқа толды")
    page.locator("#refusal-next-step").click()
    section = page.locator("#own-consent")
    expect(section).to_be_in_viewport()
    # Without the box ticked: told so, nothing changes.
    section.locator("button[type=submit]").click()
    expect(page.locator("#own-consent .errorlist")).to_be_visible()
    page.locator("#own-consent input[name=agree]").check()
    page.locator("#own-consent button[type=submit]").click()
    expect(page.locator("ul.messages .message-success")).to_be_visible()
    expect(page.locator("#own-consent")).to_have_count(0)
    person.refresh_from_db()
    assert person.status == Volunteer.Status.ACTIVE

    page.goto(f"/shifts/{shift.pk}/signup/")
    page.locator("#signup-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/my-shifts/")
    assert Signup.objects.get(volunteer=person, shift=shift).status == "confirmed"


def test_a_coordinator_records_the_form_they_signed_on_a_phone(
    page: Page, live_server: Any, login: Callable[[Any], None], almaty: Any
) -> None:
    person = ComeOfAgeFactory(region=almaty, first_name="Аружан")
    coordinator = UserFactory(email="coordinator@example.kz")
    CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
    _set_language(page, live_server, "ru")
    _log_in_on_phone(page, login, coordinator)
    page.goto(f"/roster/{person.pk}/")
    page.locator("#own-consent-link").click()
    problems: list[str] = []
    _check(page, page.url, 200, problems, "[coordinator, ru]")
    assert not problems, "\n".join(problems)
    page.locator("input[name=document_number]").fill("75-301")
    page.locator("input[name=confirm]").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/roster/{person.pk}/")
    expect(page.locator("ul.messages .message-success")).to_contain_text("Согласие записано")
    person.refresh_from_db()
    assert (person.status, person.consent_document) == (Volunteer.Status.ACTIVE, "75-301")
