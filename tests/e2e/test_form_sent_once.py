"""A coordinator on a slow phone taps "Send" under an announcement again while the page waits:
the site's script disables the buttons after the first tap and holds any later submission, the
form going once with the button's own value; a page restored from the back/forward cache has its
buttons usable again. The server saves a repeat once anyway (tests/core/test_submit_once.py);
this spares the person the wait and the "already saved" page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.factories import VolunteerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_send_is_pressed_once_and_usable_again_when_the_page_comes_back(
    page: Page, live_server: Any, login: Callable[[Any], None], alice: Any, almaty: Any
) -> None:
    VolunteerFactory(region=almaty)
    login(alice)
    page.goto("/messages/broadcast/")
    page.select_option("[name=region]", str(almaty.pk))
    page.fill("[name=subject]", "Жиналыс")
    page.fill("[name=body]", "Ертең сағат 10-да.")
    page.locator("button[value=preview]").click()
    expect(page.locator("#broadcast-preview")).to_be_visible()

    # The send is answered "204 No Content": the browser stays on the page as it was left after
    # the press, as it does while a slow connection has not answered yet.
    posts: list[str] = []

    def answer(route: Route) -> None:
        posts.append(route.request.post_data or "")
        route.fulfill(status=204)

    page.route("**/messages/broadcast/", answer)
    send = page.locator("button[value=send]")
    send.click()
    expect(send).to_be_disabled()
    expect(page.locator("button[value=preview]")).to_be_disabled()
    # A second submission that gets through all the same (a keyboard's Enter) is not sent.
    page.evaluate("document.getElementById('broadcast-form').requestSubmit()")
    page.wait_for_timeout(300)
    assert len(posts) == 1 and "action=send" in posts[0]  # sent once, with the button's value

    # Back to the page from the back/forward cache: its buttons work again.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(send).to_be_enabled()
    send.click()
    expect(send).to_be_disabled()
    page.wait_for_timeout(300)
    assert len(posts) == 2
