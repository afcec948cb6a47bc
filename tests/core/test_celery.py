"""The Celery app reaches Redis and a real worker answers: the ground the reminder sweep stands on."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from volunteer_net.celery import app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def worker_name():  # type: ignore[no-untyped-def]
    assert settings.REDIS_URL, "make test sets REDIS_URL; the worker needs a real broker"
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
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
            name,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield name
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_worker_answers_over_redis(worker_name: str) -> None:
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    assert app.conf.broker_url.startswith("redis://")
    deadline = time.monotonic() + 30
    replies: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        replies = app.control.ping(destination=[worker_name], timeout=1.0)
        if replies:
            break
    assert replies and worker_name in replies[0], "the Celery worker did not answer over Redis"


def test_every_scheduled_task_exists() -> None:
    """A beat entry whose task name is misspelt or whose module is not discovered would never
    run, silently."""
    app.loader.import_default_modules()
    missing = [
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] not in app.tasks
    ]
    assert missing == []
    assert "accounts.tasks.clean_up" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "notifications.tasks.purge_old_messages" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
