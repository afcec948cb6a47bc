"""A volunteer's profile with no shift ahead used to end without a next step: it now links to the
campaigns of their region, and says nothing of it while a shift is ahead."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from events import services
from events.models import Shift
from tests.conftest import client_for
from tests.events.factories import ShiftFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _find_campaign_link(html: str) -> str | None:
    found = re.search(r'<p id="find-campaign"><a href="([^"]+)">([^<]+)</a>', html)
    if found is None:
        return None
    assert found.group(2) == "No shifts ahead: find a campaign"
    return found.group(1).replace("&amp;", "&")


class TestFindACampaign:
    def test_without_a_shift_the_profile_links_to_the_campaigns_of_the_region(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        address = _find_campaign_link(client.get("/me/", **EN).content.decode())
        assert address == f"/campaigns/?region={almaty.pk}"
        page = client.get(address, **EN)
        assert page.status_code == 200
        assert page.context["form"].cleaned_data["region"] == almaty

    def test_a_shift_ahead_needs_no_such_link(self, bob) -> None:  # type: ignore[no-untyped-def]
        services.signup_create(shift=ShiftFactory(), volunteer=bob, by=None)
        client = client_for(bob.user)
        assert _find_campaign_link(client.get("/me/", **EN).content.decode()) is None

    def test_a_shift_that_has_ended_leaves_the_link(self, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        services.signup_create(shift=shift, volunteer=bob, by=None)
        Shift.objects.filter(pk=shift.pk).update(
            starts_at=timezone.now() - datetime.timedelta(hours=5),
            ends_at=timezone.now() - datetime.timedelta(hours=2),
        )
        client = client_for(bob.user)
        assert _find_campaign_link(client.get("/me/", **EN).content.decode()) is not None
