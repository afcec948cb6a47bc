"""Property-based tests of the forms people fill in: whatever is typed or pasted — Kazakh and
Russian text, emoji, right-to-left and zero-width characters, 10,000 characters, NUL bytes,
dates far in the past or future — the page answers with its form and a message, or does what
was asked; never a 500, and a refused form writes nothing.

Each form is posted through its page as its real user would (the test client, the database),
with every field drawn either from a valid value or from hostile text, so that hypothesis finds
both the combinations that pass and those that must be refused.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from events.models import Campaign, Shift
from tests.conftest import client_for
from tests.events.factories import CampaignFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

HOSTILE_PIECES = [
    "Әсел Ғабдуллина",
    "Щукина Ёлка",
    "🙂🇰🇿",
    "שלום",  # right to left
    "مرحبا",
    "\u200b\u200f\u202e",  # zero width, right-to-left mark and override
    "\x00",
    "\r\n",
    "\t",
    "=1+1",
    "'; DROP TABLE x; --",
    "<script>alert(1)</script>",
    "0001-01-01",
    "9999-12-31",
    "31.12.9999",
    "-1",
    "1e309",
    "٣٤٥",  # Arabic-Indic digits
    "x" * 10_000,
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_PIECES),
    st.lists(st.sampled_from(HOSTILE_PIECES), min_size=1, max_size=3).map("".join),
    st.text(max_size=40),
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fields(valid: dict[str, str]) -> st.SearchStrategy[dict[str, str]]:
    """Every field either its valid value or hostile text."""
    return st.fixed_dictionaries(
        {name: st.one_of(st.just(value), hostile_text) for name, value in valid.items()}
    )


def counts(*models: Any) -> tuple[int, ...]:
    return tuple(model.objects.count() for model in models)


def post_and_check(client: Client, url: str, data: dict[str, str], models: tuple[Any, ...]) -> int:
    before = counts(*models)
    cache.clear()  # per-address rate limits would otherwise answer 429 after a few examples
    response = client.post(url, data)
    assert response.status_code in (200, 302, 400), (response.status_code, data)
    if response.status_code != 302:
        # Refused: nothing half-written.
        assert counts(*models) == before, data
    # The connection is still usable: no aborted transaction was left behind.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return response.status_code


# The page's two forms, prefixed as volunteers.views.register names them.
REGISTRATION = {
    "account-email": "new.person@example.kz",
    "account-password1": "Kökterek-2026!",
    "account-password2": "Kökterek-2026!",
    "account-consent": "on",
    "profile-last_name": "Сейітова",
    "profile-first_name": "Әйгерім",
    "profile-middle_name": "",
    "profile-birth_date": "2001-04-12",
    "profile-phone": "+7 701 555 44 33",
    "profile-region": "__region__",
    "profile-locality": "Алматы",
    "profile-iin": "",
    "profile-preferred_language": "kk",
    "profile-preferred_channel": "email",
}

PROFILE = {
    "last_name": "Қасымов",
    "first_name": "Нұрлан",
    "birth_date": "1999-02-03",
    "phone": "8 (701) 123-45-67",
    "region": "__region__",
    "locality": "Алматы",
    "latitude": "43.24",
    "longitude": "76.95",
    "iin": "",
    "preferred_language": "ru",
    "preferred_channel": "sms",
}

CAMPAIGN = {
    "title": "Сенбілік",
    "cover_text": "Саябақты тазалаймыз",
    "description": "Қолғап береміз.",
    "kind": "ecology",
    "direction": "",
    "region": "__region__",
    "contact": "+7 701 000 00 00",
    "starts_on": "2027-05-01",
    "ends_on": "2027-05-31",
}

SHIFT = {
    "place_name": "Орталық саябақ",
    "address": "Абай даңғылы, 1",
    "date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
    "start_time": "10:00",
    "end_time": "13:00",
    "capacity": "10",
    "min_age": "14",
    "latitude": "43.24",
    "longitude": "76.95",
    "signup_deadline": "",
    "notes": "Қолғап алыңыз",
}


def _anonymous() -> Client:
    return Client(raise_request_exception=True)


@given(data=fields(REGISTRATION))
@FUZZ
def test_registration(almaty, data: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    data = {k: (str(almaty.pk) if v == "__region__" else v) for k, v in data.items()}
    post_and_check(_anonymous(), "/accounts/register/", data, (User, Volunteer))


@given(data=fields(PROFILE))
@FUZZ
def test_profile_edit(bob, data: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    data = {k: (str(bob.region_id) if v == "__region__" else v) for k, v in data.items()}
    client = client_for(bob.user, password_confirmed=True)
    status = post_and_check(client, "/me/edit/", data, (Volunteer,))
    bob.refresh_from_db()
    assert "\x00" not in bob.last_name + bob.first_name + bob.locality
    if status == 302:
        assert bob.phone.startswith("+7") and len(bob.phone) == 12


@given(data=fields(CAMPAIGN))
@FUZZ
def test_campaign_create(alice, almaty, data: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    data = {k: (str(almaty.pk) if v == "__region__" else v) for k, v in data.items()}
    post_and_check(client_for(alice), "/manage/campaigns/new/", data, (Campaign,))


@pytest.fixture
def campaign(almaty):  # type: ignore[no-untyped-def]
    return CampaignFactory(
        region=almaty,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=365),
    )


@given(data=fields(SHIFT))
@FUZZ
def test_shift_create(alice, campaign, data: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    post_and_check(client_for(alice), f"/manage/campaigns/{campaign.pk}/shifts/new/", data, (Shift,))


def test_the_valid_values_are_accepted(alice, bob, almaty, campaign) -> None:  # type: ignore[no-untyped-def]
    """The fuzzed fields start from values that pass, so the examples reach the success paths too."""

    def region(data: dict[str, str], pk: int) -> dict[str, str]:
        return {k: (str(pk) if v == "__region__" else v) for k, v in data.items()}

    assert (
        post_and_check(_anonymous(), "/accounts/register/", region(REGISTRATION, almaty.pk), (User,)) == 302
    )
    assert (
        post_and_check(
            client_for(bob.user, password_confirmed=True),
            "/me/edit/",
            region(PROFILE, bob.region_id),
            (Volunteer,),
        )
        == 302
    )
    created = post_and_check(
        client_for(alice), "/manage/campaigns/new/", region(CAMPAIGN, almaty.pk), (Campaign,)
    )
    assert created == 302 and Campaign.objects.filter(title="Сенбілік").exists()
    url = f"/manage/campaigns/{campaign.pk}/shifts/new/"
    assert post_and_check(client_for(alice), url, SHIFT, (Shift,)) == 302
    assert Shift.objects.filter(campaign=campaign, place_name="Орталық саябақ").exists()
