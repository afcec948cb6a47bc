"""On a phone (390 px): a volunteer with a confirmed place asks for a lift from "my shifts", the
coordinator answers on the shift's transport board (driver and departure time), and the answer
reaches the volunteer's "my shifts"."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from events import services
from events.models import TransportRequest
from tests.events.factories import CampaignFactory, ShiftFactory, in_days
from tests.factories import VolunteerFactory

from .test_campaign_signup import PHONE, _log_in_on_phone, _log_out, _open_menu_link

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_volunteer_asks_for_transport_and_sees_the_coordinators_answer(
    page: Page, live_server: Any, login: Callable[[Any], None], alice: Any, almaty: Any
) -> None:
    bob = VolunteerFactory(region=almaty, with_account=True, last_name="Қасымов", first_name="Бауыржан")
    campaign = CampaignFactory(title="Көктемгі тазалық", kind="ecology", region=almaty)
    shift = ShiftFactory(campaign=campaign, place_name="Есентай саябағы", starts_at=in_days(3, 10))
    signup = services.signup_create(shift=shift, volunteer=bob, by=bob.user)
    assert signup.status == "confirmed"

    # The volunteer asks from "my shifts".
    _log_in_on_phone(page, login, bob.user)
    _open_menu_link(page, "/my-shifts/")
    page.locator(f"#upcoming #signup-{signup.pk} a[href='/my-shifts/{signup.pk}/transport/']").click()
    form = page.locator("#transport-form")
    form.locator("input[name=pickup]").fill("Абай даңғылы, Байзақов аялдамасы")
    form.locator("input[name=seats]").fill("2")
    form.locator("button[type=submit]").click()
    expect(page.locator("ul.messages .message-success")).to_be_visible()
    request = TransportRequest.objects.get()
    assert (request.signup_id, request.pickup, request.seats, request.status) == (
        signup.pk,
        "Абай даңғылы, Байзақов аялдамасы",
        2,
        "pending",
    )
    _log_out(page)

    # The coordinator goes from the shift's roster to its transport board and arranges a lift.
    _log_in_on_phone(page, login, alice)
    page.goto(f"/manage/shifts/{shift.pk}/")
    page.locator(f"main a[href='/manage/shifts/{shift.pk}/transport/']").click()
    expect(page).to_have_url(f"{live_server.url}/manage/shifts/{shift.pk}/transport/")
    card = page.locator(f"#transport-{request.pk}")
    expect(card).to_contain_text("Қасымов Бауыржан")
    expect(card).to_contain_text("Абай даңғылы, Байзақов аялдамасы")
    departure = timezone.localtime(shift.starts_at) - datetime.timedelta(hours=1)
    card.locator("input[name=driver_name]").fill("Ержан Сейітов")
    card.locator("input[name=driver_phone]").fill("+77011234567")
    card.locator("input[name=departure_at]").fill(departure.strftime("%Y-%m-%dT%H:%M"))
    card.locator("button[value=arrange]").click()
    expect(page.locator("ul.messages .message-success")).to_be_visible()
    expect(page.locator(f"#transport-{request.pk} h3 .status-confirmed")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    request.refresh_from_db()
    assert request.status == "arranged"
    assert (request.driver_name, request.driver_phone) == ("Ержан Сейітов", "+77011234567")
    assert request.departure_at == departure.replace(second=0, microsecond=0)
    assert request.answered_by == alice and request.answered_at is not None
    _log_out(page)

    # The volunteer sees the answer where they asked.
    _log_in_on_phone(page, login, bob.user)
    _open_menu_link(page, "/my-shifts/")
    answer = page.locator(f"#upcoming #signup-{signup.pk} #transport-answer-{request.pk}")
    expect(answer).to_contain_text("Ержан Сейітов")
    expect(answer.locator("a[href='tel:+77011234567']")).to_be_visible()
    expect(answer).to_contain_text(departure.strftime("%H:%M"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
