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


@pytest.mark.django_db
def test_a_birth_date_corrected_to_under_18_gives_up_the_place(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    request = HelpRequestFactory(due_from=in_days(5), needed_hands=1)
    day = timezone.localtime(request.due_from).date()
    # 18 on the request's day as the record said (the guardian's consent is from before).
    person = MinorFactory(
        region=almaty,
        guardian_consent_at=timezone.now(),
        birth_date=day.replace(year=day.year - 18) - datetime.timedelta(days=1),
    )
    assignment = services.assignment_volunteer(request=request, volunteer=person, by=alice)
    volunteer_update(
        volunteer=person,
        data={"birth_date": person.birth_date.replace(year=person.birth_date.year + 1)},
        changed_by=alice,
    )
    assignment.refresh_from_db()
    request.refresh_from_db()
    assert assignment.status == Assignment.Status.WITHDRAWN
    assert request.taken_hands == 0 and request.status == HelpRequest.Status.NEW


@pytest.mark.django_db
def test_a_correction_that_keeps_the_person_adult_keeps_the_place(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    request = HelpRequestFactory(due_from=in_days(5), needed_hands=1)
    day = timezone.localtime(request.due_from).date()
    person = MinorFactory(
        region=almaty,
        guardian_consent_at=timezone.now(),
        birth_date=day.replace(year=day.year - 18) - datetime.timedelta(days=1),
    )
    assignment = services.assignment_volunteer(request=request, volunteer=person, by=alice)
    volunteer_update(
        volunteer=person,
        data={"birth_date": person.birth_date - datetime.timedelta(days=30)},
        changed_by=alice,
    )
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.CONFIRMED
