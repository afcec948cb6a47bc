"""What the booking and move pages say of the office's times: why one cannot be taken, and the
hours of a temporary schedule."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from front_offices import services
from front_offices.models import OpeningHours, VisitSlot
from tests.conftest import client_for
from tests.factories import VolunteerFactory

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


def _offs(page: str) -> list[str]:
    return [" ".join(text.split()) for text in re.findall(r'<span class="slot-off">(.*?)</span>', page, re.S)]


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    return make_office(capacity=1)


def test_a_time_that_has_begun_reads_passed_not_full(office, bob) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    slot = slot_at(office, next_weekday(1, after=2), 9)
    # Today's slot that began ten minutes ago, nobody booked in it.
    VisitSlot.objects.filter(pk=slot.pk).update(
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(minutes=20),
        local_date=timezone.localdate(now),
    )
    page = client_for(bob.user).get(
        f"/front-offices/{office.pk}/?date={timezone.localdate(now).isoformat()}", headers=EN
    )
    hhmm = timezone.localtime(now - datetime.timedelta(minutes=10)).strftime("%H:%M")
    assert _offs(page.content.decode()) == [f"{hhmm} · passed"]


def test_the_move_page_says_which_time_is_full_and_which_is_the_visits_own(office, bob, almaty) -> None:  # type: ignore[no-untyped-def]
    day = next_weekday(1, after=2)
    visit = services.visit_book(slot=slot_at(office, day, 9), volunteer=bob, purpose="consultation", by=None)
    services.visit_book(
        slot=slot_at(office, day, 10),
        volunteer=VolunteerFactory(region=almaty),
        purpose="consultation",
        by=None,
    )
    VisitSlot.objects.filter(pk=slot_at(office, day, 11).pk).update(blocked_reason="Жиналыс")
    page = client_for(bob.user).get(f"/front-offices/visits/{visit.pk}/reschedule/", headers=EN)
    assert _offs(page.content.decode()) == ["09:00 · current", "10:00 · full", "11:00 · closed"]


def test_a_temporary_schedule_shows_its_own_hours(office, bob) -> None:  # type: ignore[no-untyped-def]
    start = next_weekday(0, after=3)
    end = start + datetime.timedelta(days=13)
    for weekday in range(5):
        OpeningHours.objects.create(
            office=office,
            weekday=weekday,
            opens=datetime.time(10),
            closes=datetime.time(13),
            valid_from=start,
            valid_until=end,
        )
    page = client_for(bob.user).get(f"/front-offices/{office.pk}/", headers=EN).content.decode()
    tables = [
        [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
        for table in re.findall(r'<table class="hours-table">(.*?)</table>', page, re.S)
    ]
    assert tables[0][0] == "Monday 09:00–13:00, 14:00–20:00" and tables[0][5] == "Saturday 10:00–16:00"
    # The summer's own week: mornings only, Saturday closed.
    assert tables[1][0] == "Monday 10:00–13:00" and tables[1][5] == "Saturday closed"
