"""A coordinator writing an announcement sees, as she types, how many paid parts its SMS takes,
as the server counts them: Cyrillic at 67 a part, English in GSM-7 once its quotes are plain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from notifications.rendering import announcement_sms_segments

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_parts_of_the_sms_are_counted_while_typing(
    page: Page, live_server: Any, login: Callable[[Any], None], alice: Any
) -> None:
    login(alice)
    page.goto("/messages/broadcast/")
    live = page.locator("#broadcast-sms-live")
    expect(live).to_be_hidden()
    page.fill("[name=subject]", "Сенбілік")
    kazakh = "Сенбі күні Есентай өзенінің жағасында сенбілік өтеді. " * 4
    page.fill("[name=body]", kazakh)
    whole, _sent = announcement_sms_segments("Сенбілік", kazakh.strip())
    expect(live).to_be_visible()
    expect(live).to_have_attribute("data-parts", str(whole))
    expect(live).to_contain_text(str(whole))
    english = "Dear volunteers — the “Clean Almaty” day is on Saturday; bring gloves. " * 3
    page.fill("[name=subject]", "Clean Almaty")
    page.fill("[name=body]", english)
    whole, _sent = announcement_sms_segments("Clean Almaty", english.strip())
    assert whole == 2  # 160 a part once the quotes and dash are plain, not 70
    expect(live).to_have_attribute("data-parts", "2")
