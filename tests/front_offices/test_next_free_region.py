"""The next free visit, as a volunteer first opens it: offices of their own region, until they
choose another region or all of Kazakhstan."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import client_for

from .helpers import make_office, next_weekday, slots_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_offices(almaty: Any, astana: Any) -> tuple[Any, Any]:
    day = next_weekday(0, after=2)
    home, other = (
        make_office(region_code="75", name="Алматы офисі"),
        make_office(region_code="71", name="Астана офисі"),
    )
    slots_for(home, day)
    slots_for(other, day)
    return home, other


def _listed(client: Client, query: str = "") -> tuple[list[str], str]:
    client.cookies["django_language"] = "kk"
    html = client.get(f"/front-offices/next/{query}").content.decode()
    chosen = re.search(r'<option value="([^"]*)" selected>', html)
    names = re.findall(r"(Алматы офисі|Астана офисі)", html.split('id="free"', 1)[1])
    return names, chosen.group(1) if chosen else ""


def test_a_volunteer_first_sees_their_own_regions_offices(bob: Any, two_offices: Any) -> None:
    names, chosen = _listed(client_for(bob.user))
    assert chosen == "75"
    assert "Алматы офисі" in names and "Астана офисі" not in names


def test_all_kazakhstan_stays_chosen_once_picked(bob: Any, two_offices: Any) -> None:
    names, chosen = _listed(client_for(bob.user), "?region=")
    assert chosen == ""
    assert {"Алматы офисі", "Астана офисі"} <= set(names)


def test_a_visitor_without_a_profile_sees_the_whole_country(two_offices: Any) -> None:
    names, chosen = _listed(Client())
    assert chosen == ""
    assert {"Алматы офисі", "Астана офисі"} <= set(names)
