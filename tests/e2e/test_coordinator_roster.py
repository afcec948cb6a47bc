"""A coordinator finds a volunteer of her region, corrects the profile and sees the change logged;
a volunteer of another region does not exist for her."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.factories import DetachmentFactory, SkillFactory, VolunteerFactory
from volunteers.models import VolunteerChange

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_searches_edits_and_cannot_reach_another_region(
    page: Page,
    live_server: Any,
    login: Callable[[Any], None],
    alice: Any,
    bob: Any,
    astana_volunteer: Any,
    almaty: Any,
    astana: Any,
) -> None:
    # bob is "Қасымов Бауыржан" of Almaty. Around him: another Almaty volunteer who must not
    # match, and a namesake in Astana who matches the words but is outside alice's region.
    other = VolunteerFactory(region=almaty, last_name="Ахметова", first_name="Дана")
    namesake = VolunteerFactory(region=astana, last_name="Қасымова", first_name="Гүлжан")
    assert bob.last_name == "Қасымов"
    old_phone = bob.phone_display

    login(alice)
    page.locator("header nav a[href='/roster/']").click()
    expect(page).to_have_url(f"{live_server.url}/roster/")
    rows = page.locator("#roster-table tbody tr")
    expect(rows.locator("a", has_text=bob.full_name)).to_be_visible()
    expect(rows.locator("a", has_text=other.full_name)).to_be_visible()
    expect(page.locator("#roster-table")).not_to_contain_text(astana_volunteer.last_name)

    # Part of the surname, lower case (the name starts with a capital Қ).
    search = page.locator("#roster-filters [name=q]")
    search.fill("қасым")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/roster/\?(.*&)?q="))
    assert parse_qs(urlsplit(page.url).query)["q"] == ["қасым"]
    expect(search).to_have_value("қасым")
    expect(rows).to_have_count(1)
    link = rows.first.locator(f"a[href='/roster/{bob.pk}/']")
    expect(link).to_have_text(bob.full_name)
    expect(rows.first).to_contain_text(bob.phone_display)
    expect(page.locator("#roster-table")).not_to_contain_text(namesake.last_name)
    expect(page.locator("#roster-table")).not_to_contain_text(other.last_name)

    link.click()
    expect(page).to_have_url(f"{live_server.url}/roster/{bob.pk}/")
    expect(page.locator("main h1")).to_have_text(bob.full_name)
    changes = page.locator("#changes-table tbody tr")
    expect(changes).to_have_count(1)
    expect(changes.locator("td[colspan]")).to_have_count(1)  # "no changes recorded"

    page.locator(f"main .actions a[href='/roster/{bob.pk}/edit/']").click()
    expect(page).to_have_url(f"{live_server.url}/roster/{bob.pk}/edit/")
    form = page.locator("form#volunteer-form")
    expect(form.locator("[name=last_name]")).to_have_value(bob.last_name)
    expect(form.locator("[name=locality]")).to_have_value("Алматы")
    # A coordinator neither sees nor edits the IIN.
    expect(form.locator("[name=iin]")).to_have_count(0)
    form.locator("[name=locality]").fill("Алатау ауданы")
    form.locator("[name=phone]").fill("8 777 000 11 22")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/roster/{bob.pk}/")
    expect(page.locator("ul.messages .message-success")).to_be_visible()
    profile = page.locator("dl.profile")
    expect(profile).to_contain_text("Алатау ауданы")
    expect(profile).to_contain_text("+7 777 000 11 22")
    expect(profile).not_to_contain_text(old_phone)

    bob.refresh_from_db()
    assert bob.locality == "Алатау ауданы"
    assert bob.phone == "+77770001122"
    assert bob.region == almaty
    change = VolunteerChange.objects.get(volunteer=bob)
    assert change.action == VolunteerChange.Action.UPDATE
    assert change.changed_by == alice
    assert change.fields == ["locality", "phone"]

    # The history on the page names who changed which fields, in the page's language.
    expect(changes).to_have_count(1)
    cells = changes.first.locator("td")
    expect(cells).to_have_count(4)
    expect(cells.nth(1)).to_have_text(str(alice))
    page_language = page.locator("html").get_attribute("lang")
    with translation.override(page_language):
        expect(cells.nth(2)).to_have_text(change.get_action_display())
        expect(cells.nth(3)).to_have_text(change.fields_display)

    # Astana is not alice's region: its volunteer's page does not exist for her.
    response = page.goto(f"/roster/{astana_volunteer.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(astana_volunteer.last_name)
    response = page.goto(f"/roster/{astana_volunteer.pk}/edit/")
    assert response is not None and response.status == 404
    astana_volunteer.refresh_from_db()
    assert astana_volunteer.locality == "Алматы"  # the factory's default, untouched
    assert not VolunteerChange.objects.filter(volunteer=astana_volunteer).exists()


# Per text piece between the <wbr>s of an e-mail link: how many lines it takes. More than one is
# an address cut inside a word («example.k / z»).
_EMAIL_PIECES = """() => [...document.querySelectorAll('#roster-table a[href^="mailto:"]')].flatMap(a =>
    [...a.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => {
        const range = document.createRange(); range.selectNodeContents(n);
        return [a.textContent, n.textContent, range.getClientRects().length];
    }))"""
# Whether the search field's placeholder is shown whole.
_PLACEHOLDER_FITS = """el => { const s = getComputedStyle(el); const c = document.createElement('canvas').getContext('2d');
    c.font = s.font;
    return c.measureText(el.placeholder).width
        <= el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }"""


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_office_screen_shows_whole_e_mails_and_search_hint(
    page: Page, live_server: Any, login: Callable[[Any], None], alice: Any, almaty: Any, language: str
) -> None:
    """At 1366 px an e-mail wraps, if it must, after its @ or before a dot, and the search field
    shows its whole hint."""
    # A full roster row, as a region's list has them: skills, a detachment, a long address.
    skills = [
        SkillFactory(code=code, name_kk=name, name_ru=name)
        for code, name in (
            ("first-aid", "Первая помощь"),
            ("translation", "Перевод"),
            ("events", "Мероприятия"),
        )
    ]
    detachment = DetachmentFactory(region=almaty, school_name="№ 159 мектеп-гимназиясы жанындағы жасақ")
    for n in range(5):
        VolunteerFactory(region=almaty, email=f"v21{n}@example.kz", detachment=detachment).skills.set(skills)
    VolunteerFactory(region=almaty, email="aigerim.serikova.nurlankyzy@mail.example.kz").skills.set(skills)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.set_viewport_size({"width": 1366, "height": 768})
    login(alice)
    page.goto("/roster/")
    pieces = page.evaluate(_EMAIL_PIECES)
    assert len({address for address, _piece, _lines in pieces}) == 6
    assert [p for p in pieces if p[2] != 1] == []
    assert page.locator("#roster-filters [name=q]").evaluate(_PLACEHOLDER_FITS)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
