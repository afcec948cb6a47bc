"""Celery tasks of targeted help: thin, they call the services. Both are safe to run twice (or
on two workers at once): occurrences are unique per series and start, erasure skips the erased."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=3, ignore_result=True
)
def create_next_occurrences() -> int:
    """Hourly (beat): the next occurrence of each weekly request whose latest one has come."""
    return len(services.occurrences_create_due())


@shared_task(
    acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=3, ignore_result=True
)
def erase_expired_beneficiaries() -> int:
    """Daily (beat): erase beneficiaries past the retention period, leaving the counts."""
    return services.beneficiaries_erase_expired()
