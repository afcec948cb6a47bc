"""Across the API: every authenticated endpoint answers 401 without credentials, scoped ones
404 outside the caller's scope, lists have a bounded page_size, and the throttle scopes of the
settings map answer 429 (token, sign-up, map)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

AUTHENTICATED = [
    ("get", "/api/me/"),
    ("get", "/api/volunteers/"),
    ("get", "/api/signups/"),
    ("post", "/api/auth/token/revoke/"),
]


@pytest.mark.parametrize(("method", "url"), AUTHENTICATED)
def test_401_without_credentials(method: str, url: str) -> None:
    response = getattr(APIClient(), method)(url)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_signup_and_cancel_need_credentials(almaty) -> None:  # type: ignore[no-untyped-def]
    shift = ShiftFactory(campaign=CampaignFactory(region=almaty))
    assert APIClient().post(f"/api/shifts/{shift.pk}/signup/").status_code == 401
    assert APIClient().post("/api/signups/1/cancel/").status_code == 401


@pytest.mark.parametrize("url", ["/api/regions/", "/api/campaigns/", "/api/shifts/", "/api/map/events/"])
def test_public_endpoints_answer_anonymous(url: str) -> None:
    assert APIClient().get(url).status_code == 200


def test_404_outside_scope(charlie, almaty) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(charlie)
    almaty_volunteer = VolunteerFactory(region=almaty)
    assert client.get(f"/api/volunteers/{almaty_volunteer.pk}/").status_code == 404
    assert client.get(f"/api/volunteers/{almaty_volunteer.pk}/hours/").status_code == 404


def test_page_size_is_bounded(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    campaign = CampaignFactory(region=almaty)
    ShiftFactory.create_batch(3, campaign=campaign)
    client = APIClient()
    client.force_authenticate(alice)
    assert len(client.get("/api/shifts/", {"page_size": 2}).json()["results"]) == 2
    # Above the bound: 200 at most (DRF caps it), never the whole table.
    for url in ("/api/shifts/", "/api/campaigns/", "/api/volunteers/", "/api/signups/"):
        response = client.get(url, {"page_size": 100000})
        assert response.status_code in (200, 400), url
    assert client.get("/api/shifts/", {"page": 99}).status_code == 404


@pytest.fixture
def tight_throttles() -> Iterator[None]:
    """Low rates for every scope of settings.API_THROTTLE_RATES (DRF reads them at import)."""
    from django.conf import settings
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rates = {scope: "2/min" for scope in settings.API_THROTTLE_RATES}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        api_settings.reload()
        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        yield
    api_settings.reload()
    ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_every_scope_in_the_settings_map_is_used() -> None:
    from django.conf import settings

    assert set(settings.API_THROTTLE_RATES) >= {"auth_token", "signup", "map"}
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] is settings.API_THROTTLE_RATES


def test_token_endpoint_is_throttled(tight_throttles, bob) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    codes = [
        client.post(
            "/api/auth/token/", {"email": "nobody@example.kz", "password": "x"}, format="json"
        ).status_code
        for _ in range(3)
    ]
    assert codes[-1] == 429


def test_signup_is_throttled(tight_throttles, bob, almaty) -> None:  # type: ignore[no-untyped-def]
    campaign = CampaignFactory(region=almaty)
    shifts = ShiftFactory.create_batch(3, campaign=campaign)
    client = APIClient()
    client.force_authenticate(bob.user)
    codes = [client.post(f"/api/shifts/{shift.pk}/signup/", format="json").status_code for shift in shifts]
    assert codes[:2] != [429, 429] and codes[2] == 429
    assert "Retry-After" in client.post(f"/api/shifts/{shifts[0].pk}/signup/", format="json")


def test_map_is_throttled(tight_throttles) -> None:
    client = APIClient()
    codes = [client.get("/api/map/front-offices/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        ("/api/campaigns/", 4),
        ("/api/shifts/", 5),
        ("/api/signups/", 5),
        ("/api/volunteers/", 8),
        ("/api/regions/", 2),
        ("/api/map/events/", 1),
        ("/api/map/front-offices/", 1),
        ("/api/map/detachments/", 1),
    ],
)
def test_lists_do_not_grow_queries_with_rows(url: str, limit: int, alice, almaty) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events.models import Signup

    client = APIClient()
    client.force_authenticate(alice)
    client.get("/api/map/events/", {"region": "75"})  # region codes are read once per process
    client.get(url)  # and the caller's roles once per user object
    counts = []
    for rows in (1, 4):
        for _ in range(rows):
            campaign = CampaignFactory(region=almaty)
            for shift in ShiftFactory.create_batch(
                3, campaign=campaign, latitude=almaty.latitude, longitude=almaty.longitude
            ):
                Signup.objects.create(
                    shift=shift, volunteer=VolunteerFactory(region=almaty), status=Signup.Status.CONFIRMED
                )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= limit, counts
