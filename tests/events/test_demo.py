"""Demo campaigns keep every rule the services enforce, and are the same for the same seed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from events.models import Campaign, Shift, ShiftSeries, Signup
from regions.models import Region


def _snapshot() -> list[tuple]:  # type: ignore[type-arg]
    return list(
        Signup.objects.order_by(
            "shift__starts_at", "shift__place_name", "volunteer__phone", "status"
        ).values_list("shift__campaign__title", "shift__starts_at", "volunteer__phone", "status", "hours")
    )


@pytest.mark.django_db
def test_demo_campaigns_keep_the_rules() -> None:
    call_command("seed_demo", volunteers=400, detachments=20, shifts=600, signups=3000)

    assert Shift.objects.count() == 600
    regions = set(Region.objects.values_list("id", flat=True))
    for kind in Campaign.Kind.values:
        assert set(Campaign.objects.filter(kind=kind).values_list("region_id", flat=True)) >= regions, kind
    assert Campaign.objects.filter(region__isnull=True).exists()
    series = ShiftSeries.objects.first()
    assert series is not None and series.shifts.count() >= 8

    signups = list(Signup.objects.select_related("shift__campaign", "volunteer"))
    assert len(signups) >= 2000
    statuses = {s.status for s in signups}
    assert {"confirmed", "waitlisted", "attended", "no_show", "cancelled"} <= statuses

    with connection.cursor() as cursor:
        # Never more people holding a place than places.
        cursor.execute(
            "SELECT count(*) FROM events_shift s WHERE s.capacity < (SELECT count(*) FROM events_signup g "
            "WHERE g.shift_id = s.id AND g.status IN ('confirmed', 'attended'))"
        )
        assert cursor.fetchone()[0] == 0
        # The shifts' own count of places taken is the truth.
        cursor.execute(
            "SELECT count(*) FROM events_shift s WHERE s.taken_places <> (SELECT count(*) FROM events_signup g "
            "WHERE g.shift_id = s.id AND g.status IN ('confirmed', 'attended'))"
        )
        assert cursor.fetchone()[0] == 0
        # No one on two overlapping shifts.
        cursor.execute(
            "SELECT count(*) FROM events_signup a JOIN events_shift sa ON sa.id = a.shift_id "
            "JOIN events_signup b ON b.volunteer_id = a.volunteer_id AND b.id < a.id "
            "JOIN events_shift sb ON sb.id = b.shift_id "
            "WHERE a.status IN ('confirmed', 'attended') AND b.status IN ('confirmed', 'attended') "
            "AND sa.starts_at < sb.ends_at AND sb.starts_at < sa.ends_at"
        )
        assert cursor.fetchone()[0] == 0

    now = timezone.now()
    for s in signups:
        shift, person = s.shift, s.volunteer
        assert shift.campaign.starts_on <= shift.local_date <= shift.campaign.ends_on
        if s.status in ("confirmed", "attended", "waitlisted"):
            age = person.age(shift.local_date)
            if shift.requires_adult:
                assert age is not None and age >= 18, (s, age)
            if shift.min_age:
                assert age is not None and age >= shift.min_age
            assert person.may_take_part(on=shift.local_date)
        if s.status == "attended":
            assert s.hours is not None and shift.ends_at <= now
        if s.status == "waitlisted":
            assert shift.starts_at > now

    # The demo login has shifts of their own, past (with hours) and upcoming.
    demo = Signup.objects.filter(volunteer__user__email="volunteer@volunteer.kz")
    assert demo.filter(status="attended", hours__gt=0).exists()
    assert demo.filter(status="confirmed", shift__starts_at__gt=now).exists()

    first = _snapshot()
    Campaign.objects.all().delete()
    from events.demo import seed_events

    seed_events(shifts=600, signups=3000, seed=2026)
    assert _snapshot() == first
