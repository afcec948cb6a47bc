"""Real Celery workers (and beat) as separate processes on Redis, against the test database.

Nothing here runs a task eagerly: the messages travel through Redis to a worker process, which
records each delivery as a file (tests/notifications/backends.py), so a test counts how often
every message really went out — across two sweeps at once, a worker killed with SIGKILL in the
middle of a batch, and a Redis that was down when the messages were scheduled.
"""

from __future__ import annotations

import datetime
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications import services, tasks
from notifications.models import Message
from tests.factories import VolunteerFactory
from volunteer_net.celery import app

from .backends import deliveries

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# A Redis server of these tests' own, on a port nobody else uses, that they may stop and start.
OWN_REDIS_PORT = _free_port()

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate: Callable[[], Any], *, timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_database_url() -> str:
    """The database this test runs on, for the worker processes (the same rows, committed)."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


test_database_url.__test__ = False  # type: ignore[attr-defined]


class Processes:
    """Workers and beats started by one test, each logging to a file; all stopped at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.procs: list[subprocess.Popen[bytes]] = []

    def env(self, overrides: dict[str, str]) -> dict[str, str]:
        env = os.environ.copy()
        env.update(
            {
                "DATABASE_URL": test_database_url(),
                "EMAIL_BACKEND": "tests.notifications.backends.RecordingEmailBackend",
                "TEST_MAIL_DIR": str(self.mail_dir),
                "DB_CONN_MAX_AGE": "0",
            }
        )
        env.update(overrides)
        return env

    def _start(self, args: list[str], log_name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / log_name).open("ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "volunteer_net", *args],
            cwd=ROOT,
            env=self.env(env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def worker(self, name: str, *, queues: str = "celery", **env: str) -> subprocess.Popen[bytes]:
        log_name = f"{name}.log"
        marker = self.tmp_path / log_name
        start = marker.stat().st_size if marker.exists() else 0
        proc = self._start(
            [
                "worker",
                "--pool=solo",
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@localhost",
                "-Q",
                queues,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            log_name,
            env,
        )
        wait_for(
            lambda: proc.poll() is not None or b" ready." in marker.read_bytes()[start:],
            timeout=60,
            what=f"worker {name} to start",
        )
        assert proc.poll() is None, self.log(name)
        return proc

    def beat(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        schedule = self.tmp_path / f"{name}-schedule"
        return self._start(["beat", "--loglevel=INFO", "-s", str(schedule)], f"{name}.log", env)

    def log(self, name: str) -> str:
        path = self.tmp_path / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def processes(transactional_db, regions_in_transactional_db, tmp_path) -> Iterator[Processes]:  # type: ignore[no-untyped-def]
    assert settings.REDIS_URL, "make test sets REDIS_URL: these tests need a real broker"
    # Tasks left in this suite's queues by an earlier test must not reach these workers.
    redis.Redis.from_url(settings.REDIS_URL).delete("celery", "sweep-a", "sweep-b")
    procs = Processes(tmp_path)
    try:
        yield procs
    finally:
        # Stopped before the test database is flushed: nothing may hold a connection to it.
        procs.stop_all()


def make_due(count: int, *, region: Any = None) -> list[int]:
    """`count` reminders due a minute ago, as the sweep finds them (none queued in Redis)."""
    people = [VolunteerFactory(preferred_language="kk") for _ in range(min(count, 10))]
    due = timezone.now() - datetime.timedelta(minutes=1)
    rows = [
        Message(
            recipient=people[n % len(people)],
            kind=Message.Kind.SHIFT_REMINDER_2H,
            subject_type="events.signup",
            subject_id=n,
            channel="email",
            language="kk",
            context={"title": f"Сенбілік {n}", "starts_at": "2026-05-20T10:00:00+05:00"},
            due_at=due,
            next_attempt_at=due,
        )
        for n in range(count)
    ]
    return [m.pk for m in Message.objects.bulk_create(rows)]


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Message.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


class TestExactlyOnce:
    def test_due_reminder_is_delivered_once_by_a_worker(self, processes) -> None:  # type: ignore[no-untyped-def]
        processes.worker("w1")
        person = VolunteerFactory(preferred_language="kk", first_name="Әлия")
        starts = timezone.now() + datetime.timedelta(hours=2)
        message = services.message_schedule(
            recipient=person,
            kind="shift_reminder_2h",
            subject_type="events.signup",
            subject_id=1,
            due_at=timezone.now(),
            valid_until=starts,
            context={"title": "Қарттарға көмек", "starts_at": starts, "place": "Абай даңғылы, 10"},
        )
        wait_for(lambda: deliveries(processes.mail_dir), timeout=30, what="the reminder to be delivered")
        # Asking again — a second send task, two sweeps — changes nothing.
        tasks.send_message.delay(message.pk)
        tasks.sweep_due_messages.delay()
        tasks.sweep_due_messages.delay()
        wait_for(
            lambda: "succeeded" in processes.log("w1") and processes.log("w1").count("succeeded") >= 4,
            timeout=30,
            what="the extra tasks to run",
        )
        found = deliveries(processes.mail_dir)
        assert list(found) == [message.pk] and len(found[message.pk]) == 1
        record = found[message.pk][0]
        assert record["to"] == [person.email]
        assert record["subject"] == "Екі сағаттан кейін: Қарттарға көмек"
        assert (
            f"{timezone.localtime(starts):%H:%M}" in record["body"]
            and "Сәлеметсіз бе, Әлия!" in record["body"]
        )
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("sent", 1)

    def test_two_sweeps_at_once_send_each_message_once(self, processes) -> None:  # type: ignore[no-untyped-def]
        ids = make_due(120)
        slow = {"TEST_MAIL_DELAY": "0.01", "NOTIFICATIONS_BATCH_SIZE": "10"}
        processes.worker("a", queues="sweep-a", **slow)
        processes.worker("b", queues="sweep-b", **slow)
        tasks.sweep_due_messages.apply_async(queue="sweep-a")
        tasks.sweep_due_messages.apply_async(queue="sweep-b")
        wait_for(lambda: statuses() == {"sent": 120}, timeout=60, what="every message to be sent")
        found = deliveries(processes.mail_dir)
        assert sorted(found) == sorted(ids)
        assert all(len(copies) == 1 for copies in found.values())
        # Both sweeps did part of the work, side by side.
        writers = {copies[0]["pid"] for copies in found.values()}
        assert len(writers) == 2

    def test_worker_killed_mid_batch_then_restarted_sends_every_message_once(self, processes) -> None:  # type: ignore[no-untyped-def]
        ids = make_due(30)
        slow = {
            "TEST_MAIL_DELAY": "0.2",
            "NOTIFICATIONS_BATCH_SIZE": "50",
            "NOTIFICATIONS_SENDING_TIMEOUT": "2",
        }
        worker = processes.worker("k1", **slow)
        tasks.sweep_due_messages.delay()
        wait_for(
            lambda: len(deliveries(processes.mail_dir)) >= 5,
            timeout=30,
            what="the batch to be under way",
            every=0.01,
        )
        # A delivery was just recorded and marked; the next message's send (0.2 s) has begun.
        # Kill in the middle of it, well clear of the instant between a send and its mark.
        time.sleep(0.08)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

        sent_before = set(deliveries(processes.mail_dir))
        left = statuses()
        assert 5 <= len(sent_before) < 30
        # The rest of the batch is still claimed by the dead worker, none lost, none sent twice.
        assert left.get("sending", 0) == 30 - left.get("sent", 0)
        assert left.get("sent", 0) == len(sent_before)

        processes.worker("k2", **slow)
        time.sleep(2.2)  # past NOTIFICATIONS_SENDING_TIMEOUT: the dead worker's claims are stale
        tasks.sweep_due_messages.delay()
        wait_for(lambda: statuses() == {"sent": 30}, timeout=60, what="the rest to be sent after the restart")
        found = deliveries(processes.mail_dir)
        assert sorted(found) == sorted(ids)
        assert {mid: len(copies) for mid, copies in found.items() if len(copies) != 1} == {}
        assert "reclaimed" in processes.log("k2")


@contextmanager
def own_redis(tmp_path: Path) -> Iterator[Callable[[bool], None]]:
    """A Redis server of this test's own on another port, which the test may stop and start
    (the suite's shared Redis is never touched). Yields `switch(on)`."""
    proc: list[subprocess.Popen[bytes]] = []
    client = redis.Redis(port=OWN_REDIS_PORT, socket_connect_timeout=1)

    def switch(on: bool) -> None:
        if on:
            proc.append(
                subprocess.Popen(
                    [
                        "redis-server",
                        "--port",
                        str(OWN_REDIS_PORT),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        str(tmp_path),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            wait_for(lambda: _pings(client), timeout=10, what="our Redis to start")
        else:
            proc[-1].terminate()
            proc[-1].wait(timeout=10)

    switch(True)
    try:
        yield switch
    finally:
        if proc and proc[-1].poll() is None:
            proc[-1].terminate()
            proc[-1].wait(timeout=10)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """This process's Celery app publishes to `url` for the duration (as a web process would)."""

    def reset() -> None:
        # Drop the app's references only: kombu keeps its pools per broker URL for the whole
        # process, and closing one would leave a closed pool behind for the next test to use.
        app._pool = None
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None

    previous = app.conf.broker_url
    reset()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_url = previous


class TestRedisOutage:
    def test_messages_scheduled_while_redis_is_down_go_out_when_it_is_back(self, processes, tmp_path) -> None:  # type: ignore[no-untyped-def]
        url = f"redis://127.0.0.1:{OWN_REDIS_PORT}/0"
        env = {"REDIS_URL": url, "NOTIFICATIONS_SWEEP_INTERVAL": "1"}
        people = [VolunteerFactory() for _ in range(3)]
        with own_redis(tmp_path) as switch, publishing_to(url):
            processes.worker("r1", **env)
            processes.beat("beat", **env)
            switch(False)
            # The web process schedules while Redis is down: the request succeeds, the messages
            # wait in the database.
            messages = [
                services.message_schedule(
                    recipient=person,
                    kind="signup_confirmed",
                    subject_type="events.signup",
                    subject_id=n,
                    due_at=timezone.now(),
                    context={"title": "Сенбілік", "starts_at": timezone.now() + datetime.timedelta(days=1)},
                )
                for n, person in enumerate(people)
            ]
            time.sleep(2)
            assert not deliveries(processes.mail_dir)
            assert statuses() == {"pending": 3}
            switch(True)
            # Worker and beat reconnect; the next sweep finds the messages in the database.
            wait_for(lambda: statuses() == {"sent": 3}, timeout=90, what="the messages after Redis came back")
        found = deliveries(processes.mail_dir)
        assert sorted(found) == sorted(m.pk for m in messages)
        assert all(len(copies) == 1 for copies in found.values())


class TestBeat:
    def test_only_one_of_two_beats_sends_the_schedule(self, processes, tmp_path) -> None:  # type: ignore[no-untyped-def]
        url = f"redis://127.0.0.1:{OWN_REDIS_PORT}/0"
        env = {"REDIS_URL": url, "NOTIFICATIONS_SWEEP_INTERVAL": "1"}
        with own_redis(tmp_path):
            client = redis.Redis.from_url(url)
            processes.beat("beat1", **env)
            processes.beat("beat2", **env)
            wait_for(lambda: client.llen("celery") >= 1, timeout=30, what="the first sweep to be queued")
            client.delete("celery")
            time.sleep(6)
            queued = client.llen("celery")
            leader = client.get("volunteer_net:beat-leader")
        # One beat ticking every second queues about six sweeps; two would queue about twelve.
        assert 4 <= queued <= 8, queued
        assert leader is not None
        logs = processes.log("beat1") + processes.log("beat2")
        assert logs.count("leading, sending the schedule") == 1
        assert "standing by" in logs


def test_worker_logs_go_through_our_handler_masked_and_in_json(processes) -> None:  # type: ignore[no-untyped-def]
    """Celery keeps the project's log handler (CELERY_WORKER_HIJACK_ROOT_LOGGER off): a worker's
    lines come out as the JSON the web processes write, through the filter that masks phones,
    e-mails and IINs."""
    import json
    import logging

    processes.worker("w-json", LOG_FORMAT="json")
    lines = [line for line in processes.log("w-json").splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert any(" ready." in r["message"] for r in records), processes.log("w-json")
    assert all({"level", "logger", "message"} <= r.keys() for r in records)
    # The same filter as the web's: a phone in a worker's log line is masked.
    from volunteer_net.logs import RedactPersonalData

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call +77011234567", None, None)
    RedactPersonalData().filter(record)
    assert "+77011234567" not in record.getMessage()
