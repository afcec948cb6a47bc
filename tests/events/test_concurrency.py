"""Capacity under concurrency, on PostgreSQL: parallel clients with their own connections.

Each thread opens its own database connection (Django gives every thread one), so the row lock
on the shift is what keeps the count right — exactly as with several web workers.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from events import services
from events.models import Shift, Signup
from regions.models import Region
from tests.concurrency import run_at_once, wait_for_lock_waits
from tests.factories import UserFactory, VolunteerFactory
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
@pytest.mark.parametrize("attempt", range(3))
def test_the_apis_last_places_go_to_exactly_as_many_whoever_reads_them_full(
    regions_in_transactional_db, attempt: int
) -> None:  # type: ignore[no-untyped-def]
    """The API's path: each client reads the shift as the view does, and one that reads it full
    is refused without the lock (services.signup_create_own); the others queue on the lock."""
    from events import selectors

    shift = ShiftFactory(capacity=5, waitlist_enabled=False)
    almaty = Region.objects.get(code="75")
    accounts = [VolunteerFactory(region=almaty, with_account=True).user for _ in range(25)]

    def sign_up(user) -> Callable[[], object]:  # type: ignore[no-untyped-def]
        def run() -> object:
            read = selectors.shift_get_for_signup(user=user, pk=shift.pk)
            return services.signup_create_own(shift=read, user=user, waitlist_ok=False)

        return run

    outcomes = run_at_once([sign_up(u) for u in accounts])
    assert sorted(outcomes) == ["full"] * 20 + ["ok"] * 5
    shift.refresh_from_db()
    assert shift.taken_places == 5 == shift.signups.filter(status="confirmed").count()
    assert not shift.signups.exclude(status="confirmed").exists()


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


@pytest.mark.django_db(transaction=True)
def test_cancel_that_promotes_and_sign_up_elsewhere_the_same_day_do_not_deadlock(
    regions_in_transactional_db,  # type: ignore[no-untyped-def]
) -> None:
    """A confirmed place on the morning shift is cancelled while the first person on its
    waitlist signs up for the afternoon shift of the same campaign. Both write the campaign
    day's report summary row; the cancel must not take that row and then wait for the person
    the sign-up already holds (a circle PostgreSQL breaks by failing one request with a 503).

    The interleaving is forced: a third transaction holds the person's afternoon place
    (without touching the summary), so the sign-up stops right after locking the person;
    the cancel then runs as far as it can; then the third transaction gives way."""
    (first, waiting) = _volunteers(2)
    morning = ShiftFactory(capacity=1, starts_at=in_days(5, 9))
    afternoon = ShiftFactory(campaign=morning.campaign, capacity=5, starts_at=in_days(5, 14))
    place = services.signup_create(shift=morning, volunteer=first, by=None)
    assert services.signup_create(shift=morning, volunteer=waiting, by=None).status == "waitlisted"

    holder_ready, release = threading.Event(), threading.Event()

    def hold_the_afternoon_place() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # A plain insert with triggers off: it takes the unique slot, not the summary row.
                cursor.execute("SET LOCAL session_replication_role = replica")
                Signup.objects.create(shift=afternoon, volunteer=waiting, status="confirmed")
                holder_ready.set()
                release.wait(timeout=30)
                transaction.set_rollback(True)
        finally:
            connection.close()

    outcomes: dict[str, str] = {}

    def run(name: str, job: Callable[[], object]) -> None:
        try:
            job()
            outcomes[name] = "ok"
        except Exception as exc:  # the deadlock the test is about, or anything else
            outcomes[name] = repr(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_afternoon_place)
    holder.start()
    assert holder_ready.wait(timeout=20)
    sign_up = threading.Thread(
        target=run,
        args=("sign-up", lambda: services.signup_create(shift=afternoon, volunteer=waiting, by=None)),
    )
    sign_up.start()
    wait_for_lock_waits(1)
    cancel = threading.Thread(
        target=run, args=("cancel", lambda: services.signup_cancel(signup=place, by=None))
    )
    cancel.start()
    wait_for_lock_waits(2)
    release.set()
    for thread in (holder, sign_up, cancel):
        thread.join(timeout=60)

    assert outcomes == {"sign-up": "ok", "cancel": "ok"}
    # The freed morning place went to the waiting person: the two shifts do not overlap.
    assert Signup.objects.get(shift=morning, volunteer=waiting).status == "confirmed"
    assert Signup.objects.get(shift=afternoon, volunteer=waiting).status == "confirmed"
    morning.refresh_from_db()
    assert morning.taken_places == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_opposite_moves_at_the_same_moment_both_succeed(regions_in_transactional_db, attempt: int) -> None:  # type: ignore[no-untyped-def]
    """A coordinator moves Aigerim from the morning to the afternoon shift while another moves
    Daniyar the other way: both shifts are locked in the same order, so neither waits for the
    other in a circle (before, PostgreSQL aborted one of them with a deadlock)."""
    first, second = _volunteers(2)
    morning = ShiftFactory(capacity=2, starts_at=in_days(5, 9))
    afternoon = ShiftFactory(campaign=morning.campaign, capacity=2, starts_at=in_days(5, 14))
    there = services.signup_create(shift=morning, volunteer=first, by=None)
    back = services.signup_create(shift=afternoon, volunteer=second, by=None)
    coordinator = UserFactory()

    outcomes = run_at_once(
        [
            lambda: services.signup_move(signup=there, to_shift=afternoon, by=coordinator),
            lambda: services.signup_move(signup=back, to_shift=morning, by=coordinator),
        ]
    )

    assert outcomes == ["ok", "ok"]
    assert Signup.objects.get(volunteer=first, status="confirmed").shift_id == afternoon.pk
    assert Signup.objects.get(volunteer=second, status="confirmed").shift_id == morning.pk
