"""Never more people than a request needs, whatever the concurrency (PostgreSQL, one connection
per thread, as with several web workers)."""

from __future__ import annotations

import pytest

from accounts.models import User
from care import services
from care.models import Assignment, HelpRequest
from regions.models import CoordinatorAssignment, Region
from tests.concurrency import run_at_once
from tests.factories import UserFactory, VolunteerFactory

from .factories import HelpRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator(regions_in_transactional_db) -> User:  # type: ignore[no-untyped-def]
    user = UserFactory(email="coord-race@example.kz")
    CoordinatorAssignment.objects.create(user=user, region=Region.objects.get(code="75"))
    return user


def test_thirty_volunteers_offering_at_once_leave_exactly_two_assigned(coordinator) -> None:  # type: ignore[no-untyped-def]
    almaty = Region.objects.get(code="75")
    request = HelpRequestFactory(needed_hands=2)
    volunteers = [VolunteerFactory(region=almaty, with_account=True) for _ in range(30)]

    def offer_and_confirm(volunteer):  # type: ignore[no-untyped-def]
        # Each offer is confirmed at once by the coordinator, as 30 tabs would race.
        def job() -> None:
            offer = services.assignment_offer(
                request=HelpRequest.objects.get(pk=request.pk), volunteer=volunteer, by=volunteer.user
            )
            services.assignment_confirm(assignment=offer, by=User.objects.get(pk=coordinator.pk))

        return job

    outcomes = run_at_once([offer_and_confirm(v) for v in volunteers])
    assert outcomes.count("ok") == 2, outcomes
    assert all(o in ("ok", "full") for o in outcomes), outcomes
    request.refresh_from_db()
    assert request.taken_hands == 2
    assert Assignment.objects.filter(request=request, status=Assignment.Status.CONFIRMED).count() == 2


def test_direct_assignments_at_once_never_exceed_the_hands(coordinator) -> None:  # type: ignore[no-untyped-def]
    almaty = Region.objects.get(code="75")
    request = HelpRequestFactory(needed_hands=3)
    volunteers = [VolunteerFactory(region=almaty) for _ in range(12)]
    outcomes = run_at_once(
        [
            (
                lambda v=v: services.assignment_volunteer(
                    request=request, volunteer=v, by=User.objects.get(pk=coordinator.pk)
                )
            )
            for v in volunteers
        ]
    )
    assert outcomes.count("ok") == 3, outcomes
    request.refresh_from_db()
    assert request.taken_hands == 3
