"""Front-office benchmark: the booking page of a day, "next free visit" for the whole country, the
staff's day and the booking service, at scale, each beside its floor (its SQL under EXPLAIN
ANALYZE, same run). The national bench database holds 20 offices (one per region), a year of
stored slots and 200 000 visits; `make bench` also runs this group at a tenth of the data, where
the times must stay flat.

    make bench-offices
    python bench/front_offices.py --scale tenth
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # sets the bench environment before Django starts

GROUP = "Front offices"


def run(ctx: common.Context) -> list[common.Result]:
    import datetime
    import time

    from django.db import transaction
    from django.db.models import Count, F
    from django.utils import timezone

    from front_offices import services
    from front_offices.models import FrontOffice, Visit, VisitSlot
    from volunteers.models import Volunteer

    office = FrontOffice.objects.get(region__code="75")
    clerk = office.staff.get()
    # The office's busiest day ahead, and its busiest day of all, for the pages to show.
    today = timezone.localdate()
    ahead = (
        Visit.objects.filter(office=office, local_date__gt=today)
        .values("local_date")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    busiest = (
        Visit.objects.filter(office=office)
        .values("local_date")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    day = ahead["local_date"] if ahead else today + datetime.timedelta(days=1)
    staff_day = busiest["local_date"] if busiest else today
    scenarios = [
        ("public: booking page of a day", None, f"/front-offices/{office.pk}/?date={day.isoformat()}"),
        ("public: next free visit, whole country", None, "/front-offices/next/"),
        ("public: next free visit, evenings", None, "/front-offices/next/?evenings=1"),
        ("public: front offices with opening status", None, "/front-offices/"),
        (
            "clerk: staff day view (busiest day)",
            clerk,
            f"/front-offices/{office.pk}/day/?date={staff_day.isoformat()}",
        ),
        ("api: slots of a day", None, f"/api/front-offices/{office.pk}/slots/?date={day.isoformat()}"),
    ]
    results = common.time_pages(GROUP, scenarios, ctx.repeat)

    # The booking service itself: a free slot in the horizon, a person without future visits;
    # each booking is rolled back so that every round books the same place.
    now = timezone.now()
    # A slot with a place left (on a database seeded today the office's days ahead are nearly
    # full: the seed books them as people would).
    slot = (
        VisitSlot.objects.filter(
            office=office,
            starts_at__gt=now + datetime.timedelta(days=2),
            blocked_reason="",
            taken__lt=F("capacity"),
        )
        .order_by("starts_at")
        .first()
    )
    person = (
        Volunteer.objects.filter(anonymized_at__isnull=True, status="active")
        .exclude(visits__starts_at__gt=now)
        .first()
    )
    assert slot is not None and person is not None
    timings = []
    for _ in range(ctx.repeat):
        with transaction.atomic():
            started = time.perf_counter()
            services.visit_book(slot=slot, volunteer=person, purpose="consultation", by=None)
            timings.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    booking = common.service_result(GROUP, "service: visit_book (messages scheduled)", timings)
    return results + ([booking] if booking else [])


if __name__ == "__main__":
    sys.exit(common.main_for(run, __doc__))
