from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from front_offices import services


class Command(BaseCommand):
    help = (
        "Generate the front offices' visit slots from their schedules up to the booking horizon (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Days ahead (default: the horizon + 7).")

    def handle(self, *args: Any, days: int | None = None, **options: Any) -> None:
        year = timezone.localdate().year
        services.public_holidays_ensure(years=[year, year + 1])
        created, deleted = services.slots_sync_all(days=days)
        self.stdout.write(f"slots created: {created}, removed: {deleted}")
