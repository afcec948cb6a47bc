"""The slots of a day as an integrator reads them from the API."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.test import Client

from tests.conftest import api_for
from tests.factories import VolunteerFactory
from tests.notifications.conftest import clock

from .helpers import make_office, next_weekday, slots_for

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


def test_a_day_past_the_booking_horizon_has_no_free_place(almaty, settings) -> None:  # type: ignore[no-untyped-def]
    """Slots are made a week past the horizon: the API offered their places, and each booking of
    one was refused as too far ahead."""
    settings.FRONT_OFFICE_BOOKING_HORIZON_DAYS = 10
    office = make_office(capacity=2)
    last = next_weekday(0, after=3)  # a Monday, the horizon's last day; Tuesday is past it
    beyond = last + datetime.timedelta(days=1)
    with clock(
        datetime.datetime.combine(last - datetime.timedelta(days=10), datetime.time(10), tzinfo=ALMATY)
    ):
        assert slots_for(office, last) and slots_for(office, beyond)
        rows = Client().get(f"/api/front-offices/{office.pk}/slots/?date={last.isoformat()}").json()
        assert {row["free"] for row in rows} == {2}
        rows = Client().get(f"/api/front-offices/{office.pk}/slots/?date={beyond.isoformat()}").json()
        assert rows and {row["free"] for row in rows} == {0}
        refused = api_for(VolunteerFactory(region=almaty, with_account=True).user).post(
            "/api/visits/", {"slot": rows[0]["id"], "purpose": "consultation"}, format="json"
        )
        assert refused.status_code == 400 and refused.json()["code"] == "horizon"
