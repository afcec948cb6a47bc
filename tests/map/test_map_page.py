"""The /map/ page: reached from the header, everything served locally, tiles from settings."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def _config(html: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_header_links_to_the_map(client: Client) -> None:
    assert 'href="/map/"' in client.get("/").content.decode()


@override_settings(
    MAP_TILES_URL="https://tiles.example.kz/{z}/{x}/{y}.png", MAP_TILES_ATTRIBUTION="© Example"
)
def test_map_page_uses_the_tile_settings_and_local_files(client: Client) -> None:
    response = client.get("/map/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    html = response.content.decode()
    config = _config(html)
    assert config["tiles"] == {"url": "https://tiles.example.kz/{z}/{x}/{y}.png", "attribution": "© Example"}
    assert config["api"]["events"] == "/api/map/events/"
    assert config["text"]["signup"] == "Записаться"
    # Scripts and styles only from this site's static files: no CDN.
    for src in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html):
        assert src.startswith("/static/"), src
    assert "/static/leaflet-markercluster/leaflet.markercluster.js" in html
    assert "/static/leaflet/leaflet.js" in html
    # Layer controls are real checkboxes with labels; the regions fill the selector.
    assert html.count('type="checkbox" name="layer"') == 3
    assert html.count('<option value="') >= 20 + 1


def test_map_page_queries_do_not_grow(client: Client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(3):
        assert client.get("/map/").status_code == 200


def test_markercluster_comes_from_its_package(client: Client) -> None:
    from django.contrib.staticfiles import finders

    found = finders.find("leaflet-markercluster/leaflet.markercluster.js")
    assert found and "xstatic" in str(found)
