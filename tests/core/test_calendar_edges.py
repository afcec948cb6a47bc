"""Dates at the ends of the calendar (year 1, year 9999) are valid dates to a form or a
serializer, but the day after 9999-12-31, or the UTC instant of 0001-01-01's Almaty midnight, do
not exist: every date people can type is bounded (volunteer_net.forms.DayField and
validate_calendar_day), and such a date gives a message, never a 500."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from events.models import Campaign
from tests.conftest import client_for
from tests.events.factories import CampaignFactory

pytestmark = pytest.mark.django_db

EDGES = [("0001-01-01", "0001-01-31"), ("9999-12-01", "9999-12-31")]


@pytest.mark.parametrize(("first", "last"), EDGES)
def test_lists_maps_and_reports_filtered_by_dates_at_the_calendar_ends(alice, first: str, last: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(alice)
    answers = {}
    for url, params in [
        ("/campaigns/", {"date_from": first, "date_to": last}),
        ("/api/map/events/", {"from": first, "to": last}),
        ("/api/shifts/", {"from": first, "to": last}),
        ("/reports/", {"start": first, "end": last}),
    ]:
        answers[url] = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    assert {url: r.status_code for url, r in answers.items()} == {
        "/campaigns/": 200,
        "/api/map/events/": 400,
        "/api/shifts/": 400,
        "/reports/": 200,
    }
    assert "Choose a date from 1900 to 2099." in answers["/campaigns/"].content.decode()
    assert answers["/api/shifts/"].json()["to"] == ["Choose a date from 1900 to 2099."]
    # The dashboard says so, and shows its default period meanwhile.
    assert "Choose a date from 1900 to 2099." in answers["/reports/"].content.decode()


@pytest.mark.parametrize(("first", "last"), EDGES)
def test_exports_and_campaigns_with_dates_at_the_calendar_ends(alice, almaty, first: str, last: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(alice)
    response = client.post(
        "/reports/export/", {"report": "signups", "start": first, "end": last, "file_format": "csv"}
    )
    assert response.status_code == 200 and "attachment" not in response.get("Content-Disposition", "")
    before = Campaign.objects.count()
    response = client.post(
        "/manage/campaigns/new/",
        {
            "title": "Көктемгі тазалық",
            "kind": "ecology",
            "region": almaty.pk,
            "contact": "+7 701 123 45 67",
            "starts_on": first,
            "ends_on": last,
        },
    )
    assert response.status_code == 200 and Campaign.objects.count() == before
    with translation.override("kk"):
        assert (
            "1900 жылдан 2099 жылға дейінгі күнді таңдаңыз."
            in client.get("/campaigns/", {"date_to": last}, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
        )


def test_the_ends_of_the_bounds_are_accepted(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    CampaignFactory(region=almaty)
    client = client_for(alice)
    assert client.get("/api/shifts/", {"from": "1900-01-01", "to": "2099-12-31"}).status_code == 200
    page = client.get("/campaigns/", {"date_from": "1900-01-01", "date_to": "2099-12-31"})
    assert page.status_code == 200 and "2099 жылға дейінгі" not in page.content.decode()
    assert 'min="1900-01-01"' in page.content.decode() and 'max="2099-12-31"' in page.content.decode()


@pytest.mark.parametrize("typed", ["31.02.1999", "1999-02-31", " 29.02.2023 ", "31/04/2010"])
def test_a_day_the_calendar_lacks_is_called_so(typed: str) -> None:
    # "Enter a valid date." for 31 February sent people looking for a wrong format.
    from volunteer_net.forms import DayField

    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            DayField().clean(typed)
        assert caught.value.messages == [f"There is no such day in the calendar: {typed.strip()}."]


@pytest.mark.parametrize("typed", ["31.13.1999", "yesterday", "1999/02/28x"])
def test_what_is_not_a_date_still_asks_for_one(typed: str) -> None:
    from volunteer_net.forms import DayField

    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            DayField().clean(typed)
        assert caught.value.messages == ["Enter a valid date."]
