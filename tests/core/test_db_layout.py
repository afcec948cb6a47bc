"""`make migrate` on a database made before accounts/ and detachments/ were split out of
volunteers/: it says plainly how to start afresh instead of failing on the migrations."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DEBUG": "true"}
    env.pop("PYTEST_VERSION", None)
    return subprocess.run(
        [sys.executable, "scripts/check_db_layout.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _database(path: Path, rows: list[tuple[str, str]]) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE django_migrations (id integer primary key, app text, name text, applied text)"
        )
        db.executemany("INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2026-11-01')", rows)


def test_database_from_before_the_split_is_named_with_the_way_out(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    _database(old, [("volunteers", "0001_initial"), ("volunteers", "0003_birth_date_index")])
    result = _run(old)
    assert result.returncode == 1
    assert "older version" in result.stderr and "make migrate" in result.stderr
    assert old.exists()  # a database that is not the demo one is never touched


def test_current_or_empty_database_passes(tmp_path: Path) -> None:
    current = tmp_path / "current.sqlite3"
    _database(current, [("accounts", "0001_initial"), ("volunteers", "0001_initial")])
    assert _run(current).returncode == 0
    assert _run(tmp_path / "empty.sqlite3").returncode == 0
