"""`make run`'s SQLite: two sign-ups at the same instant were a 500 "database is locked" for one
of them (SQLite ignores select_for_update, and a DEFERRED transaction that read first cannot take
the write lock later). Its connections begin IMMEDIATE and wait for the lock instead
(volunteer_net/settings.py). The suite runs on PostgreSQL, so the settings are read as
`manage.py` would read them with an SQLite DATABASE_URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_OPTIONS = (
    "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']))"
)


def _database_settings(database_url: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update({"DEBUG": "true", "DATABASE_URL": database_url})
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", READ_OPTIONS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sqlite_writers_take_the_lock_at_begin_and_wait_for_it(tmp_path: Path) -> None:
    database = _database_settings(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 20}


def test_postgresql_keeps_its_own_options() -> None:
    database = _database_settings("postgres://postgres@127.0.0.1:5432/volunteer_net")
    assert "transaction_mode" not in database["OPTIONS"] and "timeout" not in database["OPTIONS"]
