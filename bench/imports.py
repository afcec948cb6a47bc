"""Roster import benchmark: an XLSX of 50 000 rows checked and imported, the preview's first page,
and the peak memory of the whole run at two file sizes (each size in a process of its own, so
that its peak resident size is its own).

Runs against the national bench database (bench/common.py): the roster it checks duplicates
against is the seeded one. Every file's people are new (their phones, e-mails and IINs differ from
the roster's and from the other runs'); the people an earlier run imported are removed first.

    make bench-import
    python bench/imports.py --scale tenth
"""

from __future__ import annotations

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
from bench import common  # sets the bench environment before Django starts

# Time the services themselves, in this process.
os.environ["IMPORT_ASYNC_ROWS"] = str(10**9)
GROUP = "Roster import"


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
    common.setup_django()
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
    for _ in range(15):
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
    assert batch.created_count + batch.skipped_count == rows and batch.skipped_count <= rows // 100, (
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
        "preview_p95_ms": round(common.median_p95(pages)[1] * 1000),
        "preview_runs": len(pages),
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_growth_mb": round(_rss_mb() - baseline, 1),
    }


def run(ctx: common.Context) -> list[common.Result]:
    from django.db import connection

    from volunteers.models import Volunteer

    # The people of earlier runs go, so that every run imports new people into the same roster.
    Volunteer.objects.filter(consent_method="imported").delete()
    connection.close()
    measured = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, rows in enumerate((ctx.scale["import_small"], ctx.scale["import_rows"])):
            path = Path(tmp) / f"list-{rows}.xlsx"
            make_file(path, rows, offset=1_000_000 * (index + 1))
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(rows), "--file", str(path)],
                capture_output=True,
                text=True,
                env={**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"]},
                check=False,
            )
            if out.returncode:
                raise RuntimeError(f"import of {rows} rows failed:\n{out.stderr[-3000:]}")
            measured.append(json.loads(out.stdout.strip().splitlines()[-1]))
    Volunteer.objects.filter(consent_method="imported").delete()
    small, large = measured
    results = []
    for r in measured:
        results += [
            common.Result(
                group=GROUP,
                figure=f"XLSX of {r['rows']} rows ({r['file_mb']} MB): check + import",
                value=r["total_s"],
                unit="s",
                runs=1,
                target="≤ 60 s at 50 000 rows" if r["rows"] >= 50_000 else None,
                met=r["total_s"] <= 60 if r["rows"] >= 50_000 else None,
                note=f"check {r['check_s']} s, import {r['import_s']} s",
            ),
            common.Result(
                group=GROUP,
                figure=f"preview's first page, {r['rows']} rows",
                value=r["preview_median_ms"],
                unit="ms",
                p95=r["preview_p95_ms"],
                runs=r["preview_runs"],
                target="p95 < 1 000 ms",
                met=r["preview_p95_ms"] < 1000,
            ),
        ]
    results.append(
        common.Result(
            group=GROUP,
            figure=f"peak RSS of the {large['rows']}-row run",
            value=large["peak_rss_mb"],
            unit="MB",
            runs=1,
            floor=small["peak_rss_mb"],
            floor_name=f"peak RSS at {small['rows']} rows",
            ratio=large["peak_rss_mb"] / small["peak_rss_mb"],
            note=f"growth during the run {large['rss_growth_mb']} MB vs {small['rss_growth_mb']} MB",
        )
    )
    for result in results:
        common.print_result(result)
    return results


def main() -> int:
    if "--one" in sys.argv:
        rows = int(sys.argv[sys.argv.index("--one") + 1])
        path = Path(sys.argv[sys.argv.index("--file") + 1])
        print(json.dumps(run_one(rows, path)))
        return 0
    return common.main_for(run, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
