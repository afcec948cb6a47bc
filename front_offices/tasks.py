"""Celery tasks: thin, they call the services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def sync_slots() -> tuple[int, int]:
    """Keep every office's slots generated up to the booking horizon (idempotent; hourly)."""
    return services.slots_sync_all()
