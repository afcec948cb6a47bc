"""Background work of accounts: the daily clean-up of what no longer lets anyone in."""

from celery import shared_task

from . import services


@shared_task
def clean_up() -> dict[str, int]:
    return services.expired_sessions_and_tokens_clear()
