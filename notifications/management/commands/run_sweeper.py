from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from notifications.sweeper import run_sweeper_loop


class Command(BaseCommand):
    help = "Send due messages every N seconds (or once), without Celery beat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="sweep once and exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between sweeps (NOTIFICATIONS_SWEEP_INTERVAL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"] or settings.NOTIFICATIONS_SWEEP_INTERVAL
        run_sweeper_loop(interval=interval, once=options["once"])
