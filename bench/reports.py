"""Reports benchmark: the sign-ups export (CSV and XLSX) beside PostgreSQL's own COPY of the same
rows, at the whole data (500 000 rows at national scale) and at a tenth of it (50 000), with the
peak memory of each, and the dashboards, each beside its floor (its SQL under EXPLAIN ANALYZE).

Runs in-process against the national bench database (bench/common.py).

    make bench-reports
    python bench/reports.py --scale tenth
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # sets the bench environment before Django starts

GROUP_EXPORT = "Exports"
GROUP_DASHBOARDS = "Dashboards"


class Sink(io.RawIOBase):
    """Counts what is written and keeps nothing (the export's speed, not the disk's)."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


def run(ctx: common.Context) -> list[common.Result]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, override_settings
    from django.utils import timezone, translation

    from accounts.models import User
    from events.models import Signup
    from reports import services
    from reports.registry import EXPORTS
    from reports.scope import ReportScope

    national = User.objects.get(email="admin@volunteer.kz")
    coordinator = User.objects.get(email="coordinator75@volunteer.kz")
    days = Signup.objects.order_by("shift__starts_at").values_list("shift__starts_at", flat=True)
    first = timezone.localtime(days.first()).date()
    last = timezone.localtime(days.last()).date()
    total = Signup.objects.count()
    # The period that holds the first ~10 % of the rows: the export at a tenth of the size.
    tenth_day = timezone.localtime(days[total // 10]).date()
    export = EXPORTS["signups"]
    translation.activate("kk")
    results: list[common.Result] = []
    peaks: dict[str, list[float]] = {"csv": [], "xlsx": []}
    for label, scope, runs in (
        ("a tenth", ReportScope(user=national, start=first, end=tenth_day), ctx.repeat),
        ("whole", ReportScope(user=national, start=first, end=last), ctx.scale["heavy_repeat"]),
    ):
        rows = export.rows(scope)[0]()
        # The floor: PostgreSQL writing the same rows (the export's own SQL) as CSV, in this run.
        sql, params = _signup_values(export, scope).query.sql_with_params()
        copy_times = []
        with connection.cursor() as cursor:
            statement = cursor.mogrify(sql, params).decode()
            for _ in range(runs + 1):
                started = time.perf_counter()
                cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH CSV", Sink())
                copy_times.append(time.perf_counter() - started)
        copy_rate = rows / statistics.median(copy_times[1:])
        for file_format in ("csv", "xlsx"):
            times = []
            for attempt in range(runs + 1):
                with tempfile.TemporaryDirectory() as tmp:
                    target: Any = Sink() if file_format == "csv" else str(Path(tmp) / "out.xlsx")
                    traced = attempt == 0  # the warm-up run measures the peak memory
                    if traced:
                        tracemalloc.start()
                    started = time.perf_counter()
                    written = services.export_write(
                        export=export, scope=scope, file_format=file_format, target=target
                    )
                    elapsed = time.perf_counter() - started
                    if traced:
                        peaks[file_format].append(tracemalloc.get_traced_memory()[1] / 2**20)
                        tracemalloc.stop()
                    else:
                        times.append(elapsed)
                assert written == rows, (written, rows)
            median, p95 = common.median_p95(times)
            rate = rows / median
            result = common.Result(
                group=GROUP_EXPORT,
                figure=f"sign-ups {file_format.upper()}, {label} ({rows} rows)",
                value=rate,
                unit="rows/s",
                p95=rows / p95,
                runs=runs,
                floor=copy_rate,
                floor_name="COPY … TO STDOUT WITH CSV",
                ratio=rate / copy_rate,
                target="≥ ⅓ of COPY",
                met=rate / copy_rate >= 1 / 3,
                note=f"peak Python memory {peaks[file_format][-1]:.1f} MB (tracemalloc)",
            )
            if not result.met:
                result.note += f"; {rate / copy_rate:.3f} of COPY's rows/s, target 0.333"
            results.append(result)
            common.print_result(result)
    for file_format, (small, large) in peaks.items():
        # Flat memory: the whole export's peak beside the tenth's.
        result = common.Result(
            group=GROUP_EXPORT,
            figure=f"sign-ups {file_format.upper()}: peak memory, whole data",
            value=large,
            unit="MB",
            runs=1,
            floor=small,
            floor_name="peak at a tenth of the rows",
            ratio=large / small if small else None,
            target="flat: ≤ 1.5× the tenth's",
            met=bool(small) and large <= 1.5 * small,
        )
        results.append(result)
        common.print_result(result)

    year = timezone.localdate().year
    scenarios = [
        ("national: dashboard, year so far", national, "/reports/"),
        ("national: dashboard, whole data", national, f"/reports/?start={first}&end={last}"),
        ("coordinator 75: dashboard, year so far", coordinator, "/reports/"),
        ("coordinator 75: dashboard, whole data", coordinator, f"/reports/?start={first}&end={last}"),
    ]
    with override_settings(REPORTS_DASHBOARD_CACHE_SECONDS=0):
        computed = common.time_pages(
            GROUP_DASHBOARDS,
            [(f"{n} (computed)", u, url) for n, u, url in scenarios],
            ctx.repeat,
            target_ms=common.DASHBOARD_TARGET_MS,
            target_queries=None,
            # Its sections run side by side on connections of their own (reports/sections.py):
            # their queries, floor and profile are those of the same view computed serially.
            serially={"REPORTS_DASHBOARD_THREADS": 1},
        )
    served = common.time_pages(
        GROUP_DASHBOARDS,
        [
            *[(f"{n} (as served, cached)", u, url) for n, u, url in scenarios],
            ("anonymous: Year of Volunteers (cached)", None, f"/year-of-volunteers/?year={year}"),
        ],
        ctx.repeat,
    )
    timings = []
    client = Client()
    for _ in range(max(3, ctx.repeat // 3)):
        cache.clear()
        started = time.perf_counter()
        client.get(f"/year-of-volunteers/?year={year}")
        timings.append((time.perf_counter() - started) * 1000)
    uncached = common.service_result(GROUP_DASHBOARDS, "anonymous: Year of Volunteers (uncached)", timings)
    return results + computed + served + ([uncached] if uncached else [])


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
    sys.exit(common.main_for(run, __doc__))
