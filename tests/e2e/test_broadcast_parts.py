"""A coordinator writing an announcement sees, as she types, how many paid parts its SMS takes,
as the server counts them: Cyrillic at 67 a part, English in GSM-7 once its quotes are plain,
and the words and link that end every announcement's SMS counted in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from notifications.rendering import announcement_sms_tail
from notifications.sms import gsm_friendly, sms_segments

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _parts(text: str, tail: str) -> int:
    """The parts of the SMS as it goes: the subject and text, then the words and the link."""
    return sms_segments(gsm_friendly(" ".join(text.split())) + tail)


def test_the_parts_of_the_sms_are_counted_while_typing(
    page: Page, live_server: Any, login: Callable[[Any], None], alice: Any
) -> None:
    login(alice)
    page.goto("/messages/broadcast/")
    live = page.locator("#broadcast-sms-live")
    expect(live).to_be_hidden()
    # The words and the recipient's link that end every announcement's SMS, in the page's
    # language, as the server counts them.
    tail = live.get_attribute("data-tail") or ""
    assert tail.endswith("/") and "/a/" in tail
    page.fill("[name=subject]", "Сенбілік")
    kazakh = "Сенбі күні Есентай өзенінің жағасында сенбілік өтеді. " * 4
    page.fill("[name=body]", kazakh)
    whole = _parts(f"Сенбілік: {kazakh}", tail)
    assert whole == _parts(f"Сенбілік: {kazakh}", "") + 1  # the link is a part more
    expect(live).to_be_visible()
    expect(live).to_have_attribute("data-parts", str(whole))
    expect(live).to_contain_text(str(whole))

    # In English, the page's words are GSM-7 too: 160 a part once the quotes and dash are plain.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto("/messages/broadcast/")
    tail = live.get_attribute("data-tail") or ""
    with translation.override("en"):
        assert tail == announcement_sms_tail()
    english = "Dear volunteers — the “Clean Almaty” day is on Saturday; bring gloves. " * 3
    page.fill("[name=subject]", "Clean Almaty")
    page.fill("[name=body]", english)
    assert _parts(f"Clean Almaty: {english}", tail) == 2  # at 70 a part, 5
    expect(live).to_have_attribute("data-parts", "2")
