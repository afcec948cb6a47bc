"""Query parameters of the map's GeoJSON endpoints (django-filter): `region`, `bbox`, and for
shifts `kind`, `from`, `to`, `free`. A bad value is a 400 with the field's message."""

from __future__ import annotations

import datetime
import math
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from events.models import Campaign
from events.selectors import CampaignFilters, shift_conditions
from volunteer_net.filters import DayFilter, StrictBooleanFilter

from .selectors import region_codes


class RegionCodeField(forms.CharField):
    def clean(self, value: Any) -> str | None:
        value = super().clean(value)
        if not value:
            return None
        if value not in region_codes():
            raise forms.ValidationError(_("Unknown region code."), code="invalid")
        return value


# Past this, a longitude is no map's: float arithmetic would no longer wrap it to the degree.
MAX_UNWRAPPED_LONGITUDE = 1_000_000.0


class BBoxField(forms.CharField):
    """minLon,minLat,maxLon,maxLat in degrees (WGS 84), as GeoJSON and Leaflet's toBBoxString.

    Longitudes past ±180 are taken as they come from Leaflet: a map zoomed out to the whole world,
    or panned across the antimeridian, has bounds such as -250,-60,250,80 (its copies of the
    world side by side), and `map.getBounds().toBBoxString()` sends exactly that. Refusing them
    left such a map empty with a 400; MapFilterSet.filter_bbox wraps them instead."""

    def clean(self, value: Any) -> tuple[float, float, float, float] | None:
        value = super().clean(value)
        if not value:
            return None
        parts = value.split(",")
        message = _("Give the box as minLon,minLat,maxLon,maxLat in degrees.")
        if len(parts) != 4:
            raise forms.ValidationError(message, code="invalid")
        try:
            min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
        except ValueError:
            raise forms.ValidationError(message, code="invalid") from None
        # NaN compares false both ways, so it fails these too; so does an infinity.
        if not all(abs(v) <= MAX_UNWRAPPED_LONGITUDE for v in (min_lon, max_lon)) or not all(
            abs(v) <= 90 for v in (min_lat, max_lat)
        ):
            raise forms.ValidationError(
                _("Longitudes lie within ±180 and latitudes within ±90."), code="range"
            )
        if min_lon > max_lon or min_lat > max_lat:
            raise forms.ValidationError(_("The minimum is above the maximum."), code="order")
        return (min_lon, min_lat, max_lon, max_lat)


def longitude_q(min_lon: float, max_lon: float, field: str = "longitude") -> Q:
    """The points whose longitude (within ±180) lies in [min_lon, max_lon] as a map shows it,
    the range wrapped around the globe: 170..190 is 170..180 and -180..-170."""
    if max_lon - min_lon >= 360:
        return Q()  # the whole world across
    shift = math.floor((min_lon + 180) / 360) * 360
    west, east = min_lon - shift, max_lon - shift  # west within [-180, 180)
    if east <= 180:
        return Q(**{f"{field}__gte": west, f"{field}__lte": east})
    return Q(**{f"{field}__gte": west}) | Q(**{f"{field}__lte": east - 360})


class RegionFilter(django_filters.Filter):
    field_class = RegionCodeField


class BBoxFilter(django_filters.Filter):
    field_class = BBoxField


class MapFilterSet(django_filters.FilterSet):
    region = RegionFilter(method="filter_region", help_text="Two-digit region (KATO) code, e.g. 75.")
    bbox = BBoxFilter(
        method="filter_bbox",
        help_text="minLon,minLat,maxLon,maxLat (WGS 84 degrees), e.g. 76.8,43.1,77.1,43.4; longitudes "
        "past ±180, as a zoomed-out Leaflet map's bounds have them, wrap around the globe.",
    )

    # The row's region code field (a lookup path) and its point's fields.
    region_field = "region__code"

    @extend_schema_field({"type": "string", "pattern": "^[0-9]{2}$"})
    def filter_region(self, queryset: QuerySet[Any], name: str, value: str | None) -> QuerySet[Any]:
        return queryset.filter(**{self.region_field: value}) if value else queryset

    def filter_bbox(
        self, queryset: QuerySet[Any], name: str, value: tuple[float, ...] | None
    ) -> QuerySet[Any]:
        if not value:
            return queryset
        min_lon, min_lat, max_lon, max_lat = value
        return queryset.filter(longitude_q(min_lon, max_lon), latitude__gte=min_lat, latitude__lte=max_lat)


class FrontOfficeMapFilterSet(MapFilterSet):
    pass


class DetachmentMapFilterSet(MapFilterSet):
    pass


class EventMapFilterSet(MapFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Campaign.Kind.choices, method="filter_kind", help_text="Campaign kind."
    )
    free = StrictBooleanFilter(method="filter_free", help_text="Only shifts with free places.")
    # "from" is a Python keyword; the class namespace is a dict, so the filter is added by name.
    locals()["from"] = DayFilter(
        method="filter_from", help_text="Almaty date YYYY-MM-DD: shifts from that day."
    )
    to = DayFilter(method="filter_to", help_text="Almaty date YYYY-MM-DD, inclusive.")

    @extend_schema_field({"type": "string", "pattern": "^[0-9]{2}$"})
    def filter_region(self, queryset: QuerySet[Any], name: str, value: str | None) -> QuerySet[Any]:
        # As GET /api/shifts/: a national campaign concerns every region.
        if not value:
            return queryset
        return queryset.filter(Q(campaign__region__code=value) | Q(campaign__region__isnull=True))

    def filter_kind(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(campaign__kind=value) if value else queryset

    def _conditions(self, queryset: QuerySet[Any], filters: CampaignFilters) -> QuerySet[Any]:
        # The shift rules of the campaign pages and /api/shifts/, so the map shows the same rows.
        return queryset.filter(shift_conditions(filters, now=timezone.now()))

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_free(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        return self._conditions(queryset, CampaignFilters(free_places=True)) if value else queryset

    @extend_schema_field(OpenApiTypes.DATE)
    def filter_from(self, queryset: QuerySet[Any], name: str, value: datetime.date | None) -> QuerySet[Any]:
        return self._conditions(queryset, CampaignFilters(date_from=value)) if value else queryset

    @extend_schema_field(OpenApiTypes.DATE)
    def filter_to(self, queryset: QuerySet[Any], name: str, value: datetime.date | None) -> QuerySet[Any]:
        return self._conditions(queryset, CampaignFilters(date_to=value)) if value else queryset

    def is_valid(self) -> bool:
        valid = super().is_valid()
        data = self.form.cleaned_data if valid else {}
        if valid and data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.form.add_error("to", _("The end date is before the start date."))
            return False
        return valid
