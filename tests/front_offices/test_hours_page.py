"""The office's hours page as its clerk keeps it: special hours on a date, the intervals of a day."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from front_offices.models import OpeningHours, ScheduleException, VisitSlot
from tests.conftest import client_for

from .helpers import make_office, next_weekday, office_clerk, slots_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    return make_office(capacity=2)


@pytest.fixture
def clerk(office):  # type: ignore[no-untyped-def]
    user = office_clerk(office, "clerk-hours-page@example.kz")
    return user


class TestSpecialHours:
    def test_shorter_hours_on_a_date_are_saved_and_the_slots_follow(self, office, clerk) -> None:  # type: ignore[no-untyped-def]
        day = next_weekday(2, after=2)
        assert len(slots_for(office, day)) == 20
        response = client_for(clerk).post(
            f"/front-offices/{office.pk}/hours/",
            {
                "action": "add_exception",
                "exception-date": day.isoformat(),
                "exception-opens": "10:00",
                "exception-closes": "12:00",
                "exception-reason": "Семинар",
            },
        )
        assert response.status_code == 302
        row = ScheduleException.objects.get(office=office, date=day)
        assert (row.opens, row.closes, row.reason) == (datetime.time(10), datetime.time(12), "Семинар")
        times = [
            timezone.localtime(slot.starts_at).strftime("%H:%M")
            for slot in VisitSlot.objects.filter(office=office, local_date=day).order_by("starts_at")
        ]
        assert times == ["10:00", "10:30", "11:00", "11:30"]
        page = client_for(clerk).get(f"/front-offices/{office.pk}/hours/").content.decode()
        assert "10:00–12:00" in page and "Семинар" in page


class TestIntervalsOfADay:
    def _add(self, clerk, office, opens: str, closes: str, **period: str):  # type: ignore[no-untyped-def]
        data = {"action": "add_hours", "hours-weekday": "0", "hours-opens": opens, "hours-closes": closes}
        return client_for(clerk).post(
            f"/front-offices/{office.pk}/hours/",
            data | {f"hours-{name}": value for name, value in period.items()},
            headers={"Accept-Language": "en"},
        )

    def test_an_interval_overlapping_another_of_the_day_is_refused(self, office, clerk) -> None:  # type: ignore[no-untyped-def]
        monday = next_weekday(0, after=2)
        assert len(slots_for(office, monday)) == 20
        response = self._add(clerk, office, "12:15", "15:00")
        assert response.status_code == 200
        assert "This overlaps 09:00–13:00 of the same day." in response.content.decode()
        assert OpeningHours.objects.filter(office=office, weekday=0).count() == 2
        # No second set of places at 12:15, 12:45, … beside 12:00, 12:30, ….
        assert VisitSlot.objects.filter(office=office, local_date=monday).count() == 20

    def test_the_lunch_break_may_be_filled_and_a_temporary_schedule_has_its_own_day(
        self, office, clerk
    ) -> None:  # type: ignore[no-untyped-def]
        monday = next_weekday(0, after=2)
        assert self._add(clerk, office, "13:00", "14:00").status_code == 302
        assert len(slots_for(office, monday)) == 22
        period = {"valid_from": monday.isoformat(), "valid_until": monday.isoformat()}
        assert self._add(clerk, office, "10:00", "12:00", **period).status_code == 302


class TestRemovingSaysWhat:
    """Removing a row says which one went: ten identical "Remove" buttons, and the row just
    vanished."""

    def _told(self, clerk, office, **data) -> str:  # type: ignore[no-untyped-def]
        from django.contrib.messages import get_messages

        client = client_for(clerk)
        client.cookies["django_language"] = "en"
        response = client.post(f"/front-offices/{office.pk}/hours/", data)
        assert response.status_code == 302
        return " ".join(str(m) for m in get_messages(response.wsgi_request))

    def test_an_interval(self, office, clerk) -> None:  # type: ignore[no-untyped-def]
        row = OpeningHours.objects.get(office=office, weekday=0, opens=datetime.time(14))
        told = self._told(clerk, office, action="delete_hours", id=str(row.pk))
        assert told == "Monday 14:00–20:00: removed."
        assert not OpeningHours.objects.filter(pk=row.pk).exists()

    def test_a_closed_date(self, office, clerk) -> None:  # type: ignore[no-untyped-def]
        day = next_weekday(2, after=2)
        found = ScheduleException.objects.create(office=office, date=day, reason="Санитарный день")
        told = self._told(clerk, office, action="delete_exception", id=str(found.pk))
        assert told == f"{day:%d.%m.%Y} closed: removed."
        assert not ScheduleException.objects.filter(pk=found.pk).exists()

    def test_each_remove_button_names_its_row(self, office, clerk) -> None:  # type: ignore[no-untyped-def]
        import re

        client = client_for(clerk)
        client.cookies["django_language"] = "kk"
        html = client.get(f"/front-offices/{office.pk}/hours/").content.decode()
        labels = [
            re.sub(r"<[^>]+>", "", b)
            for b in re.findall(r'value="delete_hours">.*?<button[^>]*>(.*?)</button>', html, re.S)
        ]
        # Eleven rows (two a weekday, one on Saturday), each its own accessible name.
        assert len(labels) == 11 and len(set(labels)) == 11, labels
        assert "Жою: Дүйсенбі 09:00–13:00" in labels
