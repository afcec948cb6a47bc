"""Faults against real services: a Redis server of these tests' own that they stop and start, real
Celery worker processes that they kill with SIGKILL, a real filesystem that fills up, and the real
PostgreSQL cutting the connections of requests in the middle of their transactions.

The suite's shared Redis is never touched: every test here that stops Redis starts its own server
on a free port (tests/notifications/test_worker.py, own_redis) and points this process — cache,
throttles and Celery publishing — and its workers at it.
"""

from __future__ import annotations

import datetime
import errno
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
import redis
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEntry
from events.models import Signup
from front_offices.models import Visit
from notifications.models import Message
from reports.models import ExportJob
from tests.concurrency import run_at_once
from tests.conftest import api_for, client_for
from tests.core.test_health_and_errors import database_refusing_connections
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import VolunteerFactory
from tests.front_offices.helpers import make_office, next_weekday, slot_at
from tests.notifications.backends import deliveries
from tests.notifications.test_worker import (  # noqa: F401 (processes is a fixture)
    OWN_REDIS_PORT,
    Processes,
    own_redis,
    processes,
    publishing_to,
    test_database_url,
    wait_for,
)
from tests.reports.conftest import in_period, period_query, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

OWN_REDIS_URL = f"redis://127.0.0.1:{OWN_REDIS_PORT}/0"


@pytest.fixture
def redis_of_our_own(settings, tmp_path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """This process's cache, throttles and Celery publishing on a Redis that the test may stop
    (switch(False)) and start again (switch(True))."""
    with own_redis(tmp_path) as switch, publishing_to(OWN_REDIS_URL):
        settings.REDIS_URL = OWN_REDIS_URL
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": OWN_REDIS_URL},
        }
        yield switch
        caches["default"].close()


class TestRedisStoppedWhileVolunteersBookAndSignUp:
    def test_bookings_and_sign_ups_succeed_and_their_messages_go_out_once_when_redis_is_back(
        self,
        processes: Processes,  # noqa: F811
        redis_of_our_own: Any,
        almaty: Any,
    ) -> None:
        env = {"REDIS_URL": OWN_REDIS_URL, "NOTIFICATIONS_SWEEP_INTERVAL": "1"}
        processes.worker("w1", **env)
        processes.beat("beat", **env)
        # The two-hour reminder of this shift falls due some seconds from now: scheduled while
        # Redis is down, due after it is back.
        soon = timezone.now() + datetime.timedelta(hours=2, seconds=25)
        shift = ShiftFactory(campaign=CampaignFactory(title="Көктемгі сенбілік"), starts_at=soon, capacity=5)
        office = make_office(name="Алматы фронт-офисі")
        day = next_weekday(2, after=3)
        slots = [slot_at(office, day, 15), slot_at(office, day, 16)]
        people = [
            VolunteerFactory(region=almaty, with_account=True, preferred_language=lang)
            for lang in "kk ru kk ru".split()
        ]

        redis_of_our_own(False)
        client = Client(raise_request_exception=False)
        client.force_login(people[0].user)
        page_signup = client.post(f"/shifts/{shift.pk}/signup/")
        api_signup = api_for(people[1].user).post(f"/api/shifts/{shift.pk}/signup/", format="json")
        client.force_login(people[2].user)
        page_booking = client.post(f"/front-offices/slots/{slots[0].pk}/book/", {"purpose": "consultation"})
        api_booking = api_for(people[3].user).post(
            "/api/visits/", {"slot": slots[1].pk, "purpose": "consultation"}, format="json"
        )
        assert page_signup.status_code == 302, page_signup.content[:500]
        assert api_signup.status_code == 201, api_signup.content[:500]
        assert page_booking.status_code == 302, page_booking.content[:500]
        assert api_booking.status_code == 201, api_booking.content[:500]
        assert Signup.objects.filter(shift=shift, status="confirmed").count() == 2
        assert Visit.objects.filter(office=office).count() == 2
        expected = {
            "signup_confirmed": 2,
            "shift_reminder_2h": 2,
            "visit_booked": 2,
        }
        waiting = Message.objects.filter(status="pending")
        assert {k: waiting.filter(kind=k).count() for k in expected} == expected
        time.sleep(2)  # a worker and a beat that cannot reach Redis send nothing meanwhile
        assert not deliveries(processes.mail_dir)

        redis_of_our_own(True)
        ids = set(Message.objects.filter(kind__in=expected).values_list("pk", flat=True))
        wait_for(
            lambda: set(deliveries(processes.mail_dir)) >= ids,
            timeout=120,
            what="the confirmations and the reminders after Redis came back",
            every=0.5,
        )
        time.sleep(2)  # another sweep or two: nothing goes out a second time
        found = deliveries(processes.mail_dir)
        assert {mid: len(copies) for mid, copies in found.items() if mid in ids} == {mid: 1 for mid in ids}
        assert set(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}


class TestPagesWithRedisStopped:
    def test_pages_that_use_the_cache_answer_and_readiness_says_why(
        self, redis_of_our_own: Any, nora: Any, regions_in_transactional_db: Any, settings: Any
    ) -> None:
        redis_of_our_own(False)
        client = Client(raise_request_exception=False)
        # Rate-limited registration, the public figures and the map read and write the cache.
        for url in ("/", "/year-of-volunteers/", "/accounts/register/", "/api/map/regions/"):
            assert client.get(url).status_code == 200, url
        registered = client.post("/accounts/register/", {"account-email": "not an address"})
        assert registered.status_code == 200  # the form with its errors, counted or not
        staff = Client(raise_request_exception=False)
        staff.force_login(nora)
        assert staff.get("/reports/").status_code == 200  # the dashboard's cached figures
        # A background export cannot be queued: the job fails at once and says so.
        settings.REPORTS_DIRECT_MAX_ROWS = -1
        queued = staff.post("/reports/export/", period_query(report="signups", file_format="csv"))
        job = ExportJob.objects.get()
        assert queued.status_code == 302 and (job.status, job.failure) == ("failed", "not_started")
        page = staff.get(f"/reports/exports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        assert "Выгрузку не удалось вовремя запустить" in page
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["redis"].startswith("unavailable")
        redis_of_our_own(True)
        assert client.get("/readyz").status_code == 200


# Exports: a worker killed in the middle of one, a disk that fills up -----------------------------


@pytest.fixture
def export_dir(settings, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "exports"
    folder.mkdir()
    settings.REPORTS_EXPORT_DIR = str(folder)
    return folder


def job_status(client: Client, job: ExportJob) -> dict[str, Any]:
    return dict(json.loads(client.get(f"/reports/exports/{job.pk}/status.json").content))


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


class TestExportWorkerKilled:
    def test_the_person_sees_the_export_failed_runs_it_again_and_nothing_is_doubled(
        self,
        processes: Processes,  # noqa: F811
        world: Any,  # noqa: F811
        nora: Any,
        export_dir: Path,
        settings: Any,
    ) -> None:
        settings.REPORTS_DIRECT_MAX_ROWS = 0
        settings.REPORTS_EXPORT_STALL_SECONDS = 3
        env = {"REPORTS_EXPORT_DIR": str(export_dir)}
        client = client_for(nora)
        redis.Redis.from_url(settings.REDIS_URL).delete("celery")
        assert (
            client.post("/reports/export/", period_query(report="signups", file_format="csv")).status_code
            == 302
        )
        first = ExportJob.objects.get()
        # The sign-ups are locked from another connection, so the worker that takes the job up
        # is caught in the middle of it, its job marked running, when it is killed.
        lock = psycopg2.connect(test_database_url())
        try:
            lock.cursor().execute("LOCK TABLE events_signup IN ACCESS EXCLUSIVE MODE")
            worker = processes.worker("x1", **env)
            wait_for(
                lambda: ExportJob.objects.get(pk=first.pk).status == "running",
                timeout=30,
                what="the worker to take the export up",
            )
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            lock.rollback()
            lock.close()

        assert job_status(client, first)["status"] == "running"  # for the stall timeout, it may be alive
        status = wait_for(
            lambda: (s := job_status(client, first))["status"] == "failed" and s,
            timeout=30,
            what="the stopped export to show as failed",
        )
        assert (
            status["failure"] == "Экспорт аяқталмай тоқтап қалды. Оны қайта іске қосыңыз."
        )  # the default, kk
        assert status["download_url"] == ""
        page = client.get(f"/reports/exports/{first.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        assert "Выгрузка остановилась, не завершившись" in page and 'id="export-failed"' in page
        assert "hidden" not in page.split('id="export-failed"', 1)[1].split(">", 1)[0]
        assert files_in(export_dir) == []  # the killed worker's partial file is never served

        # The task of the killed worker comes back (as Redis redelivers an unacknowledged task)
        # while another worker runs; and the person runs the export again from the page's link.
        from reports import tasks

        tasks.run_export.delay(first.pk)
        second_worker = processes.worker("x2", **env)
        again = client.get(status["again_url"])
        assert again.status_code == 200 and 'value="signups" selected' in again.content.decode()
        assert (
            client.post("/reports/export/", period_query(report="signups", file_format="csv")).status_code
            == 302
        )
        second = ExportJob.objects.exclude(pk=first.pk).get()
        done = wait_for(
            lambda: (s := job_status(client, second))["status"] == "done" and s,
            timeout=60,
            what="the export run again",
        )
        wait_for(lambda: processes.log("x2").count("succeeded") >= 2, timeout=30, what="the redelivered task")
        assert second_worker.poll() is None
        first.refresh_from_db()
        assert (first.status, first.failure) == ("failed", "stopped")  # not revived by the redelivery
        assert files_in(export_dir) == [f"{second.pk}-{second.file_name}"]
        body = b"".join(client.get(done["download_url"]).streaming_content).decode("utf-8-sig")
        assert len(body.strip().splitlines()) == 2 + sum(1 for s in world.signups if in_period(s))
        assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED).count() == 1


@pytest.fixture
def full_disk(export_dir: Path) -> Iterator[Path]:
    """The export directory on a 64 KiB tmpfs of its own, filled up: a real ENOSPC from the
    kernel, as a full disk gives. Needs root (as `make test` runs on CI); unmounted afterwards."""
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0777", "tmpfs", str(export_dir)], check=True)
    try:
        filler = os.open(export_dir / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(filler, b"\0" * 4096):
                pass
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(filler)
        yield export_dir
    finally:
        # Lazily if a failed test still holds a file there: never a mount left behind.
        if subprocess.run(["umount", str(export_dir)], check=False).returncode:
            subprocess.run(["umount", "--lazy", str(export_dir)], check=True)


class TestExportDiskFull:
    def test_background_export_fails_with_a_clear_message_and_leaves_no_file(
        self,
        processes: Processes,  # noqa: F811
        world: Any,  # noqa: F811
        nora: Any,
        full_disk: Path,
        settings: Any,
    ) -> None:
        settings.REPORTS_DIRECT_MAX_ROWS = 0
        redis.Redis.from_url(settings.REDIS_URL).delete("celery")
        processes.worker("d1", REPORTS_EXPORT_DIR=str(full_disk))
        client = client_for(nora)
        for file_format in ("csv", "xlsx"):
            client.post("/reports/export/", period_query(report="signups", file_format=file_format))
        jobs = list(ExportJob.objects.order_by("pk"))
        for job in jobs:
            status = wait_for(
                lambda job=job: (s := job_status(client, job))["status"] in ("done", "failed") and s,
                timeout=60,
                what="the export to end",
            )
            assert status["status"] == "failed" and status["download_url"] == ""
            assert status["failure"].startswith("Серверде файлды сақтауға орын қалмады.")
            job.refresh_from_db()
            assert job.failure == "disk_full"
        page = client.get(f"/reports/exports/{jobs[0].pk}/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
        assert "Серверде файлды сақтауға орын қалмады" in page
        assert files_in(full_disk) == ["filler"]
        assert "Traceback" not in processes.log("d1")

    def test_direct_export_answers_with_the_form_and_a_clear_error(
        self,
        regions_in_transactional_db: Any,
        world: Any,  # noqa: F811
        nora: Any,
        full_disk: Path,
    ) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(nora)
        response = client.post(
            "/reports/export/",
            period_query(report="signups", file_format="xlsx"),
            HTTP_ACCEPT_LANGUAGE="ru",
        )
        assert response.status_code == 200
        assert "На сервере не осталось места, чтобы сохранить файл" in response.content.decode()
        assert files_in(full_disk) == ["filler"]


# PostgreSQL restarted under load ------------------------------------------------------------------

OUTAGE_WORDS = {"kk": "уақытша", "ru": "временно", "en": "briefly unavailable"}


def _lock_waiters(locker: Any) -> int:
    with locker.cursor() as cursor:
        # The statistics are a snapshot per transaction, and the locker's transaction is open.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


class TestDatabaseRestartedUnderLoad:
    def test_requests_in_flight_and_during_the_outage_get_the_503_and_nothing_is_half_written(
        self, regions_in_transactional_db: Any, almaty: Any
    ) -> None:
        shift = ShiftFactory(capacity=10)
        languages = ["kk", "ru", "en"] * 2
        people = [
            VolunteerFactory(region=almaty, with_account=True, preferred_language=lang) for lang in languages
        ]
        clients = []
        for person in people:
            client = Client(raise_request_exception=False)
            client.force_login(person.user)
            clients.append(client)
        responses: dict[int, Any] = {}

        def sign_up(n: int) -> Callable[[], None]:
            def job() -> None:
                responses[n] = clients[n].post(
                    f"/shifts/{shift.pk}/signup/", HTTP_ACCEPT_LANGUAGE=languages[n]
                )

            return job

        # Every sign-up is caught in the middle of its transaction: the first has written its
        # row and taken a place and waits to write its message (the table is locked from another
        # connection); the others wait for the shift's row. Then the server "restarts": their
        # connections are cut, as a restart cuts them, and new ones are refused meanwhile.
        locker = psycopg2.connect(test_database_url())
        in_flight = threading.Thread(target=lambda: run_at_once([sign_up(n) for n in range(len(people))]))
        try:
            locker.cursor().execute("LOCK TABLE notifications_message IN SHARE MODE")
            in_flight.start()
            wait_for(
                lambda: _lock_waiters(locker) == len(people), timeout=30, what="every sign-up to be in flight"
            )
            with database_refusing_connections():
                with locker.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                in_flight.join(timeout=60)
                # More requests arrive while the server is still down.
                during = {
                    lang: Client(raise_request_exception=False).get("/", HTTP_ACCEPT_LANGUAGE=lang)
                    for lang in OUTAGE_WORDS
                }
                late = clients[0].post(f"/shifts/{shift.pk}/signup/", HTTP_ACCEPT_LANGUAGE="kk")
        finally:
            locker.rollback()
            locker.close()

        assert sorted(responses) == list(range(len(people)))
        for n, response in [*responses.items(), (0, late)]:
            assert response.status_code == 503, (n, response.status_code)
            assert response["Retry-After"] == "30"
            assert OUTAGE_WORDS[languages[n]] in response.content.decode().lower(), languages[n]
        for lang, page in during.items():
            assert page.status_code == 503 and OUTAGE_WORDS[lang] in page.content.decode().lower()

        # Nothing half-written: the row and the place the first sign-up had taken went with it.
        shift.refresh_from_db()
        assert (Signup.objects.count(), shift.taken_places, Message.objects.count()) == (0, 0, 0)

        # Back without a restart of ours: the same people sign up, all at once, and get in.
        responses.clear()
        assert run_at_once([sign_up(n) for n in range(len(people))]) == ["ok"] * len(people)
        assert {r.status_code for r in responses.values()} == {302}
        shift.refresh_from_db()
        assert (
            shift.taken_places
            == Signup.objects.filter(shift=shift, status="confirmed").count()
            == len(people)
        )
        assert Message.objects.filter(kind="signup_confirmed").count() == len(people)
        assert Client().get("/readyz").status_code == 200
