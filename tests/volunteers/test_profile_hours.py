"""The person's page and the roster's page of a person give one figure of hours, the right one:
the profile's list used to say "Volunteer hours: 0" above the history that counted them."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Shift
from tests.conftest import client_for
from tests.events.factories import ShiftFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _attended(volunteer, coordinator, hours: str) -> None:  # type: ignore[no-untyped-def]
    shift = ShiftFactory()
    signup = services.signup_create(shift=shift, volunteer=volunteer, by=None)
    Shift.objects.filter(pk=shift.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=10))
    services.signup_check_in(signup=signup, by=coordinator)
    services.signup_hours_set(signup=signup, hours=Decimal(hours), reason="Ерте кетті", by=coordinator)


@pytest.mark.parametrize("whose", ["own", "roster"])
def test_the_hours_shown_are_the_attended_ones_and_shown_once(alice, bob, whose) -> None:  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    _attended(bob, alice, "7")
    client = client_for(bob.user if whose == "own" else alice)
    url = "/me/" if whose == "own" else reverse("roster:detail", args=[bob.pk])
    text = html.unescape(client.get(url, **EN).content.decode())
    shown = re.findall(r'class="big-number">([^<]*)<', text)
    assert shown == ["7"]
    assert "Volunteer hours</dt>" not in text
