"""The language switcher in the header: Kazakh, Russian, English, remembered across pages."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from regions.models import Region
from volunteer_net.collation import name_key

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALMATY = {"kk": "Алматы қаласы", "ru": "город Алматы", "en": "Almaty"}


def region_names_on_page(page: Page) -> list[str]:
    """The region names of the home page's list, without the centre that follows each."""
    return page.locator("ul.region-list > li").evaluate_all(
        "items => items.map(li => li.firstChild.textContent.trim())"
    )


def choose_language(page: Page, code: str) -> None:
    page.locator(f"header form.lang-switcher button[name=language][value={code}]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def assert_page_in(page: Page, code: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", code)
    current = page.locator("header form.lang-switcher button[aria-current=true]")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("value", code)


def assert_home_in(page: Page, code: str, live_server: Any) -> None:
    expect(page).to_have_url(f"{live_server.url}/")
    assert_page_in(page, code)
    expect(page.locator("ul.region-list > li", has_text=ALMATY[code]).first).to_be_visible()
    # In the alphabet of the page's language, as every list of regions reads.
    expected = sorted((getattr(r, f"name_{code}") for r in Region.objects.all()), key=name_key(code))
    assert len(expected) == 20
    assert region_names_on_page(page) == expected


def test_switch_language_kk_ru_en_and_remember_it(page: Page, live_server: Any) -> None:
    response = page.goto("/")
    assert response is not None and response.status == 200
    # Kazakh is the site's default and what this browser asks for first.
    assert_home_in(page, "kk", live_server)

    choose_language(page, "kk")
    assert_home_in(page, "kk", live_server)
    assert "Алматы қаласы" in region_names_on_page(page)

    choose_language(page, "ru")
    assert_home_in(page, "ru", live_server)
    names = region_names_on_page(page)
    assert "город Алматы" in names
    assert "Алматы қаласы" not in names
    # Django remembers the choice in its language cookie...
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("django_language") == "ru"

    # ...and another page keeps it, although the browser still asks for Kazakh first.
    page.goto("/accounts/login/")
    assert_page_in(page, "ru")
    # The switcher sends the user back to the page they were on.
    choose_language(page, "en")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    assert_page_in(page, "en")

    page.goto("/")
    assert_home_in(page, "en", live_server)
    names = region_names_on_page(page)
    assert "Almaty" in names
    assert "город Алматы" not in names

    page.goto("/accounts/register/")
    assert_page_in(page, "en")
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("django_language") == "en"

    # And back to Kazakh.
    page.goto("/")
    choose_language(page, "kk")
    assert_home_in(page, "kk", live_server)
