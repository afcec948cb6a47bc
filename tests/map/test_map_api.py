"""GET /api/map/…: GeoJSON validity, filters, no personal data, ETag/304, one query per
collection, throttling."""

from __future__ import annotations

import csv
import datetime
import gc
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Campaign, Signup
from front_offices.models import FrontOffice
from regions.models import Region
from tests.events.factories import CampaignFactory, ShiftFactory, in_days
from tests.factories import DetachmentFactory, UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

REGIONS_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "regions.csv"
if not REGIONS_CSV.exists():
    REGIONS_CSV = Path("/work/shared/data/regions.csv")


def centres() -> dict[str, tuple[float, float]]:
    """Region code → (lon, lat) of its centre, from the source data itself."""
    with REGIONS_CSV.open(encoding="utf-8") as f:
        return {row["code"]: (float(row["lon"]), float(row["lat"])) for row in csv.DictReader(f)}


def office_at(code: str, name: str = "Office", **kw) -> FrontOffice:  # type: ignore[no-untyped-def]
    region = Region.objects.get(code=code)
    return FrontOffice.objects.create(
        name=name,
        region=region,
        address=kw.pop("address", "Address 1"),
        latitude=region.latitude,
        longitude=region.longitude,
        phone="+77011234567",
        **kw,
    )


def get(client: Client, name: str, **params):  # type: ignore[no-untyped-def]
    return client.get(reverse(name), params)


@pytest.fixture
def places(almaty, astana):  # type: ignore[no-untyped-def]
    office_at("75", "Алматы офисі")
    office_at("71", "Астана офисі")
    FrontOffice.objects.create(name="No point", region=almaty, address="x")
    curator = UserFactory(email="curator@example.kz", full_name="Куратор Секретный")
    d = DetachmentFactory(
        region=almaty, curator=curator, latitude=Decimal("43.25"), longitude=Decimal("76.92")
    )
    VolunteerFactory(region=almaty, detachment=d, last_name="Жасыров")
    DetachmentFactory(region=astana, latitude=astana.latitude, longitude=astana.longitude, locality="Астана")
    almaty_campaign = CampaignFactory(region=almaty, kind=Campaign.Kind.ECOLOGY)
    astana_campaign = CampaignFactory(region=astana, kind=Campaign.Kind.EDUCATION)
    ShiftFactory(campaign=almaty_campaign, latitude=almaty.latitude, longitude=almaty.longitude, capacity=2)
    ShiftFactory(
        campaign=astana_campaign,
        latitude=astana.latitude,
        longitude=astana.longitude,
        starts_at=in_days(10),
        ends_at=in_days(10) + datetime.timedelta(hours=2),
    )
    ShiftFactory(campaign=almaty_campaign)  # no point: not on the map
    ShiftFactory(
        campaign=almaty_campaign,
        latitude=almaty.latitude,
        longitude=almaty.longitude,
        starts_at=in_days(-1),
        ends_at=in_days(-1) + datetime.timedelta(hours=1),
    )  # past
    draft = CampaignFactory(region=almaty, status=Campaign.Status.DRAFT)
    ShiftFactory(campaign=draft, latitude=almaty.latitude, longitude=almaty.longitude)


ENDPOINTS = ["api-map-front-offices", "api-map-events", "api-map-detachments"]


def assert_geojson(data: dict) -> None:  # type: ignore[type-arg]
    assert data["type"] == "FeatureCollection"
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        # Kazakhstan: longitudes 46–88 E, latitudes 40–56 N; the order is [lon, lat].
        assert 46 <= lon <= 88 and 40 <= lat <= 56


@pytest.mark.parametrize("name", ENDPOINTS)
def test_collections_are_geojson_with_lon_lat_at_the_known_centres(client: Client, places, name: str) -> None:
    response = get(client, name)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert_geojson(data)
    known = centres()
    by_region = {f["properties"]["region"]: f["geometry"]["coordinates"] for f in data["features"]}
    # Astana's row sits exactly at its centre in regions.csv: [lon, lat], not [lat, lon].
    assert by_region["71"] == pytest.approx(list(known["71"]))


def test_office_properties(client: Client, places) -> None:
    data = get(client, "api-map-front-offices").json()
    names = sorted(f["properties"]["name"] for f in data["features"])
    assert names == ["Алматы офисі", "Астана офисі"]  # the office without a point is left out
    props = data["features"][0]["properties"]
    assert set(props) == {"id", "name", "region", "address", "phone", "status", "url"}
    assert client.get(props["url"]).status_code == 200
    assert props["url"] == f"/front-offices/{props['id']}/"  # the office's page, where visits are booked


def test_an_office_says_whether_it_is_open_in_the_asked_language(client: Client, places) -> None:
    from front_offices.models import OpeningHours
    from front_offices.selectors import opening_status

    office = FrontOffice.objects.get(name="Алматы офисі")
    for weekday in range(7):
        OpeningHours.objects.create(
            office=office, weekday=weekday, opens=datetime.time(9), closes=datetime.time(18)
        )
    for language in ("en", "ru", "kk"):
        cache.clear()
        features = get(client, "api-map-front-offices", lang=language).json()["features"]
        status = next(f["properties"]["status"] for f in features if f["id"] == office.pk)
        from django.utils import translation

        with translation.override(language):
            assert status == opening_status(office).text
        assert status and ("09:00" in status or "18:00" in status)


def test_event_properties_and_rows(client: Client, places) -> None:
    data = get(client, "api-map-events").json()
    assert len(data["features"]) == 2  # upcoming, published, with a point
    props = next(f["properties"] for f in data["features"] if f["properties"]["region"] == "75")
    assert props["free_places"] == 2 and props["capacity"] == 2
    assert props["starts_at"].endswith("+05:00")
    assert client.get(props["url"]).status_code == 200
    assert props["kind"] == Campaign.Kind.ECOLOGY


def test_detachments_carry_no_personal_data(client: Client, places) -> None:
    body = get(client, "api-map-detachments").content.decode()
    data = json.loads(body)
    assert len(data["features"]) == 2
    assert set(data["features"][0]["properties"]) == {"id", "name", "locality", "region"}
    for secret in ("Куратор", "curator@example.kz", "Жасыров"):
        assert secret not in body


@pytest.mark.parametrize("name", ENDPOINTS)
def test_region_filter(client: Client, places, name: str) -> None:
    regions = {f["properties"]["region"] for f in get(client, name, region="71").json()["features"]}
    assert regions == {"71"}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_bbox_filter(client: Client, places, name: str) -> None:
    # A box around Almaty only.
    features = get(client, name, bbox="76.5,43.0,77.5,43.5").json()["features"]
    assert features and {f["properties"]["region"] for f in features} == {"75"}
    assert get(client, name, bbox="10,10,11,11").json()["features"] == []


@pytest.mark.parametrize("name", ENDPOINTS)
def test_bbox_of_a_zoomed_out_or_panned_leaflet_map_wraps_around(client: Client, places, name: str) -> None:
    # Leaflet's bounds come unwrapped: the whole world with its copies side by side, or a map
    # panned a world east, as `map.getBounds().toBBoxString()` writes them.
    every = {f["id"] for f in get(client, name).json()["features"]}
    world = get(client, name, bbox="-250.3,-60,250.7,80")
    assert world.status_code == 200 and {f["id"] for f in world.json()["features"]} == every
    east = get(client, name, bbox="436.5,43.0,437.5,43.5").json()["features"]
    assert east and {f["properties"]["region"] for f in east} == {"75"}
    # 75..380 crosses the antimeridian: 75..180 and -180..20, so Almaty (76.9) and not Astana (71.4).
    across = get(client, name, bbox="75,40,380,55").json()["features"]
    assert across and {f["properties"]["region"] for f in across} == {"75"}


def test_event_filters(client: Client, places) -> None:
    def regions(**params: str) -> list[str]:
        return sorted(
            f["properties"]["region"] for f in get(client, "api-map-events", **params).json()["features"]
        )

    assert regions(kind=Campaign.Kind.EDUCATION) == ["71"]
    later = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    assert regions(**{"from": later}) == ["71"]
    assert regions(to=later) == ["75"]
    shift = next(s for s in ShiftFactory._meta.model.objects.filter(campaign__region__code="75", capacity=2))
    shift.taken_places = 2
    shift.save()
    assert regions(free="true") == ["71"]


def test_national_campaigns_show_in_every_region(client: Client, places, almaty) -> None:
    national = CampaignFactory(region=None)
    ShiftFactory(campaign=national, latitude=almaty.latitude, longitude=almaty.longitude)
    assert len(get(client, "api-map-events", region="71").json()["features"]) == 2


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("api-map-front-offices", {"region": "99"}, "region"),
        ("api-map-detachments", {"bbox": "1,2,3"}, "bbox"),
        ("api-map-detachments", {"bbox": "a,b,c,d"}, "bbox"),
        ("api-map-front-offices", {"bbox": "77,43,76,44"}, "bbox"),
        ("api-map-events", {"bbox": "0,91,1,92"}, "bbox"),
        ("api-map-events", {"bbox": "1e300,0,1e301,1"}, "bbox"),
        ("api-map-events", {"bbox": "nan,0,1,1"}, "bbox"),
        ("api-map-events", {"kind": "party"}, "kind"),
        ("api-map-events", {"from": "2026-13-01"}, "from"),
        ("api-map-events", {"from": "2026-12-10", "to": "2026-12-01"}, "to"),
        ("api-map-events", {"free": "maybe"}, "free"),
    ],
)
def test_bad_parameters_are_400_with_the_field(client: Client, places, name: str, params, field: str) -> None:  # type: ignore[no-untyped-def]
    response = get(client, name, **params)
    assert response.status_code == 400
    messages = response.json()[field]
    assert messages and all(isinstance(m, str) and m for m in messages)


def test_bad_parameters_are_translated(client: Client, places) -> None:
    response = client.get(reverse("api-map-detachments"), {"bbox": "1,2"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert "minLon" in response.json()["bbox"][0] and "Give" not in response.json()["bbox"][0]


@pytest.mark.parametrize("name", [*ENDPOINTS, "api-map-regions"])
def test_public_even_with_a_bad_token(client: Client, places, name: str) -> None:
    # Public data: neither a missing nor a broken credential stops it (no 401 here).
    assert get(client, name).status_code == 200
    assert client.get(reverse(name), HTTP_AUTHORIZATION="Token nonsense").status_code == 200


@pytest.mark.parametrize("name", [*ENDPOINTS, "api-map-regions"])
def test_etag_and_304(client: Client, places, name: str) -> None:
    first = get(client, name)
    etag = first["ETag"]
    assert (
        etag.startswith('"') and "max-age=" in first["Cache-Control"] and "public" in first["Cache-Control"]
    )
    again = client.get(reverse(name), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    # A cache takes the 304's headers over the stored answer's: none may say it is an HTML page.
    assert not again.has_header("Content-Type")
    assert again["Cache-Control"] == first["Cache-Control"] and again["Vary"] == first["Vary"]
    weak = client.get(reverse(name), HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    assert weak.status_code == 304
    assert client.get(reverse(name), HTTP_IF_NONE_MATCH='"stale"').status_code == 200


@pytest.mark.parametrize("name", [*ENDPOINTS, "api-map-regions"])
def test_answers_in_the_cookies_language_vary_on_the_cookie(places, name: str) -> None:
    """A browser that chose Russian on the site sends the language cookie, and gets Russian names
    whatever its Accept-Language: a shared cache keyed on Accept-Language alone would hand that
    answer (or a 304 for it) to a reader of Kazakh with the same header."""
    kazakh, russian = Client(HTTP_ACCEPT_LANGUAGE="kk"), Client(HTTP_ACCEPT_LANGUAGE="kk")
    russian.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    kk, ru = kazakh.get(reverse(name)), russian.get(reverse(name))
    if name == "api-map-regions":  # the regions' names follow the language
        assert kk["ETag"] != ru["ETag"]
    for response in (kk, ru, russian.get(reverse(name), HTTP_IF_NONE_MATCH=ru["ETag"])):
        vary = {value.strip().lower() for value in response["Vary"].split(",")}
        assert {"accept-language", "cookie"} <= vary, response["Vary"]


def test_etag_changes_with_the_data(client: Client, places) -> None:
    etag = get(client, "api-map-front-offices")["ETag"]
    office_at("75", "Жаңа офис")
    response = client.get(reverse("api-map-front-offices"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


@pytest.mark.parametrize("name", ENDPOINTS)
def test_one_query_per_collection_whatever_its_size(
    client: Client, places, almaty, name: str, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    get(client, name, region="75")  # the region codes are read once per process
    for n in range(30):
        office_at("75", f"Office {n}")
        DetachmentFactory(region=almaty)
        ShiftFactory(
            campaign=Campaign.objects.filter(region=almaty).first(),
            latitude=almaty.latitude,
            longitude=almaty.longitude,
        )
    with django_assert_num_queries(1):
        response = get(client, name, region="75", bbox="70,40,80,50")
    assert len(response.json()["features"]) > 30
    with django_assert_num_queries(1):
        get(client, name)


def test_region_aggregates(client: Client, places, almaty, bob) -> None:
    shift = ShiftFactory(
        campaign=Campaign.objects.filter(region=almaty).first(),
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    if shift.starts_at.year == timezone.localdate().year:
        Signup.objects.create(shift=shift, volunteer=bob, status=Signup.Status.ATTENDED, hours=Decimal("2.5"))
    data = get(client, "api-map-regions").json()
    assert_geojson(data)
    assert len(data["features"]) == 20
    by_code = {f["id"]: f for f in data["features"]}
    known = centres()
    for code, feature in by_code.items():
        assert feature["geometry"]["coordinates"] == pytest.approx(list(known[code]))
    props = by_code["75"]["properties"]
    assert props["active_volunteers"] == 2  # bob and the detachment member
    assert props["upcoming_free_shifts"] == 2  # with or without a point
    assert props["hours_this_year"] == (2.5 if shift.starts_at.year == timezone.localdate().year else 0)
    assert by_code["71"]["properties"]["upcoming_free_shifts"] == 1
    assert set(props) == {
        "code",
        "name",
        "name_kk",
        "name_ru",
        "name_en",
        "active_volunteers",
        "hours_this_year",
        "upcoming_free_shifts",
    }


def test_region_aggregates_are_cached(client: Client, places, django_assert_max_num_queries) -> None:
    get(client, "api-map-regions")
    with django_assert_max_num_queries(0):
        get(client, "api-map-regions")
    cache.clear()
    # Volunteers, free shifts, and the hours of each source (shifts, targeted help).
    with django_assert_max_num_queries(5):
        get(client, "api-map-regions")


def test_the_regions_hours_are_the_year_pages_targeted_help_included(
    client: Client, alice, bob, almaty
) -> None:  # type: ignore[no-untyped-def]
    # The layer counted shifts only, while the Year of Volunteers page adds targeted help.
    from care import services as care_services
    from care.models import HelpRequest
    from reports.selectors import year_totals
    from tests.care.factories import HelpRequestFactory

    request = HelpRequestFactory()
    assignment = care_services.assignment_volunteer(request=request, volunteer=bob, by=alice)
    HelpRequest.objects.filter(pk=request.pk).update(due_from=timezone.now() - datetime.timedelta(hours=1))
    care_services.assignment_done(assignment=assignment, hours=Decimal("1.5"), note="", by=alice)
    on_map = {
        f["id"]: f["properties"]["hours_this_year"] for f in get(client, "api-map-regions").json()["features"]
    }
    on_year_page = {r["code"]: float(r["hours"]) for r in year_totals(timezone.localdate().year)["regions"]}
    assert on_map["75"] == 1.5
    assert on_map == on_year_page


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("enabled", [True, False])
def test_collections_are_built_without_the_cycle_collector_and_leave_it_as_it_was(
    client: Client, places, name: str, enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its full passes over the process, set off by the features' own allocations, doubled the
    # time of half the large collections' requests (bench: /api/map/front-offices/).
    from volunteer_net.maps import selectors

    seen: list[bool] = []
    build = selectors.feature_collection

    def watched(features):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return build(features)

    monkeypatch.setattr(selectors, "feature_collection", watched)
    (gc.enable if enabled else gc.disable)()
    try:
        response = get(client, name)
        assert response.status_code == 200 and response.json()["features"]
        assert seen == [False]
        assert gc.isenabled() is enabled
        # A refused request leaves it as it was too.
        assert get(client, name, bbox="nonsense").status_code == 400
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
