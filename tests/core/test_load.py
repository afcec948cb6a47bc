"""The load of `make load` (bench/load.py), short: 50 clients for 20 seconds browsing, searching,
booking, signing up and cancelling over two gunicorn instances with production settings and two
Celery workers, sharing this test's PostgreSQL and Redis. No 5xx, no error of any kind, and
afterwards every invariant holds: no shift or slot over its capacity, the counters of places
taken equal to a recount, one active sign-up per person and shift, one visit per person and
slot, and the trigger-kept sign-up summary (counts and hours) equal to a recount.

Kept in the suite so that the load generator, the scene it sets up and the checks stay working.
"""

from __future__ import annotations

import datetime

import pytest
from django.db.models import F

from bench import load
from events.models import Shift, Signup
from front_offices.models import Visit
from reports.models import SignupDaySummary, SignupMonthSummary, VisitDaySummary
from tests.events.factories import ShiftFactory
from tests.factories import VolunteerFactory
from tests.front_offices.helpers import make_office

CLIENTS = 50
SECONDS = 20.0


@pytest.mark.django_db(transaction=True)
def test_fifty_clients_over_two_instances_get_no_error_and_break_no_invariant(
    regions_in_transactional_db,  # type: ignore[no-untyped-def]
) -> None:
    assert load.seed("small")
    # Few places, so that even a slow machine fills some and waitlists people within the run.
    world = load.prepare(accounts=CLIENTS * 8, shifts=20, slots=20, places=(1, 2), waitlist=True)
    with load.servers(load.env_from_settings(), instances=2, celery_workers=2) as urls:
        run = load.drive(urls, world, "mixed", clients=CLIENTS, seconds=SECONDS)
    summary = run.summary()
    load.print_summary(summary)

    assert run.server_errors == 0, summary
    assert run.errors == 0, summary
    assert load.check_invariants() == dict.fromkeys(load.check_invariants(), 0)
    # The load did what it is for: every kind of request, places filled to the last, people
    # waitlisted and moved up when others cancelled, visits booked until slots were full.
    assert set(summary["kinds"]) >= {
        "campaign list",
        "map GeoJSON",
        "roster search",
        "office slots",
        "sign-up",
        "cancel",
        "booking",
    }
    assert summary["outcomes"]["sign-up confirmed"] > 0
    assert summary["outcomes"]["sign-up waitlisted"] > 0
    assert summary["outcomes"]["sign-up cancelled"] > 0
    assert summary["outcomes"]["visit booked"] > 0
    assert load.scene_counts(world)["slots full"] > 0
    assert all(kind["requests"] > 0 for kind in summary["kinds"].values())


@pytest.mark.django_db
def test_the_invariant_checks_find_what_they_look_for() -> None:
    shift = ShiftFactory(capacity=3)
    Signup.objects.create(shift=shift, volunteer=VolunteerFactory(), status="confirmed")
    Shift.objects.filter(pk=shift.pk).update(taken_places=1)
    day = datetime.date(2026, 3, 7)
    Visit.objects.create(
        office=make_office(),
        volunteer=VolunteerFactory(),
        starts_at=datetime.datetime(2026, 3, 7, 5, tzinfo=datetime.UTC),
        local_date=day,
        is_weekend=True,
        purpose="consultation",
        status="arrived",
    )
    assert sum(load.check_invariants().values()) == 0

    Shift.objects.filter(pk=shift.pk).update(taken_places=2)  # a counter off the recount
    SignupDaySummary.objects.update(hours=7)  # a summary off the recount
    VisitDaySummary.objects.update(weekend=0)
    SignupMonthSummary.objects.update(signups=F("signups") + 1)  # a month off its days
    broken = load.check_invariants()
    assert broken["shifts whose count of places taken is off"] == 1
    assert broken["sign-up summary rows (counts, hours) off the recount"] == 1
    assert broken["visits summary rows off the recount"] == 1
    assert broken["sign-up month rows off their days"] == 1
