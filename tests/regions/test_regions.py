import pytest
from django.test import Client
from django.utils import translation

from regions.models import Region


@pytest.mark.django_db
class TestRegionData:
    def test_all_twenty_units_are_loaded_with_three_languages(self) -> None:
        assert Region.objects.count() == 20
        almaty = Region.objects.get(code="75")
        assert almaty.iso_code == "KZ-75"
        assert (almaty.name_kk, almaty.name_ru, almaty.name_en) == ("Алматы қаласы", "город Алматы", "Almaty")
        assert almaty.center == (76.9286, 43.2567)
        codes = set(Region.objects.values_list("code", flat=True))
        assert {"10", "33", "62", "71", "75", "79"} <= codes  # Abai, Zhetisu, Ulytau since 2022

    def test_name_follows_active_language(self) -> None:
        region = Region.objects.get(code="11")
        with translation.override("kk"):
            assert region.name == "Ақмола облысы"
        with translation.override("ru"):
            assert region.name == "Акмолинская область"
        with translation.override("en"):
            assert region.name == "Akmola Region"


@pytest.mark.django_db
class TestRegionApi:
    def test_lists_regions_in_requested_language(self) -> None:
        response = Client().get("/api/regions/?lang=ru")
        assert response.status_code == 200
        data = response.json()
        assert len(data) == 20
        astana = next(r for r in data if r["code"] == "71")
        assert astana["name"] == "город Астана"
        assert astana["name_kk"] == "Астана қаласы"
        assert astana["center"] == [71.4576, 51.1658]

    def test_accept_language_header_picks_the_name(self) -> None:
        data = Client().get("/api/regions/", HTTP_ACCEPT_LANGUAGE="kk").json()
        assert next(r for r in data if r["code"] == "79")["name"] == "Шымкент қаласы"

    @pytest.mark.parametrize("lang", ["fr", "kz", "RU", "%00"])
    def test_unknown_lang_is_a_400_naming_it(self, lang: str) -> None:
        response = Client().get(f"/api/regions/?lang={lang}", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert list(response.json()) == ["lang"]

    def test_empty_lang_is_no_choice(self) -> None:
        response = Client().get("/api/regions/?lang=", HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code == 200
        assert next(r for r in response.json() if r["code"] == "71")["name"] == "город Астана"
