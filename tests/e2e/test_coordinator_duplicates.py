"""On a phone, a coordinator finds a boy entered twice (once as "Нұрлан", once as "Нурлан"),
opens the possible duplicates and merges the two records: the roster then has one."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories import SkillFactory, VolunteerFactory
from volunteers import services
from volunteers.models import PossibleDuplicate, Volunteer, VolunteerChange

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_coordinator_merges_a_boy_entered_twice(
    page: Page, live_server: Any, login: Callable[[Any], None], alice: Any, almaty: Any
) -> None:
    # Added by hand at the front office, then registered online with the Russian spelling and an
    # account; the registration flagged the pair by the phone.
    walk_in = VolunteerFactory(
        region=almaty,
        last_name="Омаров",
        first_name="Нұрлан",
        phone="+77057654321",
        email="",
        locality="Қаскелең",
        birth_date=datetime.date(2004, 5, 5),
    )
    walk_in.skills.add(SkillFactory(code="first-aid", name_kk="Алғашқы көмек"))
    registered = VolunteerFactory(
        region=almaty,
        with_account=True,
        last_name="Омаров",
        first_name="Нурлан",
        phone="+77057654321",
        email="nurlan@example.kz",
        birth_date=datetime.date(2004, 5, 5),
    )
    registered.skills.add(SkillFactory(code="driving", name_kk="Жүргізуші куәлігі"))
    services.possible_duplicates_flag(volunteer=registered)
    flag = PossibleDuplicate.objects.get()
    VolunteerFactory(region=almaty, last_name="Сейітов", first_name="Ерлан")

    page.set_viewport_size(PHONE)
    login(alice)

    # The roster's search folds Kazakh letters: "Нурлан" finds "Нұрлан" (and the other record).
    page.goto("/roster/")
    search = page.locator("#roster-filters [name=q]")
    search.fill("Нурлан")
    search.press("Enter")
    rows = page.locator("#roster-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.locator(f"a[href='/roster/{walk_in.pk}/']")).to_have_text("Омаров Нұрлан")

    # From the overview, to the possible duplicates of the region.
    page.goto("/overview/")
    count = page.locator(f"tr[data-region='{almaty.code}'] [data-figure=duplicates] a")
    expect(count).to_have_text("1")
    count.click()
    expect(page).to_have_url(f"{live_server.url}/roster/duplicates/?region={almaty.pk}")
    pair = page.locator(f"#pair-{flag.pk}")
    expect(pair.locator(".person-card")).to_have_count(2)
    expect(pair).to_contain_text("Омаров Нұрлан")
    expect(pair).to_contain_text("Омаров Нурлан")
    # A phone: the two records stacked, nothing scrolls sideways.
    cards = pair.locator(".person-card")
    first_box, second_box = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert first_box is not None and second_box is not None
    assert second_box["y"] >= first_box["y"] + first_box["height"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    pair.locator(f"a[href='/roster/duplicates/{flag.pk}/merge/']").click()
    expect(page).to_have_url(f"{live_server.url}/roster/duplicates/{flag.pk}/merge/")
    # The record with the account is offered; she keeps the walk-in's record instead.
    expect(page.locator(f"#merge-form input[value='{registered.pk}']")).to_be_checked()
    page.locator(f"#merge-form input[value='{walk_in.pk}']").check()
    page.locator("#merge-form button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/roster/{walk_in.pk}/")
    expect(page.locator("ul.messages .message-success")).to_be_visible()
    expect(page.locator("#changes-table")).to_contain_text(f"#{registered.pk}")

    page.goto("/roster/")
    search = page.locator("#roster-filters [name=q]")
    search.fill("Нурлан")
    search.press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Омаров Нұрлан")

    assert not Volunteer.objects.filter(pk=registered.pk).exists()
    walk_in.refresh_from_db()
    assert walk_in.user is not None and walk_in.user.email == "nurlan@example.kz"
    assert walk_in.email == "nurlan@example.kz" and walk_in.locality == "Қаскелең"
    assert set(walk_in.skills.values_list("code", flat=True)) == {"first-aid", "driving"}
    merge = VolunteerChange.objects.get(volunteer=walk_in, action="merge")
    assert merge.changed_by == alice and merge.merged_from == registered.pk
