"""Pages of other sites named in CORS_ALLOWED_ORIGINS may call the API from the browser (an
akimat's site showing the campaigns on its own map); nobody else may, no page of ours is opened
to them, and no visitor's cookies go along."""

from __future__ import annotations

import pytest
from django.test import Client

AKIMAT = "https://akimat.example.kz"


@pytest.fixture
def allowed(settings):  # type: ignore[no-untyped-def]
    settings.CORS_ALLOWED_ORIGINS = [AKIMAT]


@pytest.mark.django_db
class TestCrossOrigin:
    def test_a_named_site_may_read_the_api_with_its_token(self, allowed) -> None:  # type: ignore[no-untyped-def]
        preflight = Client().options(
            "/api/shifts/",
            HTTP_ORIGIN=AKIMAT,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        )
        assert preflight.status_code == 200
        assert preflight["Access-Control-Allow-Origin"] == AKIMAT
        assert "authorization" in preflight["Access-Control-Allow-Headers"]
        # Never the visitor's cookies (their session on our site).
        assert "Access-Control-Allow-Credentials" not in preflight

        answer = Client().get("/api/shifts/", HTTP_ORIGIN=AKIMAT)
        assert answer.status_code == 200
        assert answer["Access-Control-Allow-Origin"] == AKIMAT
        assert answer["Access-Control-Expose-Headers"] == "Retry-After, ETag"

    def test_a_named_site_revalidates_a_map_layer_with_its_etag(self, allowed) -> None:  # type: ignore[no-untyped-def]
        """The layers' ETag was unreadable to another site's script, and If-None-Match, which
        needs a preflight, was refused by it: the promised 304 was out of such a page's reach."""
        preflight = Client().options(
            "/api/map/events/",
            HTTP_ORIGIN=AKIMAT,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
        )
        assert preflight.status_code == 200
        assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
        first = Client().get("/api/map/events/", HTTP_ORIGIN=AKIMAT)
        assert "ETag" in first["Access-Control-Expose-Headers"].split(", ")
        again = Client().get("/api/map/events/", HTTP_ORIGIN=AKIMAT, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        assert again["Access-Control-Allow-Origin"] == AKIMAT

    def test_another_site_gets_no_permission(self, allowed) -> None:  # type: ignore[no-untyped-def]
        answer = Client().get("/api/shifts/", HTTP_ORIGIN="https://elsewhere.example.com")
        assert answer.status_code == 200
        assert "Access-Control-Allow-Origin" not in answer

    def test_pages_stay_closed_to_other_sites(self, allowed) -> None:  # type: ignore[no-untyped-def]
        answer = Client().get("/front-offices/", HTTP_ORIGIN=AKIMAT)
        assert answer.status_code == 200
        assert "Access-Control-Allow-Origin" not in answer

    def test_no_site_is_named_by_default(self) -> None:
        answer = Client().get("/api/shifts/", HTTP_ORIGIN=AKIMAT)
        assert "Access-Control-Allow-Origin" not in answer
