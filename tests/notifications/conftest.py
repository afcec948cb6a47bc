"""Helpers for the notifications tests: a clock set to a chosen Almaty time, message factories."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest

from notifications import services
from notifications.models import Message

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


def kz(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ALMATY)  # type: ignore[misc]


@contextmanager
def clock(moment: datetime.datetime) -> Iterator[None]:
    """timezone.now() answers `moment` everywhere the services ask."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def schedule(
    recipient: Any, *, kind: str = "shift_reminder_24h", subject_id: int = 1, **kwargs: Any
) -> Message:
    starts = kwargs.pop("starts_at", kz(2026, 5, 20, 10, 0))
    context = kwargs.pop("context", {"title": "Тал егу", "starts_at": starts, "place": "Орталық саябақ"})
    kwargs.setdefault("due_at", starts - datetime.timedelta(hours=24))
    return services.message_schedule(
        recipient=recipient,
        kind=kind,
        subject_type="events.signup",
        subject_id=subject_id,
        context=context,
        **kwargs,
    )


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return django_capture_on_commit_callbacks
