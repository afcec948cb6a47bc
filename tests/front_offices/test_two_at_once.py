"""Two at once on the same visit, on PostgreSQL: the staff's action and the volunteer's in
parallel transactions, each on its own connection (see tests/events/test_two_at_once.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from front_offices import services
from front_offices.messages import SUBJECT_TYPE
from front_offices.models import FrontOffice, Visit, VisitSlot
from notifications.models import Message
from tests.concurrency import run_at_once, wait_for_lock_waits
from tests.events.test_two_at_once import _first_holds_then_second
from tests.factories import UserFactory, VolunteerFactory

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visit_moved_to_another_office_as_its_office_closes_is_kept(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """The volunteer moves their visit to another office while the staff close the first one:
    the closing waits for the move and leaves the visit, now elsewhere, booked (it cancelled it
    with "the front office has closed", of an office it no longer was at)."""
    closing = make_office(name="Офис 1")
    other = make_office(name="Офис 2")
    day = next_weekday(1, after=2)
    here, there = slot_at(closing, day, 10), slot_at(other, day, 15)
    person = VolunteerFactory(with_account=True)
    visit = services.visit_book(slot=here, volunteer=person, purpose="consultation", by=None)

    def move() -> object:
        return services.visit_reschedule(
            visit=Visit.objects.get(pk=visit.pk), to_slot=VisitSlot(pk=there.pk), by=person.user
        )

    def close() -> object:
        return services.front_office_update(
            office=FrontOffice.objects.get(pk=closing.pk), data={"is_active": False}
        )

    assert _first_holds_then_second(move, close) == ["ok", "ok"]

    visit.refresh_from_db()
    assert visit.status == Visit.Status.BOOKED and visit.office_id == other.pk and visit.slot_id == there.pk
    here.refresh_from_db()
    there.refresh_from_db()
    assert (here.taken, there.taken) == (0, 1)
    assert not FrontOffice.objects.get(pk=closing.pk).is_active


def test_a_slot_blocked_as_a_visit_is_moved_into_it_ends_with_the_visit_told_once(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """The staff block a time while the volunteer moves their visit into it: either the move is
    refused (the time is blocked), or it happens first and the block then cancels the visit with
    its reason. Each slot's count equals its booked visits."""
    office = make_office()
    day = next_weekday(2, after=2)
    booked_at, blocked = slot_at(office, day, 10), slot_at(office, day, 15)
    person = VolunteerFactory(with_account=True)
    visit = services.visit_book(slot=booked_at, volunteer=person, purpose="consultation", by=None)
    staff = UserFactory()

    outcomes = run_at_once(
        [
            lambda: services.visit_reschedule(
                visit=Visit.objects.get(pk=visit.pk), to_slot=VisitSlot(pk=blocked.pk), by=person.user
            ),
            lambda: services.slots_block(
                office=office, starts_at=blocked.starts_at, ends_at=blocked.ends_at, reason="Ремонт", by=staff
            ),
        ]
    )
    visit.refresh_from_db()
    if outcomes[0] == "blocked" or outcomes[1] == "blocked":
        assert visit.status == Visit.Status.BOOKED and visit.slot_id == booked_at.pk
    else:
        assert outcomes == ["ok", "ok"]
        assert visit.status == Visit.Status.CANCELLED and visit.cancel_reason == "Ремонт"
    for slot in (booked_at, blocked):
        slot.refresh_from_db()
        assert slot.taken == Visit.objects.filter(slot=slot, status=Visit.Status.BOOKED).count()
    assert VisitSlot.objects.get(pk=blocked.pk).blocked_reason == "Ремонт"


def _held_until_both_wait(
    holds: Callable[[], object], first: Callable[[], object], second: Callable[[], object]
) -> list[str]:
    """A third transaction runs `holds` (it locks a row) and keeps it until `first` and then
    `second`, started in that order, are both seen waiting for a lock; then lets go. Returns the
    outcomes of `first` and `second` ("ok", the refusal's code, or the error)."""
    held, release = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def hold() -> None:
        try:
            with transaction.atomic():
                holds()
                held.set()
                release.wait(20)
        finally:
            held.set()
            connection.close()

    def run(name: str, job: Callable[[], object]) -> None:
        try:
            job()
            outcomes[name] = "ok"
        except Exception as exc:
            outcomes[name] = getattr(exc, "code", None) or repr(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(20)
    one = threading.Thread(target=run, args=("first", first))
    one.start()
    wait_for_lock_waits(1, timeout=10)
    two = threading.Thread(target=run, args=("second", second))
    two.start()
    try:
        wait_for_lock_waits(2, timeout=10)
    finally:
        release.set()
        for thread in (holder, one, two):
            thread.join(30)
    # The waits above read pg_stat_activity on this thread's own connection: closed here, as the
    # threads close theirs, so that the test database can be flushed.
    connections.close_all()
    return [outcomes.get("first", "unfinished"), outcomes.get("second", "unfinished")]


def _lock_slot_row(slot_pk: int) -> Callable[[], object]:
    return lambda: list(VisitSlot.objects.select_for_update().filter(pk=slot_pk).values_list("pk"))


def test_a_visit_cancelled_as_its_time_is_blocked_ends_cancelled_once_without_a_deadlock(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """The volunteer cancels their visit as the staff block its day. The block is held up on
    a later slot of the day, the cancellation then comes to wait for the block: with the visit
    locked first and its slot second on both sides, one waits for the other and both finish (the
    block used to hold the visit's slot while waiting for the visit, which the cancellation held
    while waiting for the slot: a deadlock, and a 503 for one of them)."""
    office = make_office()
    day = next_weekday(3, after=2)
    booked_at, later = slot_at(office, day, 10), slot_at(office, day, 17)
    assert booked_at.pk < later.pk
    person = VolunteerFactory(with_account=True)
    visit = services.visit_book(slot=booked_at, volunteer=person, purpose="consultation", by=None)
    staff = UserFactory()

    def block() -> object:
        return services.slots_block(
            office=office, starts_at=booked_at.starts_at, ends_at=later.ends_at, reason="Ремонт", by=staff
        )

    def cancel() -> object:
        return services.visit_cancel(visit=Visit.objects.get(pk=visit.pk), by=person.user)

    outcomes = _held_until_both_wait(_lock_slot_row(later.pk), block, cancel)

    # No deadlock error: the block took the visit first, the cancellation found it cancelled.
    assert outcomes == ["ok", "not_booked"], outcomes
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED and visit.cancel_reason == "Ремонт"
    for slot in (booked_at, later):
        slot.refresh_from_db()
        assert slot.taken == Visit.objects.filter(slot=slot, status=Visit.Status.BOOKED).count() == 0
        assert slot.blocked_reason == "Ремонт"
    told = Message.objects.filter(subject_type=SUBJECT_TYPE, subject_id=visit.pk, kind="visit_cancelled")
    assert told.count() == 1


@pytest.mark.parametrize("path", ["visit_book", "visit_book_own"])
def test_a_booking_made_as_the_office_closes_is_refused(regions_in_transactional_db, path) -> None:  # type: ignore[no-untyped-def]
    """The coordinators close the office while a volunteer books there: the booking waits for
    the close and is then refused as the office is closed (it used to read the office open,
    wait only to insert its visit, and commit it after the close had cancelled those it found:
    a booked visit in a closed office). Both paths: staff's and the page's (`visit_book`) and the
    API's (`visit_book_own`), which reads the slot before its locks."""
    office = make_office()
    slot = slot_at(office, next_weekday(1, after=2), 10)
    person = VolunteerFactory(with_account=True)

    def close() -> object:
        return services.front_office_update(
            office=FrontOffice.objects.get(pk=office.pk), data={"is_active": False}
        )

    def book() -> object:
        if path == "visit_book_own":
            return services.visit_book_own(slot_id=slot.pk, user=person.user, purpose="consultation")
        return services.visit_book(
            slot=VisitSlot(pk=slot.pk), volunteer=person, purpose="consultation", by=None
        )

    assert _first_holds_then_second(close, book) == ["ok", "closed"]

    assert not Visit.objects.filter(office=office, status=Visit.Status.BOOKED).exists()
    assert VisitSlot.objects.get(pk=slot.pk).taken == 0


def test_an_office_closed_as_a_visit_is_booked_there_cancels_it(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """The other way round: the booking comes first, the close waits for it and then cancels
    the visit with the others, the person told once."""
    office = make_office()
    slot = slot_at(office, next_weekday(1, after=2), 10)
    person = VolunteerFactory(with_account=True)

    def book() -> object:
        return services.visit_book(
            slot=VisitSlot(pk=slot.pk), volunteer=person, purpose="consultation", by=None
        )

    def close() -> object:
        return services.front_office_update(
            office=FrontOffice.objects.get(pk=office.pk), data={"is_active": False}
        )

    assert _first_holds_then_second(book, close) == ["ok", "ok"]

    [visit] = Visit.objects.filter(office=office)
    assert visit.status == Visit.Status.CANCELLED
    assert VisitSlot.objects.get(pk=slot.pk).taken == 0
    told = Message.objects.filter(subject_type=SUBJECT_TYPE, subject_id=visit.pk, kind="visit_cancelled")
    assert told.count() == 1


def test_a_visit_moved_into_an_office_as_it_closes_stays_where_it_was(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """The volunteer moves their visit into an office as it closes: the move waits for the close
    and is refused, the visit kept booked at the office that stays open."""
    staying, closing = make_office(name="Офис 1"), make_office(name="Офис 2")
    day = next_weekday(1, after=2)
    here, there = slot_at(staying, day, 10), slot_at(closing, day, 15)
    person = VolunteerFactory(with_account=True)
    visit = services.visit_book(slot=here, volunteer=person, purpose="consultation", by=None)

    def close() -> object:
        return services.front_office_update(
            office=FrontOffice.objects.get(pk=closing.pk), data={"is_active": False}
        )

    def move() -> object:
        return services.visit_reschedule(
            visit=Visit.objects.get(pk=visit.pk), to_slot=VisitSlot(pk=there.pk), by=person.user
        )

    assert _first_holds_then_second(close, move) == ["ok", "closed"]

    visit.refresh_from_db()
    assert visit.status == Visit.Status.BOOKED and visit.slot_id == here.pk
    assert (VisitSlot.objects.get(pk=here.pk).taken, VisitSlot.objects.get(pk=there.pk).taken) == (1, 0)


def test_a_visit_booked_as_its_time_is_blocked_is_cancelled_with_the_others(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """The booking holds the slot as the staff block it: the block has locked the visits it saw
    (none) and waits for the slot; once it has it, the new visit is one it has not locked, so it
    lets go and locks again, visits first (`_lock_block`), and cancels that one too."""
    office = make_office()
    slot = slot_at(office, next_weekday(4, after=2), 10)
    person = VolunteerFactory(with_account=True)
    staff = UserFactory()

    def book() -> object:
        return services.visit_book(
            slot=VisitSlot(pk=slot.pk), volunteer=person, purpose="consultation", by=None
        )

    def block() -> object:
        return services.slots_block(
            office=office, starts_at=slot.starts_at, ends_at=slot.ends_at, reason="Ремонт", by=staff
        )

    assert _first_holds_then_second(book, block) == ["ok", "ok"]

    [visit] = Visit.objects.filter(slot=slot)
    assert visit.status == Visit.Status.CANCELLED and visit.cancel_reason == "Ремонт"
    slot.refresh_from_db()
    assert (slot.taken, slot.blocked_reason) == (0, "Ремонт")
    told = Message.objects.filter(subject_type=SUBJECT_TYPE, subject_id=visit.pk, kind="visit_cancelled")
    assert told.count() == 1


def test_a_person_paused_as_the_staff_block_the_day_of_two_of_their_visits(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """Staff pause a volunteer with two visits on one day (the later one booked first) as other
    staff block that day. The block locks the day's visits in id order, then the slots; the pause
    used to cancel the person's visits one by one in order of time, each visit and then its slot,
    so it held the second-booked visit while waiting for the first, which the block held while
    waiting for the second: a deadlock. Now the pause locks all the person's visits first, in id
    order, then their slots, as the block does, and the two queue."""
    from volunteers import services as volunteer_services

    office = make_office()
    day = next_weekday(2, after=2)
    early, late = slot_at(office, day, 10), slot_at(office, day, 15)
    person = VolunteerFactory(with_account=True)
    first_booked = services.visit_book(slot=late, volunteer=person, purpose="consultation", by=None)
    then_booked = services.visit_book(slot=early, volunteer=person, purpose="consultation", by=None)
    assert first_booked.pk < then_booked.pk and then_booked.starts_at < first_booked.starts_at
    staff = [UserFactory(), UserFactory()]

    def pause() -> object:
        return volunteer_services.volunteer_update(
            volunteer=type(person).objects.get(pk=person.pk), changed_by=staff[0], data={"status": "paused"}
        )

    def block() -> object:
        return services.slots_block(
            office=office, starts_at=early.starts_at, ends_at=late.ends_at, reason="Ремонт", by=staff[1]
        )

    outcomes = _held_until_both_wait(_lock_slot_row(early.pk), pause, block)

    assert outcomes == ["ok", "ok"], outcomes
    for visit in (first_booked, then_booked):
        visit.refresh_from_db()
        assert visit.status == Visit.Status.CANCELLED
    for slot in (early, late):
        slot.refresh_from_db()
        assert slot.taken == Visit.objects.filter(slot=slot, status=Visit.Status.BOOKED).count() == 0
