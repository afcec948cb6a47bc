"""Periodic work run by the development server itself, for `make run` (no Redis, no beat).

An app's ready() calls `start_in_process`; the thread starts only in the process that serves
requests (not the autoreloader's watcher, which would run everything twice), only when asked
(NOTIFICATIONS_IN_PROCESS_SWEEPER, set by `make run`) and only without Redis (with Redis, beat
and the workers do this work).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings


def start_in_process(
    target: Callable[..., None], *, name: str, stop: threading.Event | None = None, **kwargs: Any
) -> threading.Thread | None:
    """Start `target(stop=…, **kwargs)` in a daemon thread of the serving process, or None."""
    if not settings.NOTIFICATIONS_IN_PROCESS_SWEEPER or settings.REDIS_URL:
        return None
    if len(sys.argv) < 2 or sys.argv[1] != "runserver":
        return None
    # The autoreloader runs a watcher process and a serving child (RUN_MAIN=true): only the
    # child works.
    if os.environ.get("RUN_MAIN") != "true" and "--noreload" not in sys.argv:
        return None
    stop = stop or threading.Event()

    def run() -> None:
        # Started from an app's ready(), before Django has loaded the apps after it: the first
        # run waits for that rather than query the database while they are still loading
        # (Django warns against it; `make run` printed the warning at every start).
        while not apps.ready:
            if stop.wait(0.1):
                return
        target(stop=stop, **kwargs)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
