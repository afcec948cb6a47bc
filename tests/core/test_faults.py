"""Faults against real services: a Redis server of these tests' own that they stop and start, real
Celery worker processes that they kill with SIGKILL, a real filesystem that fills up.

The suite's shared Redis is never touched: every test here that stops Redis starts its own server
on a free port (tests/notifications/test_worker.py, own_redis) and points this process — cache,
throttles and Celery publishing — and its workers at it.
"""

from __future__ import annotations

import datetime
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Signup
from front_offices.models import Visit
from notifications.models import Message
from reports.models import ExportJob
from tests.conftest import client_for
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import VolunteerFactory
from tests.front_offices.helpers import make_office, next_weekday, slot_at
from tests.notifications.backends import deliveries
from tests.notifications.test_worker import (  # noqa: F401 (processes is a fixture)
    OWN_REDIS_PORT,
    Processes,
    own_redis,
    processes,
    publishing_to,
    wait_for,
)
from tests.reports.conftest import period_query

pytestmark = pytest.mark.django_db(transaction=True)

OWN_REDIS_URL = f"redis://127.0.0.1:{OWN_REDIS_PORT}/0"


@pytest.fixture
def redis_of_our_own(settings, tmp_path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """This process's cache, throttles and Celery publishing on a Redis that the test may stop
    (switch(False)) and start again (switch(True))."""
    with own_redis(tmp_path) as switch, publishing_to(OWN_REDIS_URL):
        settings.REDIS_URL = OWN_REDIS_URL
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": OWN_REDIS_URL},
        }
        yield switch
        caches["default"].close()


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestRedisStoppedWhileVolunteersBookAndSignUp:
    def test_bookings_and_sign_ups_succeed_and_their_messages_go_out_once_when_redis_is_back(
        self,
        processes: Processes,  # noqa: F811
        redis_of_our_own: Any,
        almaty: Any,
    ) -> None:
        env = {"REDIS_URL": OWN_REDIS_URL, "NOTIFICATIONS_SWEEP_INTERVAL": "1"}
        processes.worker("w1", **env)
        processes.beat("beat", **env)
        # The two-hour reminder of this shift falls due some seconds from now: scheduled while
        # Redis is down, due after it is back.
        soon = timezone.now() + datetime.timedelta(hours=2, seconds=25)
        shift = ShiftFactory(campaign=CampaignFactory(title="Көктемгі сенбілік"), starts_at=soon, capacity=5)
        office = make_office(name="Алматы фронт-офисі")
        day = next_weekday(2, after=3)
        slots = [slot_at(office, day, 15), slot_at(office, day, 16)]
        people = [
            VolunteerFactory(region=almaty, with_account=True, preferred_language=lang)
            for lang in "kk ru kk ru".split()
        ]

        redis_of_our_own(False)
        client = Client(raise_request_exception=False)
        client.force_login(people[0].user)
        page_signup = client.post(f"/shifts/{shift.pk}/signup/")
        api_signup = api_for(people[1].user).post(f"/api/shifts/{shift.pk}/signup/", format="json")
        client.force_login(people[2].user)
        page_booking = client.post(f"/front-offices/slots/{slots[0].pk}/book/", {"purpose": "consultation"})
        api_booking = api_for(people[3].user).post(
            "/api/visits/", {"slot": slots[1].pk, "purpose": "consultation"}, format="json"
        )
        assert page_signup.status_code == 302, page_signup.content[:500]
        assert api_signup.status_code == 201, api_signup.content[:500]
        assert page_booking.status_code == 302, page_booking.content[:500]
        assert api_booking.status_code == 201, api_booking.content[:500]
        assert Signup.objects.filter(shift=shift, status="confirmed").count() == 2
        assert Visit.objects.filter(office=office).count() == 2
        expected = {
            "signup_confirmed": 2,
            "shift_reminder_2h": 2,
            "visit_booked": 2,
        }
        waiting = Message.objects.filter(status="pending")
        assert {k: waiting.filter(kind=k).count() for k in expected} == expected
        time.sleep(2)  # a worker and a beat that cannot reach Redis send nothing meanwhile
        assert not deliveries(processes.mail_dir)

        redis_of_our_own(True)
        ids = set(Message.objects.filter(kind__in=expected).values_list("pk", flat=True))
        wait_for(
            lambda: set(deliveries(processes.mail_dir)) >= ids,
            timeout=120,
            what="the confirmations and the reminders after Redis came back",
            every=0.5,
        )
        time.sleep(2)  # another sweep or two: nothing goes out a second time
        found = deliveries(processes.mail_dir)
        assert {mid: len(copies) for mid, copies in found.items() if mid in ids} == {mid: 1 for mid in ids}
        assert set(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}
