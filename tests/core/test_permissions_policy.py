"""`Permissions-Policy` on every response: pages, API, errors, probes.

The camera, microphone, payments and devices are off for everyone; the location is ours alone,
because the map's and the care board's "near me" buttons ask for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import client_for

ROOT = Path(__file__).resolve().parents[2]


def _policy(header: str) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in header.split(","))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/", "/map/", "/accounts/login/", "/api/regions/", "/api/volunteers/", "/no-such-page/", "/healthz"],
)
def test_every_kind_of_response_carries_the_policy(url: str) -> None:
    response = Client().get(url)
    policy = _policy(response["Permissions-Policy"])
    for feature in ("camera", "microphone", "payment", "usb", "display-capture"):
        assert policy[feature] == "()", feature
    assert policy["geolocation"] == "(self)"


@pytest.mark.django_db
def test_logged_in_pages_and_refusals_carry_it_too(bob) -> None:  # type: ignore[no-untyped-def]
    client = client_for(bob.user)
    for url, status in (("/me/", 200), ("/roster/", 404), ("/accounts/logout-everywhere/", 405)):
        response = client.get(url)
        assert response.status_code == status
        assert "camera=()" in response["Permissions-Policy"]


def test_location_is_allowed_because_the_near_me_buttons_use_it() -> None:
    """Drop geolocation from the policy only together with the last script that asks for it."""
    scripts = [path.read_text() for path in (ROOT / "static" / "js").glob("*.js")]
    assert any("navigator.geolocation" in text for text in scripts)
