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


@pytest.mark.parametrize("how", ["assign", "confirm_offer"])
def test_a_pause_in_progress_leaves_no_place_behind(coordinator, how) -> None:  # type: ignore[no-untyped-def]
    """Staff pause a volunteer while a coordinator sends them to a request: either the pause's
    hooks give the place back, or the assignment sees the pause and is refused; never a paused
    person holding a place (the assignment used to judge the profile as read before the pause)."""
    import threading

    from django.db import connection, transaction

    from volunteers.models import Volunteer
    from volunteers.services import volunteer_update

    almaty = Region.objects.get(code="75")
    request = HelpRequestFactory(needed_hands=2)
    person = VolunteerFactory(region=almaty, with_account=True)
    offer = (
        services.assignment_offer(request=request, volunteer=person, by=person.user)
        if how == "confirm_offer"
        else None
    )
    as_read = Volunteer.objects.get(pk=person.pk)  # the coordinator's page read it active
    paused, release = threading.Event(), threading.Event()
    outcome: list[str] = []

    def pause() -> None:
        try:
            with transaction.atomic():
                # The staff's own copy of the profile (the page that pauses it read it).
                volunteer_update(
                    volunteer=Volunteer.objects.get(pk=person.pk),
                    changed_by=coordinator,
                    data={"status": "paused"},
                )
                paused.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    def assign() -> None:
        try:
            by = User.objects.get(pk=coordinator.pk)
            if how == "assign":
                services.assignment_volunteer(request=request, volunteer=as_read, by=by)
            else:
                assert offer is not None
                services.assignment_confirm(assignment=offer, by=by)
            outcome.append("ok")
        except Exception as exc:
            outcome.append(getattr(exc, "code", None) or repr(exc))
        finally:
            connection.close()

    pausing = threading.Thread(target=pause)
    pausing.start()
    assert paused.wait(timeout=10)
    assigning = threading.Thread(target=assign)
    assigning.start()
    # The assignment waits for the pause to end (it returns at once if it does not look).
    assigning.join(timeout=1)
    release.set()
    pausing.join(timeout=10)
    assigning.join(timeout=10)
    # Assigned directly, it sees the pause; an offer to confirm was withdrawn by the pause itself.
    assert outcome == ["inactive" if how == "assign" else "not_offered"]
    request.refresh_from_db()
    assert request.taken_hands == 0
    assert not Assignment.objects.filter(request=request, status=Assignment.Status.CONFIRMED).exists()
