"""Parallel clients for the concurrency tests: each job in a thread of its own with its own
database connection, released together behind one barrier, as several web workers would be."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection


def run_at_once(
    jobs: list[Callable[[], object]], *, barrier_timeout: float = 30, join_timeout: float = 120
) -> list[str]:
    """Start every job behind one barrier; return 'ok' or the refusal code of each."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job: Callable[[], object]) -> None:
        try:
            # Connect first, so that the barrier releases every job into the race together
            # (opening connections one after another would queue them up by itself).
            connection.ensure_connection()
            barrier.wait(timeout=barrier_timeout)
            job()
            result = "ok"
        except ValidationError as exc:
            result = exc.code or "refused"
        except Exception as exc:  # anything else is a failure the test must show
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=join_timeout)
    assert len(outcomes) == len(jobs), "a thread did not finish"
    return outcomes


def lock_waits() -> int:
    """How many connections of this database wait for a row or transaction lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def wait_for_lock_waits(count: int, timeout: float = 20) -> None:
    """Until `count` other connections of this database wait for a row or transaction lock: the
    tests that force an interleaving start the next step only once the last one is seen queued."""
    deadline = time.monotonic() + timeout
    while lock_waits() < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{count} connections never waited for a lock")
        time.sleep(0.05)
