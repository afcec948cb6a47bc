"""The open-shift lists and counts (the API's /api/shifts/, "free") read partial indexes on
(campaign, starts_at) of shifts not cancelled; without them they scan every shift. The campaign
list's "weekends" reads the one on (starts_at, campaign) of the shifts starting on an Almaty
weekend."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from events import selectors
from events.selectors import CampaignFilters

from .factories import ShiftFactory, in_days, local


@pytest.mark.django_db
def test_open_shifts_index_is_partial_on_not_cancelled() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'events_shift' AND indexname = %s",
            ["shift_open_campaign_starts"],
        )
        row = cursor.fetchone()
    assert row is not None
    definition = row[0]
    assert "(campaign_id, starts_at)" in definition
    assert "WHERE (cancelled_at IS NULL)" in definition


@pytest.mark.django_db
def test_free_shifts_index_is_partial_on_open_with_free_places() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'events_shift' AND indexname = %s",
            ["shift_free_campaign_starts"],
        )
        row = cursor.fetchone()
    assert row is not None
    definition = row[0]
    assert "(campaign_id, starts_at)" in definition
    assert "cancelled_at IS NULL" in definition and "capacity > taken_places" in definition


def _weekend_day(weekday: int) -> datetime.date:
    """The next date after today with that ISO weekday (6 = Saturday), at least two days ahead."""
    start = timezone.localdate() + datetime.timedelta(days=2)
    return start + datetime.timedelta(days=(weekday - start.isoweekday()) % 7)


@pytest.mark.django_db
class TestWeekendShifts:
    """The weekends are Saturday and Sunday in Almaty (UTC+5), whatever the UTC date of the start,
    and the filter is answered from the partial index shift_weekend_starts."""

    def test_weekends_are_almaty_saturdays_and_sundays(self, client) -> None:  # type: ignore[no-untyped-def]
        saturday = _weekend_day(6)
        sunday = saturday + datetime.timedelta(days=1)
        monday = sunday + datetime.timedelta(days=1)
        friday = saturday - datetime.timedelta(days=1)

        def campaign_with_shift_at(start: datetime.datetime, **shift: object) -> int:
            return ShiftFactory(
                starts_at=start, ends_at=start + datetime.timedelta(minutes=60), **shift
            ).campaign_id

        # Saturday late evening in Almaty, still Saturday in UTC too (18:30).
        saturday_night = campaign_with_shift_at(local(saturday, 23, 30))
        # Saturday just after midnight in Almaty: Friday 19:30 in UTC.
        saturday_early = campaign_with_shift_at(local(saturday, 0, 30))
        sunday_night = campaign_with_shift_at(local(sunday, 23, 59))
        # Monday just after midnight in Almaty is Sunday 19:30 in UTC: not a weekend shift.
        monday_early = campaign_with_shift_at(local(monday, 0, 30))
        friday_night = campaign_with_shift_at(local(friday, 23, 30))
        cancelled = campaign_with_shift_at(local(sunday, 10), cancelled_at=timezone.now())
        past = campaign_with_shift_at(local(saturday - datetime.timedelta(days=14), 10))
        assert local(monday, 0, 30).astimezone(datetime.UTC).date() == sunday
        assert local(saturday, 0, 30).astimezone(datetime.UTC).date() == friday

        weekend = {c.pk for c in selectors.campaign_list(filters=CampaignFilters(weekends=True))}
        assert weekend == {saturday_night, saturday_early, sunday_night}
        assert not weekend & {monday_early, friday_night, cancelled, past}
        # The page says the same.
        page = client.get("/campaigns/", {"weekends": "on"}).context["page"]
        assert {c.pk for c in page.object_list} == weekend
        # Shifts themselves (the shift list shares the condition).
        shifts = selectors.shift_list(filters=CampaignFilters(weekends=True))
        assert {s.campaign_id for s in shifts} == weekend

    def test_weekend_filter_reads_the_partial_index(self) -> None:
        for days in range(14):
            ShiftFactory(starts_at=in_days(days + 1), ends_at=in_days(days + 1, 13))
        with transaction.atomic(), connection.cursor() as cursor:
            # On the national data PostgreSQL reads the index's upcoming entries and joins them
            # to the campaigns by hash; on a handful of rows it would rather read the tables, so
            # that plan is asked for. The index is a candidate only if the query repeats its
            # predicate expression for expression.
            cursor.execute("ANALYZE events_shift")
            cursor.execute("ANALYZE events_campaign")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_nestloop = off")
            plan = selectors.campaign_list(filters=CampaignFilters(weekends=True)).explain()
        assert "shift_weekend_starts" in plan, plan
