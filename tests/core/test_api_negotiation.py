"""What an API client that asks for something other than JSON is told: a 406 or 415 with a JSON
body, never a 404 for an endpoint that exists, nor an HTML page."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.mark.django_db
class TestFormats:
    @pytest.mark.parametrize("url", ["/api/shifts/", "/api/campaigns/", "/api/schema/"])
    @pytest.mark.parametrize("fmt", ["api", "xml", "csv"])
    def test_unknown_format_is_a_406_naming_the_served_ones(self, url: str, fmt: str) -> None:
        # The browsable API is off outside development (settings: DEBUG only).
        response = APIClient().get(url, {"format": fmt}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 406
        # The schema's first renderer is YAML, so its refusal is YAML; the rest answer JSON.
        assert "json" in response.content.decode()
        if url != "/api/schema/":
            assert response["Content-Type"].startswith("application/json")
            assert "json" in response.json()["detail"]

    def test_format_json_still_answers(self) -> None:
        assert APIClient().get("/api/shifts/", {"format": "json"}).status_code == 200
        schema = APIClient().get("/api/schema/", {"format": "json"})
        assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")

    def test_html_accept_is_a_406_in_json(self) -> None:
        response = APIClient().get("/api/shifts/", HTTP_ACCEPT="text/html")
        assert response.status_code == 406
        assert response["Content-Type"].startswith("application/json")

    def test_unsupported_body_is_a_415_and_bad_json_a_400(self) -> None:
        client = APIClient()
        unsupported = client.post("/api/auth/token/", "email=a", content_type="text/plain")
        assert unsupported.status_code == 415 and "detail" in unsupported.json()
        broken = client.post("/api/auth/token/", "{bad", content_type="application/json")
        assert broken.status_code == 400 and "detail" in broken.json()
