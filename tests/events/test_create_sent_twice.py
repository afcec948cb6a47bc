"""A coordinator's "Create" of a campaign, or "Add" of a shift, pressed twice: one of each, the
second press landing on what the first one made."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from events.models import CallOut, Campaign, Shift
from notifications.models import Message
from tests.conftest import client_for, in_its_language
from tests.factories import VolunteerFactory

from .factories import CampaignFactory

ALREADY = "This form had already been saved; nothing was saved again."


def _key(client: Client, url: str) -> str:
    found = re.search(r'name="form_once" value="([0-9a-f]{32})"', client.get(url).content.decode())
    assert found is not None
    return found.group(1)


@pytest.mark.django_db
def test_campaign_and_shift_pressed_twice_are_made_once(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    client = client_for(alice)
    today = timezone.localdate()
    campaign_form = {
        "form_once": _key(client, "/manage/campaigns/new/"),
        "title": "Түнгі көмек",
        "kind": "elderly",
        "direction": "qamqor",
        "region": almaty.pk,
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=30)).isoformat(),
    }
    first = client.post("/manage/campaigns/new/", campaign_form)
    second = client.post("/manage/campaigns/new/", campaign_form)
    campaign = Campaign.objects.get()
    assert first["Location"] == second["Location"] == f"/manage/campaigns/{campaign.pk}/"
    assert in_its_language(second, ALREADY) in [str(m) for m in get_messages(second.wsgi_request)]

    url = f"/manage/campaigns/{campaign.pk}/shifts/new/"
    shift_form = {
        "form_once": _key(client, url),
        "place_name": "Қарттар үйі",
        "date": (today + datetime.timedelta(days=2)).isoformat(),
        "start_time": "10:00",
        "end_time": "13:00",
        "capacity": "5",
        "waitlist_enabled": "on",
    }
    first = client.post(url, shift_form)
    second = client.post(url, shift_form)
    shift = Shift.objects.get()
    assert first["Location"] == second["Location"] == f"/manage/shifts/{shift.pk}/"
    assert in_its_language(second, ALREADY) in [str(m) for m in get_messages(second.wsgi_request)]


@pytest.mark.django_db
def test_emergency_call_out_pressed_twice_calls_everyone_once(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    flood = CampaignFactory(region=almaty, kind=Campaign.Kind.EMERGENCY)
    texter = VolunteerFactory(region=almaty, preferred_channel="sms")
    client = client_for(alice)
    url = f"/manage/campaigns/{flood.pk}/callouts/new/"
    data = {"form_once": _key(client, url), "text": "Жиналу: 9:00, әкімдік."}

    first = client.post(url, data)
    second = client.post(url, data)

    callout = CallOut.objects.get()
    assert first["Location"] == second["Location"] == f"/manage/callouts/{callout.pk}/"
    assert Message.objects.filter(kind="callout", recipient=texter).count() == 1
    assert in_its_language(second, ALREADY) in [str(m) for m in get_messages(second.wsgi_request)]


@pytest.mark.django_db
def test_weekly_series_pressed_twice_adds_its_shifts_once(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    campaign = CampaignFactory(region=almaty)
    client = client_for(alice)
    url = f"/manage/campaigns/{campaign.pk}/series/new/"
    data = {
        "form_once": _key(client, url),
        "place_name": "Кітапхана",
        "first_date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        "weekdays": ["1", "3", "5"],
        "weeks": "2",
        "start_time": "18:00",
        "end_time": "20:00",
        "capacity": "6",
        "waitlist_enabled": "on",
    }

    first = client.post(url, data)
    second = client.post(url, data)

    assert Shift.objects.filter(campaign=campaign).count() == 6
    assert first["Location"] == second["Location"] == f"/manage/campaigns/{campaign.pk}/"
    assert in_its_language(second, ALREADY) in [str(m) for m in get_messages(second.wsgi_request)]
