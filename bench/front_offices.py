"""Front-office benchmark: the booking page of a day, "next free visit" for the whole country,
the staff's day and the booking service, at scale, beside their SQL floors.

20 offices (one per region), a year of stored slots (300 days back, the horizon ahead) and
`--visits` visits, seeded once into a PostgreSQL database of its own. Run it at the full size and
at a tenth (another database) to see that the times stay flat:

    make bench-offices                                  # 200 000 visits, then 20 000
    python bench/front_offices.py --visits 200000       # one size (DATABASE_URL)
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_net.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visits", type=int, default=200_000)
    parser.add_argument("--volunteers", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    from front_offices import services
    from front_offices.demo import seed_front_offices
    from front_offices.models import FrontOffice, Visit, VisitSlot
    from volunteers.models import Volunteer

    if connection.vendor != "postgresql":
        print("The benchmark runs on PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    if not Volunteer.objects.exists():
        started = time.perf_counter()
        call_command(
            "seed_demo",
            volunteers=args.volunteers,
            detachments=20,
            shifts=100,
            signups=100,
            visits=0,
            verbosity=0,
        )
        seed_front_offices(visits=args.visits, past_days=300)
        print(f"seeded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{FrontOffice.objects.count()} offices, {VisitSlot.objects.count()} slots, "
        f"{Visit.objects.count()} visits; {args.repeat} requests per scenario\n"
    )

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
    time_pages_with_cpu(scenarios, args.repeat)

    # The booking service itself: a free slot in the horizon, a person without future visits;
    # each booking is rolled back so that every round books the same place.
    now = timezone.now()
    slot = (
        VisitSlot.objects.filter(
            office=office, starts_at__gt=now + datetime.timedelta(days=2), blocked_reason="", taken=0
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
    timings, cpu = [], []
    for _ in range(args.repeat):
        with transaction.atomic():
            started, started_cpu = time.perf_counter(), time.process_time()
            services.visit_book(slot=slot, volunteer=person, purpose="consultation", by=None)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            transaction.set_rollback(True)
    timings.sort()
    print(
        f"\n{'service: visit_book (messages scheduled)':44} {statistics.median(timings):10.1f} "
        f"{timings[max(0, int(len(timings) * 0.95) - 1)]:8.1f} {statistics.median(cpu):8.1f}"
    )
    return 0


def time_pages_with_cpu(scenarios: list[tuple[str, Any, str]], repeat: int, width: int = 44) -> None:
    """Like bench/roster.py `time_pages`, plus the median CPU time of this process per request:
    on a machine shared with other work the wall clock waits for the CPU, this column does not."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.roster import _replay

    print(
        f"{'scenario':{width}} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>8} {'floor ms':>9} {'queries':>8}"
    )
    for name, user, url in scenarios:
        client = Client()
        if user is not None:
            client.force_login(user)
        client.get(url)
        timings, cpu, floors = [], [], []
        queries = 0
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            floors.append(_replay(connection, ctx.captured_queries))
            queries = len(ctx.captured_queries)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(
            f"{name:{width}} {statistics.median(timings):10.1f} {p95:8.1f} {statistics.median(cpu):8.1f} "
            f"{statistics.median(floors):9.1f} {queries:8d}"
        )


if __name__ == "__main__":
    sys.exit(main())
