"""Capacity under concurrency, on PostgreSQL: parallel clients with their own connections, as
several web workers would be. The slot's row lock and the CHECK constraint keep the count."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from front_offices import services
from front_offices.models import Visit, VisitSlot
from tests.concurrency import run_at_once as run_parallel
from tests.factories import VolunteerFactory

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(jobs: list[Callable[[], object]]) -> list[str]:
    # A slot's sixty bookings queue on one row lock: longer waits than the shared default.
    return run_parallel(jobs, barrier_timeout=60, join_timeout=180)


@pytest.mark.parametrize("attempt", range(3))
def test_sixty_bookings_of_a_slot_for_two_give_exactly_two(regions_in_transactional_db, attempt: int) -> None:  # type: ignore[no-untyped-def]
    office = make_office(capacity=2)
    slot = slot_at(office, next_weekday(0, after=2), 18)
    people = [VolunteerFactory() for _ in range(60)]

    def book(person):  # type: ignore[no-untyped-def]
        return lambda: services.visit_book(
            slot=VisitSlot(pk=slot.pk), volunteer=person, purpose="consultation", by=None
        )

    outcomes = run_at_once([book(p) for p in people])
    assert sorted(outcomes) == ["full"] * 58 + ["ok"] * 2
    slot.refresh_from_db()
    assert slot.taken == 2 and Visit.objects.filter(slot=slot, status="booked").count() == 2


@pytest.mark.parametrize("attempt", range(2))
def test_the_apis_bookings_give_exactly_two_whoever_reads_the_slot_full(
    regions_in_transactional_db, attempt: int
) -> None:  # type: ignore[no-untyped-def]
    """The API's path (services.visit_book_own): a client that reads the slot full is refused
    without the locks, the others queue on them; either way the count holds."""
    office = make_office(capacity=2)
    slot = slot_at(office, next_weekday(0, after=2), 18)
    accounts = [VolunteerFactory(with_account=True).user for _ in range(30)]

    def book(user):  # type: ignore[no-untyped-def]
        return lambda: services.visit_book_own(slot_id=slot.pk, user=user, purpose="consultation")

    outcomes = run_at_once([book(u) for u in accounts])
    assert sorted(outcomes) == ["full"] * 28 + ["ok"] * 2
    slot.refresh_from_db()
    assert slot.taken == 2 and Visit.objects.filter(slot=slot, status="booked").count() == 2


def test_the_database_refuses_an_overfull_slot_even_without_the_lock(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    from django.db import IntegrityError

    office = make_office(capacity=2)
    slot = slot_at(office, next_weekday(0, after=2), 9)
    with pytest.raises(IntegrityError):
        VisitSlot.objects.filter(pk=slot.pk).update(taken=3)


@pytest.mark.parametrize("attempt", range(3))
def test_parallel_reschedules_leave_each_person_exactly_one_visit(
    regions_in_transactional_db, attempt: int
) -> None:  # type: ignore[no-untyped-def]
    office = make_office(capacity=1)
    day = next_weekday(0, after=2)
    targets = [slot_at(office, day, h) for h in (14, 15, 16)]
    people = [VolunteerFactory() for _ in range(6)]
    visits = [
        services.visit_book(
            slot=slot_at(office, day, 9 + n // 2, 30 * (n % 2)), volunteer=p, purpose="consultation", by=None
        )
        for n, p in enumerate(people)
    ]
    # Each person asks to move to each target at once, twice over: 36 moves for 3 places.
    jobs = [
        (
            lambda v=v, t=t: services.visit_reschedule(
                visit=Visit(pk=v.pk, volunteer_id=v.volunteer_id), to_slot=VisitSlot(pk=t.pk), by=None
            )
        )
        for v in visits
        for t in targets
        for _ in range(2)
    ]
    outcomes = run_at_once(jobs)
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    for person in people:
        assert Visit.objects.filter(volunteer=person, status="booked").count() == 1
    for slot in VisitSlot.objects.filter(office=office, local_date=day):
        assert slot.taken == Visit.objects.filter(slot=slot, status="booked").count() <= slot.capacity
    assert VisitSlot.objects.filter(pk__in=[t.pk for t in targets], taken=1).count() == 3
