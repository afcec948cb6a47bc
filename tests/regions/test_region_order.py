"""Region selects list the regions in the alphabet of the page's language: in KATO code order a
Russian reader found "Восточно-Казахстанская" after "Ұлытау" and the city of Almaty near the end."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from events.forms import CampaignFilterForm
from regions.models import Region
from tests.conftest import client_for

EXPECTED_START = {
    # Kazakh order: Қ after К and before Л, so Ақмола after Абай and "қаласы" before "облысы".
    "kk": ["Абай облысы", "Ақмола облысы", "Ақтөбе облысы", "Алматы қаласы", "Алматы облысы"],
    "ru": ["Акмолинская область", "Актюбинская область", "Алматинская область", "Атырауская область"],
    "en": ["Abai Region", "Akmola Region", "Aktobe Region", "Almaty", "Almaty Region"],
}


def _options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_id
    return [
        label
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
        if value
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_rosters_region_filter_is_in_the_languages_alphabet(nora, language: str) -> None:
    client = client_for(nora)
    client.cookies["django_language"] = language
    names = _options(client.get("/roster/").content.decode(), "id_region")
    assert len(names) == Region.objects.count() == 20
    assert names[: len(EXPECTED_START[language])] == EXPECTED_START[language]
    if language == "ru":
        east = names.index("Восточно-Казахстанская область")
        assert east < names.index("Северо-Казахстанская область") and east < names.index("область Ұлытау")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_campaign_filter_offers_the_same_order(language: str) -> None:
    with translation.override(language):
        labels = [str(label) for value, label in CampaignFilterForm().fields["region"].choices if value]
    assert labels[: len(EXPECTED_START[language])] == EXPECTED_START[language]


def _home_regions(html: str) -> list[str]:
    listed = re.search(r'<ul class="region-list">(.*?)</ul>', html, re.S)
    assert listed
    return [name.strip() for name in re.findall(r"<li>([^<]*)<span", listed.group(1))]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_home_page_and_the_maps_select_list_regions_in_the_same_order(client, language: str) -> None:
    # They followed KATO codes (Almaty near the end) after the selects had moved to the alphabet.
    client.cookies["django_language"] = language
    home = _home_regions(client.get("/").content.decode())
    on_map = _options(client.get("/map/").content.decode(), "map-region")
    assert len(home) == 20
    assert home[: len(EXPECTED_START[language])] == EXPECTED_START[language]
    assert on_map == home


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_care_filter_lists_the_staff_regions_in_order(nora, language: str) -> None:
    client = client_for(nora)
    client.cookies["django_language"] = language
    names = _options(client.get("/care/requests/").content.decode(), "f-region")
    assert len(names) == 20
    assert names[: len(EXPECTED_START[language])] == EXPECTED_START[language]
