"""Front-office times as a person in Almaty checks them: the last bookable day of the horizon, an
evening slot, a visit moved and moved back, and its reminders."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from front_offices import selectors, services
from front_offices.models import VisitSlot
from notifications.models import Message
from notifications.services import messages_send_due
from tests.factories import VolunteerFactory
from tests.notifications.conftest import clock

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
H = datetime.timedelta(hours=1)


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    return make_office(capacity=2)


def _pending_reminders(visit_pk: int) -> dict[str, datetime.datetime]:
    return {
        m.kind: m.due_at
        for m in Message.objects.filter(
            subject_type="front_offices.visit",
            subject_id=visit_pk,
            status="pending",
            kind__startswith="visit_reminder",
        )
    }


def test_an_evening_slot_on_the_last_day_the_page_offers_can_be_booked(office, bob, settings) -> None:  # type: ignore[no-untyped-def]
    """The booking page offers every day up to today + the horizon; at 10:00 its 19:00 slot on the
    last of those days is free and offered, and booking it must not answer "too far ahead"."""
    settings.FRONT_OFFICE_BOOKING_HORIZON_DAYS = 10
    last_day = next_weekday(0, after=3)  # a Monday: open 14:00–20:00
    today = last_day - datetime.timedelta(days=10)
    now = datetime.datetime.combine(today, datetime.time(10), tzinfo=ALMATY)
    with clock(now):
        _first, last = selectors.booking_window()
        assert last == last_day
        slot = slot_at(office, last_day, 19)
        assert slot.is_evening
        assert [row[1] for row in _slot_rows_for(office, last_day, now) if row[0].pk == slot.pk] == [True]
        visit = services.visit_book(slot=slot, volunteer=bob, purpose="consultation", by=None)
    assert visit.local_date == last_day


def _slot_rows_for(office, day, now):  # type: ignore[no-untyped-def]
    from front_offices.views import _slot_rows

    return _slot_rows(selectors.slots_of_day(office=office, day=day), now)


def test_the_day_after_the_horizon_is_still_refused(office, bob, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FRONT_OFFICE_BOOKING_HORIZON_DAYS = 10
    beyond = next_weekday(0, after=3)
    today = beyond - datetime.timedelta(days=11)
    slot = slot_at(office, beyond, 9)
    with clock(datetime.datetime.combine(today, datetime.time(23, 30), tzinfo=ALMATY)):
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            services.visit_book(slot=slot, volunteer=bob, purpose="consultation", by=None)
    assert caught.value.code == "horizon"
    assert caught.value.messages == ["Visits can be booked at most 10 days ahead."]


def test_a_slot_of_today_that_has_begun_cannot_be_booked_late_in_the_evening(office, bob) -> None:  # type: ignore[no-untyped-def]
    monday = next_weekday(0, after=2)
    slot = slot_at(office, monday, 19)
    with clock(datetime.datetime.combine(monday, datetime.time(19, 5), tzinfo=ALMATY)):
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            services.visit_book(slot=slot, volunteer=bob, purpose="consultation", by=None)
    assert caught.value.messages == ["This time has already passed."]


def test_a_visit_moved_and_moved_back_is_reminded_at_its_time(office, bob) -> None:  # type: ignore[no-untyped-def]
    """Moved to Tuesday, then back to Monday 18:00: the reminders are those of Monday 18:00, and
    none is left for Tuesday."""
    monday = next_weekday(0, after=3)
    first = slot_at(office, monday, 18)
    other = slot_at(office, monday + datetime.timedelta(days=1), 10)
    visit = services.visit_book(slot=first, volunteer=bob, purpose="consultation", by=bob.user)
    at_first = _pending_reminders(visit.pk)
    assert at_first == {
        "visit_reminder_24h": first.starts_at - datetime.timedelta(hours=24),
        "visit_reminder_1h": first.starts_at - datetime.timedelta(hours=1),
    }
    services.visit_reschedule(visit=visit, to_slot=other, by=bob.user)
    assert _pending_reminders(visit.pk) == {
        "visit_reminder_24h": other.starts_at - datetime.timedelta(hours=24),
        "visit_reminder_1h": other.starts_at - datetime.timedelta(hours=1),
    }
    services.visit_reschedule(visit=visit, to_slot=VisitSlot.objects.get(pk=first.pk), by=bob.user)
    assert _pending_reminders(visit.pk) == at_first


def test_a_visit_moved_back_is_reminded_once_at_each_reminder_time(office, almaty) -> None:  # type: ignore[no-untyped-def]
    person = VolunteerFactory(region=almaty, preferred_language="en")
    monday = next_weekday(0, after=3)
    first = slot_at(office, monday, 18)
    other = slot_at(office, monday + datetime.timedelta(days=1), 10)
    visit = services.visit_book(slot=first, volunteer=person, purpose="consultation", by=None)
    services.visit_reschedule(visit=visit, to_slot=other, by=None)
    services.visit_reschedule(visit=visit, to_slot=VisitSlot.objects.get(pk=first.pk), by=None)
    messages_send_due(max_seconds=30)
    mail.outbox.clear()
    for before in (24 * H, H):
        with clock(first.starts_at - before + datetime.timedelta(seconds=5)):
            messages_send_due(max_seconds=30)
            messages_send_due(max_seconds=30)
    assert [m.subject for m in mail.outbox] == [
        "Tomorrow: your visit to Офис 75",
        "In an hour: your visit to Офис 75",
    ]
    assert all("18:00" in m.body for m in mail.outbox)
    # At Tuesday's old times nothing more goes out.
    with clock(other.starts_at - H + datetime.timedelta(seconds=5)):
        assert messages_send_due(max_seconds=30).sent == 0


def test_the_day_before_reminder_of_a_visit_is_dropped_once_the_day_has_come(office, almaty) -> None:  # type: ignore[no-untyped-def]
    """Held up past midnight (a worker down), "Tomorrow: your visit" on the visit's own morning
    would be wrong: it is dropped; the hour-before one still goes."""
    person = VolunteerFactory(region=almaty, preferred_language="en")
    monday = next_weekday(0, after=3)
    slot = slot_at(office, monday, 10)
    services.visit_book(slot=slot, volunteer=person, purpose="consultation", by=None)
    messages_send_due(max_seconds=30)
    mail.outbox.clear()
    with clock(datetime.datetime.combine(monday, datetime.time(0, 10), tzinfo=ALMATY)):
        assert messages_send_due(max_seconds=30).sent == 0
    with clock(slot.starts_at - H + datetime.timedelta(seconds=5)):
        assert messages_send_due(max_seconds=30).sent == 1
    assert [m.subject for m in mail.outbox] == ["In an hour: your visit to Офис 75"]


def test_blocking_the_rest_of_the_day_leaves_the_morning_visits_alone(office, almaty) -> None:  # type: ignore[no-untyped-def]
    """At 15:00 the staff block the whole day: the 18:00 visit is cancelled and its person told;
    the 10:00 visit, already past (not yet marked), is neither cancelled nor "cancelled" by a message."""
    monday = next_weekday(0, after=3)
    morning = services.visit_book(
        slot=slot_at(office, monday, 10),
        volunteer=VolunteerFactory(region=almaty),
        purpose="consultation",
        by=None,
    )
    evening = services.visit_book(
        slot=slot_at(office, monday, 18),
        volunteer=VolunteerFactory(region=almaty),
        purpose="consultation",
        by=None,
    )
    with clock(datetime.datetime.combine(monday, datetime.time(15), tzinfo=ALMATY)):
        cancelled = services.slots_block(
            office=office,
            starts_at=datetime.datetime.combine(monday, datetime.time(0), tzinfo=ALMATY),
            ends_at=datetime.datetime.combine(
                monday + datetime.timedelta(days=1), datetime.time(0), tzinfo=ALMATY
            ),
            reason="Электр жоқ",
            by=None,  # type: ignore[arg-type]
        )
    assert [v.pk for v in cancelled] == [evening.pk]
    morning.refresh_from_db()
    assert morning.status == "booked"
    assert not Message.objects.filter(subject_id=morning.pk, kind="visit_cancelled").exists()
    assert VisitSlot.objects.get(pk=morning.slot_id).blocked_reason == ""


def test_blocking_a_time_already_past_is_refused(office) -> None:  # type: ignore[no-untyped-def]
    monday = next_weekday(0, after=3)
    slot_at(office, monday, 10)
    with clock(datetime.datetime.combine(monday, datetime.time(15), tzinfo=ALMATY)):
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            services.slots_block(
                office=office,
                starts_at=datetime.datetime.combine(monday, datetime.time(9), tzinfo=ALMATY),
                ends_at=datetime.datetime.combine(monday, datetime.time(13), tzinfo=ALMATY),
                reason="Электр жоқ",
                by=None,  # type: ignore[arg-type]
            )
    assert caught.value.message_dict == {"starts_at": ["This time has already passed."]}


def test_opening_status_late_in_the_evening_and_after_midnight(office) -> None:  # type: ignore[no-untyped-def]
    """Open Friday until 00:00 and Saturday from 10:00: at 23:30 Friday it is open until 00:00; at
    00:30 Saturday (still Friday in UTC) it opens "today at 10:00", not "tomorrow"."""
    from front_offices.models import OpeningHours

    friday = next_weekday(4, after=2)
    OpeningHours.objects.filter(office=office, weekday=4).delete()
    OpeningHours.objects.create(office=office, weekday=4, opens=datetime.time(14), closes=datetime.time(0))
    office.refresh_from_db()
    with translation.override("en"):
        late = selectors.opening_status(
            office, datetime.datetime.combine(friday, datetime.time(23, 30), tzinfo=ALMATY)
        )
        assert (late.is_open, late.text) == (True, "Open now, closes at 00:00")
        saturday = friday + datetime.timedelta(days=1)
        night = selectors.opening_status(
            office, datetime.datetime.combine(saturday, datetime.time(0, 30), tzinfo=ALMATY)
        )
        assert (night.is_open, night.text) == (False, "Closed now, opens today at 10:00")
        sunday = selectors.opening_status(
            office, datetime.datetime.combine(saturday, datetime.time(23), tzinfo=ALMATY)
        )
        assert sunday.text == "Opens Monday at 09:00"


def test_next_free_visit_on_weekends_at_the_end_of_saturday(office) -> None:  # type: ignore[no-untyped-def]
    """At 23:50 on Saturday the next weekend visit is the next Saturday's first (no Sunday hours),
    and at 15:55 Saturday it is the last of that day."""
    saturday = next_weekday(5, after=2)
    services.slots_sync(office=office, first=saturday, last=saturday + datetime.timedelta(days=8))
    late = datetime.datetime.combine(saturday, datetime.time(23, 50), tzinfo=ALMATY)
    found = selectors.next_free_visits(weekends=True, now=late)
    following = saturday + datetime.timedelta(days=7)
    assert [(f.slot.local_date, f.slot.starts_at) for f in found] == [
        (following, datetime.datetime.combine(following, datetime.time(10), tzinfo=ALMATY))
    ]
    found = selectors.next_free_visits(
        weekends=True, now=datetime.datetime.combine(saturday, datetime.time(15, 20), tzinfo=ALMATY)
    )
    assert found[0].slot.starts_at == datetime.datetime.combine(
        saturday, datetime.time(15, 30), tzinfo=ALMATY
    )


def test_the_api_shows_no_free_place_in_a_slot_that_has_begun(office) -> None:  # type: ignore[no-untyped-def]
    """At 15:00 the day's slots as the API gives them: the morning's are not free to book (booking
    them is refused as past), the evening's are, times with Almaty's offset."""
    from django.test import Client

    monday = next_weekday(0, after=3)
    slot_at(office, monday, 10)
    with clock(datetime.datetime.combine(monday, datetime.time(15), tzinfo=ALMATY)):
        rows = Client().get(f"/api/front-offices/{office.pk}/slots/?date={monday.isoformat()}").json()
    free = {row["starts_at"][11:16]: row["free"] for row in rows}
    assert free["10:00"] == 0 and free["14:30"] == 0
    assert free["15:30"] == 2 and free["19:30"] == 2
    assert all(row["starts_at"].endswith("+05:00") for row in rows)
