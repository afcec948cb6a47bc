"""What happens to the visits booked at an office when it closes: each is cancelled with its
place freed and its reminders dropped, and the person is told once, with the reason."""

from __future__ import annotations

import pytest

from front_offices import services
from front_offices.models import Visit, VisitSlot
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
