"""A coordinator changes how the office receives (visit length, visitors at once): the times
offered follow at once, on the booking page and in the API."""

from __future__ import annotations

import pytest
from django.utils import timezone

from front_offices import services
from front_offices.models import VisitSlot
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
