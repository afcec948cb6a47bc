"""On a phone (390 px): an activist books an evening visit at the front office, sees it in "my
visits", moves it to another time and cancels it; the office's clerk checks a visitor in and
registers a walk-in found by phone."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from front_offices import services
from front_offices.models import Visit, VisitSlot
from tests.factories import UserFactory, VolunteerFactory
from tests.front_offices.helpers import make_office, next_weekday

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _log_in_on_phone(page: Page, login: Callable[[Any], None], user: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    login(user)
    page.set_viewport_size(PHONE)


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_activist_books_an_evening_visit_moves_it_and_cancels(
    page: Page, live_server: Any, login: Callable[[Any], None], almaty: Any
) -> None:
    office = make_office(name="Алматы фронт-офисі")
    day = next_weekday(1, after=2)
    services.slots_sync(office=office, first=day, last=day)
    bob = VolunteerFactory(region=almaty, with_account=True, last_name="Қасымов", first_name="Бауыржан")

    _log_in_on_phone(page, login, bob.user)
    page.goto("/front-offices/?evenings=1")
    expect(page.locator(f"#office-{office.pk}")).to_be_visible()
    page.locator(f"#office-{office.pk} h2 a").click()
    page.locator("#pick-date").fill(day.isoformat())
    page.locator(".day-nav form button").click()
    _no_sideways_scroll(page)
    page.locator("#slots a", has_text="18:30").click()
    page.locator("select[name=purpose]").select_option("certificate")
    page.locator("textarea[name=note]").fill("Сағаттар туралы анықтама")
    page.locator("form.stacked button[type=submit]").click()

    visit = Visit.objects.get(volunteer=bob)
    expect(page).to_have_url(f"{live_server.url}/front-offices/visits/{visit.pk}/")
    expect(page.locator("#visit")).to_contain_text("18:30")
    assert visit.is_evening and visit.status == "booked"
    ics = page.locator(f"a[href='/front-offices/visits/{visit.pk}/visit.ics']")
    expect(ics).to_be_visible()

    page.goto("/front-offices/visits/")
    expect(page.locator(f"#upcoming #visit-{visit.pk}")).to_contain_text("18:30")
    _no_sideways_scroll(page)

    # Move to 19:00 in one step: the 18:30 place is freed only once 19:00 is taken.
    page.locator(f"#visit-{visit.pk} h3 a").click()
    page.locator(f"a[href='/front-offices/visits/{visit.pk}/reschedule/']").click()
    page.locator("#slots button", has_text="19:00").click()
    expect(page.locator("#visit")).to_contain_text("19:00")
    visit.refresh_from_db()
    assert timezone.localtime(visit.starts_at).strftime("%H:%M") == "19:00"
    assert (
        VisitSlot.objects.get(
            office=office, local_date=day, starts_at=visit.starts_at - datetime.timedelta(minutes=30)
        ).taken
        == 0
    )

    # Cancelling asks first, as a shift's sign-up does.
    page.locator(f"a[href='/front-offices/visits/{visit.pk}/cancel/']").click()
    page.locator("#cancel-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/front-offices/visits/")
    expect(page.locator(f"#upcoming #visit-{visit.pk} .status-badge")).to_have_class(
        "status-badge status-cancelled"
    )
    visit.refresh_from_db()
    assert visit.status == "cancelled" and visit.slot is not None and visit.slot.taken == 0


def test_clerk_checks_a_visitor_in_and_registers_a_walk_in(
    page: Page, live_server: Any, login: Callable[[Any], None], almaty: Any
) -> None:
    office = make_office(name="Алматы фронт-офисі")
    clerk = UserFactory(email="clerk@example.kz", full_name="Клерк")
    office.staff.add(clerk)
    today = timezone.localdate()
    visitor = VolunteerFactory(region=almaty, last_name="Ержанова", first_name="Әсел")
    booked = Visit.objects.create(
        office=office,
        volunteer=visitor,
        starts_at=timezone.now(),
        local_date=today,
        purpose="consultation",
        note="Тіркелу",
    )
    walker = VolunteerFactory(region=almaty, last_name="Сейітов", first_name="Дәурен", phone="+77015551234")

    _log_in_on_phone(page, login, clerk)
    page.goto("/start/")
    expect(page).to_have_url(f"{live_server.url}/front-offices/{office.pk}/day/")
    card = page.locator(f"#visit-{booked.pk}")
    expect(card).to_contain_text("Ержанова")
    expect(card).to_contain_text("Тіркелу")
    _no_sideways_scroll(page)
    card.locator("button[value=arrived]").click()
    expect(page.locator(f"#visit-{booked.pk} .status-arrived")).to_be_visible()
    page.locator(f"#visit-{booked.pk} select[name=outcome]").select_option("registered")
    page.locator(f"#visit-{booked.pk} button[name=save_outcome]").click()
    expect(page.locator(f"#visit-{booked.pk} .outcome")).to_be_visible()
    booked.refresh_from_db()
    assert (booked.status, booked.outcome) == ("arrived", "registered")

    page.locator("#walk-in-link").click()
    page.locator("input[name=walkin-phone]").fill("8 701 555 12 34")
    page.locator("select[name=walkin-purpose]").select_option("certificate")
    page.locator("#walk-in button[type=submit]").click()
    walk_in = Visit.objects.get(walk_in=True)
    assert walk_in.volunteer == walker and walk_in.status == "arrived"
    expect(page.locator(f"#visit-{walk_in.pk}")).to_contain_text("Сейітов")
