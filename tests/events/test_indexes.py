"""The open-shift lists and counts (the API's /api/shifts/, "free") read partial indexes on
(campaign, starts_at) of shifts not cancelled; without them they scan every shift."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_open_shifts_index_is_partial_on_not_cancelled() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'events_shift' AND indexname = %s",
            ["shift_open_campaign_starts"],
        )
        row = cursor.fetchone()
    assert row is not None
    definition = row[0]
    assert "(campaign_id, starts_at)" in definition
    assert "WHERE (cancelled_at IS NULL)" in definition


@pytest.mark.django_db
def test_free_shifts_index_is_partial_on_open_with_free_places() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'events_shift' AND indexname = %s",
            ["shift_free_campaign_starts"],
        )
        row = cursor.fetchone()
    assert row is not None
    definition = row[0]
    assert "(campaign_id, starts_at)" in definition
    assert "cancelled_at IS NULL" in definition and "capacity > taken_places" in definition
