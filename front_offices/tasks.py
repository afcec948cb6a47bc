"""Celery tasks: thin, they call the services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, ignore_result=True)
def sync_slots() -> tuple[int, int]:
    """Hourly: this year's and next year's public holidays recorded, then every office's slots
    generated up to the booking horizon (both idempotent)."""
    year = timezone.localdate().year
    services.public_holidays_ensure(years=[year, year + 1])
    return services.slots_sync_all()
