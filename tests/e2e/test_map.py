"""The map page in Chromium with the tile server unreachable: the markers are the API's, the
region filter narrows them, a popup's link leads to sign-up, and the layer controls are
reached by keyboard."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, Route, expect

from events.models import Campaign
from front_offices.models import FrontOffice
from regions.models import Region
from tests.events.factories import CampaignFactory, ShiftFactory, in_days
from tests.factories import DetachmentFactory
from volunteer_net.dates import when_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def places() -> dict[str, Any]:
    almaty = Region.objects.get(code="75")
    astana = Region.objects.get(code="71")
    offices = [
        FrontOffice.objects.create(
            name=f"Офис {region.code}-{n}",
            region=region,
            address=f"Көше {n}",
            latitude=region.latitude + Decimal(n) / 100,
            longitude=region.longitude + Decimal(n) / 100,
        )
        for region in (almaty, astana, almaty)
        for n in range(2)
    ]
    campaign = CampaignFactory(region=astana, kind=Campaign.Kind.ECOLOGY, title="Таза Астана")
    shift = ShiftFactory(
        campaign=campaign,
        place_name="Есіл жағалауы",
        latitude=astana.latitude,
        longitude=astana.longitude,
        starts_at=in_days(3),
        ends_at=in_days(3) + datetime.timedelta(hours=2),
    )
    DetachmentFactory(region=almaty)
    return {"offices": offices, "shift": shift}


def _no_tiles(page: Page) -> None:
    """Every request that leaves the live server fails, the tile server's included."""

    def handle(route: Route) -> None:
        local = route.request.url.startswith(("http://localhost", "http://127.0.0.1"))
        route.continue_() if local else route.abort()

    page.route("**/*", handle)


def _open_map(page: Page) -> None:
    _no_tiles(page)
    # Reduced motion: the map jumps rather than glides, so a popup's link is where it will stay
    # when clicked (and the page honours the setting, which is checked here too).
    page.emulate_media(reduced_motion="reduce")
    page.goto("/map/")
    expect(page.locator("#map[data-loaded=true]")).to_be_attached()


# The smallest PNG there is (1×1, transparent): a tile the map can draw.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)


def test_the_tiles_note_goes_when_the_tiles_come_back(page: Page, places: dict[str, Any]) -> None:
    _open_map(page)
    note = page.locator("#map-tiles-note")
    expect(note).to_be_visible()
    page.unroute("**/*")

    def tiles_again(route: Route) -> None:
        local = route.request.url.startswith(("http://localhost", "http://127.0.0.1"))
        route.continue_() if local else route.fulfill(status=200, content_type="image/png", body=_PNG)

    page.route("**/*", tiles_again)
    page.locator(".leaflet-control-zoom-in").click()  # new tiles are asked for, and come
    expect(note).to_be_hidden()


def test_markers_match_the_api_without_tiles(page: Page, places: dict[str, Any], live_server: Any) -> None:
    _open_map(page)
    api = page.request.get(f"{live_server.url}/api/map/front-offices/").json()
    assert len(api["features"]) == 6
    offices = page.locator("input[data-layer=offices]")
    expect(offices).to_have_attribute("data-count", "6")
    expect(page.locator("[data-count-for=events]")).to_have_text("(1)")
    # The tiles failed and the page says so; the markers and the list are there all the same.
    expect(page.locator("#map-tiles-note")).to_be_visible()
    expect(page.locator("#map-list li")).to_have_count(6 + 1 + 1)
    # Clustered or not, every office is drawn: markers plus the counts of the clusters.
    page.wait_for_function(
        """() => [...document.querySelectorAll('.map-marker-offices')].length +
                 [...document.querySelectorAll('.map-cluster-offices span')].reduce((n, s) => n + Number(s.textContent), 0)
                 === 6"""
    )


def test_region_filter_narrows_and_zooms(page: Page, places: dict[str, Any]) -> None:
    _open_map(page)
    view = "document.querySelector('#map .leaflet-map-pane').style.transform + ' ' + document.querySelector('#map .leaflet-tile-pane, #map .leaflet-overlay-pane').innerHTML.length"
    before = page.evaluate(view)
    page.locator("#map-region").select_option("71")
    expect(page.locator("input[data-layer=offices]")).to_have_attribute("data-count", "2")
    expect(page.locator("#map-list li.map-item-offices")).to_have_count(2)
    page.wait_for_function(f"({view}) !== {before!r}")  # the map moved to the region


def test_popup_link_leads_to_sign_up(page: Page, places: dict[str, Any], live_server: Any) -> None:
    _open_map(page)
    item = page.locator("#map-list li.map-item-events")
    item.get_by_role("button").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Таза Астана")
    popup.locator("a.map-popup-link").click()
    expect(page).to_have_url(f"{live_server.url}/shifts/{places['shift'].pk}/")


def test_office_popup_links_to_the_office_page(page: Page, places: dict[str, Any], live_server: Any) -> None:
    _open_map(page)
    page.locator("input[data-layer=events]").uncheck()
    page.locator("input[data-layer=detachments]").uncheck()
    page.locator("#map-list li.map-item-offices").first.get_by_role("button").click()
    page.locator(".leaflet-popup-content a.map-popup-link").click()
    expect(page).to_have_url(f"{live_server.url}/front-offices/{places['offices'][0].pk}/")


def test_keyboard_reaches_the_layer_controls(page: Page, places: dict[str, Any]) -> None:
    _open_map(page)
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        layer = page.evaluate("document.activeElement.getAttribute('data-layer')")
        if layer:
            reached.add(layer)
            if layer == "events":
                # Space toggles it, as with any checkbox: the shifts leave the list.
                page.keyboard.press("Space")
                expect(page.locator("#map-list li.map-item-events")).to_have_count(0)
        if len(reached) == 3:
            break
    assert reached == {"offices", "events", "detachments"}


def test_near_me_lists_the_nearest(page: Page, places: dict[str, Any]) -> None:
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 51.16, "longitude": 71.47})  # Astana
    _open_map(page)
    page.locator("#map-near-me").click()
    near = page.locator("#map-near-list li")
    expect(near.first).to_contain_text("Офис 71")
    expect(page.locator("#map-near")).to_be_visible()


def test_the_maps_own_controls_speak_the_pages_language(page: Page, places: dict[str, Any]) -> None:
    # Leaflet's buttons said "Zoom in" and its credit "A JavaScript library for interactive
    # maps" on a Kazakh page (the browser here asks for Kazakh).
    _open_map(page)
    with translation.override("kk"):
        zoom_in, zoom_out = gettext("Zoom in"), gettext("Zoom out")
    assert zoom_in != "Zoom in"
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("aria-label", zoom_in)
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", zoom_out)
    expect(page.locator("#map [title*='JavaScript']")).to_have_count(0)


def test_dates_the_api_refuses_are_said_and_leave_no_stale_shifts(page: Page, places: dict[str, Any]) -> None:
    """An end date before the start date: the status said "could not load, try again later" (or,
    once the other layers' list was redrawn, only their counts), and the shifts of the dates
    before stayed on the map and in the list as if they matched."""
    _open_map(page)
    expect(page.locator("[data-count-for=events]")).to_have_text("(1)")
    page.fill("#map-from", "2030-05-10")
    page.fill("#map-to", "2030-05-01")
    with translation.override("kk"):
        said = gettext("The end date is before the start date.")
    expect(page.locator("#map-status")).to_have_text(said)
    expect(page.locator("[data-count-for=events]")).to_have_text("(0)")
    expect(page.locator("#map-list li.map-item-events")).to_have_count(0)
    page.wait_for_timeout(300)  # a list redrawn late must not replace the message
    expect(page.locator("#map-status")).to_have_text(said)
    # Dates that make sense bring the shift back, and the counts with it.
    page.fill("#map-from", "")
    page.fill("#map-to", "")
    page.locator("#map-to").dispatch_event("change")
    expect(page.locator("[data-count-for=events]")).to_have_text("(1)")
    expect(page.locator("#map-status")).not_to_have_text(said)


def test_markers_clusters_and_popups_work_by_keyboard(
    page: Page, places: dict[str, Any], live_server: Any
) -> None:
    """Enter on a cluster did nothing (markercluster zooms on clicks only); a popup opened with
    Enter left the focus on its marker, so its link came after every other marker, and Escape
    did not close it."""
    _open_map(page)
    shift = page.locator(".map-marker-events")
    shift.focus()
    page.keyboard.press("Enter")
    link = page.locator(".leaflet-popup-content a.map-popup-link")
    expect(link).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    expect(shift).to_be_focused()

    cluster = page.locator(".map-cluster-offices").first
    expect(cluster).to_be_visible()
    single = page.locator(".map-marker-offices")
    before = single.count()
    cluster.focus()
    page.keyboard.press("Enter")
    # Zoomed in to the cluster: its offices show as markers of their own.
    expect(single).not_to_have_count(before)
    expect(page.locator("#map")).to_be_focused()
    office = single.first
    office.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content a.map-popup-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/front-offices/\d+/$"))


def test_a_shifts_start_reads_as_on_every_page(page: Page, places: dict[str, Any]) -> None:
    """The map wrote the start with the browser's long month names: in Kazakh Chromium has none,
    and the list and popups said "М12 1 10:00" where the shift's page says "01.12.2026 10:00"."""
    _open_map(page)
    start = when_text(places["shift"].starts_at)
    item = page.locator("#map-list li.map-item-events")
    expect(item).to_contain_text(start)
    item.get_by_role("button").click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(start)


def test_the_data_speaks_the_pages_language(page: Page, places: dict[str, Any]) -> None:
    """A page opened in Russian with ?lang=ru by a browser that asks for Kazakh fetched its data
    without the page's language: the API's words (a refused filter, the regions' names) came in
    Kazakh on a Russian page."""
    _no_tiles(page)
    page.goto("/map/?lang=ru")
    expect(page.locator("#map[data-loaded=true]")).to_be_attached()
    page.fill("#map-from", "2030-05-10")
    page.fill("#map-to", "2030-05-01")
    with translation.override("ru"):
        said = gettext("The end date is before the start date.")
    expect(page.locator("#map-status")).to_have_text(said)
