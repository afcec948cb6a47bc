"""The dashboard's sections computed side by side.

Each section (registry.DASHBOARD_SECTIONS) only reads, and at national scale each is mostly a
PostgreSQL aggregate of 10–50 ms during which Python waits. Computed one after another, a
national first view waited for all of them in turn (~140 ms of SQL); given a few threads, each
with its own connection, PostgreSQL runs them on every core while Python draws what has come
back. The same sections, the same order, the same HTML: only the wait is shorter.

One view's threads share nothing but the scope (read-only; its one memo, the summary rollup, is
read once under a lock, see selectors.summary_rollup). Each thread speaks the view's language
and time zone, and keeps its connection as a request's would be kept (CONN_MAX_AGE): closed
when broken or too old, at the start and the end of each section.

Serial instead, and so everywhere the request's own connection must be used:
- inside a transaction (the test suite's, or ATOMIC_REQUESTS): another connection would not see
  its rows;
- on SQLite (`make run`): one writer, and nothing to gain;
- with REPORTS_DASHBOARD_THREADS ≤ 1.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone, translation

from .registry import DASHBOARD_SECTIONS

if TYPE_CHECKING:
    from .dashboard import Section
    from .scope import ReportScope

_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """The process's pool, made on first use: a server that forks its workers after importing
    the app gives each worker a pool (and connections) of its own."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(
                max_workers=settings.REPORTS_DASHBOARD_THREADS, thread_name_prefix="dashboard"
            )
            _pool_pid = os.getpid()
        return _pool


def side_by_side() -> bool:
    """Whether this view's sections may run on connections of their own (see the module)."""
    return (
        settings.REPORTS_DASHBOARD_THREADS > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


# How long each section last took in this process, in seconds: the longest are handed out first,
# so that a long one does not start last and keep the view waiting alone (a section not timed
# yet counts as the longest).
_last_took: dict[str, float] = {}


def _in_thread(
    key: str,
    section: Callable[[ReportScope], Section | None],
    scope: ReportScope,
    language: str,
    zone: str,
) -> Section | None:
    close_old_connections()
    started = time.perf_counter()
    try:
        with translation.override(language), timezone.override(zone):
            return section(scope)
    finally:
        _last_took[key] = time.perf_counter() - started
        close_old_connections()


def compute(scope: ReportScope) -> list[Section]:
    """Every section of the dashboard for this scope, in the registry's order (None: nothing
    to show this user, left out)."""
    if not side_by_side():
        return [s for s in (section(scope) for _key, section in DASHBOARD_SECTIONS) if s is not None]
    language = translation.get_language() or settings.LANGUAGE_CODE
    zone = timezone.get_current_timezone_name()
    pool = _executor()
    longest_first = sorted(DASHBOARD_SECTIONS, key=lambda ks: -_last_took.get(ks[0], math.inf))
    futures = {
        key: pool.submit(_in_thread, key, section, scope, language, zone) for key, section in longest_first
    }
    return [s for s in (futures[key].result() for key, _section in DASHBOARD_SECTIONS) if s is not None]


def release_connections() -> None:
    """Close the connection of every thread of the pool (the test suite does, after a test that
    ran sections side by side, before its database is flushed or dropped). Each thread takes
    exactly one of the closing tasks: they wait for one another at a barrier."""
    pool = _pool
    if pool is None or _pool_pid != os.getpid():
        return
    workers = pool._max_workers  # the pool's own size (it starts its threads on demand)
    barrier = threading.Barrier(workers)

    def close() -> None:
        barrier.wait(timeout=30)
        connection.close()

    for future in [pool.submit(close) for _ in range(workers)]:
        future.result()
