"""GET /api/map/…: public GeoJSON FeatureCollections (API.md "Reference and map").

Each collection is one SQL query of column values serialised with orjson straight into the
response body; the body's hash is the ETag, so a client that sends it back in If-None-Match
gets a 304 without the body. No personal data: offices and shifts are public places, a
detachment is its school and point only.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

from volunteer_net.api import GEOJSON_RENDERERS, GeoJSONErrorsAsJSON, geojson_content_type

from . import filters, selectors


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while a collection is built and serialised.

    10,000 features are some 40,000 new dicts and lists. Each 700 allocations start a collection,
    and the features, alive until serialised, are promoted until a full pass over the whole
    process follows: measured on the bench, half the requests took 2-3× as long. The features
    hold no reference cycles, so reference counting frees them all once the body is written;
    cycles made elsewhere meanwhile (other threads of a gthread worker) wait for the collector's
    next pass after this one. Turned back on only if it was on, so that nested or concurrent
    uses leave it as the process had it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _json_response(request: Request, payload: Any) -> HttpResponse:
    body = orjson.dumps(payload)
    content_type = geojson_content_type(request)
    digest = hashlib.blake2b(body, digest_size=16).hexdigest()
    # One tag per representation: the same body labelled application/geo+json is another one,
    # which a cache holding the JSON one must not get a 304 for. The JSON one keeps its tag.
    etag = '"' + digest + ("" if content_type == "application/json" else "-geojson") + '"'
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH", "")
    # A list of tags or *, weak or strong: the comparison for GET is the weak one (RFC 9110).
    sent = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    if etag in sent or "*" in sent:
        # Django's 304, without a Content-Type: a cache revalidating a stored body replaces the
        # stored headers with the 304's (RFC 9111, 4.3.4), and a bare HttpResponse(status=304)
        # carries "text/html", which relabelled the kept GeoJSON as a page.
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.MAP_CACHE_SECONDS)
    # Names, statuses and the regions' names follow the request's language, which is the
    # Accept-Language header or, in a browser that picked one, the language cookie: a shared
    # cache must key on both, or it serves one reader's Kazakh answer to another's Russian page.
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def _point_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"type": "string", "enum": ["Point"]},
            "coordinates": {
                "type": "array",
                "items": {"type": "number"},
                "minItems": 2,
                "maxItems": 2,
                "description": "[longitude, latitude], WGS 84 (GeoJSON order).",
            },
        },
    }


def _collection_schema(properties: dict[str, Any], id_type: str = "integer") -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "id", "geometry", "properties"],
                    "properties": {
                        "type": {"type": "string", "enum": ["Feature"]},
                        "id": {"type": id_type},
                        "geometry": _point_schema(),
                        "properties": {
                            "type": "object",
                            "required": list(properties),
                            "properties": properties,
                        },
                    },
                },
            },
        },
    }


_S = {"type": "string"}
_I = {"type": "integer"}
_REGION = {"type": "string", "nullable": True, "description": "Region code; null: a national campaign."}

OFFICE_SCHEMA = _collection_schema(
    {
        "id": _I,
        "name": _S,
        "region": _S,
        "address": _S,
        "phone": {"type": "string", "description": "The office's public phone, +7…; may be empty."},
        "status": {
            "type": "string",
            "nullable": True,
            "description": "Open now / next opening, in the request's language; null when not known.",
        },
        "url": {"type": "string", "description": "The office's page."},
    }
)
EVENT_SCHEMA = _collection_schema(
    {
        "id": {"type": "integer", "description": "The shift."},
        "campaign": _I,
        "title": {"type": "string", "description": "The campaign's title."},
        "kind": _S,
        "region": _REGION,
        "name": {"type": "string", "description": "The place."},
        "address": _S,
        "starts_at": {"type": "string", "format": "date-time", "description": "ISO 8601, Almaty offset."},
        "ends_at": {"type": "string", "format": "date-time"},
        "capacity": _I,
        "free_places": _I,
        "url": {"type": "string", "description": "The shift's page, where one signs up."},
    }
)
DETACHMENT_SCHEMA = _collection_schema(
    {"id": _I, "name": {"type": "string", "description": "The school."}, "locality": _S, "region": _S}
)
REGION_SCHEMA = _collection_schema(
    {
        "code": _S,
        "name": {"type": "string", "description": "In the request's language."},
        "name_kk": _S,
        "name_ru": _S,
        "name_en": _S,
        "active_volunteers": _I,
        "hours_this_year": {
            "type": "number",
            "description": "Hours given (shifts attended and targeted help done), Almaty calendar year, as on the Year of Volunteers page.",
        },
        "upcoming_free_shifts": {"type": "integer", "description": "Upcoming shifts with free places."},
    },
    id_type="string",
)

FIELD_ERRORS = OpenApiResponse(
    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="Field errors",
    examples=[
        OpenApiExample("Bad box", value={"bbox": ["Give the box as minLon,minLat,maxLon,maxLat in degrees."]})
    ],
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag sent in If-None-Match still holds.")
THROTTLED = OpenApiResponse(
    {"type": "object", "properties": {"detail": _S}}, description="Too many requests; see Retry-After."
)

POINT_EXAMPLE = {"type": "Point", "coordinates": [76.9458, 43.2383]}


class _MapApi(GeoJSONErrorsAsJSON, GenericAPIView):
    """A public collection: filter the selector's rows, then one query of their columns."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    renderer_classes = GEOJSON_RENDERERS
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "map"
    pagination_class = None
    build: Callable[[QuerySet[Any]], list[selectors.Feature]]
    rows: Callable[[], QuerySet[Any]]

    def get_queryset(self) -> QuerySet[Any]:
        return type(self).rows()

    def get(self, request: Request) -> HttpResponse:
        queryset = self.filter_queryset(self.get_queryset())
        with _without_cycle_collection():
            return _json_response(request, selectors.feature_collection(type(self).build(queryset)))


class FrontOfficeMapApi(_MapApi):
    """Front offices as points (every office with coordinates)."""

    filterset_class = filters.FrontOfficeMapFilterSet
    rows = staticmethod(selectors.front_office_queryset)
    build = staticmethod(selectors.front_office_features)

    @extend_schema(
        filters=True,
        responses={200: OFFICE_SCHEMA, 304: NOT_MODIFIED, 400: FIELD_ERRORS, 429: THROTTLED},
        examples=[
            OpenApiExample(
                "An office",
                response_only=True,
                value={
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "id": 1,
                            "geometry": POINT_EXAMPLE,
                            "properties": {
                                "id": 1,
                                "name": "Алматы қалалық еріктілер орталығы",
                                "region": "75",
                                "address": "Абай даңғылы, 10",
                                "phone": "+77272000000",
                                "status": None,
                                "url": "/front-offices/1/",
                            },
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Request) -> HttpResponse:
        return super().get(request)


class EventMapApi(_MapApi):
    """Upcoming shifts (published campaigns, not cancelled) at their places."""

    filterset_class = filters.EventMapFilterSet
    rows = staticmethod(selectors.event_queryset)
    build = staticmethod(selectors.event_features)

    @extend_schema(
        filters=True,
        responses={200: EVENT_SCHEMA, 304: NOT_MODIFIED, 400: FIELD_ERRORS, 429: THROTTLED},
        examples=[
            OpenApiExample(
                "A shift",
                response_only=True,
                value={
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "id": 7,
                            "geometry": POINT_EXAMPLE,
                            "properties": {
                                "id": 7,
                                "campaign": 3,
                                "title": "Taza Qazaqstan",
                                "kind": "ecology",
                                "region": "75",
                                "name": "Park",
                                "address": "",
                                "starts_at": "2026-12-01T10:00:00+05:00",
                                "ends_at": "2026-12-01T13:00:00+05:00",
                                "capacity": 20,
                                "free_places": 5,
                                "url": "/shifts/7/",
                            },
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Request) -> HttpResponse:
        return super().get(request)


class DetachmentMapApi(_MapApi):
    """School youth detachments: the school and its point, nothing about people."""

    filterset_class = filters.DetachmentMapFilterSet
    rows = staticmethod(selectors.detachment_queryset)
    build = staticmethod(selectors.detachment_features)

    @extend_schema(
        filters=True, responses={200: DETACHMENT_SCHEMA, 304: NOT_MODIFIED, 400: FIELD_ERRORS, 429: THROTTLED}
    )
    def get(self, request: Request) -> HttpResponse:
        return super().get(request)


class RegionMapApi(GeoJSONErrorsAsJSON, GenericAPIView):
    """Per region, at its centre: active volunteers, hours this year, upcoming shifts with free
    places. Public counts only, cached for a few minutes."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    renderer_classes = GEOJSON_RENDERERS
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "map"
    pagination_class = None
    filter_backends: list[type] = []

    @extend_schema(responses={200: REGION_SCHEMA, 304: NOT_MODIFIED, 429: THROTTLED})
    def get(self, request: Request) -> HttpResponse:
        return _json_response(request, selectors.region_aggregates())
