"""On a phone (390 px): a volunteer finds a campaign, signs up for a shift, sees it in "my shifts"
and cancels; a coordinator marks attendance at the place and the hours appear on the volunteer's
"my shifts"."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from events import services
from events.models import Signup
from tests.events.factories import CampaignFactory, ShiftFactory, in_days
from tests.factories import VolunteerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _open_menu_link(page: Page, href: str) -> None:
    """The navigation folds into a menu on a phone."""
    link = page.locator(f"header nav a[href='{href}']")
    expect(link).to_be_hidden()
    page.locator("header button[aria-controls=site-nav]").click()
    link.click()


def _log_in_on_phone(page: Page, login: Callable[[Any], None], user: Any) -> None:
    # The login fixture checks the header's log-out button, which a phone keeps in the menu.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(user)
    page.set_viewport_size(PHONE)


def _log_out(page: Page) -> None:
    page.locator("header button[aria-controls=site-nav]").click()
    page.locator("header form[action='/accounts/logout/'] button").click()


def test_volunteer_finds_signs_up_and_cancels(
    page: Page, live_server: Any, login: Callable[[Any], None], almaty: Any
) -> None:
    bob = VolunteerFactory(region=almaty, with_account=True, last_name="Қасымов", first_name="Бауыржан")
    campaign = CampaignFactory(title="Көктемгі тазалық", kind="ecology", region=almaty)
    CampaignFactory(title="Қарттарға көмек", kind="elderly", region=almaty)
    shift = ShiftFactory(
        campaign=campaign, place_name="Есентай саябағы", starts_at=in_days(3, 10), capacity=5
    )

    _log_in_on_phone(page, login, bob.user)
    _open_menu_link(page, "/campaigns/")
    # Filter by kind: the eco campaign stays, the other goes.
    page.locator("#campaign-filters select[name=kind]").select_option("ecology")
    page.locator("#campaign-filters button[type=submit]").click()
    campaigns = page.locator("#campaigns")
    expect(campaigns).to_contain_text("Көктемгі тазалық")
    expect(campaigns).not_to_contain_text("Қарттарға көмек")

    campaigns.get_by_role("link", name="Көктемгі тазалық").click()
    card = page.locator(f"#shift-{shift.pk}")
    expect(card).to_contain_text("Есентай саябағы")
    card.locator(f"a[href='/shifts/{shift.pk}/signup/']").click()

    # A confirmation step first: nothing is saved until the button is pressed.
    expect(page.locator("#signup-form")).to_be_visible()
    assert not Signup.objects.exists()
    page.locator("#signup-form button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/my-shifts/")
    expect(page.locator("ul.messages .message-success")).to_be_visible()
    signup = Signup.objects.get()
    assert (signup.volunteer_id, signup.status) == (bob.pk, "confirmed")
    row = page.locator(f"#upcoming #signup-{signup.pk}")
    expect(row).to_contain_text("Көктемгі тазалық")
    expect(row.locator(".status-confirmed")).to_be_visible()
    # The shift fits on the phone's screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    row.locator(f"a[href='/my-shifts/{signup.pk}/cancel/']").click()
    page.locator("#cancel-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/my-shifts/")
    expect(page.locator(f"#upcoming #signup-{signup.pk}")).to_have_count(0)
    signup.refresh_from_db()
    shift.refresh_from_db()
    assert signup.status == "cancelled" and signup.cancelled_by == bob.user
    assert shift.taken_places == 0


def test_coordinator_marks_attendance_and_the_hours_reach_my_shifts(
    page: Page, live_server: Any, login: Callable[[Any], None], alice: Any, almaty: Any
) -> None:
    bob = VolunteerFactory(region=almaty, with_account=True, last_name="Қасымов", first_name="Бауыржан")
    campaign = CampaignFactory(title="Қарттарға көмек", kind="elderly", region=almaty)
    # Starts within the hour: the coordinator may check people in from two hours before.
    start = timezone.now() + datetime.timedelta(minutes=50)
    shift = ShiftFactory(campaign=campaign, starts_at=start, ends_at=start + datetime.timedelta(hours=3))
    signup = services.signup_create(shift=shift, volunteer=bob, by=bob.user)

    _log_in_on_phone(page, login, alice)
    # A coordinator lands on the overview, which leads to the campaigns they run.
    page.locator("main a[href='/manage/campaigns/']").click()
    page.locator("#manage-campaigns").get_by_role("link", name="Қарттарға көмек").click()
    page.locator(f"#manage-shifts a[href='/manage/shifts/{shift.pk}/']").click()

    card = page.locator(f"#confirmed #signup-{signup.pk}")
    expect(card).to_contain_text("Қасымов Бауыржан")
    card.locator("button[value=check_in]").click()
    # The message says what was recorded, and the card moves under "Came".
    expect(page.locator("ul.messages .message-success")).to_contain_text("Қасымов Бауыржан:")
    expect(page.locator(f"#confirmed #signup-{signup.pk}")).to_have_count(0)
    card = page.locator(f"#attended #signup-{signup.pk}")
    expect(card.locator("input[name=hours]")).to_have_value("3.00")
    # Left an hour and a half early: other hours, with the reason.
    card.locator("input[name=hours]").fill("1.5")
    card.locator("input[name=reason]").fill("Ерте кетті")
    card.locator(".hours-form button[type=submit]").click()
    expect(page.locator("ul.messages .message-success")).to_be_visible()
    signup.refresh_from_db()
    assert (signup.status, signup.hours, signup.hours_reason) == ("attended", Decimal("1.50"), "Ерте кетті")
    assert signup.attendance_by == alice

    _log_out(page)
    _log_in_on_phone(page, login, bob.user)
    _open_menu_link(page, "/my-shifts/")
    # Kazakh, as the phone's browser asks: a decimal comma.
    expect(page.locator("#my-hours")).to_contain_text("1,5")
    expect(page.locator(f"#upcoming #signup-{signup.pk} .status-attended")).to_be_visible()


def test_on_a_phone_nearest_to_me_puts_the_closest_campaign_first(
    page: Page, live_server: Any, almaty: Any
) -> None:
    """Anonymous, at Almaty's centre on a phone: "Nearest to me" asks the browser for the place
    and lists the campaign whose next shift is closest first, with how far it is."""
    far = CampaignFactory(
        title="Қапшағай жағалауы", region=almaty, starts_on=timezone.localdate() - datetime.timedelta(days=60)
    )
    ShiftFactory(campaign=far, latitude=Decimal("43.88"), longitude=Decimal("77.07"))
    near = CampaignFactory(title="Медеу тазалығы", region=almaty)
    ShiftFactory(campaign=near, latitude=Decimal("43.16"), longitude=Decimal("77.06"))
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 43.238, "longitude": 76.945})
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/campaigns/")
    cards = page.locator("#campaigns .campaign-card h2")
    expect(cards.first).to_have_text(far.title)
    page.locator("#campaign-filters [data-near-me]").click()
    page.wait_for_url("**lat=43.23800**")
    expect(cards.first).to_have_text(near.title)
    expect(page.locator("#campaigns .campaign-card").first.locator(".distance")).to_have_text("13 км")
    expect(page.locator("#near-order")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
