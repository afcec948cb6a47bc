"""A volunteer's hours read the same on "My shifts" as on their profile, their roster page and in
the API: shifts attended and targeted help done. "My shifts" counted the shifts only, under the
same words, and /api/me/ gave no hours."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from care import services as care_services
from care.models import HelpRequest
from events import services
from events.models import Shift
from tests.care.factories import HelpRequestFactory
from tests.conftest import client_for
from tests.events.factories import ShiftFactory

pytestmark = pytest.mark.django_db


def _hours(html: str) -> str:
    found = re.findall(r'Hours credited: <span class="big-number">([^<]*)</span>', html)
    assert len(found) == 1
    return found[0]


def test_my_shifts_and_my_profile_give_one_figure(alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
    shift = ShiftFactory()
    signup = services.signup_create(shift=shift, volunteer=bob, by=alice)
    began = timezone.now() - datetime.timedelta(hours=1)
    Shift.objects.filter(pk=shift.pk).update(starts_at=began, ends_at=began + datetime.timedelta(hours=3))
    services.signup_check_in(signup=signup, by=alice)
    request = HelpRequestFactory()
    assignment = care_services.assignment_volunteer(request=request, volunteer=bob, by=alice)
    HelpRequest.objects.filter(pk=request.pk).update(due_from=timezone.now() - datetime.timedelta(hours=1))
    care_services.assignment_done(assignment=assignment, hours=Decimal(2), note="", by=alice)

    client = client_for(bob.user)
    client.cookies["django_language"] = "en"
    on_my_shifts = _hours(client.get("/my-shifts/").content.decode())
    on_profile = _hours(client.get("/me/").content.decode())
    on_roster = _hours(
        client_for(alice).get(f"/roster/{bob.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert on_my_shifts == on_profile == on_roster == "5"
    # The API gives the person the figure their coordinator's API call reads.
    own = APIClient()
    own.force_authenticate(bob.user)
    staff = APIClient()
    staff.force_authenticate(alice)
    assert own.get("/api/me/").json()["volunteer"]["hours"] == "5.00"
    assert staff.get(f"/api/volunteers/{bob.pk}/").json()["hours"] == "5.00"


@pytest.mark.parametrize(
    ("language", "label"), [("ru", "Зачтено часов:"), ("kk", "Есептелген сағат:"), ("en", "Hours credited:")]
)
def test_the_hours_are_labelled_before_the_figure(bob, language: str, label: str) -> None:  # type: ignore[no-untyped-def]
    """A label after the figure ("часов добровольчества") could not agree with 1, 2 or 21 hours, nor
    with 2,5: the label comes first, and reads right for any figure."""
    client = client_for(bob.user)
    client.cookies["django_language"] = language
    for url in ("/my-shifts/", "/me/"):
        html = client.get(url).content.decode()
        assert f'{label} <span class="big-number">0</span>' in html, url
        assert "часов добровольчества" not in html
