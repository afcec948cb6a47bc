"""`make run` keeps its data in SQLite, and a coordinator trying the demo imports a spreadsheet
there: every import failed on it ("unrecognized token") while the suite, on PostgreSQL, passed.
The suite's database cannot be SQLite, so this runs the import as `manage.py` would, on an
SQLite file of its own: migrate, upload, preview, import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .files import HEADER_RU, csv_bytes, person_row

ROOT = Path(__file__).resolve().parents[3]

IMPORT = """
import datetime, json, os
from django.core.files.uploadedfile import SimpleUploadedFile
from accounts.models import User
from regions.models import CoordinatorAssignment, Region
from volunteers.imports import services
from volunteers.imports.models import ImportRow
from volunteers.models import Volunteer

region = Region.objects.get(code="75")
user = User.objects.create_user(email="coordinator@example.kz", password="x-1234567890")
CoordinatorAssignment.objects.create(user=user, region=region)
data = open(os.environ["IMPORT_SHEET"], "rb").read()
batch = services.batch_upload(by=user, region=region, upload=SimpleUploadedFile("list.csv", data))
services.batch_map(batch=batch, by=user, mapping=batch.mapping)
batch = services.batch_check(batch=batch, by=user)
batch = services.batch_start_import(
    batch=batch, by=user, consent_confirmed=True, consent_date=datetime.date(2025, 9, 1)
)
rows = ImportRow.objects.filter(batch=batch, outcome=ImportRow.Outcome.CREATED)
print(json.dumps({
    "status": batch.status,
    "created": batch.created_count,
    "people": Volunteer.objects.filter(last_name__startswith="Ахметова").count(),
    "linked": sorted(rows.values_list("volunteer_id", flat=True)) == sorted(
        Volunteer.objects.filter(last_name__startswith="Ахметова").values_list("pk", flat=True)
    ),
}))
"""


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_spreadsheet_imports_on_the_demo_sqlite_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        IMPORT_DIR=str(tmp_path / "imports"),
        IMPORT_IN_PROCESS="false",
    )
    migrated = _manage(env, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    sheet = tmp_path / "list.csv"
    sheet.write_bytes(csv_bytes([HEADER_RU, *(person_row(n) for n in range(1, 4))], encoding="utf-8"))
    script = tmp_path / "import.py"
    script.write_text(IMPORT, encoding="utf-8")
    env["IMPORT_SHEET"] = str(sheet)
    result = _manage(env, "shell", "--command", f"exec(open({str(script)!r}).read())")
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    # Three people written, and each row linked to the person it made (erasure finds it there).
    assert outcome == {"status": "done", "created": 3, "people": 3, "linked": True}
