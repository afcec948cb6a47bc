"""`make backup` and `make restore` (scripts/backup.sh) round-trip the database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

COUNTS_SQL = """
select table_name, (xpath('/row/c/text()',
       query_to_xml(format('select count(*) as c from public.%I', table_name), false, true, '')))[1]::text::int
from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1
"""
# The totals a region's report is built from: hours and attended sign-ups per region.
TOTALS_SQL = """
select c.region_id, coalesce(sum(s.hours), 0), count(*) filter (where s.status = 'attended')
from events_signup s join events_shift sh on sh.id = s.shift_id join events_campaign c on c.id = sh.campaign_id
group by c.region_id order by 1
"""


def _url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _read(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    conn.close()
    return rows


def _script(action: str, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/backup.sh", action],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_an_empty_database_gives_the_same_rows_and_totals(
    regions_in_transactional_db, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_demo", volunteers=80, detachments=4, shifts=40, signups=200)
    source = _url(connection.settings_dict["NAME"])
    target_name = f"{connection.settings_dict['NAME']}_restored"
    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'drop database if exists "{target_name}"')
        cursor.execute(f'create database "{target_name}"')
    try:
        dump = tmp_path / "vn.dump"
        made = _script("backup", source, FILE=str(dump))
        assert made.returncode == 0, made.stderr
        assert dump.stat().st_size > 0 and not Path(f"{dump}.partial").exists()
        restored = _script("restore", _url(target_name), FILE=str(dump))
        assert restored.returncode == 0, restored.stderr
        counts = _read(source, COUNTS_SQL)
        assert dict(counts)["volunteers_volunteer"] >= 80
        assert _read(_url(target_name), COUNTS_SQL) == counts
        assert _read(_url(target_name), TOTALS_SQL) == _read(source, TOTALS_SQL)
        # A second restore into the now full database is refused without FORCE=yes.
        again = _script("restore", _url(target_name), FILE=str(dump))
        assert again.returncode == 3 and "FORCE=yes" in again.stderr
        forced = _script("restore", _url(target_name), FILE=str(dump), FORCE="yes")
        assert forced.returncode == 0, forced.stderr
        assert _read(_url(target_name), COUNTS_SQL) == counts
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'drop database if exists "{target_name}" with (force)')
        admin.close()
