"""On an office screen (1366×768): the help requests' filters sit in one row, and the block-time
page shows a slot's missing reason on the slot's own form, with inputs styled like the site's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from care.models import HelpRequest
from regions.models import CoordinatorAssignment
from tests.care.factories import HelpRequestFactory
from tests.factories import UserFactory
from tests.front_offices.helpers import make_office, next_weekday, slots_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFICE_SCREEN = {"width": 1366, "height": 768}


@pytest.fixture
def coordinator(almaty: Any) -> Any:
    user = UserFactory(email="desk-coordinator@example.kz", full_name="Әлия Серікова")
    CoordinatorAssignment.objects.create(user=user, region=almaty)
    return user


def _tops(page: Page, selector: str) -> list[float]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )


def test_help_request_filters_sit_in_one_row(
    page: Page, login: Callable[[Any], None], coordinator: Any
) -> None:
    HelpRequestFactory(kind=HelpRequest.Kind.GROCERIES)
    page.set_viewport_size(OFFICE_SCREEN)
    login(coordinator)
    page.goto("/care/requests/")
    filters = page.locator("#request-filters")
    expect(filters.locator("select")).to_have_count(3)
    # Region, kind and status side by side, not one full-width select under another.
    tops = _tops(page, "#request-filters select")
    assert len(set(tops)) == 1, tops
    widths = page.eval_on_selector_all(
        "#request-filters select", "els => els.map(e => e.getBoundingClientRect().width)"
    )
    form_width = filters.bounding_box()["width"]  # type: ignore[index]
    assert all(width < form_width / 2 for width in widths), (widths, form_width)


def test_a_slot_without_a_reason_is_told_on_its_own_form(
    page: Page, login: Callable[[Any], None], coordinator: Any, almaty: Any
) -> None:
    office = make_office()
    day = next_weekday(1, after=2)
    slots_for(office, day)
    page.set_viewport_size(OFFICE_SCREEN)
    login(coordinator)
    page.goto(f"/front-offices/{office.pk}/block/?date={day.isoformat()}")
    slot_form = page.locator("#block-slot")
    expect(slot_form.locator("#slot-explained")).to_be_visible()

    # The inputs have the site's border and padding, the time inputs too.
    for selector in ("#id_block-starts", "#id_block-ends", "#id_block-reason", "#id_slot-reason"):
        padding = page.eval_on_selector(selector, "e => getComputedStyle(e).paddingTop")
        border = page.eval_on_selector(selector, "e => getComputedStyle(e).borderTopColor")
        assert (padding, border) == ("8px", "rgb(138, 153, 168)"), selector

    slot_form.locator("button[name=slot]", has_text="09:30").click()
    expect(page.locator("#block-slot .errorlist")).to_be_visible()
    expect(page.locator("#block .errorlist")).to_have_count(0)
    expect(page.locator("#block .field-error")).to_have_count(0)

    # Enter in the reason does not close the day's first time.
    page.locator("#id_slot-reason").fill("Семинар")
    page.locator("#id_slot-reason").press("Enter")
    page.wait_for_timeout(300)
    assert not office.slots.exclude(blocked_reason="").exists()

    slot_form.locator("button[name=slot]", has_text="09:30").click()
    expect(page).to_have_url(
        f"{page.url.split('/front-offices/')[0]}/front-offices/{office.pk}/day/?date={day.isoformat()}"
    )
    blocked = list(office.slots.exclude(blocked_reason="").values_list("blocked_reason", flat=True))
    assert blocked == ["Семинар"]
