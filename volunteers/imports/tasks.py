"""Celery tasks of the import: thin, they take an id and call the services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def validate_batch(batch_id: int) -> None:
    """Check every row of a large file (queued by services.batch_check)."""
    services.batch_validate(batch_id=batch_id)


@shared_task(ignore_result=True)
def import_batch(batch_id: int) -> None:
    """Write a large batch (queued by services.batch_start_import); one transaction."""
    services.batch_import(batch_id=batch_id)


@shared_task(ignore_result=True)
def clean_up_imports() -> int:
    """Hourly (beat): uploaded files and rows kept no longer than IMPORT_KEEP_HOURS."""
    return services.batches_clean_up()
