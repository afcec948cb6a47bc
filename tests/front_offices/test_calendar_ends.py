"""The staff's day and block-time pages with a ?date= at the ends of the calendar (year 1, year
9999): such a day has no day before or after it, nor a UTC midnight. It is read like an
unreadable date (today instead), never a 500, and nothing is blocked on it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from front_offices.models import VisitSlot
from tests.conftest import client_for

from .helpers import make_office

pytestmark = pytest.mark.django_db

EDGE_DAYS = ["9999-12-31", "0001-01-01", "1899-12-31", "2100-01-01"]


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    return make_office(capacity=2)


class TestStaffDay:
    @pytest.mark.parametrize("date", EDGE_DAYS)
    def test_a_day_outside_1900_to_2099_shows_today(self, alice, office, date: str) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).get(f"/front-offices/{office.pk}/day/", {"date": date})
        today = timezone.localdate()
        assert response.status_code == 200
        assert response.context["day"] == today
        assert response.context["next"] == today + datetime.timedelta(days=1)

    def test_the_last_day_of_2099_is_still_shown(self, alice, office) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).get(f"/front-offices/{office.pk}/day/", {"date": "2099-12-31"})
        assert response.status_code == 200 and response.context["day"] == datetime.date(2099, 12, 31)


class TestStaffBlock:
    @pytest.mark.parametrize(
        ("date", "starts", "ends"),
        [("9999-12-31", "10:00", "00:00"), ("0001-01-01", "00:00", "01:00")],
    )
    def test_a_day_at_the_calendar_ends_blocks_nothing_there(  # type: ignore[no-untyped-def]
        self, alice, office, date: str, starts: str, ends: str
    ) -> None:
        client = client_for(alice)
        url = f"/front-offices/{office.pk}/block/?date={date}"
        page = client.get(url)
        today = timezone.localdate()
        assert page.status_code == 200 and page.context["day"] == today
        response = client.post(url, {"block-starts": starts, "block-ends": ends, "block-reason": "x"})
        # The page showed today, so its form blocks today's time (or says today has no slots
        # then, on a day the office is closed): no other day is touched.
        if response.status_code == 302:
            assert response["Location"].endswith(f"?date={today.isoformat()}")
        else:
            assert response.status_code == 200 and response.context["day"] == today
        assert not VisitSlot.objects.exclude(local_date=today).exclude(blocked_reason="").exists()
