"""Two at once on the same visit, on PostgreSQL: the staff's action and the volunteer's in
parallel transactions, each on its own connection (see tests/events/test_two_at_once.py)."""

from __future__ import annotations

import pytest

from front_offices import services
from front_offices.models import FrontOffice, Visit, VisitSlot
from tests.concurrency import run_at_once
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
