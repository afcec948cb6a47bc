"""The API's lists run a fixed number of queries, however many rows they return: the map and the
mobile app read /api/shifts/ of hundreds of shifts, a coordinator's tools /api/signups/."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import services
from tests.conftest import api_for
from tests.factories import SkillFactory, VolunteerFactory

from .factories import CampaignFactory, ShiftFactory, in_days

pytestmark = pytest.mark.django_db

URLS = ["/api/shifts/", "/api/shifts/?free=true&region=75", "/api/campaigns/?active=true", "/api/signups/"]


def _grow(n: int, almaty, offset: int) -> None:  # type: ignore[no-untyped-def]
    skill = SkillFactory()
    for i in range(n):
        shift = ShiftFactory(
            campaign=CampaignFactory(region=None if i % 2 else almaty),
            starts_at=in_days(2 + offset + i),
            capacity=3,
        )
        shift.required_skills.add(skill)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)


@pytest.mark.parametrize("url", URLS)
def test_lists_do_not_grow_with_rows(alice, almaty, url: str, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = api_for(alice)
    _grow(2, almaty, offset=0)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200 and response.json()["count"] >= 1
    _grow(40, almaty, offset=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200 and response.json()["count"] >= 20
