"""At 1366×768: a coordinator cancels someone's place from the shift's roster through a page that
says what follows, sees what happened (and who took the place from the waitlist), and finds the
person under the cancelled sign-ups; then moves another person to a later shift and is told what
became of the place they left."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from events import services
from events.models import Shift, Signup
from tests.events.factories import CampaignFactory, ShiftFactory, in_days
from tests.factories import VolunteerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_cancels_then_moves_from_the_roster(
    page: Page, live_server: Any, login: Callable[[Any], None], alice: Any, almaty: Any
) -> None:
    campaign = CampaignFactory(title="Қарттарға көмек", kind="elderly", region=almaty)
    shift = ShiftFactory(
        campaign=campaign, place_name="Есентай саябағы", starts_at=in_days(3, 10), capacity=2
    )
    later = ShiftFactory(campaign=campaign, place_name="Сайран көлі", starts_at=in_days(5, 17), capacity=5)
    leaving = VolunteerFactory(region=almaty, last_name="Қасымов", first_name="Бауыржан")
    moving = VolunteerFactory(region=almaty, last_name="Ахметова", first_name="Дана")
    waiting = VolunteerFactory(region=almaty, last_name="Серікова", first_name="Аружан")
    gone = services.signup_create(shift=shift, volunteer=leaving, by=None)
    to_move = services.signup_create(shift=shift, volunteer=moving, by=None)
    services.signup_create(shift=shift, volunteer=waiting, by=None)

    page.set_viewport_size({"width": 1366, "height": 768})
    login(alice)
    page.goto(f"/manage/shifts/{shift.pk}/")

    # One click does not cancel: it opens a page that says what follows.
    page.locator(f"#confirmed #signup-{gone.pk} a.signup-cancel-link").click()
    expect(page).to_have_url(f"{live_server.url}/manage/signups/{gone.pk}/cancel/")
    expect(page.locator("#cancel-effect li")).to_have_count(2)
    gone.refresh_from_db()
    assert gone.status == "confirmed"
    page.locator("#staff-cancel-form button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/manage/shifts/{shift.pk}/#cancelled")
    message = page.locator("ul.messages .message-success")
    expect(message).to_contain_text("Қасымов Бауыржан:")
    expect(message).to_contain_text("Серікова Аружан:")  # moved up from the waitlist
    expect(page.locator(f"#cancelled #signup-{gone.pk}")).to_contain_text("Қасымов Бауыржан")
    expect(page.locator("#confirmed")).to_contain_text("Серікова Аружан")
    expect(page.locator("#waitlist #signup-" + str(gone.pk))).to_have_count(0)

    # Moving someone: the page says they get one message; the roster of the new shift opens.
    page.locator(f"#confirmed #signup-{to_move.pk} a[href$='/move/']").click()
    expect(page.locator("#move-message")).to_be_visible()
    page.locator("#move-form select[name=to_shift]").select_option(str(later.pk))
    page.locator("#move-form button[type=submit]").click()
    moved = Signup.objects.get(shift=later, volunteer=moving)
    expect(page).to_have_url(f"{live_server.url}/manage/shifts/{later.pk}/#signup-{moved.pk}")
    expect(page.locator("ul.messages .message-success")).to_contain_text("Ахметова Дана:")
    expect(page.locator(f"#confirmed #signup-{moved.pk}")).to_be_visible()

    # The shift they left lists them as moved, not as vanished.
    page.goto(f"/manage/shifts/{shift.pk}/")
    expect(page.locator(f"#cancelled #signup-{to_move.pk}")).to_contain_text("Сайран көлі")
    page.screenshot(path="/tmp/roster_after_staff_actions.png", full_page=True)


def test_hours_to_the_minute_are_saved_from_the_roster(
    page: Page, live_server: Any, login: Callable[[Any], None], alice: Any, almaty: Any
) -> None:
    """A shift of 10:00–12:50 credits 2.83 h at check-in; someone who left at 12:40 is credited
    2.67 h. The field takes hundredths as the service does, not only quarter hours."""
    start = timezone.localtime().replace(second=0, microsecond=0) + datetime.timedelta(days=1)
    shift = ShiftFactory(
        campaign=CampaignFactory(region=almaty),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2, minutes=50),
    )
    person = VolunteerFactory(region=almaty, last_name="Нұрланова", first_name="Әсел")
    signup = services.signup_create(shift=shift, volunteer=person, by=None)
    began = timezone.now() - datetime.timedelta(hours=3)
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=began, ends_at=began + datetime.timedelta(hours=2, minutes=50)
    )
    signup = services.signup_check_in(signup=signup, by=alice)
    assert signup.hours == Decimal("2.83")

    page.set_viewport_size({"width": 1366, "height": 768})
    login(alice)
    page.goto(f"/manage/shifts/{shift.pk}/")
    form = page.locator(f"#signup-{signup.pk} form.hours-form")
    form.locator("input[name=hours]").fill("2.67")
    form.locator("input[name=reason]").fill("12:40-та кетті")
    form.locator("button[type=submit]").click()
    expect(page.locator("ul.messages .message-success")).to_contain_text("Нұрланова Әсел:")
    signup.refresh_from_db()
    assert (signup.hours, signup.hours_reason) == (Decimal("2.67"), "12:40-та кетті")
