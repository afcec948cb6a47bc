"""Targeted-help benchmark: the coordinator's open-requests list (overdue first), its map layer,
a request's page with its suggestions, the volunteer's page and the API, at scale.

Runs in-process (Django's test client) against a PostgreSQL database of its own, seeded with
`seed_demo` (20 000 volunteers, 2 500 beneficiaries per region — 50 000 in all — with a season
of help requests each) when it has none. Prints, per scenario, the median and 95th percentile,
the SQL queries of a request and the page's floor: the same SELECTs replayed raw in the same run
(see bench/roster.py time_pages). Then the assignment service itself (offer and confirm, under
the request's row lock).

    make bench-care
    make bench-care BENCH_CARE_PER_REGION=500
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_net.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# Messages are queued as in production (to Celery's in-memory transport), not sent in the request.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--volunteers", type=int, default=20_000)
    parser.add_argument("--per-region", type=int, default=2_500)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from bench.roster import time_pages
    from care.models import Beneficiary, HelpRequest
    from volunteers.models import Volunteer

    if connection.vendor != "postgresql":
        print("The benchmark runs on PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    if not Beneficiary.objects.exists():
        if Volunteer.objects.exists():
            print("The database has volunteers but no beneficiaries: use an empty database.", file=sys.stderr)
            return 2
        started = time.perf_counter()
        call_command(
            "seed_demo",
            volunteers=args.volunteers,
            detachments=max(20, args.volunteers // 250),
            shifts=500,
            signups=2_000,
            care=args.per_region,
        )
        print(f"seeded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    coordinator = User.objects.get(email="coordinator75@volunteer.kz")
    national = User.objects.get(email="admin@volunteer.kz")
    open_75 = HelpRequest.objects.filter(region__code="75", status__in=HelpRequest.OPEN)
    busiest = open_75.filter(adults_only=False).order_by("due_until").first() or open_75.first()
    assert busiest is not None
    person = User.objects.get(email="volunteer@volunteer.kz")
    scenarios = [
        (f"coordinator: open requests, Almaty ({open_75.count()})", coordinator, "/care/requests/"),
        ("coordinator: open requests, fuel", coordinator, "/care/requests/?kind=fuel"),
        ("coordinator: all requests, page 20", coordinator, "/care/requests/?status=all&page=20"),
        (
            f"national: open requests, all regions ({HelpRequest.objects.filter(status__in=HelpRequest.OPEN).count()})",
            national,
            "/care/requests/",
        ),
        ("coordinator: map layer, Almaty", coordinator, "/api/care/requests/map/"),
        ("coordinator: request page with suggestions", coordinator, f"/care/requests/{busiest.pk}/"),
        ("api: requests, coordinator", coordinator, "/api/care/requests/"),
        ("volunteer: open requests and mine", person, "/care/"),
        ("api: requests, volunteer", person, "/api/care/requests/"),
    ]
    print(
        f"{Beneficiary.objects.count()} beneficiaries, {HelpRequest.objects.count()} requests, "
        f"{Volunteer.objects.count()} volunteers; {args.repeat} requests per scenario\n"
    )
    time_pages(scenarios, args.repeat, width=58)
    _bench_assign(args.repeat, coordinator)
    return 0


def _bench_assign(repeat: int, coordinator: object) -> None:
    """Offer and confirm: the service behind "I can do it", under the request's row lock; each
    timed assignment is withdrawn again so the request keeps its free hands."""
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from care import services
    from care.models import HelpRequest
    from volunteers.models import ADULT_AGE, Volunteer

    today = timezone.localdate()
    request = (
        HelpRequest.objects.filter(
            region__code="75",
            status="new",
            needs_check=False,
            due_from__gt=timezone.now() + datetime.timedelta(days=1),
        )
        .order_by("due_from")
        .first()
    )
    if request is None:
        print("no open request to offer help with")
        return
    candidates = Volunteer.objects.filter(
        region_id=request.region_id,
        status=Volunteer.Status.ACTIVE,
        anonymized_at=None,
        birth_date__lte=today.replace(year=today.year - ADULT_AGE),
    ).order_by("pk")[: repeat * 3]
    timings: list[float] = []
    for volunteer in candidates:
        started = time.perf_counter()
        try:
            offer = services.assignment_offer(request=request, volunteer=volunteer, by=coordinator)  # type: ignore[arg-type]
            services.assignment_confirm(assignment=offer, by=coordinator)  # type: ignore[arg-type]
        except ValidationError:
            continue
        timings.append((time.perf_counter() - started) * 1000)
        services.assignment_withdraw(assignment=offer, by=coordinator)  # type: ignore[arg-type]
        if len(timings) >= repeat:
            break
    if timings:
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{'service: offer + confirm':58} {statistics.median(timings):10.1f} {p95:8.1f}")


if __name__ == "__main__":
    sys.exit(main())
