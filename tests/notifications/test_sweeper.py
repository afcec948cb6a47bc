"""Due messages go out without Celery beat: `manage.py run_sweeper` and, under `make run` (no
Redis), a thread of the development server."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from notifications.models import Message
from notifications.sweeper import start_in_process_sweeper

from .conftest import schedule

pytestmark = pytest.mark.django_db


def test_run_sweeper_once_sends_what_is_due(bob) -> None:  # type: ignore[no-untyped-def]
    due = schedule(bob, due_at=timezone.now() - datetime.timedelta(minutes=5))
    later = schedule(bob, subject_id=2, due_at=timezone.now() + datetime.timedelta(hours=1))
    call_command("run_sweeper", "--once")
    assert Message.objects.get(pk=due.pk).status == "sent"
    assert Message.objects.get(pk=later.pk).status == "pending"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("argv", "run_main", "redis_url", "enabled", "starts"),
    [
        (["manage.py", "runserver"], "true", "", True, True),  # the serving child of make run
        (["manage.py", "runserver", "--noreload"], None, "", True, True),
        (["manage.py", "runserver"], None, "", True, False),  # the autoreloader's watcher
        (["manage.py", "runserver"], "true", "redis://x", True, False),  # beat's job
        (["manage.py", "runserver"], "true", "", False, False),  # not asked for
        (["manage.py", "migrate"], "true", "", True, False),
    ],
)
def test_in_process_sweeper_starts_only_in_the_serving_process_without_redis(
    monkeypatch, argv, run_main, redis_url, enabled, starts
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.argv", argv)
    if run_main:
        monkeypatch.setenv("RUN_MAIN", run_main)
    else:
        monkeypatch.delenv("RUN_MAIN", raising=False)
    stop = threading.Event()
    stop.set()  # the thread, if started, ends at once
    with override_settings(NOTIFICATIONS_IN_PROCESS_SWEEPER=enabled, REDIS_URL=redis_url):
        thread = start_in_process_sweeper(stop=stop)
    assert (thread is not None) == starts
    if thread is not None:
        thread.join(timeout=5)
        assert not thread.is_alive()


def test_the_thread_sweeps_only_once_the_apps_are_loaded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The thread starts from ready(), while later apps still load: no query before they have."""
    from django.apps import apps

    monkeypatch.setattr("sys.argv", ["manage.py", "runserver", "--noreload"])
    swept = threading.Event()
    monkeypatch.setattr("notifications.sweeper.run_sweeper_loop", lambda **kw: swept.set())
    monkeypatch.setattr(apps, "ready", False)
    stop = threading.Event()
    with override_settings(NOTIFICATIONS_IN_PROCESS_SWEEPER=True, REDIS_URL=""):
        thread = start_in_process_sweeper(stop=stop)
    assert thread is not None
    assert not swept.wait(0.5)  # still loading: nothing swept
    monkeypatch.setattr(apps, "ready", True)
    assert swept.wait(5)
    stop.set()
    thread.join(timeout=5)
