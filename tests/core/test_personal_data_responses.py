"""Pages and API answers with personal data are not kept by browsers or proxies
(`Cache-Control: no-store`), and the API does not render itself as HTML pages in production."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import DetachmentFactory, MinorFactory, UserFactory


@pytest.fixture
def personal_urls(alice, bob, almaty):  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    curator = UserFactory(email="teacher@example.kz")
    detachment = DetachmentFactory(region=almaty, curator=curator)
    member = MinorFactory(region=almaty, detachment=detachment)
    from tests.care.factories import HelpRequestFactory

    help_request = HelpRequestFactory()
    return [
        (alice, "/care/requests/"),
        (alice, f"/care/requests/{help_request.pk}/"),
        (alice, f"/api/care/requests/{help_request.pk}/"),
        (alice, "/api/care/requests/map/"),
        (bob.user, "/me/"),
        (bob.user, "/me/edit/"),
        (bob.user, "/me/data.json"),
        (bob.user, "/me/delete/"),
        (alice, "/roster/"),
        (alice, "/roster/?q=%2B77011234567"),
        (alice, f"/roster/{bob.pk}/"),
        (alice, f"/roster/{bob.pk}/edit/"),
        (curator, f"/detachments/{detachment.pk}/"),
        (curator, f"/detachments/{detachment.pk}/members/{member.pk}/edit/"),
        (alice, "/api/volunteers/"),
        (alice, f"/api/volunteers/{bob.pk}/"),
        (bob.user, "/api/me/"),
    ]


@pytest.mark.django_db
def test_personal_data_is_never_stored_by_caches(personal_urls) -> None:  # type: ignore[no-untyped-def]
    for user, url in personal_urls:
        response = client_for(user, password_confirmed=True).get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.get("Cache-Control", ""), url


@pytest.mark.django_db
def test_api_answers_json_even_to_a_browser(bob) -> None:  # type: ignore[no-untyped-def]
    """The browsable API (an HTML page with the data and forms) is for development only."""
    bob.refresh_from_db()
    client = APIClient()
    client.force_authenticate(bob.user)
    response = client.get("/api/me/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    # Asked for by name, it is refused: a 406 naming the formats served (JSON), no page.
    refused = client.get("/api/me/?format=api")
    assert refused.status_code == 406 and refused["Content-Type"].startswith("application/json")
