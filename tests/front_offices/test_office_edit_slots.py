"""A coordinator changes the office: how it receives (visit length, visitors at once), and the
times offered follow at once, on the booking page and in the API; its address, and the reminders
still to go out follow."""

from __future__ import annotations

import pytest
from django.utils import timezone

from front_offices import services
from front_offices.models import VisitSlot
from notifications.models import Message
from tests.conftest import client_for
from tests.factories import VolunteerFactory

from .helpers import make_office, next_weekday, slot_at, slots_for

pytestmark = pytest.mark.django_db


def _edit(office, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "name": office.name,
        "address": office.address,
        "latitude": str(office.latitude),
        "longitude": str(office.longitude),
        "visit_minutes": str(office.visit_minutes),
        "visitors_at_once": str(office.visitors_at_once),
    } | changes


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    return make_office(capacity=2, minutes=30)


def _slots_api(office, day):  # type: ignore[no-untyped-def]
    response = client_for(VolunteerFactory(with_account=True).user).get(
        f"/api/front-offices/{office.pk}/slots/?date={day.isoformat()}"
    )
    assert response.status_code == 200
    return response.json()


class TestTheSlotsFollowTheOffice:
    def test_more_visitors_at_once_are_offered_at_once(self, office, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        day = next_weekday(1, after=2)
        booked = slot_at(office, day, 18)
        services.visit_book(
            slot=booked, volunteer=VolunteerFactory(region=almaty), purpose="consultation", by=None
        )
        response = client_for(alice).post(
            f"/front-offices/manage/{office.pk}/edit/", _edit(office, visitors_at_once="3")
        )
        assert response.status_code == 302
        slots = {slot["id"]: slot for slot in _slots_api(office, day)}
        assert slots[booked.pk]["capacity"] == 3 and slots[booked.pk]["free"] == 2
        assert {slot["capacity"] for slot in slots.values()} == {3}

    def test_a_longer_visit_gives_longer_slots_at_once(self, office, alice) -> None:  # type: ignore[no-untyped-def]
        day = next_weekday(1, after=2)
        assert len(slots_for(office, day)) == 20
        response = client_for(alice).post(
            f"/front-offices/manage/{office.pk}/edit/", _edit(office, visit_minutes="60")
        )
        assert response.status_code == 302
        times = [
            (
                timezone.localtime(slot.starts_at).strftime("%H:%M"),
                timezone.localtime(slot.ends_at).strftime("%H:%M"),
            )
            for slot in VisitSlot.objects.filter(office=office, local_date=day).order_by("starts_at")
        ]
        assert times[:5] == [
            ("09:00", "10:00"),
            ("10:00", "11:00"),
            ("11:00", "12:00"),
            ("12:00", "13:00"),
            ("14:00", "15:00"),
        ]
        assert len(times) == 10

    def test_so_they_do_when_national_staff_change_it_in_the_admin(self, office, nora) -> None:  # type: ignore[no-untyped-def]
        day = next_weekday(1, after=2)
        assert len(slots_for(office, day)) == 20
        client = client_for(nora)
        url = f"/admin/front_offices/frontoffice/{office.pk}/change/"
        form = client.get(url).context["adminform"].form
        data = {name: form[name].value() for name in form.fields}
        data = {name: ("" if value is None else value) for name, value in data.items()}
        data["is_active"] = "on"
        response = client.post(url, data | {"visitors_at_once": "1"})
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert {slot["capacity"] for slot in _slots_api(office, day)} == {1}


class TestRemindersFollowTheOffice:
    def test_a_new_address_reaches_the_reminders_still_to_go_out(self, office, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty)
        visit = services.visit_book(
            slot=slot_at(office, next_weekday(1, after=3), 18),
            volunteer=person,
            purpose="consultation",
            by=None,
        )
        response = client_for(alice).post(
            f"/front-offices/manage/{office.pk}/edit/", _edit(office, address="Төле би көшесі, 55")
        )
        assert response.status_code == 302
        reminders = Message.objects.filter(
            subject_type="front_offices.visit", subject_id=visit.pk, kind__startswith="visit_reminder"
        )
        assert {(m.status, m.context["place"]) for m in reminders} == {
            (Message.Status.PENDING, "Төле би көшесі, 55")
        }
        assert reminders.count() == 2

    def test_so_it_does_when_national_staff_change_it_in_the_admin(self, office, nora, almaty) -> None:  # type: ignore[no-untyped-def]
        visit = services.visit_book(
            slot=slot_at(office, next_weekday(1, after=3), 18),
            volunteer=VolunteerFactory(region=almaty),
            purpose="consultation",
            by=None,
        )
        client = client_for(nora)
        url = f"/admin/front_offices/frontoffice/{office.pk}/change/"
        form = client.get(url).context["adminform"].form
        data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
        data["is_active"] = "on"
        response = client.post(url, data | {"name": "Алматы қалалық фронт-офисі"})
        assert response.status_code == 302, response.context["adminform"].form.errors
        names = set(
            Message.objects.filter(
                subject_type="front_offices.visit", subject_id=visit.pk, kind__startswith="visit_reminder"
            ).values_list("context__office", flat=True)
        )
        assert names == {"Алматы қалалық фронт-офисі"}
