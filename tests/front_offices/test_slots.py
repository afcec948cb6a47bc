"""Slot generation from the schedule, in Asia/Almaty, and the opening status shown on pages."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone, translation

from front_offices import selectors, services
from front_offices.models import OpeningHours, ScheduleException, Visit, VisitSlot
from front_offices.schedule import public_holidays
from tests.factories import VolunteerFactory

from .helpers import T, make_office, next_weekday, slot_at, slots_for

pytestmark = pytest.mark.django_db
ALMATY = timezone.get_default_timezone()


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, T(hour, minute), tzinfo=ALMATY)


def test_two_intervals_a_day_give_slots_in_both_and_none_in_the_break() -> None:
    office = make_office()
    monday = next_weekday(0)
    slots = slots_for(office, monday)
    times = [timezone.localtime(s.starts_at).strftime("%H:%M") for s in slots]
    assert len(slots) == 8 + 12
    assert times[0] == "09:00" and times[7] == "12:30" and times[8] == "14:00" and times[-1] == "19:30"
    assert "13:00" not in times and "13:30" not in times
    assert all(s.capacity == 2 and s.local_date == monday for s in slots)
    assert [s.is_evening for s in slots].count(True) == 4  # 18:00, 18:30, 19:00, 19:30
    assert not any(s.is_weekend for s in slots)
    assert all(s.is_weekend for s in slots_for(office, next_weekday(5)))
    assert slots_for(office, next_weekday(6)) == []


def test_generation_is_idempotent_and_follows_a_changed_schedule_keeping_booked_slots() -> None:
    office = make_office()
    monday = next_weekday(0)
    slots_for(office, monday)
    assert services.slots_sync(office=office, first=monday, last=monday) == (0, 0)
    booked = slot_at(office, monday, 19, 30)
    services.visit_book(slot=booked, volunteer=VolunteerFactory(), purpose="consultation", by=None)
    OpeningHours.objects.filter(office=office, weekday=0, opens=T(14)).update(closes=T(18))
    created, deleted = services.slots_sync(office=office, first=monday, last=monday)
    # 18:00–19:30 go, except the booked 19:30, which staff move or keep.
    assert (created, deleted) == (0, 3)
    assert VisitSlot.objects.filter(pk=booked.pk).exists()


def test_a_public_holiday_closes_every_office_and_an_own_closed_date_only_that_one() -> None:
    office, other = make_office(), make_office(region_code="71")
    monday, tuesday = next_weekday(0), next_weekday(1)
    ScheduleException.objects.create(date=monday, reason="Наурыз")
    ScheduleException.objects.create(office=office, date=tuesday, reason="Санитарный день")
    assert slots_for(office, monday) == [] and slots_for(other, monday) == []
    assert slots_for(office, tuesday) == [] and len(slots_for(other, tuesday)) == 20


def test_the_fixed_public_holidays_of_kazakhstan_are_recorded_once() -> None:
    # 14 fixed dates and 4 carried over from a weekend: 2 January, 21 March, 1 and 9 May.
    assert services.public_holidays_ensure(years=[2027]) == 18
    assert services.public_holidays_ensure(years=[2027]) == 0
    days = set(ScheduleException.objects.filter(office=None).values_list("date", flat=True))
    assert {datetime.date(2027, 3, 22), datetime.date(2027, 12, 16), datetime.date(2027, 1, 1)} <= days


def test_special_hours_on_a_date_replace_the_week() -> None:
    office = make_office()
    wednesday = next_weekday(2)
    ScheduleException.objects.create(
        office=office, date=wednesday, opens=T(12), closes=T(14), reason="Короткий день"
    )
    slots = slots_for(office, wednesday)
    assert [timezone.localtime(s.starts_at).strftime("%H:%M") for s in slots] == [
        "12:00",
        "12:30",
        "13:00",
        "13:30",
    ]


def test_a_temporary_schedule_replaces_the_week_in_its_period_only() -> None:
    office = make_office()
    monday = next_weekday(0, after=3)
    end = monday + datetime.timedelta(days=6)
    OpeningHours.objects.create(
        office=office, weekday=0, opens=T(10), closes=T(12), valid_from=monday, valid_until=end
    )
    assert len(slots_for(office, monday)) == 4
    # Saturday is in the period and the temporary schedule has no Saturday: closed.
    assert slots_for(office, monday + datetime.timedelta(days=5)) == []
    assert len(slots_for(office, monday + datetime.timedelta(days=7))) == 20


def test_hours_up_to_midnight_and_after_it_belong_to_their_almaty_dates() -> None:
    office = make_office()
    friday = next_weekday(4)
    saturday = friday + datetime.timedelta(days=1)
    OpeningHours.objects.create(office=office, weekday=4, opens=T(22), closes=T(0))
    OpeningHours.objects.create(office=office, weekday=5, opens=T(0), closes=T(1))
    late = [s for s in slots_for(office, friday) if s.starts_at >= at(friday, 22)]
    assert [s.starts_at for s in late] == [
        at(friday, 22),
        at(friday, 22, 30),
        at(friday, 23),
        at(friday, 23, 30),
    ]
    assert late[-1].ends_at == at(saturday, 0)
    early = slots_for(office, saturday)[:2]
    # 00:00 and 00:30 in Almaty are still the previous day in UTC, but Saturday's slots here.
    assert [s.starts_at for s in early] == [at(saturday, 0), at(saturday, 0, 30)]
    assert early[0].starts_at.astimezone(datetime.UTC).date() == friday
    assert all(s.local_date == saturday and s.is_weekend for s in early)
    # Open through midnight: the status reads one closing time, at 01:00.
    office.refresh_from_db()
    status = selectors.opening_status(office, at(friday, 23, 15))
    assert status.is_open and status.closes_at == at(saturday, 1)


def test_opening_status_in_the_pages_language() -> None:
    office = make_office()
    monday = next_weekday(0)
    with translation.override("en"):
        assert selectors.opening_status(office, at(monday, 15)).text == "Open now, closes at 20:00"
        friday_evening = at(monday + datetime.timedelta(days=4), 21)
        status = selectors.opening_status(office, friday_evening)
        assert not status.is_open and status.opens_at == at(monday + datetime.timedelta(days=5), 10)
        assert status.text == "Opens tomorrow at 10:00"
        assert selectors.opening_status(office, at(monday, 13, 30)).text == "Closed now, opens today at 14:00"
        saturday_evening = at(monday + datetime.timedelta(days=5), 17)
        assert selectors.opening_status(office, saturday_evening).text == "Opens Monday at 09:00"
    with translation.override("ru"):
        assert selectors.opening_status(office, at(monday, 15)).text == "Открыто, закроется в 20:00"
        # The day inflected in the sentence, not a capitalised name after a colon.
        assert selectors.opening_status(office, saturday_evening).text == "Откроется в понедельник в 09:00"
    with translation.override("kk"):
        assert "20:00" in selectors.opening_status(office, at(monday, 15)).text
        assert selectors.opening_status(office, saturday_evening).text == "Ашылуы: дүйсенбі, 09:00"


def test_open_evenings_and_weekends_filters() -> None:
    evening = make_office(name="Кешкі")
    day_only = make_office(region_code="71", name="Күндізгі")
    OpeningHours.objects.filter(office=day_only).delete()
    OpeningHours.objects.create(office=day_only, weekday=0, opens=T(9), closes=T(17))
    names = lambda **kw: {o.name for o in selectors.front_office_public_list(**kw)}  # noqa: E731
    assert names() == {"Кешкі", "Күндізгі"}
    assert names(evenings=True) == {"Кешкі"}
    assert names(weekends=True) == {"Кешкі"}
    assert evening.pk


def test_next_free_visit_across_the_country_skips_full_and_blocked_and_honours_evenings() -> None:
    office, other = make_office(capacity=1), make_office(region_code="71", capacity=1)
    monday = next_weekday(0, after=2)
    first = slot_at(office, monday, 9)
    services.visit_book(slot=first, volunteer=VolunteerFactory(), purpose="consultation", by=None)
    slots_for(other, monday)
    VisitSlot.objects.filter(office=other, local_date=monday, starts_at__lt=at(monday, 10)).update(
        blocked_reason="x"
    )
    found = {f.office.pk: f.slot.starts_at for f in selectors.next_free_visits(now=at(monday, 8))}
    assert found == {office.pk: at(monday, 9, 30), other.pk: at(monday, 10)}
    evening = {
        f.office.pk: f.slot.starts_at for f in selectors.next_free_visits(now=at(monday, 8), evenings=True)
    }
    assert evening == {office.pk: at(monday, 18), other.pk: at(monday, 18)}
    near_astana = selectors.next_free_visits(now=at(monday, 8), point=(51.16, 71.47))
    assert near_astana[0].office == other
    assert Visit.objects.count() == 1


def test_the_periodic_task_and_the_command_keep_the_horizon_filled_idempotently() -> None:
    from django.core.management import call_command

    from front_offices.tasks import sync_slots

    office = make_office()
    created, _deleted = sync_slots()
    assert created > 0
    last = VisitSlot.objects.filter(office=office).order_by("-local_date").first()
    assert last is not None and (last.local_date - timezone.localdate()).days >= 60
    assert sync_slots() == (0, 0)
    out = io.StringIO()
    call_command("front_office_slots", stdout=out)
    assert out.getvalue() == "slots created: 0, removed: 0\n"
    next_year = timezone.localdate().year + 1
    assert ScheduleException.objects.filter(office=None, date__year=next_year).count() == len(
        public_holidays(next_year)
    )
