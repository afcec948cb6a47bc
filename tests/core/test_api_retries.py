"""A client that sends a sign-up or a booking again after a timeout (the first request went
through, the answer was lost) is refused as a repeat, and told which sign-up or visit the first
request made: it can carry on with that id instead of searching its lists for it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from care.models import Assignment
from events.models import Signup
from front_offices.models import Visit
from tests.care.factories import HelpRequestFactory
from tests.conftest import api_for
from tests.events.factories import CampaignFactory, ShiftFactory, local
from tests.factories import VolunteerFactory
from tests.front_offices.helpers import make_office, next_weekday, slot_at


def _shift_in_three_days(region, *, taken_by_another: bool = False):  # type: ignore[no-untyped-def]
    """A shift of one place in three days; with `taken_by_another`, someone else holds the place."""
    day = timezone.localdate() + datetime.timedelta(days=3)
    shift = ShiftFactory(
        campaign=CampaignFactory(region=region), starts_at=local(day, 15), ends_at=local(day, 16), capacity=1
    )
    if taken_by_another:
        api_for(VolunteerFactory(region=region, with_account=True).user).post(
            f"/api/shifts/{shift.pk}/signup/"
        )
    return shift


@pytest.mark.django_db
class TestRepeatedSignUp:
    def test_repeat_names_the_sign_up_the_first_request_made(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = _shift_in_three_days(almaty)
        api = api_for(bob.user)
        first = api.post(f"/api/shifts/{shift.pk}/signup/", {}, format="json")
        assert first.status_code == 201
        again = api.post(f"/api/shifts/{shift.pk}/signup/", {}, format="json")
        assert again.status_code == 400
        body = again.json()
        assert (body["code"], body["id"], body["status"]) == ("already", first.json()["id"], "confirmed")
        assert body["detail"]
        assert Signup.objects.filter(shift=shift).count() == 1

    def test_waitlisted_repeat_says_waitlisted(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = _shift_in_three_days(almaty, taken_by_another=True)
        api = api_for(bob.user)
        first = api.post(f"/api/shifts/{shift.pk}/signup/", {}, format="json")
        assert first.json()["status"] == "waitlisted"
        again = api.post(f"/api/shifts/{shift.pk}/signup/", {}, format="json").json()
        assert (again["code"], again["id"], again["status"]) == ("already", first.json()["id"], "waitlisted")

    def test_other_refusals_carry_no_id(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = _shift_in_three_days(almaty, taken_by_another=True)
        full = api_for(bob.user).post(f"/api/shifts/{shift.pk}/signup/", {"waitlist": False}, format="json")
        assert full.status_code == 409 and set(full.json()) == {"detail", "code"}


@pytest.mark.django_db
class TestRepeatedBooking:
    def test_repeat_names_the_visit_the_first_request_made(self, bob) -> None:  # type: ignore[no-untyped-def]
        slot = slot_at(make_office(), next_weekday(1), 10)
        api = api_for(bob.user)
        body = {"slot": slot.pk, "purpose": "consultation"}
        first = api.post("/api/visits/", body, format="json")
        assert first.status_code == 201
        again = api.post("/api/visits/", body, format="json")
        assert again.status_code == 400
        assert (again.json()["code"], again.json()["id"]) == ("duplicate", first.json()["id"])
        assert Visit.objects.filter(slot=slot, status=Visit.Status.BOOKED).count() == 1


@pytest.mark.django_db
class TestRepeatedOfferOfHelp:
    def test_repeat_names_the_offer_the_first_request_made(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        request = HelpRequestFactory(needed_hands=2)
        api = api_for(bob.user)
        first = api.post(f"/api/care/requests/{request.pk}/offer/")
        assert first.status_code == 201
        again = api.post(f"/api/care/requests/{request.pk}/offer/")
        assert again.status_code == 400
        body = again.json()
        assert (body["code"], body["id"], body["status"]) == ("already", first.json()["id"], "offered")
        assert Assignment.objects.filter(request=request).count() == 1
