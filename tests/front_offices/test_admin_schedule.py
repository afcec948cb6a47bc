"""National staff close a date or change hours in the admin: the slots follow at once, as from
the office's hours page, and the admin names the visits left booked at a time no longer open."""

from __future__ import annotations

import pytest

from front_offices import services
from front_offices.models import OpeningHours
from tests.conftest import client_for
from tests.factories import VolunteerFactory

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    return make_office(capacity=2, minutes=30)


def _slots_api(office, day) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    response = client_for(VolunteerFactory(with_account=True).user).get(
        f"/api/front-offices/{office.pk}/slots/?date={day.isoformat()}"
    )
    assert response.status_code == 200
    return response.json()


def _free_places(office, day) -> int:  # type: ignore[no-untyped-def]
    return sum(slot["free"] for slot in _slots_api(office, day))


class TestAClosedDateAddedInTheAdmin:
    def test_takes_the_free_places_off_the_booking_page_at_once(self, office, nora) -> None:  # type: ignore[no-untyped-def]
        day = next_weekday(2, after=2)
        slot_at(office, day, 10)  # the day's slots exist, as the hourly sync made them
        assert _free_places(office, day) > 0
        response = client_for(nora).post(
            "/admin/front_offices/scheduleexception/add/",
            {"office": office.pk, "date": day.isoformat(), "opens": "", "closes": "", "reason": "Ремонт"},
        )
        assert response.status_code == 302
        assert _free_places(office, day) == 0

    def test_a_national_closed_date_closes_every_office(self, office, nora) -> None:  # type: ignore[no-untyped-def]
        other = make_office(region_code="71", name="Астана")
        day = next_weekday(3, after=2)
        slot_at(office, day, 10), slot_at(other, day, 10)
        client_for(nora).post(
            "/admin/front_offices/scheduleexception/add/",
            {"office": "", "date": day.isoformat(), "opens": "", "closes": "", "reason": "Мереке"},
        )
        assert _free_places(office, day) == 0 and _free_places(other, day) == 0

    def test_names_the_visits_booked_that_day_and_where_to_move_them(self, office, nora, almaty) -> None:  # type: ignore[no-untyped-def]
        day = next_weekday(2, after=2)
        visit = services.visit_book(
            slot=slot_at(office, day, 18),
            volunteer=VolunteerFactory(region=almaty),
            purpose="consultation",
            by=None,
        )
        response = client_for(nora).post(
            "/admin/front_offices/scheduleexception/add/",
            {"office": office.pk, "date": day.isoformat(), "opens": "", "closes": "", "reason": "Ремонт"},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
        shown = [str(m) for m in response.context["messages"]]
        assert any(
            "1 visit is booked at a time the office no longer opens" in text
            and f"/front-offices/{office.pk}/hours/" in text
            for text in shown
        ), shown
        visit.refresh_from_db()
        assert visit.status == visit.Status.BOOKED  # kept for the staff to move or cancel

    def test_removing_it_puts_the_places_back(self, office, nora) -> None:  # type: ignore[no-untyped-def]
        day = next_weekday(2, after=2)
        closed = services.schedule_exception_add(office=office, date=day, reason="Ремонт", by=nora)
        assert _free_places(office, day) == 0
        response = client_for(nora).post(
            f"/admin/front_offices/scheduleexception/{closed.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
        assert _free_places(office, day) > 0


class TestHoursChangedInTheAdmin:
    def test_an_evening_interval_removed_is_no_longer_offered(self, office, nora) -> None:  # type: ignore[no-untyped-def]
        day = next_weekday(1, after=2)
        slot_at(office, day, 18)
        evening = OpeningHours.objects.get(office=office, weekday=1, opens__hour=14)
        client_for(nora).post(
            "/admin/front_offices/openinghours/",
            {"action": "delete_selected", "_selected_action": [evening.pk], "post": "yes"},
        )
        assert not OpeningHours.objects.filter(pk=evening.pk).exists()
        assert all(slot["starts_at"][11:13] < "13" for slot in _slots_api(office, day))

    def test_an_interval_moved_to_another_office_leaves_the_first_one(self, office, nora) -> None:  # type: ignore[no-untyped-def]
        other = make_office(region_code="71", name="Астана")
        OpeningHours.objects.filter(office=other, weekday=5).delete()  # Астана closed on Saturdays
        day = next_weekday(5, after=2)  # Saturday: one interval, 10–16
        slot_at(office, day, 10)
        saturday = OpeningHours.objects.get(office=office, weekday=5)
        response = client_for(nora).post(
            f"/admin/front_offices/openinghours/{saturday.pk}/change/",
            {
                "office": other.pk,
                "weekday": 5,
                "opens": "10:00",
                "closes": "16:00",
                "valid_from": "",
                "valid_until": "",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert _free_places(office, day) == 0
        assert _free_places(other, day) > 0
