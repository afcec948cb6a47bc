"""Moving a visit to another time, as its person and the office's staff meet it."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from front_offices import services
from front_offices.models import Visit, VisitSlot
from notifications.models import Message
from tests.conftest import client_for
from tests.factories import UserFactory, VolunteerFactory

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


class TestTheDeskCancels:
    """A person phones that they cannot come: the clerk cancels their visit, and they are told."""

    def test_the_clerk_cancels_a_visit_with_a_reason_and_the_person_is_told(self, office, almaty) -> None:  # type: ignore[no-untyped-def]
        clerk = UserFactory(email="clerk-cancel@example.kz")
        office.staff.add(clerk)
        day = next_weekday(1, after=2)
        slot = slot_at(office, day, 18)
        # Booked for someone without an account: the desk is their only way to cancel.
        person = VolunteerFactory(region=almaty)
        visit = services.visit_book(slot=slot, volunteer=person, purpose="transport", by=None)
        client = client_for(clerk)
        card = client.get(f"/front-offices/{office.pk}/day/?date={day.isoformat()}").content.decode()
        assert f"/front-offices/staff/visits/{visit.pk}/move/#cancel" in card

        response = client.post(
            f"/front-offices/staff/visits/{visit.pk}/move/",
            {"cancel": "1", "cancel-reason": "Телефонмен хабарласты"},
            follow=True,
            headers=EN,
        )
        assert "The visit has been cancelled and its person told." in response.content.decode()
        visit.refresh_from_db()
        slot.refresh_from_db()
        assert visit.status == Visit.Status.CANCELLED and visit.cancel_reason == "Телефонмен хабарласты"
        assert slot.taken == 0
        told = Message.objects.get(recipient=person, kind="visit_cancelled", status=Message.Status.PENDING)
        assert told.context["note"] == "Телефонмен хабарласты"
        assert not Message.objects.filter(
            recipient=person, kind__startswith="visit_reminder", status=Message.Status.PENDING
        ).exists()
