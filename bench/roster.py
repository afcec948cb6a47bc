"""Roster benchmark: how fast the coordinator's roster and the volunteers API answer at scale.

Runs in-process (Django's test client, no network) against a PostgreSQL database of its own,
seeded with `seed_demo` at the requested size when it is empty. Prints the median and 95th
percentile per scenario, the SQL queries each request ran, and the page's **floor**: the same
queries replayed raw through a cursor in the same run, so that "page ÷ floor" says how much time
goes to Python (forms, templates) rather than to the database. National staff's Django admin
changelist of the same volunteers is timed beside the roster.

    make bench                          # 100 000 volunteers
    make bench BENCH_VOLUNTEERS=20000   # smaller
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from volunteers.models import Volunteer

    if connection.vendor != "postgresql":
        print("The benchmark runs on PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    if not Volunteer.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", volunteers=args.volunteers, detachments=max(20, args.volunteers // 250))
        print(f"seeded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = Volunteer.objects.count()

    coordinator = User.objects.get(email="coordinator75@volunteer.kz")
    national = User.objects.get(email="admin@volunteer.kz")
    scenarios = [
        ("coordinator: roster, first page", coordinator, "/roster/"),
        ("coordinator: roster, page 5 of 100 per page", coordinator, "/roster/?per_page=100&page=5"),
        ("coordinator: search by name (Kazakh)", coordinator, "/roster/?q=қасым"),
        ("coordinator: search by phone", coordinator, "/roster/?q=8 701 12"),
        ("coordinator: filters age+evenings", coordinator, "/roster/?age_group=14to17&availability=evenings"),
        ("national: roster, all regions", national, "/roster/"),
        ("national: search by name, all regions", national, "/roster/?q=ерлан"),
        ("national: search by phone, all regions", national, "/roster/?q=7057"),
        ("national: sort by age desc", national, "/roster/?sort=-age"),
        ("national: search in Latin (Nurlan)", national, "/roster/?q=Nurlan"),
        ("national: sort by name, Russian alphabet", national, "/roster/?lang=ru"),
        ("api: volunteers, search", national, "/api/volunteers/?q=әсел"),
        # The other lists staff work from, each beside its floor.
        ("coordinator: regions overview", coordinator, "/overview/"),
        ("national: regions overview, all 20", national, "/overview/"),
        ("national: possible duplicates", national, "/roster/duplicates/"),
        ("national: skills catalogue", national, "/skills/"),
        ("national: front offices to manage", national, "/front-offices/manage/"),
        ("national: messages", national, "/messages/"),
        ("public: front offices", None, "/front-offices/"),
        ("admin changelist, all regions (100 rows)", national, "/admin/volunteers/volunteer/"),
    ]
    print(f"{total} volunteers; {args.repeat} requests per scenario\n")
    medians = time_pages(scenarios, args.repeat)
    roster, admin = (
        medians["national: roster, all regions"],
        medians["admin changelist, all regions (100 rows)"],
    )
    print(f"\nnational roster (25 rows) vs admin changelist (100 rows): {roster:.1f} ms vs {admin:.1f} ms")
    return 0


def time_pages(scenarios: list[tuple[str, Any, str]], repeat: int, width: int = 48) -> dict[str, float]:
    """Time each (name, user or None, url) in-process after a warm-up request, beside its floor;
    print a row per page and return the medians by name."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    _collect_static()
    print(f"{'scenario':{width}} {'median ms':>10} {'p95 ms':>8} {'floor ms':>9} {'ratio':>6} {'queries':>8}")
    medians: dict[str, float] = {}
    for name, user, url in scenarios:
        client = Client()
        if user is not None:
            client.force_login(user)
        client.get(url)  # warm caches and connections
        timings, floors = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            floors.append(_replay(connection, ctx.captured_queries))
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        median, floor = statistics.median(timings), statistics.median(floors)
        medians[name] = median
        print(
            f"{name:{width}} {median:10.1f} {p95:8.1f} {floor:9.1f} {median / floor:6.1f} "
            f"{len(ctx.captured_queries):8d}"
        )
    return medians


def _collect_static() -> None:
    """Production pages name hashed static files; their manifest comes from collectstatic
    (incremental: it copies only what changed)."""
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)


def _replay(connection: Any, queries: list[dict[str, Any]]) -> float:
    """Milliseconds the page's own SELECTs take when sent raw (the page's floor)."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(sql)
                cursor.fetchall()
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    sys.exit(main())
