"""Reads of the map: each collection is ONE query of plain column values (values_list, the point
cast to float in SQL so the driver hands over floats, not Decimals), turned into GeoJSON
features without model instances; region aggregates are three grouped counts, cached."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, FloatField, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from detachments.selectors import detachment_display_name, detachment_points
from events.selectors import free_shifts_by_region, shift_map_points
from front_offices.selectors import front_office_public_list, opening_statuses
from regions.selectors import region_list
from reports.selectors import hours_by_region_in_year
from volunteers.selectors import active_volunteers_by_region

Feature = dict[str, Any]

_region_codes: frozenset[str] = frozenset()


def region_codes() -> frozenset[str]:
    """The 20 region codes. They come from regions.csv through a data migration and never
    change while the server runs, so the set is read once per process (not once per request:
    a map request stays one query)."""
    global _region_codes
    if not _region_codes:
        _region_codes = frozenset(region_list().values_list("code", flat=True))
    return _region_codes


def _with_point(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.annotate(_lon=Cast("longitude", FloatField()), _lat=Cast("latitude", FloatField()))


def _url_prefix(name: str) -> tuple[str, str]:
    """A reversed URL split around its id, so 10,000 features need no 10,000 reverse() calls."""
    marker = 999999937
    url = reverse(name, args=[marker])
    head, _sep, tail = url.partition(str(marker))
    return head, tail


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


# Front offices ---------------------------------------------------------------------------------


def front_office_queryset() -> QuerySet[Any]:
    return _with_point(
        front_office_public_list().filter(latitude__isnull=False, longitude__isnull=False)
    ).order_by("pk")


FRONT_OFFICE_COLUMNS = ("pk", "name", "region__code", "address", "phone", "_lon", "_lat")


# "Open now, closes at 20:00" changes a few times a day; computing it takes the offices' hours and
# exceptions (three queries for all of them), so it is kept this long, per language, and the
# collection itself stays one query.
OFFICE_STATUS_SECONDS = 60


def office_statuses() -> dict[int, str]:
    """Office id → its opening status in the active language ("Open now, closes at 20:00",
    "Opens Saturday at 10:00"; front_offices.selectors.opening_status), for every active office."""
    key = f"map:office-status:{get_language()}"
    statuses: dict[int, str] | None = cache.get(key)
    if statuses is None:
        offices = list(front_office_public_list())
        statuses = {pk: status.text for pk, status in opening_statuses(offices).items()}
        cache.set(key, statuses, OFFICE_STATUS_SECONDS)
    return statuses


def front_office_features(queryset: QuerySet[Any]) -> list[Feature]:
    statuses = office_statuses()
    # The office's page (its hours and the booking of a visit); reverse() once, not per feature.
    page = reverse("front_offices:detail", args=[1])[: -len("1/")]
    return [
        {
            "type": "Feature",
            "id": pk,
            "geometry": _point(lon, lat),
            "properties": {
                "id": pk,
                "name": name,
                "region": region,
                "address": address,
                "phone": phone,
                "status": statuses.get(pk),
                "url": f"{page}{pk}/",
            },
        }
        for pk, name, region, address, phone, lon, lat in queryset.values_list(*FRONT_OFFICE_COLUMNS)
    ]


# Shifts -----------------------------------------------------------------------------------------


def event_queryset() -> QuerySet[Any]:
    return _with_point(shift_map_points()).annotate(_free=F("capacity") - F("taken_places"))


EVENT_COLUMNS = (
    "pk",
    "campaign_id",
    "campaign__title",
    "campaign__kind",
    "campaign__region__code",
    "place_name",
    "address",
    "starts_at",
    "ends_at",
    "capacity",
    "_free",
    "_lon",
    "_lat",
)


def event_features(queryset: QuerySet[Any]) -> list[Feature]:
    head, tail = _url_prefix("events:shift_detail")
    zone = ZoneInfo(settings.TIME_ZONE)
    return [
        {
            "type": "Feature",
            "id": pk,
            "geometry": _point(lon, lat),
            "properties": {
                "id": pk,
                "campaign": campaign,
                "title": title,
                "kind": kind,
                "region": region,
                "name": place,
                "address": address,
                "starts_at": starts.astimezone(zone),
                "ends_at": ends.astimezone(zone),
                "capacity": capacity,
                "free_places": max(free, 0),
                "url": f"{head}{pk}{tail}",
            },
        }
        for pk, campaign, title, kind, region, place, address, starts, ends, capacity, free, lon, lat in (
            queryset.values_list(*EVENT_COLUMNS)
        )
    ]


# Detachments ------------------------------------------------------------------------------------


def detachment_queryset() -> QuerySet[Any]:
    return _with_point(detachment_points()).order_by("pk")


# The school and its point: nothing about the curator or the members.
DETACHMENT_COLUMNS = ("pk", "school_name", "school_number", "locality", "region__code", "_lon", "_lat")


def detachment_features(queryset: QuerySet[Any]) -> list[Feature]:
    return [
        {
            "type": "Feature",
            "id": pk,
            "geometry": _point(lon, lat),
            "properties": {
                "id": pk,
                "name": detachment_display_name(school, number) if number else school,
                "locality": locality,
                "region": region,
            },
        }
        for pk, school, number, locality, region, lon, lat in queryset.values_list(*DETACHMENT_COLUMNS)
    ]


def feature_collection(features: Iterable[Feature]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


# Region aggregates -----------------------------------------------------------------------------


def region_aggregates(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Per region, at its centre: active volunteers, hours given this (Almaty) year, upcoming
    shifts with free places. Public totals only; cached for MAP_REGIONS_CACHE_SECONDS."""
    language = get_language() or settings.LANGUAGE_CODE
    key = f"map:regions:{language}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    now = now or timezone.now()
    volunteers = active_volunteers_by_region()
    # Shifts and targeted help, as the Year of Volunteers page counts them.
    hours = hours_by_region_in_year(timezone.localdate(now).year)
    free = free_shifts_by_region(now=now)
    features = [
        {
            "type": "Feature",
            "id": region.code,
            "geometry": _point(*region.center),
            "properties": {
                "code": region.code,
                "name": region.name,
                "name_kk": region.name_kk,
                "name_ru": region.name_ru,
                "name_en": region.name_en,
                "active_volunteers": volunteers.get(region.pk, 0),
                "hours_this_year": float(hours.get(region.pk, 0)),
                "upcoming_free_shifts": free.get(region.pk, 0),
            },
        }
        for region in region_list()
    ]
    result = feature_collection(features)
    cache.set(key, result, settings.MAP_REGIONS_CACHE_SECONDS)
    return result
