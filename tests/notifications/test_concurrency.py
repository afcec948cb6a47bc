"""Parallel callers on PostgreSQL: the due slot's unique index keeps one message per slot."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from notifications import services
from notifications.models import Message
from tests.factories import VolunteerFactory


@pytest.mark.django_db(transaction=True)
def test_same_reminder_scheduled_by_two_requests_at_once_is_one_message(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    person = VolunteerFactory()
    due = timezone.now() + datetime.timedelta(days=1)
    barrier = threading.Barrier(4)
    ids: list[int] = []

    def schedule() -> None:
        try:
            barrier.wait(timeout=10)
            message = services.message_schedule(
                recipient=person,
                kind="shift_reminder_24h",
                subject_type="events.signup",
                subject_id=1,
                due_at=due,
                context={"title": "Тал егу", "starts_at": due + datetime.timedelta(days=1)},
            )
            ids.append(message.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=schedule) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(ids) == 4 and len(set(ids)) == 1
    assert Message.objects.count() == 1
