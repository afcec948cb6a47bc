"""A campaign's dates as people read them: across a new year the start keeps its year, and both
ends are written the same way (the month as written inside a date)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from events.templatetags.events_tags import campaign_dates
from tests.conftest import client_for

from .factories import CampaignFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "20 декабря 2026 г. – 31 января 2027 г."),
        ("kk", "20 желтоқсан 2026 ж. – 31 қаңтар 2027 ж."),
        ("en", "20 December 2026 – 31 January 2027"),
    ],
)
def test_a_range_across_the_new_year_shows_both_years(language: str, expected: str) -> None:
    campaign = CampaignFactory(starts_on=datetime.date(2026, 12, 20), ends_on=datetime.date(2027, 1, 31))
    with translation.override(language):
        assert campaign_dates(campaign) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "5 июня – 10 декабря 2026 г."),
        ("kk", "5 маусым – 10 желтоқсан 2026 ж."),
        ("en", "5 June – 10 December 2026"),
    ],
)
def test_within_one_year_the_year_is_written_once(language: str, expected: str) -> None:
    campaign = CampaignFactory(starts_on=datetime.date(2026, 6, 5), ends_on=datetime.date(2026, 12, 10))
    with translation.override(language):
        assert campaign_dates(campaign) == expected


@pytest.mark.django_db
def test_the_campaign_lists_show_the_start_year(alice) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    CampaignFactory(
        title="Қысқы көмек",
        starts_on=today - datetime.timedelta(days=3),
        ends_on=datetime.date(today.year + 1, 1, 31),
    )
    start = today - datetime.timedelta(days=3)
    client = client_for(alice)
    client.cookies["django_language"] = "ru"
    for url in ("/campaigns/", "/manage/campaigns/"):
        page = client.get(url).content.decode()
        assert f"{start.year} г. – 31 января {today.year + 1} г." in page, url
