"""The background export on a real Celery worker process over Redis, against the test database:
the page queues it, the progress endpoint reaches 100 %, the file downloads with the right rows."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from openpyxl import load_workbook

from reports.models import ExportJob
from tests.conftest import client_for
from tests.notifications.test_worker import test_database_url

from .conftest import in_period, period_query

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(regions_in_transactional_db, tmp_path, settings):  # type: ignore[no-untyped-def]
    assert settings.REDIS_URL and not settings.CELERY_TASK_ALWAYS_EAGER, "make test sets REDIS_URL"
    redis.Redis.from_url(settings.REDIS_URL).delete("celery")
    export_dir = tmp_path / "exports"
    settings.REPORTS_EXPORT_DIR = str(export_dir)
    settings.REPORTS_DIRECT_MAX_ROWS = 0
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REPORTS_EXPORT_DIR": str(export_dir),
        "DB_CONN_MAX_AGE": "0",
    }
    log = (tmp_path / "worker.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "volunteer_net",
            "worker",
            "--pool=solo",
            "-n",
            f"reports-{uuid.uuid4().hex[:6]}@localhost",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield tmp_path / "worker.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_export_runs_on_a_worker_with_progress(regions_in_transactional_db, world, nora, worker) -> None:  # type: ignore[no-untyped-def]
    client = client_for(nora)
    response = client.post("/reports/export/", period_query(report="signups", file_format="xlsx"))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.status == ExportJob.Status.QUEUED
    deadline = time.monotonic() + 90
    status: dict[str, object] = {}
    while time.monotonic() < deadline:
        status = json.loads(client.get(f"/reports/exports/{job.pk}/status.json").content)
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.3)
    assert status.get("status") == "done", worker.read_text(errors="replace")[-3000:]
    assert status["percent"] == 100
    download = client.get(str(status["download_url"]))
    rows = list(
        load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) - 2 == sum(1 for s in world.signups if in_period(s))
