"""`make bench-smoke` inside the suite: every benchmark scenario, at a few hundred rows, must give
its figures — so that the benchmark never rots between national runs."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _smoke_database_url() -> str:
    """A database of the smoke run's own beside the suite's (never the test database itself)."""
    db = settings.DATABASES["default"]
    name = db["NAME"]
    if name.startswith("test_"):  # pytest-django's copy: name the bench one after the original
        name = name.removeprefix("test_")
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{host}:{port}/{name}_bench_smoke"


def _bench(args: list[str], timeout: int, **env_overrides: str) -> subprocess.CompletedProcess[str]:
    """A bench command in a process of its own, with the suite's environment less what the bench
    sets itself (production settings, its own Redis-less Celery); it must succeed."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    out = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**env, **env_overrides},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-6000:]
    return out


@pytest.mark.django_db
def test_every_benchmark_scenario_gives_figures(tmp_path: Path) -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("the benchmarks run on PostgreSQL")
    started = time.monotonic()
    _bench(
        [
            str(ROOT / "bench" / "run.py"),
            "--scale",
            "smoke",
            "--database",
            _smoke_database_url(),
            "--out",
            str(tmp_path),
            "--no-report",
            "--check",
        ],
        timeout=600,
    )
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 1, files
    data = json.loads(files[0].read_text())
    assert data["scale"]["name"] == "smoke" and data["machine"]["cores"]
    groups = {r["group"] for r in data["results"]}
    assert {
        "Roster and staff lists",
        "Campaigns and shifts",
        "Front offices",
        "Targeted help",
        "Map endpoints",
        "Exports",
        "Dashboards",
        "Roster import",
        "Reminder sweep",
        "Over HTTP",
    } <= groups, groups
    assert all(r["value"] is not None for r in data["results"])
    # The services each issue times (a scenario that finds nothing to do returns no figure).
    figures = {r["figure"] for r in data["results"]}
    for service in ("service: sign-up", "service: visit_book", "service: offer + confirm"):
        assert any(f.startswith(service) for f in figures), (service, sorted(figures))
    # Each page beside its floor (its SQL under EXPLAIN ANALYZE), with its query count.
    pages = [r for r in data["results"] if r["floor_name"] == "its SQL (EXPLAIN ANALYZE)"]
    assert len(pages) > 40 and all(
        r["floor"] is not None and r["queries"] is not None and r["runs"] >= 2 for r in pages
    )
    # Nothing written beside the committed results, BENCHMARKS.md untouched.
    assert not list((ROOT / "bench" / "results").glob("*-smoke.json"))
    # Seeded once, then reused while the seed version matches: later runs take seconds.
    print(f"bench smoke: {time.monotonic() - started:.0f} s (seeding {data['scale']['seed_seconds']} s)")


@pytest.mark.django_db
def test_a_bench_database_seeded_by_another_tree_is_rebuilt_not_migrated() -> None:
    # A migration renamed after a bench database was seeded: the database records the old name,
    # and migrating it would create again what that migration made ("relation … already exists").
    from django.db import connection

    from bench import schema

    assert schema.migrations_not_on_disk() == []
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('volunteers', '0012_renamed_since', now())"
        )
    assert schema.migrations_not_on_disk() == ["volunteers.0012_renamed_since"]


def _ensure_smoke_database(url: str) -> str:
    """bench/common.ensure_database on the smoke database, in a process of its own (importing
    bench/common sets the bench's environment); what it printed."""
    script = (
        "import sys; sys.path.insert(0, '.')\n"
        "from bench import common\n"
        "common.setup_django()\n"
        f"common.ensure_database({url!r}, common.SCALES['smoke'])\n"
    )
    return _bench(["-c", script], timeout=300, DATABASE_URL=url).stdout


@pytest.mark.django_db
def test_a_bench_database_whose_schema_its_migrations_do_not_describe_is_rebuilt() -> None:
    """An index there already, its migration not recorded (made by hand, or by another tree
    under other names): migrating the reused database fails, and it is built again instead."""
    import psycopg2

    url = _smoke_database_url()
    _ensure_smoke_database(url)  # seeded, or reused as it is
    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute(
            # 0013 and every migration recorded after it, of any app: one of them may depend on it
            # (or on a later one of volunteers), and would otherwise stand recorded without it.
            "DELETE FROM django_migrations WHERE id >= "
            "(SELECT id FROM django_migrations WHERE app = 'volunteers' AND name = '0013_care_match_index')"
        )
    db.close()
    printed = _ensure_smoke_database(url)
    assert 'migrating it failed: relation "volunteer_care_match" already exists' in printed
    assert "seeded " in printed
    assert "reusing" in _ensure_smoke_database(url)
