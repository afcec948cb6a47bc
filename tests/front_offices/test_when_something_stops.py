"""What happens to the visits booked at an office when it closes: each is cancelled with its
place freed and its reminders dropped, and the person is told once, with the reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from front_offices import services
from front_offices.models import OpeningHours, ScheduleException, Visit, VisitSlot
from notifications.models import Message
from tests.conftest import client_for
from tests.factories import VolunteerFactory

from .helpers import make_office, next_weekday, slot_at


def pending(volunteer) -> list[Message]:  # type: ignore[no-untyped-def]
    return list(Message.objects.filter(recipient=volunteer, status=Message.Status.PENDING))


@pytest.fixture
def booked(almaty):  # type: ignore[no-untyped-def]
    office = make_office()
    person = VolunteerFactory(region=almaty, preferred_language="en")
    visit = services.visit_book(
        slot=slot_at(office, next_weekday(1), 10), volunteer=person, purpose="consultation", by=None
    )
    return office, person, visit


def assert_cancelled_and_told_once(person, visit) -> None:  # type: ignore[no-untyped-def]
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED
    assert VisitSlot.objects.get(pk=visit.slot_id).taken == 0
    # The reminders and the booking's confirmation are off; one message says why.
    [told] = pending(person)
    assert told.kind == "visit_cancelled"
    assert told.context["note"] == "The front office has closed."


@pytest.mark.django_db
class TestOfficeClosed:
    def test_closing_cancels_the_upcoming_visits(self, alice, booked) -> None:  # type: ignore[no-untyped-def]
        office, person, visit = booked
        services.front_office_update(office=office, data={"is_active": False}, by=alice)
        assert_cancelled_and_told_once(person, visit)
        # Saved again while closed: nobody is told twice.
        services.front_office_update(office=office, data={"is_active": False, "phone": "+77272000000"})
        assert len(pending(person)) == 1

    def test_closing_in_the_admin_cancels_them_too(self, nora, booked) -> None:  # type: ignore[no-untyped-def]
        office, person, visit = booked
        client = client_for(nora)
        url = f"/admin/front_offices/frontoffice/{office.pk}/change/"
        form = client.get(url).context["adminform"].form
        data = {name: form[name].value() for name in form.fields if name != "is_active"}
        data = {name: ("" if value is None else value) for name, value in data.items()}
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        office.refresh_from_db()
        assert not office.is_active
        assert_cancelled_and_told_once(person, visit)

    def test_a_past_visit_is_left_for_the_staff_to_mark(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        office = make_office()
        person = VolunteerFactory(region=almaty)
        slot = slot_at(office, next_weekday(1), 10)
        visit = services.visit_book(slot=slot, volunteer=person, purpose="consultation", by=None)
        Visit.objects.filter(pk=visit.pk).update(starts_at=visit.starts_at.replace(year=2020))
        services.front_office_update(office=office, data={"is_active": False}, by=alice)
        visit.refresh_from_db()
        assert visit.status == Visit.Status.BOOKED

    def test_each_visit_is_locked_and_read_once_whatever_their_number(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        """The visits are locked together and read once, then cancelled: they used to be locked
        and read one by one, and then again by the cancellation of each. Two in one slot free
        both its places."""
        office = make_office(capacity=2)
        day = next_weekday(2)
        shared = slot_at(office, day, 10)
        slots = [shared, shared, slot_at(office, day, 11), slot_at(office, day, 15)]
        people = [VolunteerFactory(region=almaty, preferred_language="en") for _ in slots]
        visits = [
            services.visit_book(slot=slot, volunteer=person, purpose="consultation", by=None)
            for slot, person in zip(slots, people, strict=True)
        ]
        with CaptureQueriesContext(connection) as queries:
            cancelled = services.office_closed_visits_cancel(office=office, by=alice)
        assert [v.pk for v in cancelled] == [v.pk for v in visits]
        reads = [
            q["sql"]
            for q in queries
            if q["sql"].startswith("SELECT") and 'FROM "front_offices_visit"' in q["sql"]
        ]
        # One to lock them, one to read them with their people and office.
        assert len(reads) == 2, reads
        slot_locks = [q["sql"] for q in queries if 'FROM "front_offices_visitslot"' in q["sql"]]
        assert len(slot_locks) == 1, slot_locks
        for person, visit in zip(people, visits, strict=True):
            assert_cancelled_and_told_once(person, visit)


@pytest.mark.django_db
class TestHoursChangedUnderBookings:
    """The visits already booked at a time the schedule drops are kept for the staff to move or
    block (blocking tells the people); the time itself must take nobody new."""

    def setup_booked(self, alice, almaty, *, close):  # type: ignore[no-untyped-def]
        office = make_office(capacity=2)
        day = next_weekday(1)
        slot = slot_at(office, day, 10)
        first = services.visit_book(
            slot=slot, volunteer=VolunteerFactory(region=almaty), purpose="consultation", by=None
        )
        close(office, day)
        slot.refresh_from_db()
        return office, day, slot, first

    def drop_tuesday_hours(self, alice):  # type: ignore[no-untyped-def]
        def close(office, day):  # type: ignore[no-untyped-def]
            for hours in OpeningHours.objects.filter(office=office, weekday=day.weekday()):
                services.opening_hours_delete(hours=hours, by=alice)

        return close

    def closed_date(self, alice):  # type: ignore[no-untyped-def]
        def close(office, day):  # type: ignore[no-untyped-def]
            services.schedule_exception_add(office=office, date=day, reason="Жөндеу", by=alice)

        return close

    @pytest.mark.parametrize("change", ["drop_tuesday_hours", "closed_date"])
    def test_the_dropped_time_keeps_its_visit_and_takes_no_new_one(self, alice, almaty, change) -> None:  # type: ignore[no-untyped-def]
        office, day, slot, first = self.setup_booked(alice, almaty, close=getattr(self, change)(alice))
        first.refresh_from_db()
        assert first.status == Visit.Status.BOOKED and slot.taken == 1
        # Not offered on the office's page, and refused if asked for by id.
        response = client_for(VolunteerFactory(region=almaty, with_account=True).user).get(
            f"/front-offices/{office.pk}/?date={day}"
        )
        assert response.status_code == 200
        assert f"/front-offices/slots/{slot.pk}/book/" not in response.content.decode()
        with pytest.raises(ValidationError) as refused:
            services.visit_book(
                slot=slot, volunteer=VolunteerFactory(region=almaty), purpose="consultation", by=None
            )
        assert refused.value.code == "full"

    def test_a_cancellation_there_frees_no_place_for_anyone_else(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        _office, _day, slot, first = self.setup_booked(alice, almaty, close=self.drop_tuesday_hours(alice))
        services.visit_cancel(visit=first, by=None)
        slot.refresh_from_db()
        assert slot.taken == 0 and slot.free == 0
        with pytest.raises(ValidationError):
            services.visit_book(
                slot=slot, volunteer=VolunteerFactory(region=almaty), purpose="consultation", by=None
            )

    def test_hours_back_give_the_time_its_places_back(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        office, _day, slot, _first = self.setup_booked(alice, almaty, close=self.closed_date(alice))
        services.schedule_exception_delete(exception=ScheduleException.objects.get(office=office), by=alice)
        slot.refresh_from_db()
        assert (slot.taken, slot.capacity) == (1, 2)
        second = services.visit_book(
            slot=slot, volunteer=VolunteerFactory(region=almaty), purpose="consultation", by=None
        )
        assert second.status == Visit.Status.BOOKED

    @pytest.mark.parametrize("change", ["drop_tuesday_hours", "closed_date"])
    def test_the_hours_page_lists_the_visits_left_there(self, alice, almaty, change) -> None:  # type: ignore[no-untyped-def]
        office = make_office(capacity=2)
        day = next_weekday(1)
        stays = services.visit_book(
            slot=slot_at(office, next_weekday(2), 10),
            volunteer=VolunteerFactory(region=almaty, last_name="Сейтова"),
            purpose="consultation",
            by=None,
        )
        left = services.visit_book(
            slot=slot_at(office, day, 10),
            volunteer=VolunteerFactory(region=almaty, last_name="Оспанов"),
            purpose="consultation",
            by=None,
        )
        client = client_for(alice)
        url = f"/front-offices/{office.pk}/hours/?lang=en"
        assert 'id="off-schedule"' not in client.get(url).content.decode()
        getattr(self, change)(alice)(office, day)
        html = client.get(url).content.decode()
        section = html[html.index('id="off-schedule"') : html.index("</section>")]
        assert "1 visit is booked at a time the office no longer opens" in section
        # The one left at the dropped time, with the way to move it; not the one still in hours.
        assert "Оспанов" in section and f"/front-offices/staff/visits/{left.pk}/move/" in section
        assert "Сейтова" not in section and stays.status == Visit.Status.BOOKED
        # Moved to a time the office keeps, it leaves the list.
        services.visit_reschedule(visit=left, to_slot=slot_at(office, next_weekday(2), 11), by=alice)
        assert 'id="off-schedule"' not in client.get(url).content.decode()
