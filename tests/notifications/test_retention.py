"""Settled messages are kept NOTIFICATIONS_RETENTION_DAYS, then deleted by the daily task; one
still waiting is never deleted, however old."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications import tasks
from notifications.models import Message

from .conftest import schedule

pytestmark = pytest.mark.django_db


def _aged(message: Message, *, days: int, status: str) -> Message:
    then = timezone.now() - datetime.timedelta(days=days)
    Message.objects.filter(pk=message.pk).update(created_at=then, due_at=then, status=status)
    return message


def test_settled_messages_older_than_the_retention_go_and_the_rest_stay(bob, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATIONS_RETENTION_DAYS = 30
    old_settled = [
        _aged(schedule(bob, subject_id=n), days=31, status=status)
        for n, status in enumerate(("sent", "failed", "expired", "cancelled"), start=1)
    ]
    old_waiting = _aged(schedule(bob, subject_id=10), days=31, status="pending")
    recent = _aged(schedule(bob, subject_id=11), days=29, status="sent")
    # Scheduled long ago for a moment within the retention: kept as long as any other.
    ahead = schedule(bob, subject_id=12)
    Message.objects.filter(pk=ahead.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=60),
        due_at=timezone.now() - datetime.timedelta(days=1),
        status="sent",
    )

    assert tasks.purge_old_messages() == len(old_settled)

    assert set(Message.objects.values_list("pk", flat=True)) == {old_waiting.pk, recent.pk, ahead.pk}
    assert tasks.purge_old_messages() == 0


def test_the_purge_goes_in_batches(bob, settings) -> None:  # type: ignore[no-untyped-def]
    from notifications.services import messages_purge_old

    settings.NOTIFICATIONS_RETENTION_DAYS = 30
    for n in range(5):
        _aged(schedule(bob, subject_id=n), days=40, status="sent")
    assert messages_purge_old(batch_size=2) == 5
    assert not Message.objects.exists()
