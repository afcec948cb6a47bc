"""The day of GET /api/front-offices/{id}/slots/ is read like the other API date filters: a day
missing from the calendar is called that, not a wrong format."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.front_offices.helpers import make_office, next_weekday, slots_for


@pytest.mark.django_db
class TestSlotsDay:
    def test_a_day_the_calendar_lacks(self, almaty) -> None:  # type: ignore[no-untyped-def]
        office = make_office()
        response = APIClient().get(
            f"/api/front-offices/{office.pk}/slots/", {"date": "2026-02-29"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 400
        assert response.json() == {"date": ["There is no such day in the calendar: 2026-02-29."]}
        # The same answer as the shifts' own day filters give.
        shifts = APIClient().get("/api/shifts/", {"from": "2026-02-29"}, HTTP_ACCEPT_LANGUAGE="en")
        assert shifts.json()["from"] == response.json()["date"]

    @pytest.mark.parametrize("value", ["", "abc", "2100-01-01", "1899-12-31"])
    def test_missing_or_bad_days_are_field_errors(self, almaty, value: str) -> None:  # type: ignore[no-untyped-def]
        office = make_office()
        response = APIClient().get(f"/api/front-offices/{office.pk}/slots/", {"date": value})
        assert response.status_code == 400 and list(response.json()) == ["date"]
        assert list(APIClient().get(f"/api/front-offices/{office.pk}/slots/").json()) == ["date"]

    def test_a_good_day_still_lists_its_slots(self, almaty) -> None:  # type: ignore[no-untyped-def]
        office = make_office()
        day = next_weekday(0)
        made = slots_for(office, day)
        rows = APIClient().get(f"/api/front-offices/{office.pk}/slots/", {"date": day.isoformat()}).json()
        assert [row["id"] for row in rows] == [slot.pk for slot in made]
        assert all(row["starts_at"].startswith(day.isoformat()) for row in rows)
