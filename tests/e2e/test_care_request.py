"""On a phone (390 px): staff take a help request, a volunteer offers "I can do it", the
coordinator confirms, the volunteer sees the address, marks the request done with the time spent,
and the hours appear on their profile."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from care.models import Assignment, HelpRequest
from regions.models import CoordinatorAssignment
from tests.factories import UserFactory, VolunteerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _log_in_on_phone(page: Page, login: Callable[[Any], None], user: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    login(user)
    page.set_viewport_size(PHONE)


def _log_out(page: Page) -> None:
    page.locator("header button[aria-controls=site-nav]").click()
    page.locator("header form[action='/accounts/logout/'] button").click()


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_take_offer_confirm_done_and_the_hours_appear(
    page: Page, live_server: Any, login: Callable[[Any], None], almaty: Any
) -> None:
    alice = UserFactory(email="alice@example.kz", full_name="Әлия Серікова")
    CoordinatorAssignment.objects.create(user=alice, region=almaty)
    bob = VolunteerFactory(region=almaty, with_account=True, last_name="Қасымов", first_name="Бауыржан")
    start = timezone.localtime() + datetime.timedelta(hours=1)

    # Staff take the request on the phone form.
    _log_in_on_phone(page, login, alice)
    page.goto("/overview/")
    page.locator("main a[href='/care/requests/']").click()
    # The requests map's own controls speak the page's language (Kazakh here), not Leaflet's English.
    with translation.override("kk"):
        zoom_in = gettext("Zoom in")
    expect(page.locator("#care-map .leaflet-control-zoom-in")).to_have_attribute("aria-label", zoom_in)
    page.locator("main a[href='/care/requests/new/']").click()
    form = page.locator("main form.stacked")
    form.locator("input[name=full_name]").fill("Жұмабаева Рахима")
    form.locator("input[name=phone]").fill("8 701 555 12 34")
    form.locator("input[name=locality]").fill("Алматы")
    form.locator("input[name=address]").fill("Төле би көшесі, 12, пәтер 5")
    form.locator("select[name=kind]").select_option("groceries")
    form.locator("input[name=due_from]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=due_until]").fill(
        (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    )
    form.locator("input[name=consent_help]").check()
    form.locator("input[name=consent_data]").check()
    _no_sideways_scroll(page)
    form.locator("button[type=submit]").click()
    request = HelpRequest.objects.get()
    expect(page).to_have_url(f"{live_server.url}/care/requests/{request.pk}/")
    expect(page.locator("#contact-address")).to_have_text("Төле би көшесі, 12, пәтер 5")
    _log_out(page)

    # The volunteer finds it among the open requests of the region, without the address.
    _log_in_on_phone(page, login, bob.user)
    page.goto("/my-shifts/")
    page.locator("main a[href='/care/']").click()
    card = page.locator(f"#open-requests #request-{request.pk}")
    expect(card).to_contain_text("Алматы")
    expect(page.locator("main")).not_to_contain_text("Төле би")
    card.locator("h3 a").click()
    expect(page.locator("#contact-hidden")).to_be_visible()
    page.locator("#offer").click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Төле би")
    _log_out(page)

    # The coordinator confirms the offer.
    _log_in_on_phone(page, login, alice)
    page.goto(f"/care/requests/{request.pk}/")
    offer = Assignment.objects.get()
    page.locator(f"#assignment-{offer.pk} form[action$='/confirm/'] button").click()
    expect(page.locator(f"#assignment-{offer.pk} .status-confirmed")).to_be_visible()
    _no_sideways_scroll(page)
    _log_out(page)

    # The volunteer now sees the address and phone, and marks the request done.
    _log_in_on_phone(page, login, bob.user)
    page.goto(f"/care/requests/{request.pk}/")
    expect(page.locator("#contact-address")).to_have_text("Төле би көшесі, 12, пәтер 5")
    expect(page.locator("#contact-phone a")).to_have_attribute("href", "tel:+77015551234")
    page.locator(f"#assignment-{offer.pk} a[href$='/done/']").click()
    page.locator("input[name=hours]").fill("2.5")
    page.locator("textarea[name=note]").fill("Нан, сүт, дәрі жеткізілді")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(f"#my-assignments #assignment-{offer.pk} .status-done")).to_be_visible()
    _no_sideways_scroll(page)
    request.refresh_from_db()
    assert request.status == "done"

    page.goto("/me/")
    expect(page.locator("#volunteer-hours .big-number")).to_have_text("2,5")
