"""Staff and the volunteer acting on one assignment at once (PostgreSQL, one connection per
thread): the volunteer marks it done while a coordinator withdraws it and another cancels the
request. Whichever comes first wins, the others are refused plainly, and the hours count once or
not at all."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from care import services
from care.models import Assignment, HelpRequest
from regions.models import CoordinatorAssignment, Region
from tests.concurrency import run_at_once
from tests.factories import UserFactory, VolunteerFactory

from .factories import HelpRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("round_", range(3))
def test_done_withdrawn_and_cancelled_at_once_end_coherent(regions_in_transactional_db, round_) -> None:  # type: ignore[no-untyped-def]
    almaty = Region.objects.get(code="75")
    coordinators = [UserFactory(email=f"race-{round_}-{n}@example.kz") for n in range(2)]
    for user in coordinators:
        CoordinatorAssignment.objects.create(user=user, region=almaty)
    request = HelpRequestFactory(needed_hands=2, due_from=timezone.now() - datetime.timedelta(hours=1))
    person, other = (VolunteerFactory(region=almaty, with_account=True) for _ in range(2))
    mine = services.assignment_volunteer(request=request, volunteer=person, by=coordinators[0])
    services.assignment_volunteer(request=request, volunteer=other, by=coordinators[0])

    def done() -> None:
        services.assignment_done(
            assignment=Assignment.objects.get(pk=mine.pk),
            hours="2.5",
            note="",
            by=User.objects.get(pk=person.user_id),
        )

    def withdraw() -> None:
        services.assignment_withdraw(assignment=Assignment.objects.get(pk=mine.pk), by=coordinators[0])

    def cancel() -> None:
        services.request_close(
            request=HelpRequest.objects.get(pk=request.pk),
            status=HelpRequest.Status.CANCELLED,
            outcome_note="",
            by=coordinators[1],
        )

    outcomes = run_at_once([done, withdraw, cancel])
    assert all(o in ("ok", "not_confirmed", "not_active") for o in outcomes), outcomes
    mine.refresh_from_db()
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CANCELLED  # another still went: nothing closed it first
    # The cancellation always goes through; of the other two, the first wins and the second sees it.
    assert outcomes.count("ok") in (1, 2), outcomes
    if mine.status == Assignment.Status.DONE:
        # Done before the others: the help was given, the hours stay, counted once; its hand
        # stays counted too (the cancellation takes back only the hands nobody gave).
        assert mine.hours == Decimal("2.50") and "not_active" in outcomes
        assert request.taken_hands == 1
    else:
        assert mine.status == Assignment.Status.WITHDRAWN and mine.hours is None
        assert "not_confirmed" in outcomes
        assert request.taken_hands == 0
    assert not Assignment.objects.filter(request=request, status=Assignment.Status.CONFIRMED).exists()
