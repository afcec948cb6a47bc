"""Details a Kazakh-speaking user meets on ordinary pages: a destructive button looks like a
warning, a link among buttons stands on their line, an office clerk's header fits one line of a
1366 px screen, the campaign filters' buttons sit together under the fields on a 360 px
phone, an office's date picker is as big as the buttons beside it, and a campaign whose sign-ups
closed is not drawn in the red of a cancelled one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.events.factories import CampaignFactory
from tests.factories import UserFactory
from tests.front_offices.helpers import make_office

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFICE_SCREEN = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}
DANGER = "rgb(180, 35, 24)"  # --danger in app.css


def _background(page: Page, selector: str) -> str:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")


def test_cancel_the_campaign_is_a_red_button_not_the_primary_blue(
    page: Page, login: Callable[[Any], None], alice: Any, almaty: Any
) -> None:
    campaign = CampaignFactory(region=almaty, status="published")
    login(alice)
    page.goto(f"/manage/campaigns/{campaign.pk}/")
    cancel = "#campaign-cancel-form button[value=cancelled]"
    expect(page.locator(cancel)).to_be_visible()
    assert _background(page, cancel) == DANGER
    # "Close sign-ups" beside it stays a plain secondary button.
    assert _background(page, "#status-form button[value=closed]") == "rgb(255, 255, 255)"


def test_links_beside_buttons_line_up_with_them(
    page: Page, login: Callable[[Any], None], alice: Any, almaty: Any
) -> None:
    campaign = CampaignFactory(region=almaty, status="published")
    login(alice)
    page.goto(f"/manage/campaigns/{campaign.pk}/")
    actions = page.locator("#campaign-actions")
    edit = actions.locator(f"a[href='/manage/campaigns/{campaign.pk}/edit/']").bounding_box()
    public = actions.locator(f"a[href='/campaigns/{campaign.pk}/']").bounding_box()
    assert edit is not None and public is not None
    # "Public page" is read on the buttons' line, not at their top edge.
    middle = lambda box: box["y"] + box["height"] / 2  # noqa: E731
    assert abs(middle(edit) - middle(public)) <= 2, (edit, public)


def test_an_office_clerks_header_fits_one_line_in_kazakh(
    page: Page, login: Callable[[Any], None], almaty: Any
) -> None:
    office = make_office()
    clerk = UserFactory(email="clerk@example.kz", full_name="Гүлнар Серікқызы")
    office.staff.add(clerk)
    page.set_viewport_size(OFFICE_SCREEN)
    login(clerk)
    expect(page.locator("header nav a[href='/front-offices/manage/']")).to_be_visible()
    rows = page.evaluate(
        """() => [...document.querySelectorAll('header .brand, header nav a, header nav button, header .lang')]
             .map(el => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2))"""
    )
    assert max(rows) - min(rows) <= 8, sorted(set(rows))


def test_the_campaign_filters_buttons_take_a_row_of_their_own_on_a_phone(page: Page, almaty: Any) -> None:
    CampaignFactory(region=almaty, status="published")
    page.set_viewport_size(PHONE)
    page.goto("/campaigns/")
    form = page.locator("#campaign-filters")
    show = form.locator("button[type=submit]")
    expect(show).to_be_visible()
    # "Көрсету" starts at the form's left edge under every field, not squeezed into the right
    # column beside a checkbox, with the last checkbox pushed far below.
    field_bottoms = page.eval_on_selector_all(
        "#campaign-filters > div:not(.filter-buttons)",
        "els => els.map(e => e.getBoundingClientRect().bottom)",
    )
    box = show.bounding_box()
    region = form.locator("select[name=region]").bounding_box()
    assert box is not None and region is not None
    assert box["y"] >= max(field_bottoms) - 1, (box, field_bottoms)
    assert abs(box["x"] - region["x"]) <= 1, (box, region)


def test_an_offices_date_picker_is_as_easy_to_tap_as_its_buttons(page: Page, almaty: Any) -> None:
    office = make_office()
    page.set_viewport_size(PHONE)
    page.goto(f"/front-offices/{office.pk}/")
    picker = page.locator(".day-nav #pick-date")
    expect(picker).to_be_visible()
    show = page.locator(".day-nav button[type=submit]").bounding_box()
    box = picker.bounding_box()
    assert box is not None and show is not None
    assert box["height"] >= show["height"] - 4, (box, show)
    assert page.eval_on_selector(".day-nav #pick-date", "e => getComputedStyle(e).fontSize") == "16px"


def test_a_closed_campaign_is_not_red_like_a_cancelled_one(
    page: Page, login: Callable[[Any], None], alice: Any, almaty: Any
) -> None:
    closed = CampaignFactory(region=almaty, status="closed")
    cancelled = CampaignFactory(region=almaty, status="cancelled")
    login(alice)
    page.goto("/manage/campaigns/")
    row = "#manage-campaigns tr:has(a[href='/manage/campaigns/{}/']) .status-badge"
    expect(page.locator(row.format(closed.pk))).to_be_visible()
    colour = "e => getComputedStyle(e).color"
    assert page.eval_on_selector(row.format(cancelled.pk), colour) == DANGER
    assert page.eval_on_selector(row.format(closed.pk), colour) != DANGER
