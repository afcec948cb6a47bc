"""What a client meets at an address the API does not have: a missing trailing slash on a POST
is redirected so that the POST is sent again (308), not turned into a GET; an unknown path, and a
failure outside DRF's own handler, answer JSON like the rest of the API, not an HTML page."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from front_offices.models import Visit
from tests.front_offices.helpers import make_office, next_weekday, slot_at


@pytest.mark.django_db
class TestMissingTrailingSlash:
    def test_post_is_redirected_keeping_its_method_and_body(self, bob) -> None:  # type: ignore[no-untyped-def]
        slot = slot_at(make_office(), next_weekday(1), 10)
        client = APIClient()
        client.force_authenticate(bob.user)
        body = {"slot": slot.pk, "purpose": "consultation"}
        response = client.post("/api/visits", body, format="json")
        assert response.status_code == 308
        assert response["Location"] == "/api/visits/"
        # As an HTTP client follows a 308: the same POST to the new address, which books.
        followed = client.post("/api/visits", body, format="json", follow=True)
        assert followed.status_code == 201
        assert Visit.objects.filter(slot=slot, volunteer=bob).count() == 1

    def test_query_string_is_kept(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = APIClient()
        client.force_authenticate(bob.user)
        response = client.post("/api/auth/token/revoke?x=1")
        assert response.status_code == 308 and response["Location"] == "/api/auth/token/revoke/?x=1"

    def test_get_keeps_the_permanent_redirect(self) -> None:
        response = APIClient().get("/api/shifts", {"region": "75"})
        assert response.status_code == 301 and response["Location"] == "/api/shifts/?region=75"

    def test_page_form_posted_without_the_slash_is_sent_again_too(self) -> None:
        response = Client().post("/accounts/login", {"username": "x", "password": "y"})
        assert response.status_code == 308 and response["Location"] == "/accounts/login/"


@pytest.mark.django_db
class TestUnknownAddressesUnderApi:
    @pytest.mark.parametrize("path", ["/api/nothing/", "/api/campaigns/abc/", "/api/v2/shifts/"])
    def test_404_is_json_in_the_clients_language(self, path: str) -> None:
        response = APIClient().get(path, HTTP_ACCEPT_LANGUAGE="kk")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        # The same words as DRF's own 404 (its catalogue translates them).
        assert response.json() == {"detail": "Табылмады."}

    def test_behind_a_prefix_too(self) -> None:
        # Served under a path prefix (SCRIPT_NAME, a proxy's /volunteers/): the API's own part of
        # the address decides, as the middleware's.
        response = APIClient().get("/api/nothing/", SCRIPT_NAME="/volunteers", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"

    def test_pages_keep_the_404_page(self) -> None:
        response = Client().get("/no-such-page/")
        assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.urls("tests.core.error_urls")
class TestFailuresUnderApi:
    def test_500_is_json(self) -> None:
        client = Client(raise_request_exception=False)
        response = client.get("/api/broken/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 500
        assert response.json() == {"detail": "A server error occurred."}
        assert "a bug in a view" not in response.content.decode()

    def test_database_outage_is_a_json_503_with_retry_after(self) -> None:
        client = Client(raise_request_exception=False)
        response = client.get("/api/database-gone/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 503 and response["Retry-After"] == "30"
        assert "send the request again" in response.json()["detail"]

    def test_pages_keep_the_500_page(self) -> None:
        response = Client(raise_request_exception=False).get("/broken/")
        assert response.status_code == 500 and response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
class TestRequestsDjangoRefusesUnderApi:
    def test_body_too_large_is_a_json_413(self, bob, settings) -> None:  # type: ignore[no-untyped-def]
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
        client = APIClient()
        client.force_authenticate(bob.user)
        body = {"slot": 1, "purpose": "consultation", "note": "x" * 20_000}
        response = client.post("/api/visits/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 413
        assert response.json() == {"detail": "The request body is too large."}

    def test_too_many_fields_is_a_json_400(self, settings) -> None:  # type: ignore[no-untyped-def]
        settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
        query = "&".join(f"f{i}=1" for i in range(20))
        response = APIClient().get(f"/api/shifts/?{query}", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert response.json() == {"detail": "Malformed request."}

    def test_pages_keep_the_400_page(self, settings) -> None:  # type: ignore[no-untyped-def]
        settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
        query = "&".join(f"f{i}=1" for i in range(20))
        response = Client().get(f"/campaigns/?{query}")
        assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
