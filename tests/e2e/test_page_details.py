"""Details a Kazakh-speaking user meets on ordinary pages: a destructive button looks like a
warning."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.events.factories import CampaignFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

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
