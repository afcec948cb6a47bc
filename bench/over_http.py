"""The benchmark over HTTP (issue #14, point 5): gunicorn on loopback with production settings,
workers = cores, in its default sync form and threaded (gthread), under a bounded load of 32
clients (bench/load.py):

- the floor: a bare Django view (`/healthz`: the whole middleware stack, no database, no
  template) on the same server, by the same clients, in the same run;
- sign-ups for the last places of shifts (1–4 places each, most requests end "full": 409) and
  bookings of the last places of visit slots, through the API as logged-in volunteers (tokens);
- a browsing mix: the campaign list, the map's GeoJSON layers, and roster searches by
  coordinators logged in through the form (session and CSRF);
- then the invariants: no shift or slot over its capacity, one active sign-up per person and
  shift, the counters and the sign-up summary equal to a recount.

Target: sign-up and booking throughput at least a fifth of the bare view's, zero errors (a
refusal the API promises — full, limit, duplicate — is an answer, not an error), zero overbooking.

    make bench-http                                    # seeds vn_bench_http once (under a minute)
    python bench/over_http.py --database-url postgres://…/db --json out.json

(Not bench/http.py: run as a script, a file of that name shadows the standard library's `http`
package for every script in bench/.)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402

RATIO_TARGET = 0.2
VARIANTS = {"sync": 1, "gthread": 4}  # variant → threads per worker


def _row(figure: str, value: float | None, unit: str, **more: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "group": "Over HTTP",
        "figure": figure,
        "value": value,
        "unit": unit,
        "p95": None,
        "runs": None,
        "queries": None,
        "floor": None,
        "floor_name": None,
        "ratio": None,
        "target": None,
        "met": None,
        "note": "",
    }
    row.update(more)
    for key in ("value", "p95", "floor", "ratio"):
        if isinstance(row[key], float):
            row[key] = None if math.isnan(row[key]) else round(row[key], 3)
    return row


def _note(run: load.LoadRun, label: str) -> str:
    t = run.tallies.get(label, load.Tally())
    refusals = ", ".join(f"{n} {code}" for code, n in sorted(t.refusals.items()))
    ok = t.count - sum(t.refusals.values()) - t.error_count
    return (
        f"p50 {load.percentile(t.latencies, 50) * 1000:.1f} ms, p99 {load.percentile(t.latencies, 99) * 1000:.1f} ms; "
        f"{t.count} requests: {ok} done, {refusals or 'no'} refusals, {t.error_count} errors"
        + (f" ({dict(t.errors)})" if t.errors else "")
        + f"; client CPU {run.client_cpu / max(1, run.requests) * 1e6:.0f} µs/request"
    )


def run(
    env: dict[str, str] | None = None,
    *,
    clients: int = 32,
    seconds: float = 10.0,
    variants: tuple[str, ...] = ("sync", "gthread"),
    workers: int | None = None,
    warmup: float = 2.0,
    rounds: int = 5,
) -> list[dict[str, Any]]:
    """The figures over HTTP, as result rows. Django must be set up on a seeded database; the
    servers get `env` (load.standalone_setup's), or else this process's database, Redis and keys."""
    env = env or load.env_from_settings()
    workers = workers or os.cpu_count() or 2
    rows: list[dict[str, Any]] = []
    for variant in variants:
        threads = VARIANTS[variant]
        shape = f"{variant}, {workers} workers" + (f" × {threads} threads" if threads > 1 else "")
        world = load.prepare(accounts=clients * 8, shifts=200, slots=200)
        with load.servers(env, workers=workers, threads=threads) as urls:
            load.drive(urls, world, "bare", clients=clients, seconds=warmup)  # warm up
            load.drive(urls, world, "browse", clients=clients, seconds=warmup)
            # Each figure in `rounds` turns with the others, so that a shared machine's load,
            # which drifts, weighs on the floor and on the figures alike.
            runs = {mix: load.LoadRun(clients=clients) for mix in ("bare", "signup", "booking", "browse")}
            for _ in range(rounds):
                for mix, total in runs.items():
                    total.add(load.drive(urls, world, mix, clients=clients, seconds=seconds / rounds))
        load.purge_queue()
        bare = runs["bare"].rate()
        rows.append(
            _row(
                f"bare Django view GET /healthz ({shape}, {clients} clients)",
                bare,
                "req/s",
                runs=runs["bare"].requests,
                note=_note(runs["bare"], "bare view"),
            )
        )
        for mix, label, figure in (
            ("signup", "sign-up", "sign-ups for the last places POST /api/shifts/…/signup/"),
            ("booking", "booking", "bookings of the last visit places POST /api/visits/"),
            ("browse", None, "browsing: campaign list, map GeoJSON, roster search"),
        ):
            r = runs[mix]
            rate = r.rate()
            errors = r.errors
            target = label is not None
            ratio = rate / bare if bare else float("nan")
            rows.append(
                _row(
                    f"{figure} ({shape}, {clients} clients)",
                    rate,
                    "req/s",
                    runs=r.requests,
                    floor=bare,
                    floor_name="bare Django view (/healthz), same server and clients",
                    ratio=ratio,
                    target=f"≥ {RATIO_TARGET} × floor, 0 errors" if target else "0 errors",
                    met=(ratio >= RATIO_TARGET and errors == 0) if target else errors == 0,
                    note=_note(r, label)
                    if label
                    else "; ".join(
                        f"{name}: p50 {load.percentile(t.latencies, 50) * 1000:.1f} ms, "
                        f"p99 {load.percentile(t.latencies, 99) * 1000:.1f} ms, {t.error_count} errors"
                        for name, t in sorted(r.tallies.items())
                    ),
                )
            )
        broken = load.check_invariants()
        scene = load.scene_counts(world)
        rows.append(
            _row(
                f"overbooking and invariants after the runs ({shape})",
                float(sum(broken.values())),
                "rows",
                target="0",
                met=sum(broken.values()) == 0,
                note="; ".join(f"{k}: {v}" for k, v in {**broken, **scene}.items()),
            )
        )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'figure':<92} {'value':>9} {'floor':>9} {'ratio':>6}  met")
    for row in rows:
        value = f"{row['value']:.1f}" if row["value"] is not None else "—"
        floor = f"{row['floor']:.1f}" if row["floor"] is not None else ""
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else ""
        met = {True: "yes", False: "NO", None: ""}[row["met"]]
        print(f"{row['figure']:<92} {value:>9} {floor:>9} {ratio:>6}  {met}")
        print(f"    {row['note']}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_HTTP_DATABASE_URL", ""))
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_HTTP_REDIS_URL", "redis://127.0.0.1:6379/13")
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="Of each measured run.")
    parser.add_argument("--variants", default="sync,gthread")
    parser.add_argument("--size", choices=sorted(load.SIZES), default="modest")
    parser.add_argument("--json", type=Path, help="Write the result rows here.")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or BENCH_HTTP_DATABASE_URL) is needed")
    env = load.standalone_setup(args.database_url, args.redis_url)
    started = time.perf_counter()
    if load.seed(args.size):
        print(f"Seeded the {args.size} demo data in {time.perf_counter() - started:.0f} s")
    rows = run(env, clients=args.clients, seconds=args.seconds, variants=tuple(args.variants.split(",")))
    print_table(rows)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        print(f"Written to {args.json}")
    # Speed depends on the machine and is reported; an error or a broken invariant fails the run.
    errors = sum(int(n) for row in rows for n in re.findall(r"(\d+) errors", row["note"]))
    broken = sum(row["value"] or 0 for row in rows if row["unit"] == "rows")
    return 1 if errors or broken else 0


if __name__ == "__main__":
    # Run as a script, Python puts bench/ first on the path; our modules come from the root.
    sys.exit(main())
