"""/api/shifts/ writes its rows without DRF's field machinery (events.apis.shift_rows); the
serializer stays its schema. The two must give the same JSON, field for field and in order."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from events import selectors
from events.apis import ShiftOutputSerializer, shift_rows
from events.models import Campaign, Shift
from tests.factories import SkillFactory

from .factories import CampaignFactory, ShiftFactory, in_days

pytestmark = pytest.mark.django_db


def test_rows_are_what_the_serializer_writes(almaty) -> None:  # type: ignore[no-untyped-def]
    skill_b, skill_a = SkillFactory(code="b-first-aid"), SkillFactory(code="a-driving")
    with_all = ShiftFactory(
        campaign=CampaignFactory(region=almaty, kind=Campaign.Kind.EMERGENCY),
        starts_at=in_days(3, 9),
        latitude=Decimal("43.23851"),
        longitude=Decimal("76.94513"),
        capacity=4,
        taken_places=4,
        waitlist_enabled=True,
        min_age=16,
        signup_deadline=in_days(2, 18),
        address="",
    )
    with_all.required_skills.add(skill_b, skill_a)
    # National, no point on the map, no deadline, no minimum age, adults only.
    ShiftFactory(campaign=CampaignFactory(region=None), starts_at=in_days(4, 23), adults_only=True)
    # Cancelled (the list leaves such out; the rows still say so).
    ShiftFactory(starts_at=in_days(5, 10), cancelled_at=timezone.now(), signup_deadline=in_days(4, 10))
    shifts = list(selectors.shift_list()) + list(
        Shift.objects.filter(cancelled_at__isnull=False).select_related("campaign__region")
    )
    assert len(shifts) == 3
    for language in ("ru", "kk", "en"):
        with translation.override(language):
            expected = ShiftOutputSerializer(shifts, many=True).data
            got = shift_rows(shifts)
        assert json.dumps(got, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
    assert got[0]["required_skills"] == ["a-driving", "b-first-aid"]
