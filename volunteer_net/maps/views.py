"""The /map/ page: the markers, popups, filters and the list beside the map all come from the
GeoJSON API in the browser (static/js/map.js); the page itself only renders the controls, the
regions for the selector and the settings the script needs (tiles, endpoints, labels)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from events.models import Campaign
from regions.selectors import regions_by_name


def map_page(request: HttpRequest) -> HttpResponse:
    regions = regions_by_name()
    leaflet: dict[str, Any] = settings.LEAFLET_CONFIG
    config = {
        "tiles": {"url": settings.MAP_TILES_URL, "attribution": settings.MAP_TILES_ATTRIBUTION},
        "center": list(leaflet["DEFAULT_CENTER"]),
        "zoom": leaflet["DEFAULT_ZOOM"],
        "api": {
            "offices": reverse("api-map-front-offices"),
            "events": reverse("api-map-events"),
            "detachments": reverse("api-map-detachments"),
            "regions": reverse("api-map-regions"),
        },
        "kinds": dict(Campaign.Kind.choices),
        # Strings the script writes into popups and lists, in the page's language.
        "text": {
            "offices": _("Front offices"),
            "events": _("Upcoming shifts"),
            "detachments": _("School detachments"),
            "office_link": _("Office page"),
            "signup": _("Sign up"),
            "free_places": _("Free places"),
            "starts": _("Starts"),
            "show_on_map": _("Show on map"),
            "tiles_failed": _("The map background could not load; markers, filters and the list still work."),
            "loading": _("Loading…"),
            "load_failed": _("The map data could not load. Try again later."),
            "more": _("%(shown)s of %(total)s shown; narrow the filters to see the rest."),
            "near_none": _("Your browser did not share your location."),
            "near_unsupported": _("This browser cannot tell your location."),
            "near_title": _("Nearest to you"),
            "km": _("%(km)s km"),
            "volunteers": _("Active volunteers"),
            "hours": _("Hours this year"),
            "free_shifts": _("Upcoming shifts with free places"),
            "status": _("%(offices)s front offices, %(events)s shifts, %(detachments)s detachments"),
            "school": _("School detachment"),
            # Leaflet's own controls speak English unless told otherwise.
            "zoom_in": _("Zoom in"),
            "zoom_out": _("Zoom out"),
        },
    }
    return render(
        request,
        "map/map.html",
        {"regions": regions, "kinds": Campaign.Kind.choices, "map_config": config},
    )
