"""Reports benchmark: the sign-ups export (CSV and XLSX) beside PostgreSQL's own COPY of the same
rows, its peak memory at two sizes, and the dashboards, at full scale.

Runs in-process against a PostgreSQL database of its own (vn_bench_reports), seeded the way
`make bench-events` seeds its database (seed_demo: 100 000 volunteers, 50 000 shifts, 500 000
sign-ups) when it has no campaigns.

    make bench-reports
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_net.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")


class Sink(io.RawIOBase):
    """Counts what is written and keeps nothing (the export's speed, not the disk's)."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


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
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone, translation

    from accounts.models import User
    from bench.roster import time_pages
    from events.models import Campaign, Signup
    from reports import services
    from reports.registry import EXPORTS
    from reports.scope import ReportScope
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
        cursor.execute("VACUUM ANALYZE")

    national = User.objects.get(email="admin@volunteer.kz")
    coordinator = User.objects.get(email="coordinator75@volunteer.kz")
    days = Signup.objects.order_by("shift__starts_at").values_list("shift__starts_at", flat=True)
    first = timezone.localtime(days.first()).date()
    last = timezone.localtime(days.last()).date()
    total = Signup.objects.count()
    # The period that holds the first ~10 % of the rows: the small export of the memory check.
    tenth_day = timezone.localtime(days[total // 10]).date()
    whole = ReportScope(user=national, start=first, end=last)
    tenth = ReportScope(user=national, start=first, end=tenth_day)
    export = EXPORTS["signups"]
    translation.activate("kk")
    rows_whole, rows_tenth = export.rows(whole)[0](), export.rows(tenth)[0]()
    print(f"{total} sign-ups; export of {rows_whole} rows ({first} – {last}) and of {rows_tenth} rows\n")

    # The floor: PostgreSQL writing the same rows (the export's own SQL) as CSV, in this run.
    _count, _rows = export.rows(whole)
    qs = _signup_values(export, whole)
    sql, params = qs.query.sql_with_params()
    copy_times = []
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, params).decode()
        for _ in range(3):
            sink = Sink()
            started = time.perf_counter()
            cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH CSV", sink)
            copy_times.append(time.perf_counter() - started)
    copy_s = min(copy_times)
    copy_rate = rows_whole / copy_s
    print(f"{'sign-ups export':34} {'seconds':>8} {'rows/s':>10} {'vs COPY':>8}")
    print(f"{'COPY … TO STDOUT WITH CSV':34} {copy_s:8.2f} {copy_rate:10.0f} {1.0:8.2f}")
    for file_format in ("csv", "xlsx"):
        best = None
        for _ in range(2):
            with tempfile.TemporaryDirectory() as tmp:
                target: Any = Sink() if file_format == "csv" else str(Path(tmp) / "out.xlsx")
                started = time.perf_counter()
                written = services.export_write(
                    export=export, scope=whole, file_format=file_format, target=target
                )
                elapsed = time.perf_counter() - started
            assert written == rows_whole, (written, rows_whole)
            best = elapsed if best is None else min(best, elapsed)
        assert best is not None
        rate = rows_whole / best
        print(f"{'export ' + file_format.upper():34} {best:8.2f} {rate:10.0f} {rate / copy_rate:8.2f}")

    print(
        f"\n{'peak memory (tracemalloc)':34} {f'{rows_tenth} rows':>14} {f'{rows_whole} rows':>14} {'growth':>9}"
    )
    for file_format in ("csv", "xlsx"):
        peaks = []
        for scope in (tenth, whole):
            with tempfile.TemporaryDirectory() as tmp:
                target = Sink() if file_format == "csv" else str(Path(tmp) / "out.xlsx")
                tracemalloc.start()
                services.export_write(export=export, scope=scope, file_format=file_format, target=target)
                peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
                tracemalloc.stop()
        print(
            f"{'export ' + file_format.upper():34} {peaks[0]:11.1f} MB {peaks[1]:11.1f} MB {peaks[1] - peaks[0]:6.1f} MB"
        )

    year = timezone.localdate().year
    scenarios = [
        ("national: dashboard, year so far", national, "/reports/"),
        ("national: dashboard, whole data", national, f"/reports/?start={first}&end={last}"),
        ("coordinator 75: dashboard, year so far", coordinator, "/reports/"),
        ("coordinator 75: dashboard, whole data", coordinator, f"/reports/?start={first}&end={last}"),
        ("anonymous: Year of Volunteers (cached)", None, f"/year-of-volunteers/?year={year}"),
    ]
    from django.test import override_settings

    print("\ndashboards computed on every request (REPORTS_DASHBOARD_CACHE_SECONDS=0)")
    with override_settings(REPORTS_DASHBOARD_CACHE_SECONDS=0):
        time_pages(scenarios[:4], max(3, args.repeat // 4), width=44)
    print("\nas served (figures kept per region scope, period and language for a few minutes)")
    time_pages(scenarios, args.repeat, width=44)
    timings = []
    client = Client()
    for _ in range(5):
        cache.clear()
        started = time.perf_counter()
        client.get(f"/year-of-volunteers/?year={year}")
        timings.append((time.perf_counter() - started) * 1000)
    print(f"{'anonymous: Year of Volunteers (uncached)':44} {statistics.median(timings):10.1f}")
    return 0


def _signup_values(export: Any, scope: Any) -> Any:
    """The export's queryset (the same SQL its server-side cursor reads)."""
    from reports import exports

    captured: dict[str, Any] = {}
    original = exports._stream

    def capture(qs: Any, *fields: Any) -> Any:
        captured["qs"] = qs.values_list(*fields)
        return original(qs, *fields)

    exports._stream = capture  # type: ignore[assignment]
    try:
        export.rows(scope)
    finally:
        exports._stream = original  # type: ignore[assignment]
    return captured["qs"]


if __name__ == "__main__":
    sys.exit(main())
