"""Minors never go alone to someone's home: also when a corrected birth date makes a person
assigned as an adult a minor on the request's day."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from care import services
from care.models import Assignment, HelpRequest
from tests.factories import MinorFactory
from volunteers.services import volunteer_update

from .factories import HelpRequestFactory, in_days


@pytest.fixture
def adult_on_the_day(alice, almaty):  # type: ignore[no-untyped-def]
    """A request in five days, and a person 18 on its day as the record says (the guardian's
    consent is from before), assigned to it."""
    request = HelpRequestFactory(due_from=in_days(5), needed_hands=1)
    day = timezone.localtime(request.due_from).date()
    # Turned 18 on the first of the month before (a first: no 29 February to trip on).
    born = (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    born = born.replace(year=born.year - 18)
    person = MinorFactory(region=almaty, guardian_consent_at=timezone.now(), birth_date=born)
    return request, person, services.assignment_volunteer(request=request, volunteer=person, by=alice)


@pytest.mark.django_db
def test_a_birth_date_corrected_to_under_18_gives_up_the_place(alice, adult_on_the_day) -> None:  # type: ignore[no-untyped-def]
    request, person, assignment = adult_on_the_day
    day = timezone.localtime(request.due_from).date()
    # Born a year later: 17 on the request's day.
    volunteer_update(
        volunteer=person, data={"birth_date": day.replace(day=1, year=day.year - 17)}, changed_by=alice
    )
    assignment.refresh_from_db()
    request.refresh_from_db()
    assert assignment.status == Assignment.Status.WITHDRAWN
    assert request.taken_hands == 0 and request.status == HelpRequest.Status.NEW


@pytest.mark.django_db
def test_a_correction_that_keeps_the_person_adult_keeps_the_place(alice, adult_on_the_day) -> None:  # type: ignore[no-untyped-def]
    _request, person, assignment = adult_on_the_day
    volunteer_update(
        volunteer=person,
        data={"birth_date": person.birth_date - datetime.timedelta(days=30)},
        changed_by=alice,
    )
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.CONFIRMED
