"""Roster import benchmark: an XLSX of 50 000 rows checked and imported, the preview's first page,
and the peak memory of the whole run at two file sizes (each size in a process of its own, so
that its peak resident size is its own).

Runs against a PostgreSQL database of its own; the roster it checks duplicates against is seeded
with `seed_demo` (BENCH_IMPORT_ROSTER volunteers) when empty. Every file's people are new (their
phones, e-mails and IINs differ from the roster's and from the other runs').

    make bench-import
    make bench-import BENCH_IMPORT_ROWS=50000 BENCH_IMPORT_SMALL=10000
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_net.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# Time the services themselves, in this process.
os.environ["IMPORT_ASYNC_ROWS"] = str(10**9)


def _rss_mb() -> float:
    """This process's peak resident size. VmHWM starts afresh at exec; ru_maxrss would carry the
    parent's peak over to the child on Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_file(path: Path, rows: int, offset: int) -> None:
    """An XLSX as a region keeps it: a title row, the header, one person a row."""
    from openpyxl import Workbook

    from volunteers.validators import iin_check_digit

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Волонтёры")
    ws.append(["Список волонтёров"])
    ws.append(["ФИО", "Дата рождения", "Телефон", "Email", "ИИН", "Населённый пункт"])
    start = datetime.date(1970, 1, 1)
    for i in range(rows):
        n = offset + i
        birth = start + datetime.timedelta(days=n % 12000)
        century = 3 if birth.year < 2000 else 5
        iin = ""
        # Unique per row: the birth date takes n mod 12000, the serial the rest (three tries
        # each, as a serial now and then has no valid check digit).
        for tail in range(n // 12000 * 3, n // 12000 * 3 + 3):
            first11 = f"{birth:%y%m%d}{century}{tail:04d}"
            check = iin_check_digit(first11)
            if check is not None:
                iin = first11 + str(check)
                break
        ws.append(
            [
                f"Импортова{n} Айгуль Сериковна",
                birth.strftime("%d.%m.%Y"),
                f"8 747 {n // 10000 % 1000:03d} {n // 100 % 100:02d} {n % 100:02d}",
                f"import{n}@bench.kz",
                iin if n % 3 else "",  # a third of the rows without an IIN
                "Алматы",
            ]
        )
    workbook.save(path)


def run_one(rows: int, path: Path) -> dict[str, float]:
    """One file (made by the parent) through upload, check, preview and import; in this process,
    whose peak resident size is then this file's."""
    import django

    django.setup()
    from django.conf import settings

    # As in production: a DEBUG process keeps every statement's SQL, which would be measured too.
    settings.DEBUG = False
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from regions.models import Region
    from volunteers.imports import services

    coordinator = User.objects.get(email="coordinator75@volunteer.kz")
    region = Region.objects.get(code="75")
    size_mb = path.stat().st_size / 2**20
    baseline = _rss_mb()
    started = time.perf_counter()
    with path.open("rb") as handle:
        batch = services.batch_upload(
            by=coordinator, region=region, upload=SimpleUploadedFile("list.xlsx", handle.read())
        )
    services.batch_map(batch=batch, by=coordinator, mapping=batch.mapping)
    batch = services.batch_check(batch=batch, by=coordinator)
    checked = time.perf_counter() - started
    assert batch.total_rows == rows, batch.total_rows
    client = Client()
    client.force_login(coordinator)
    url = reverse("roster:import_preview", args=[batch.pk])
    client.get(url)
    pages = []
    for _ in range(10):
        t0 = time.perf_counter()
        response = client.get(url)
        pages.append(time.perf_counter() - t0)
        assert response.status_code == 200
    pages.sort()
    t0 = time.perf_counter()
    batch = services.batch_start_import(
        batch=batch, by=coordinator, consent_confirmed=True, consent_date=datetime.date(2025, 9, 1)
    )
    imported = time.perf_counter() - t0
    # A generated IIN may, rarely, be one the seeded roster drew: that row is a duplicate.
    assert batch.created_count + batch.skipped_count == rows and batch.skipped_count < rows // 100, (
        batch.created_count,
        batch.skipped_count,
        batch.failed_count,
    )
    connection.close()
    return {
        "rows": rows,
        "file_mb": round(size_mb, 1),
        "check_s": round(checked, 1),
        "import_s": round(imported, 1),
        "total_s": round(checked + imported, 1),
        "preview_median_ms": round(statistics.median(pages) * 1000),
        "preview_p95_ms": round(pages[int(len(pages) * 0.95) - 1] * 1000),
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_growth_mb": round(_rss_mb() - baseline, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--roster", type=int, default=20_000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.file)))
        return 0

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from volunteers.models import Volunteer

    if connection.vendor != "postgresql":
        print("The benchmark runs on PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    if not Volunteer.objects.exists():
        call_command("seed_demo", volunteers=args.roster, detachments=max(20, args.roster // 250))
    # The people of earlier runs go, so that every run imports new people into the same roster.
    Volunteer.objects.filter(consent_method="imported").delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    results = []
    tmp = tempfile.TemporaryDirectory()
    for index, rows in enumerate((args.small, args.rows)):
        path = Path(tmp.name) / f"list-{rows}.xlsx"
        make_file(path, rows, offset=1_000_000 * (index + 1))
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(rows), "--file", str(path)],
            capture_output=True,
            text=True,
        )
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            return 1
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(
        f"{'rows':>7} {'file MB':>8} {'check s':>8} {'import s':>9} {'total s':>8} "
        f"{'preview p50/p95 ms':>19} {'peak RSS MB':>12} {'RSS growth MB':>14}"
    )
    for r in results:
        print(
            f"{r['rows']:>7} {r['file_mb']:>8} {r['check_s']:>8} {r['import_s']:>9} {r['total_s']:>8} "
            f"{r['preview_median_ms']:>9}/{r['preview_p95_ms']:<9} {r['peak_rss_mb']:>12} {r['rss_growth_mb']:>14}"
        )
    small, large = results
    ok = large["total_s"] < 60 and large["preview_p95_ms"] < 1000
    print(
        f"50k rows under 60 s and first page under 1 s: {'yes' if ok else 'NO'}; "
        f"peak RSS at {large['rows']} rows is {large['peak_rss_mb'] / small['peak_rss_mb']:.2f}× that at {small['rows']}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
