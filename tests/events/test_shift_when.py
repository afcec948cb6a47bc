"""Per-page work on the shift pages: shift times keep day names per date and language (a page in
Russian never shows names a Kazakh page computed before it); "my shifts" loads the person once."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from events import services
from events.models import Shift
from events.templatetags.events_tags import shift_when
from tests.conftest import client_for

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


def _shift(start: datetime.datetime, hours: int) -> Shift:
    return Shift(starts_at=start, ends_at=start + datetime.timedelta(hours=hours))


def test_same_shift_reads_in_each_language_in_turn() -> None:
    shift = _shift(datetime.datetime(2026, 11, 28, 10, 0, tzinfo=ALMATY), 3)
    with translation.override("en"):
        assert shift_when(shift) == "Sat, 28 November · 10:00–13:00"
    with translation.override("ru"):
        russian = shift_when(shift)
    with translation.override("kk"):
        kazakh = shift_when(shift)
    with translation.override("en"):
        assert shift_when(shift) == "Sat, 28 November · 10:00–13:00"
    assert "ноября" in russian and russian.endswith("10:00–13:00")
    assert kazakh != russian and kazakh.endswith("10:00–13:00")


def test_night_shift_and_long_shift() -> None:
    night = _shift(datetime.datetime(2026, 11, 28, 22, 5, tzinfo=ALMATY), 8)
    long = _shift(datetime.datetime(2026, 11, 28, 9, 0, tzinfo=ALMATY), 30)
    with translation.override("en"):
        assert shift_when(night) == "Sat, 28 November · 22:05–06:05 (+1)"
        assert shift_when(long) == "Sat, 28 November 09:00 – Sun, 29 November 15:00"


@pytest.mark.django_db
def test_my_shifts_reads_the_person_once_and_still_shows_the_calendar_box(bob) -> None:  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    services.calendar_feed_renew(volunteer=bob)
    client = client_for(bob.user)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/my-shifts/").content.decode()
    people = [q for q in ctx.captured_queries if 'FROM "volunteers_volunteer"' in q["sql"]]
    assert len(people) == 1
    assert 'id="calendar-feed"' in page and 'id="calendar-feed-url"' in page
