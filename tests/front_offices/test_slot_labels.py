"""What the booking and move pages say of a time that cannot be taken."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from front_offices import services
from front_offices.models import VisitSlot
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
