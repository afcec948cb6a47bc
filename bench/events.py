"""Campaigns benchmark: the pages volunteers and coordinators open most, at scale.

Runs in-process (Django's test client) against a PostgreSQL database of its own, seeded with
`seed_demo` (100 000 volunteers, 50 000 shifts, 500 000 sign-ups by default) when it has no
campaigns. Prints, per scenario, the median and 95th percentile, the SQL queries of a request and
the page's floor — the same SELECTs replayed raw in the same run (see bench/roster.py).

    make bench-events
    make bench-events BENCH_SHIFTS=10000 BENCH_SIGNUPS=100000
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
# Production settings, as users get them (DEBUG on would keep every query and skew the figures);
# plain HTTP in-process, so no redirect to HTTPS.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz")
# Bench-only keys of the IIN at rest (volunteers/crypto.py); production sets its own.
os.environ.setdefault("IIN_ENCRYPTION_KEYS", "YmVuY2gtb25seS1paW4ta2V5LTAxMjM0NTY3ODlhYmM=")
os.environ.setdefault("IIN_HASH_KEY", "bench-only-iin-hash-key")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# Messages are queued as in production (here to Celery's in-memory transport), not sent inside the
# timed request: without Redis the embedded default would run each task eagerly.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--shifts", type=int, default=50_000)
    parser.add_argument("--signups", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Q
    from django.utils import timezone

    from accounts.models import User
    from bench.roster import time_pages
    from events.models import Campaign, Shift, Signup
    from volunteers.models import Volunteer

    if connection.vendor != "postgresql":
        print("The benchmark runs on PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    if not Campaign.objects.exists():
        if Volunteer.objects.exists():
            print("The database has volunteers but no campaigns: use an empty database.", file=sys.stderr)
            return 2
        started = time.perf_counter()
        call_command(
            "seed_demo",
            volunteers=args.volunteers,
            detachments=max(20, args.volunteers // 250),
            shifts=args.shifts,
            signups=args.signups,
        )
        print(f"seeded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        # VACUUM as autovacuum would on a live database: index-only scans need the visibility map
        # that rows fresh from COPY lack.
        cursor.execute("VACUUM ANALYZE")

    now = timezone.now()
    coordinator = User.objects.get(email="coordinator75@volunteer.kz")
    national = User.objects.get(email="admin@volunteer.kz")
    # The busiest of each: the pages at their heaviest.
    campaign = (
        Campaign.objects.filter(region__code="75", status="published")
        .annotate(n=Count("shifts", filter=Q(shifts__ends_at__gt=now)))
        .order_by("-n")
        .first()
    )
    roster_shift = (
        Shift.objects.filter(campaign__region__code="75")
        .annotate(n=Count("signups"))
        .order_by("-n", "starts_at")
        .first()
    )
    busiest = (
        Volunteer.objects.filter(user__isnull=True, region__code="75")
        .annotate(n=Count("signups"))
        .order_by("-n")
        .first()
    )
    assert campaign and roster_shift and busiest
    person, _created = User.objects.get_or_create(email="bench-volunteer@volunteer.kz")
    Volunteer.objects.filter(user=person).exclude(pk=busiest.pk).update(user=None)
    Volunteer.objects.filter(pk=busiest.pk).update(user=person)
    region = campaign.region_id

    scenarios = [
        ("anonymous: campaign list", None, "/campaigns/"),
        (
            "volunteer: campaigns, Almaty, free, evenings",
            person,
            f"/campaigns/?region={region}&free=on&evenings=on",
        ),
        ("volunteer: campaigns, weekends", person, "/campaigns/?weekends=on"),
        (f"volunteer: campaign page ({campaign.n} upcoming shifts)", person, f"/campaigns/{campaign.pk}/"),  # type: ignore[attr-defined]
        ("volunteer: shift page", person, f"/shifts/{roster_shift.pk}/"),
        (f"volunteer: my shifts ({busiest.n} sign-ups)", person, "/my-shifts/"),  # type: ignore[attr-defined]
        ("api: open shifts, region 75", person, "/api/shifts/?region=75"),
        ("api: open shifts with free places", person, "/api/shifts/?free=true"),
        ("api: my sign-ups", person, "/api/signups/"),
        (
            f"coordinator: shift roster ({roster_shift.n} people)",
            coordinator,
            f"/manage/shifts/{roster_shift.pk}/",
        ),  # type: ignore[attr-defined]
        ("coordinator: campaigns", coordinator, "/manage/campaigns/"),
        ("coordinator: campaign's shifts", coordinator, f"/manage/campaigns/{campaign.pk}/"),
        ("national: campaigns, all regions", national, "/manage/campaigns/"),
    ]
    print(
        f"{Shift.objects.count()} shifts, {Signup.objects.count()} sign-ups, {Volunteer.objects.count()} volunteers; "
        f"{args.repeat} requests per scenario\n"
    )
    time_pages(scenarios, args.repeat, width=52)
    _bench_signup(args.repeat)
    return 0


def _bench_signup(repeat: int) -> None:
    """Sign-up itself: the one service every page, the API and curators call, under the shift's
    row lock, its messages queued. Each timed sign-up is cancelled again (its message rows stay)."""
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from events import services
    from events.models import Campaign, Shift
    from volunteers.models import Volunteer

    shift = (
        Shift.objects.filter(
            cancelled_at=None,
            starts_at__gt=timezone.now() + datetime.timedelta(days=3),
            campaign__status=Campaign.Status.PUBLISHED,
            campaign__region__isnull=False,
            adults_only=False,
        )
        .exclude(campaign__kind=Campaign.Kind.EMERGENCY)
        .order_by("starts_at")
        .first()
    )
    if shift is None:
        print("no upcoming shift to sign up for")
        return
    candidates = Volunteer.objects.filter(
        region_id=shift.campaign.region_id, status=Volunteer.Status.ACTIVE, anonymized_at=None
    ).order_by("pk")[: repeat * 20]
    timings: list[float] = []
    for volunteer in candidates:
        started = time.perf_counter()
        try:
            signup = services.signup_create(shift=shift, volunteer=volunteer, by=None)
        except ValidationError:
            continue  # an overlapping shift, an age rule: not this person
        timings.append((time.perf_counter() - started) * 1000)
        services.signup_cancel(signup=signup, by=None)
        if len(timings) >= repeat:
            break
    if timings:
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(
            f"{'service: sign-up (confirmed or waitlisted)':52} {statistics.median(timings):10.1f} {p95:8.1f}"
        )


if __name__ == "__main__":
    sys.exit(main())
