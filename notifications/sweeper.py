"""Sending due messages without Celery beat: a loop for `manage.py run_sweeper` and a thread
for the development server.

`make run` has no Redis, so tasks run eagerly and no beat runs; reminders due later would never
go out. There the development server starts this loop in a daemon thread (NOTIFICATIONS_IN_PROCESS_
SWEEPER=true, set by `make run`). A deployment without beat can run `manage.py run_sweeper`
as a service instead. Two of them at once are safe: claims in the database keep batches apart.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from volunteer_net.in_process import start_in_process

logger = logging.getLogger(__name__)


def run_sweeper_loop(*, interval: float, stop: threading.Event | None = None, once: bool = False) -> None:
    from . import services

    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            report = services.messages_send_due()
            if report.sent or report.other or report.reclaimed:
                logger.info(
                    "sweep: %s sent, %s otherwise settled, %s reclaimed",
                    report.sent,
                    report.other,
                    report.reclaimed,
                )
        except Exception:
            logger.exception("the sweep failed; trying again in %s s", interval)
        if once:
            return
        # A long-lived loop drops connections that broke or aged, as a request would.
        close_old_connections()
        stop.wait(interval)


def start_in_process_sweeper(*, stop: threading.Event | None = None) -> threading.Thread | None:
    """Start the sweeper thread in the serving process of `runserver`, when asked and only
    without Redis (volunteer_net.in_process says when)."""
    thread = start_in_process(
        run_sweeper_loop,
        name="notifications-sweeper",
        stop=stop,
        interval=settings.NOTIFICATIONS_SWEEP_INTERVAL,
    )
    if thread is not None:
        logger.info(
            "sending due messages every %s s in this process (no Redis)",
            settings.NOTIFICATIONS_SWEEP_INTERVAL,
        )
    return thread
