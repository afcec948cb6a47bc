"""A volunteer moves to another region while holding a sign-up and a visit in the old one: the
places stay theirs (they may still come), the old region's staff still run the shift and the
office's day they are on, the new region's staff see the person but not the old region's shift,
and no page fails."""

from __future__ import annotations

import pytest

from events import services as events_services
from events.models import Signup
from front_offices import services as office_services
from tests.conftest import client_for
from tests.events.factories import ShiftFactory
from tests.factories import UserFactory, VolunteerFactory
from tests.front_offices.helpers import make_office, next_weekday, slot_at
from volunteers import services


@pytest.mark.django_db
def test_moved_volunteer_keeps_the_places_and_each_region_sees_its_own(
    alice, charlie, bob, almaty, astana
) -> None:  # type: ignore[no-untyped-def]
    shift = ShiftFactory(capacity=1)
    signup = events_services.signup_create(shift=shift, volunteer=bob, by=None)
    behind = events_services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
    office = make_office()
    clerk = UserFactory(email="clerk@example.kz", is_staff=True)
    office.staff.add(clerk)
    visit = office_services.visit_book(
        slot=slot_at(office, next_weekday(1), 10), volunteer=bob, purpose="consultation", by=None
    )

    services.volunteer_update(volunteer=bob, changed_by=charlie, data={"region": astana})
    signup.refresh_from_db()
    visit.refresh_from_db()
    assert (signup.status, visit.status) == (Signup.Status.CONFIRMED, "booked")

    own = client_for(bob.user)
    assert [s.pk for s in own.get("/my-shifts/").context["upcoming"]] == [signup.pk]
    assert [v.pk for v in own.get("/front-offices/visits/").context["upcoming"]] == [visit.pk]
    assert own.get(f"/front-offices/visits/{visit.pk}/").status_code == 200

    # The old region runs its shift and its office's day with the person on them.
    assert bob.last_name in client_for(alice).get(f"/manage/shifts/{shift.pk}/").content.decode()
    day = client_for(clerk).get(f"/front-offices/{office.pk}/day/?date={visit.local_date}")
    assert day.status_code == 200 and bob.last_name in day.content.decode()
    # The new region's coordinator has the person, not the old region's shift.
    assert client_for(charlie).get(f"/roster/{bob.pk}/").status_code == 200
    assert client_for(charlie).get(f"/manage/shifts/{shift.pk}/").status_code == 404
    assert client_for(alice).get(f"/roster/{bob.pk}/").status_code == 404

    # The old region's coordinator may still take the person off the shift: the waitlist moves.
    response = client_for(alice).post(f"/manage/signups/{signup.pk}/cancel/")
    assert response.status_code == 302
    behind.refresh_from_db()
    shift.refresh_from_db()
    assert behind.status == Signup.Status.CONFIRMED and shift.taken_places == 1
