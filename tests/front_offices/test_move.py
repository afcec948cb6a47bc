"""Moving a visit to another time, as its person and the office's staff meet it."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from front_offices import services
from front_offices.models import Visit, VisitSlot
from tests.conftest import client_for
from tests.factories import UserFactory

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    return make_office(capacity=2)


def _begun(visit: Visit, minutes: int = 90) -> Visit:
    """The visit as it is once its time has begun (and nobody has marked it)."""
    start = timezone.now() - datetime.timedelta(minutes=minutes)
    VisitSlot.objects.filter(pk=visit.slot_id).update(
        starts_at=start, ends_at=start + datetime.timedelta(minutes=30), local_date=timezone.localdate(start)
    )
    Visit.objects.filter(pk=visit.pk).update(starts_at=start, local_date=timezone.localdate(start))
    visit.refresh_from_db()
    return visit


class TestAVisitThatHasBegun:
    @override_settings(FRONT_OFFICE_MAX_FUTURE_VISITS=1)
    def test_its_person_cannot_move_it_to_a_later_time(self, office, bob) -> None:  # type: ignore[no-untyped-def]
        day = next_weekday(1, after=2)
        missed = _begun(
            services.visit_book(slot=slot_at(office, day, 9), volunteer=bob, purpose="consultation", by=None)
        )
        services.visit_book(slot=slot_at(office, day, 10), volunteer=bob, purpose="consultation", by=None)
        later = slot_at(office, day, 18)
        client = client_for(bob.user)

        page = client.get(f"/front-offices/visits/{missed.pk}/reschedule/", follow=True, headers=EN)
        assert f'value="{later.pk}"' not in page.content.decode()
        assert "This visit has already begun: it can no longer be moved." in page.content.decode()

        response = client.post(f"/front-offices/visits/{missed.pk}/reschedule/", {"slot": later.pk})
        assert response.status_code == 302
        missed.refresh_from_db()
        later.refresh_from_db()
        # Still where it was, for the staff to mark; no second upcoming visit past the limit.
        assert missed.starts_at < timezone.now() and missed.status == Visit.Status.BOOKED
        assert later.taken == 0
        assert Visit.objects.filter(volunteer=bob, starts_at__gt=timezone.now()).count() == 1

    def test_the_staff_are_told_so_on_the_move_page(self, office, bob) -> None:  # type: ignore[no-untyped-def]
        clerk = UserFactory(email="clerk-move@example.kz")
        office.staff.add(clerk)
        day = next_weekday(1, after=2)
        missed = _begun(
            services.visit_book(slot=slot_at(office, day, 9), volunteer=bob, purpose="consultation", by=None)
        )
        later = slot_at(office, day, 18)
        response = client_for(clerk).post(
            f"/front-offices/staff/visits/{missed.pk}/move/", {"slot": later.pk}, follow=True, headers=EN
        )
        assert "This visit has already begun: it can no longer be moved." in response.content.decode()
        missed.refresh_from_db()
        later.refresh_from_db()
        assert missed.slot_id != later.pk and later.taken == 0
