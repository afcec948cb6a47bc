"""The FeatureCollections answer a client that asks for GeoJSON's own media type
(application/geo+json, RFC 7946), as GIS clients do, instead of refusing it with a 406; a client
asking for nothing in particular keeps getting application/json."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.conftest import api_for
from tests.front_offices.helpers import make_office

PUBLIC = ["/api/map/front-offices/", "/api/map/events/", "/api/map/detachments/", "/api/map/regions/"]


@pytest.mark.django_db
class TestGeoJSONMediaType:
    @pytest.mark.parametrize("url", PUBLIC)
    def test_public_layers(self, almaty, url: str) -> None:  # type: ignore[no-untyped-def]
        make_office()
        client = APIClient()
        asked = client.get(url, HTTP_ACCEPT="application/geo+json")
        assert asked.status_code == 200, asked.content
        assert asked["Content-Type"] == "application/geo+json"
        assert asked.json()["type"] == "FeatureCollection"
        plain = client.get(url)
        assert plain["Content-Type"] == "application/json"
        assert plain.content == asked.content

    def test_the_offices_layer_revalidates_under_either_type(self, almaty) -> None:  # type: ignore[no-untyped-def]
        make_office()
        client = APIClient()
        first = client.get("/api/map/front-offices/", HTTP_ACCEPT="application/geo+json")
        again = client.get(
            "/api/map/front-offices/", HTTP_ACCEPT="application/geo+json", HTTP_IF_NONE_MATCH=first["ETag"]
        )
        assert again.status_code == 304
        assert "Accept" in again["Vary"]
        # Each type is its own representation, with its own tag.
        plain = client.get("/api/map/front-offices/")
        assert plain["ETag"] != first["ETag"]
        crossed = client.get(
            "/api/map/front-offices/", HTTP_ACCEPT="application/geo+json", HTTP_IF_NONE_MATCH=plain["ETag"]
        )
        assert crossed.status_code == 200 and crossed["Content-Type"] == "application/geo+json"
        assert client.get("/api/map/front-offices/", HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304

    def test_help_requests_layer(self, alice) -> None:  # type: ignore[no-untyped-def]
        response = api_for(alice).get("/api/care/requests/map/", HTTP_ACCEPT="application/geo+json")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/geo+json"
        assert response.json() == {"type": "FeatureCollection", "features": []}

    def test_a_bad_box_is_still_a_400_in_json(self, almaty) -> None:  # type: ignore[no-untyped-def]
        response = APIClient().get(
            "/api/map/front-offices/",
            {"bbox": "x"},
            HTTP_ACCEPT="application/geo+json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 400
        assert list(response.json()) == ["bbox"]
        # Field errors are no FeatureCollection: labelled as the JSON they are.
        assert response["Content-Type"] == "application/json"

    def test_an_unauthenticated_help_requests_layer_is_a_401_in_json(self) -> None:
        response = APIClient().get("/api/care/requests/map/", HTTP_ACCEPT="application/geo+json")
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
