"""Capacity under concurrency, on PostgreSQL: parallel clients with their own connections.

Each thread opens its own database connection (Django gives every thread one), so the row lock
on the shift is what keeps the count right — exactly as with several web workers.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from events import services
from events.models import Shift, Signup
from regions.models import Region
from tests.concurrency import run_at_once
from tests.factories import VolunteerFactory
from volunteers.models import Volunteer

from .factories import ShiftFactory, in_days


def _volunteers(n: int) -> list[Volunteer]:
    almaty = Region.objects.get(code="75")
    return [VolunteerFactory(region=almaty) for _ in range(n)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_fifty_people_for_ten_places_confirm_exactly_ten(regions_in_transactional_db, attempt: int) -> None:  # type: ignore[no-untyped-def]
    shift = ShiftFactory(capacity=10)
    people = _volunteers(50)

    def sign_up(volunteer: Volunteer) -> Callable[[], object]:
        return lambda: services.signup_create(shift=Shift(pk=shift.pk), volunteer=volunteer, by=None)

    outcomes = run_at_once([sign_up(v) for v in people])

    assert outcomes == ["ok"] * 50
    assert shift.signups.filter(status="confirmed").count() == 10
    assert shift.signups.filter(status="waitlisted").count() == 40
    # The first ten to get the lock are confirmed; the waitlist follows in sign-up order.
    ordered = list(shift.signups.order_by("created_at", "id").values_list("status", flat=True))
    assert ordered == ["confirmed"] * 10 + ["waitlisted"] * 40
    shift.refresh_from_db()
    assert shift.taken_places == 10


@pytest.mark.django_db(transaction=True)
def test_full_shift_without_waitlist_refuses_the_rest_at_once(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    shift = ShiftFactory(capacity=5, waitlist_enabled=False)
    people = _volunteers(20)
    outcomes = run_at_once(
        [lambda v=v: services.signup_create(shift=shift, volunteer=v, by=None) for v in people]
    )
    assert sorted(outcomes) == ["full"] * 15 + ["ok"] * 5
    assert shift.signups.count() == 5


@pytest.mark.django_db(transaction=True)
def test_parallel_cancellations_each_promote_exactly_one(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    shift = ShiftFactory(capacity=10)
    people = _volunteers(25)
    signups = [services.signup_create(shift=shift, volunteer=v, by=None) for v in people]
    confirmed, waiting = signups[:10], signups[10:]
    assert {s.status for s in confirmed} == {"confirmed"} and {s.status for s in waiting} == {"waitlisted"}

    outcomes = run_at_once([lambda s=s: services.signup_cancel(signup=s, by=None) for s in confirmed])

    assert outcomes == ["ok"] * 10
    assert shift.signups.filter(status="confirmed").count() == 10
    assert shift.signups.filter(status="cancelled").count() == 10
    # The first ten of the waitlist moved up, each once; the last five still wait.
    statuses = list(Signup.objects.filter(pk__in=[s.pk for s in waiting]).order_by("created_at", "id"))
    assert [s.status for s in statuses] == ["confirmed"] * 10 + ["waitlisted"] * 5
    assert all(s.promoted_at is not None for s in statuses[:10])
    shift.refresh_from_db()
    assert shift.taken_places == 10


@pytest.mark.django_db(transaction=True)
def test_one_person_on_two_overlapping_shifts_at_once_gets_one(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """Two tabs, two shifts at the same hour: the volunteer row is locked too, so the overlap
    check sees the other sign-up."""
    (person,) = _volunteers(1)
    shifts = [
        ShiftFactory(starts_at=in_days(3, 10), ends_at=in_days(3, 10) + datetime.timedelta(hours=3))
        for _ in range(2)
    ]
    outcomes = run_at_once(
        [lambda s=s: services.signup_create(shift=s, volunteer=person, by=None) for s in shifts]
    )
    assert sorted(outcomes) == ["ok", "overlap"]
    assert Signup.objects.filter(volunteer=person, status="confirmed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_double_click_makes_one_sign_up(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    shift = ShiftFactory(capacity=3)
    (person,) = _volunteers(1)
    outcomes = run_at_once(
        [lambda: services.signup_create(shift=shift, volunteer=person, by=None) for _ in range(5)]
    )
    assert sorted(outcomes) == ["already"] * 4 + ["ok"]
    assert shift.signups.count() == 1
