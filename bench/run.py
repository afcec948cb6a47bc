"""Every benchmark in one run against one bench database: `make bench`.

Builds the national database with seed_demo (or reuses it while its seed version and scale
match), runs each group's scenarios (bench/roster.py … bench/notifications.py, and bench/over_http.py
over HTTP), each figure beside its floor measured in the same run, then the front offices
again at a tenth of the data (a database of its own) to show that their times stay flat. Writes
bench/results/<UTC date>-<short commit>.json and regenerates BENCHMARKS.md from it.

A group is a module of bench/ with `run(ctx: common.Context) -> list[common.Result]`: ctx.scale
holds the sizes (common.SCALES), ctx.repeat the runs per figure, ctx.smoke whether this is the
smoke run (seconds, not figures, matter), ctx.database_url the database (also DATABASE_URL).

    python bench/run.py                          # national scale, as `make bench`
    python bench/run.py --scale smoke --out /tmp/smoke --check   # as `make bench-smoke`
    python bench/run.py --scale tenth --only roster,events
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # sets the bench environment before Django starts

GROUPS = ["roster", "events", "front_offices", "care", "map", "reports", "imports", "notifications"]
# Measured again on a database at a tenth of the scale: "flat from a tenth of the data".
TENTH_GROUPS = ["front_offices"]


def machine() -> dict[str, Any]:
    from django.db import connection

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "postgres": postgres,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def speed() -> dict[str, float]:
    """How fast this machine is at the start of the run, by fixed work timed here: a pure-Python
    loop and a PostgreSQL count over generated rows (medians of 7, ms). The same code gives other
    times on another machine, or on this one when its host is busy, however quiet the load
    average: runs compare by their ratios to floors, and by these when comparing times."""
    from django.db import connection

    def median_ms(work: Callable[[], object]) -> float:
        return round(statistics.median(common.time_call(work, repeat=7, warmup=0)), 1)

    def count() -> object:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM generate_series(1, 1000000)")
            return cursor.fetchone()

    return {"python_ms": median_ms(lambda: sum(range(2_000_000))), "postgres_ms": median_ms(count)}


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=common.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=common.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class _OverHttp:
    """bench/over_http.py's rows as Results, so that they join the JSON and BENCHMARKS.md."""

    def run(self, ctx: common.Context) -> list[common.Result]:
        from bench import load, over_http

        # The smoke run checks that the code still runs: one variant, four clients, a second each.
        small = {"clients": 4, "seconds": 1.0, "warmup": 0.5, "rounds": 1, "variants": ("sync",)}
        try:
            return [common.Result(**row) for row in over_http.run(**(small if ctx.smoke else {}))]
        finally:
            load.forget_campaigns()


def run_groups(
    ctx: common.Context, groups: list[str]
) -> tuple[list[common.Result], dict[str, float], list[str]]:
    """Each group in turn; a group that fails is recorded (its traceback printed) and the others
    still run."""
    from django.core.cache import cache

    results: list[common.Result] = []
    seconds: dict[str, float] = {}
    failed: list[str] = []
    modules: list[tuple[str, Any]] = [
        (name, _OverHttp() if name == "http" else importlib.import_module(f"bench.{name}")) for name in groups
    ]
    # Over HTTP (bench/over_http.py: gunicorn on this database, 32 clients) after the in-process
    # groups; not named bench/http.py, which would shadow the standard library's http.
    if "http" not in groups and not ctx.only:
        modules.append(("http", _OverHttp()))
    for name, module in modules:
        print(f"\n== {name} ({ctx.scale_name})", flush=True)
        cache.clear()
        started = time.perf_counter()
        try:
            produced = list(module.run(ctx))
        except Exception as error:  # one broken group must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
            produced = [
                common.Result(
                    group=name,
                    figure=f"{name}: the scenario failed",
                    value=None,
                    unit="",
                    met=False,
                    note=f"{type(error).__name__}: {error}"[:500],
                )
            ]
        seconds[name] = round(time.perf_counter() - started, 1)
        if not produced:
            failed.append(name)
        results += produced
    return results, seconds, failed


def tenth_results(args: argparse.Namespace) -> tuple[list[common.Result], dict[str, Any]]:
    """The TENTH_GROUPS at a tenth of the scale, in a process of its own (its own database)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            __file__,
            "--scale",
            "tenth",
            "--only",
            ",".join(TENTH_GROUPS),
            "--out",
            tmp,
            "--no-report",
            "--no-tenth",
        ]
        command += ["--database", f"{os.environ['DATABASE_URL']}_tenth"]
        subprocess.run(command, check=False)
        files = sorted(Path(tmp).glob("*.json"))
        if not files:
            return [], {}
        data = json.loads(files[-1].read_text())
    results = []
    for row in data["results"]:
        row["group"] = f"{row['group']}, a tenth of the data"
        results.append(common.Result(**row))
    return results, data["scale"]


def flatness(results: list[common.Result], tenth: list[common.Result]) -> None:
    """Beside each page measured at both sizes, how its time grew from a tenth of the data."""
    at_tenth = {(r.group.split(", a tenth")[0], r.figure): r for r in tenth}
    for result in results:
        small = at_tenth.get((result.group, result.figure))
        if small is not None and small.value and result.value is not None:
            growth = (
                f"at a tenth of the data {small.value:.1f} {small.unit} (×{result.value / small.value:.2f})"
            )
            result.note = f"{result.note}; {growth}" if result.note else growth


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=sorted(common.SCALES), default="national")
    parser.add_argument(
        "--database", help="bench database URL (default: BENCH_DATABASE_URL, or one per scale)"
    )
    parser.add_argument("--repeat", type=int, help="runs per figure (default: the scale's)")
    parser.add_argument("--only", help="comma-separated groups: " + ",".join(GROUPS))
    parser.add_argument("--out", type=Path, default=common.ROOT / "bench" / "results")
    parser.add_argument("--no-report", action="store_true", help="do not regenerate BENCHMARKS.md")
    parser.add_argument("--no-tenth", action="store_true", help="skip the groups at a tenth of the data")
    parser.add_argument(
        "--check", action="store_true", help="fail unless every group produced figures (make bench-smoke)"
    )
    args = parser.parse_args()
    groups = args.only.split(",") if args.only else GROUPS
    unknown = set(groups) - set(GROUPS) - {"http"}
    if unknown:
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    if args.scale == "smoke":
        # Static files by their plain names: collecting and compressing them all takes longer
        # than the smoke run itself (the figures are not the point there).
        os.environ.setdefault("STATIC_MANIFEST", "false")
    url = args.database or common.bench_url(args.scale)
    os.environ["DATABASE_URL"] = url
    scale = dict(common.SCALES[args.scale])
    if args.repeat:
        scale["repeat"] = args.repeat
    common.setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("The benchmark runs on PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    stamp = common.ensure_database(url, common.SCALES[args.scale])
    ctx = common.Context(
        scale_name=args.scale,
        scale=scale,
        out_dir=args.out,
        smoke=args.scale == "smoke",
        only=bool(args.only),
    )
    # Before the groups: the last of them (over HTTP) loads the machine itself, so the reading at
    # the end says little about what else was running.
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    speed_at_start = speed()
    results, seconds, failed = run_groups(ctx, groups)
    tenth_scale: dict[str, Any] = {}
    if args.scale == "national" and not args.no_tenth and not args.only:
        tenth, tenth_scale = tenth_results(args)
        flatness(results, tenth)
        results += tenth
    now = datetime.datetime.now(datetime.UTC)
    revision = commit()
    data = {
        "machine": {**machine(), "load_average_at_start": load_at_start, "speed": speed_at_start},
        "date": now.isoformat(timespec="seconds"),
        "commit": revision,
        "scale": {
            "name": args.scale,
            **{k: v for k, v in scale.items()},
            "seed_version": common.SEED_VERSION,
            "seed_seconds": stamp.get("seconds"),
            "seed_reused": stamp.get("reused"),
            "tenth": tenth_scale or None,
        },
        "seconds": {**seconds, "total": round(time.perf_counter() - started, 1)},
        "results": [r.as_dict() for r in results],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = (
        args.out
        / f"{now:%Y-%m-%d}-{revision.split('-')[0]}{'' if args.scale == 'national' else '-' + args.scale}.json"
    )
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    print(f"\n{len(results)} figures in {data['seconds']['total']} s → {path}")
    if not args.no_report:
        from bench import report

        report.main([str(path)])
    if failed:
        print(f"groups without figures: {', '.join(failed)}", file=sys.stderr)
        return 1
    if args.check:
        missing = [g for g in groups if not any(r.value is not None for r in results if _module_of(r, g))]
        empty = [r.figure for r in results if r.value is None]
        if missing or empty or not results:
            print(f"no figure from: {missing or ''} {empty or ''}", file=sys.stderr)
            return 1
    return 0


GROUP_NAMES = {
    "roster": ["Roster and staff lists"],
    "events": ["Campaigns and shifts"],
    "front_offices": ["Front offices"],
    "care": ["Targeted help"],
    "map": ["Map endpoints"],
    "reports": ["Exports", "Dashboards"],
    "imports": ["Roster import"],
    "notifications": ["Reminder sweep"],
}


def _module_of(result: common.Result, module: str) -> bool:
    return result.group in GROUP_NAMES.get(module, [module])


if __name__ == "__main__":
    raise SystemExit(main())
