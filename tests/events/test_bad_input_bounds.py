"""Hostile input on the coordinator's shift and transport forms: a date-time in year 1 (its UTC
instant does not exist: saving it overflowed) and ids past the database's integer are field
errors, translated, and nothing is written."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from events import services, services_extra
from events.forms import PickForm, ShiftForm
from events.forms_extra import TransportArrangeForm
from events.models import Shift, Signup
from notifications.models import Message
from tests.conftest import client_for
from tests.factories import VolunteerFactory
from volunteer_net.forms import MAX_BIGINT

from .factories import CampaignFactory, ShiftFactory, in_days

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Choose a date from 1900 to 2099."
YEAR_ONE = ["0001-01-01T00:00", "0001-01-01T04:59", "1899-12-31T23:59", "2100-01-01T00:00"]


def _shift_fields(shift: Shift) -> dict[str, str]:
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    return {
        "place_name": shift.place_name,
        "date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "capacity": str(shift.capacity),
        "waitlist_enabled": "on",
    }


class TestShiftDeadline:
    @pytest.mark.parametrize("deadline", YEAR_ONE)
    def test_editing_a_deadline_outside_1900_to_2099_is_a_field_error(self, alice, deadline: str) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        before = shift.signup_deadline
        with translation.override("en"):
            response = client_for(alice).post(
                f"/manage/shifts/{shift.pk}/edit/",
                {**_shift_fields(shift), "signup_deadline": deadline},
                HTTP_ACCEPT_LANGUAGE="en",
            )
            assert response.status_code == 200
            assert response.context["form"].errors["signup_deadline"] == [OUT_OF_RANGE]
        shift.refresh_from_db()
        assert shift.signup_deadline == before

    def test_a_new_shift_with_a_deadline_in_year_one_is_not_created(self, alice) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        campaign = shift.campaign
        before = Shift.objects.count()
        with translation.override("en"):
            response = client_for(alice).post(
                f"/manage/campaigns/{campaign.pk}/shifts/new/",
                {**_shift_fields(shift), "signup_deadline": "0001-01-01T00:00"},
                HTTP_ACCEPT_LANGUAGE="en",
            )
            assert response.status_code == 200
            assert response.context["form"].errors["signup_deadline"] == [OUT_OF_RANGE]
        assert Shift.objects.count() == before

    def test_the_field_takes_the_ends_of_the_bounds_and_offers_only_them(self) -> None:
        field = ShiftForm.base_fields["signup_deadline"]
        assert field.clean("1900-01-01T00:00").year == 1900
        assert field.clean("2099-12-31T23:59").year == 2099
        html = field.widget.render("signup_deadline", None)
        assert 'min="1900-01-01T00:00"' in html and 'max="2099-12-31T23:59"' in html


class TestTransportDeparture:
    def test_a_departure_in_year_one_is_refused_and_the_request_stays_pending(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(title="Тал егу"), capacity=5)
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        request = services_extra.transport_request_save(signup=signup, pickup="Абай 1", seats=1)
        data = {
            "action": "arrange",
            "driver_name": "Айдос",
            "driver_phone": "+77010000000",
            "departure_at": "0001-01-01T00:00",
        }
        response = client_for(alice).post(f"/manage/transport/{request.pk}/answer/", data)
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.status == "pending" and request.departure_at is None and request.driver_name == ""
        assert not Message.objects.filter(kind="transport_answer").exists()
        with translation.override("en"):
            assert TransportArrangeForm(data).errors["departure_at"] == [OUT_OF_RANGE]
        ok = TransportArrangeForm({**data, "departure_at": in_days(2, 8).strftime("%Y-%m-%dT%H:%M")})
        assert ok.is_valid(), ok.errors


class TestAddVolunteersIds:
    @pytest.mark.parametrize("bad", [str(MAX_BIGINT + 1), "99999999999999999999999", "0", "-5"])
    def test_an_id_past_the_databases_integer_is_a_field_error(self, bad: str) -> None:
        form = PickForm({"volunteers": ["1", bad]})
        with translation.override("en"):
            assert not form.is_valid()
            assert form.errors["volunteers"] == ["Choose from the list."]

    def test_the_largest_id_is_still_an_id(self) -> None:
        form = PickForm({"volunteers": [str(MAX_BIGINT)]})
        assert form.is_valid() and form.cleaned_data["volunteers"] == [MAX_BIGINT]

    def test_posting_a_huge_id_signs_nobody_up(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        someone = VolunteerFactory(region=almaty)
        response = client_for(alice).post(
            f"/manage/shifts/{shift.pk}/add/",
            {"volunteers": [someone.pk, "99999999999999999999999"]},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert not Signup.objects.exists()
