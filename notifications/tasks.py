"""Celery tasks: thin, they take ids and call the services. The database is the queue: a task
lost with Redis, or never queued because Redis was down, is made good by the next sweep."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services
from .coming_of_age import coming_of_age_messages_schedule

# A database that blinked (restart, failover) is worth a few more tries; a channel's own
# transient errors are retried by the service with its back-off, recorded on the message.
DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True,
    autoretry_for=DATABASE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    ignore_result=True,
)
def send_message(message_id: int) -> str | None:
    """Send one message that is due now (queued when it was scheduled)."""
    return services.message_send(message_id=message_id)


@shared_task(
    acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=3, ignore_result=True
)
def sweep_due_messages() -> dict[str, int]:
    """Every minute (beat): reclaim what dead workers left, then send what is due, in batches."""
    return asdict(services.messages_send_due())


@shared_task(ignore_result=True)
def purge_old_messages() -> int:
    """Daily (beat): delete the messages settled more than NOTIFICATIONS_RETENTION_DAYS ago."""
    return services.messages_purge_old()


@shared_task(ignore_result=True)
def tell_those_come_of_age() -> int:
    """Daily (beat): those who turned 18 awaiting their guardian are told to give their own consent."""
    return coming_of_age_messages_schedule()
