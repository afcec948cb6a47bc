"""The periodic work of care without Celery beat, for `make run`.

`make run` has no Redis and no beat: the next weekly occurrences would never be made nor the
expired beneficiaries erased. As notifications does for its sweep (notifications/sweeper.py),
the development server's serving process runs them in a daemon thread when
NOTIFICATIONS_IN_PROCESS_SWEEPER is on and there is no Redis. Both jobs are idempotent, so a
thread and a beat (or two threads) at once are safe.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from volunteer_net import in_process

logger = logging.getLogger(__name__)

INTERVAL = 3600.0


def run_periodic_loop(
    *, interval: float = INTERVAL, stop: threading.Event | None = None, once: bool = False
) -> None:
    from . import services

    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            made = services.occurrences_create_due()
            erased = services.beneficiaries_erase_expired()
            if made or erased:
                logger.info("care: %s occurrences made, %s beneficiaries erased", len(made), erased)
        except Exception:
            logger.exception("care's periodic work failed; trying again in %s s", interval)
        if once:
            return
        close_old_connections()
        stop.wait(interval)


def start_in_process(*, stop: threading.Event | None = None) -> threading.Thread | None:
    """Start the periodic thread in the serving process of `runserver`, when asked and only
    without Redis (volunteer_net.in_process says when)."""
    return in_process.start_in_process(run_periodic_loop, name="care-periodic", stop=stop)
