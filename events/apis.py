"""REST API for campaigns, shifts and sign-ups (API.md "Campaigns, shifts, sign-ups").

One API view per operation; query parameters are parsed by a django-filter FilterSet (a bad value is
a 400 with field errors, never a 500) and the views call the same selectors and services as the
pages. Campaigns and shifts are public, like the pages; sign-ups need an account.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from regions.models import Region
from regions.scoping import ManagesRegions
from volunteer_net.api import PAGE_PARAMS, Pagination
from volunteer_net.filters import DayFilter, PositiveIntegerFilter, StrictBooleanFilter, parse_filters
from volunteers.selectors import volunteer_get

from . import selectors, services
from .models import Campaign, Shift, Signup

# Output ------------------------------------------------------------------------------------------


class CampaignOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    cover_text = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.ChoiceField(choices=Campaign.Kind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    direction = serializers.CharField(help_text="One of the national platform's seven directions, or empty.")
    region = serializers.CharField(
        source="region.code", allow_null=True, help_text="Null: a national campaign."
    )
    status = serializers.ChoiceField(choices=Campaign.Status.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    contact = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Campaign) -> str:
        return self.context["request"].build_absolute_uri(reverse("events:campaign_detail", args=[obj.pk]))


class ShiftOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id")
    campaign_title = serializers.CharField(source="campaign.title")
    kind = serializers.CharField(source="campaign.kind")
    region = serializers.CharField(source="campaign.region.code", allow_null=True)
    place_name = serializers.CharField()
    address = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    starts_at = serializers.DateTimeField(help_text="ISO 8601 with the Almaty offset (+05:00).")
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    free_places = serializers.IntegerField()
    waitlist_enabled = serializers.BooleanField()
    min_age = serializers.IntegerField(allow_null=True)
    adults_only = serializers.BooleanField(
        source="requires_adult", help_text="18+ (emergency response always)."
    )
    signup_deadline = serializers.DateTimeField(allow_null=True)
    required_skills = serializers.SerializerMethodField(help_text="Skill codes.")
    cancelled = serializers.SerializerMethodField()

    def get_required_skills(self, obj: Shift) -> list[str]:
        return [skill.code for skill in obj.required_skills.all()]

    def get_cancelled(self, obj: Shift) -> bool:
        return obj.cancelled_at is not None


def _iso(value: datetime.datetime | None) -> str | None:
    """A moment as ShiftOutputSerializer's DateTimeField writes it: ISO 8601 in the current
    time zone (Almaty, +05:00), "Z" for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def shift_rows(shifts: Iterable[Shift]) -> list[dict[str, Any]]:
    """ShiftOutputSerializer's output, field for field and in its order, written directly: DRF's
    field machinery (a lookup, a None check and a conversion per field, nineteen fields a shift)
    took a third of the CPU of a page of 50 open shifts. The serializer stays the schema;
    tests/events/test_shift_rows.py holds the two to the same output."""
    rows = []
    for shift in shifts:
        campaign = shift.campaign
        region = campaign.region
        latitude, longitude = shift.latitude, shift.longitude
        rows.append(
            {
                "id": shift.pk,
                "campaign": shift.campaign_id,
                "campaign_title": campaign.title,
                "kind": campaign.kind,
                "region": region.code if region is not None else None,
                "place_name": shift.place_name,
                "address": shift.address,
                "latitude": None if latitude is None else float(latitude),
                "longitude": None if longitude is None else float(longitude),
                "starts_at": _iso(shift.starts_at),
                "ends_at": _iso(shift.ends_at),
                "capacity": shift.capacity,
                "free_places": shift.free_places,
                "waitlist_enabled": shift.waitlist_enabled,
                "min_age": shift.min_age,
                "adults_only": shift.requires_adult,
                "signup_deadline": _iso(shift.signup_deadline),
                "required_skills": [skill.code for skill in shift.required_skills.all()],
                "cancelled": shift.cancelled_at is not None,
            }
        )
    return rows


class SignupShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id")
    campaign_title = serializers.CharField(source="campaign.title")
    place_name = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class SignupOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Signup.Status.choices)
    shift = SignupShiftSerializer()
    volunteer = serializers.IntegerField(source="volunteer_id")
    volunteer_name = serializers.CharField(source="volunteer.full_name")
    created_at = serializers.DateTimeField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, coerce_to_string=False)


class ShiftSignupInputSerializer(serializers.Serializer):
    waitlist = serializers.BooleanField(
        required=False, default=True, help_text="Accept a place on the waitlist when the shift is full."
    )


class SignupCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=[Signup.Status.CONFIRMED, Signup.Status.WAITLISTED])


class SignupCancelledSerializer(serializers.Serializer):
    # Its own schema: the created one's status enum (confirmed, waitlisted) made the "cancelled"
    # a cancel answers invalid for a client generated from the schema.
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=[Signup.Status.CANCELLED])


REFUSAL = inline_serializer(
    "SignupRefusal",
    {
        "detail": serializers.CharField(help_text="Why, in the request's language."),
        "code": serializers.CharField(
            help_text="shift_cancelled, campaign_cancelled, not_open, started, deadline, awaiting_guardian "
            "(a minor waiting for a parent's or guardian's consent), own_consent (of age now: the person's own "
            "consent is given on their profile first), inactive, age_unknown, adults_only, "
            "min_age, consent, already, overlap, full, not_active, no_profile"
        ),
        "id": serializers.IntegerField(
            required=False,
            help_text="With code already: the caller's sign-up for this shift (a repeated request "
            "finds the one the first made).",
        ),
        "status": serializers.ChoiceField(
            choices=Signup.Status.choices,
            required=False,
            help_text="With code already: that sign-up's status.",
        ),
    },
)


def _refusal(exc: ValidationError, *, default_status: int = status.HTTP_400_BAD_REQUEST) -> Response:
    code = exc.code or "invalid"
    http = status.HTTP_409_CONFLICT if code == "full" else default_status
    return Response({"detail": " ".join(exc.messages), "code": code}, status=http)


# Filters -----------------------------------------------------------------------------------------


class RegionIdField(forms.CharField):
    """A region code, e.g. 75, read as the region's id for the selectors."""

    def clean(self, value: Any) -> int | None:
        value = super().clean(value)
        if not value:
            return None
        region_id = Region.objects.filter(code=value).values_list("id", flat=True).first()
        if region_id is None:
            raise forms.ValidationError(_("Unknown region code."), code="invalid")
        return region_id


class RegionIdFilter(django_filters.Filter):
    field_class = RegionIdField


class CampaignFilterSet(django_filters.FilterSet):
    """Query parameters of GET /api/campaigns/ (the selector filters, as for the pages)."""

    region = RegionIdFilter(max_length=2)
    kind = django_filters.ChoiceFilter(choices=Campaign.Kind.choices)
    active = StrictBooleanFilter()


class ShiftFilterSet(django_filters.FilterSet):
    region = RegionIdFilter(max_length=2)
    campaign = PositiveIntegerFilter()
    kind = django_filters.ChoiceFilter(choices=Campaign.Kind.choices)
    free = StrictBooleanFilter()
    # "from" is a Python keyword; the class namespace is a dict, so the filter is added by name.
    locals()["from"] = DayFilter()
    to = DayFilter()

    def is_valid(self) -> bool:
        valid = super().is_valid()
        data = self.form.cleaned_data if valid else {}
        if valid and data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.form.add_error("to", _("The end date is before the start date."))
            return False
        return valid


class SignupFilterSet(django_filters.FilterSet):
    shift = PositiveIntegerFilter()
    status = django_filters.ChoiceFilter(choices=Signup.Status.choices)


# Views -------------------------------------------------------------------------------------------


class CampaignListApi(APIView):
    """Public campaigns (drafts never); `active=true` keeps published ones that have not ended."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="Region code, e.g. 75; national campaigns included"),
            OpenApiParameter("kind", str, enum=Campaign.Kind.values),
            OpenApiParameter("active", bool),
            *PAGE_PARAMS,
        ],
        responses={
            200: CampaignOutputSerializer(many=True),
            400: OpenApiResponse(description="Field errors"),
        },
    )
    def get(self, request: Request) -> Response:
        params = parse_filters(CampaignFilterSet, request, Campaign.objects.none())
        qs = selectors.campaign_list_api(
            region=params.get("region"), kind=params.get("kind", ""), active=params.get("active")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(
            CampaignOutputSerializer(page, many=True, context={"request": request}).data
        )


class CampaignDetailApi(APIView):
    """One campaign: published, closed and cancelled ones for everybody, drafts for those who
    manage them."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: CampaignOutputSerializer, 404: OpenApiResponse(description="No such campaign")}
    )
    def get(self, request: Request, pk: int) -> Response:
        campaign = selectors.campaign_get_public(user=request.user, pk=pk)
        return Response(CampaignOutputSerializer(campaign, context={"request": request}).data)


class ShiftListApi(APIView):
    """Upcoming shifts of published campaigns, with capacity, free places and minimum age."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="Region code; national campaigns included"),
            OpenApiParameter("campaign", int),
            OpenApiParameter("kind", str, enum=Campaign.Kind.values),
            OpenApiParameter("from", str, description="YYYY-MM-DD, Almaty date"),
            OpenApiParameter("to", str, description="YYYY-MM-DD, Almaty date, inclusive"),
            OpenApiParameter("free", bool, description="Only shifts with free places"),
            *PAGE_PARAMS,
        ],
        responses={200: ShiftOutputSerializer(many=True), 400: OpenApiResponse(description="Field errors")},
    )
    def get(self, request: Request) -> Response:
        params = parse_filters(ShiftFilterSet, request, Shift.objects.none())
        filters = selectors.CampaignFilters(
            region=params.get("region"),
            kind=params.get("kind", ""),
            date_from=params.get("from"),
            date_to=params.get("to"),
            free_places=params.get("free", False),
        )
        qs = selectors.shift_list(filters=filters, campaign=params.get("campaign"))
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(shift_rows(page or []))


class ShiftSignupApi(APIView):
    """The caller signs up: confirmed while places remain, else waitlisted (unless
    `waitlist` is false: then 409 when full)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "signup"

    @extend_schema(
        request=ShiftSignupInputSerializer,
        responses={
            429: OpenApiResponse(description="Too many sign-ups from this account; see Retry-After."),
            201: SignupCreatedSerializer,
            400: OpenApiResponse(REFUSAL, description="Refused: the reason and its code"),
            404: OpenApiResponse(description="No such shift"),
            409: OpenApiResponse(REFUSAL, description="Full, and no waitlist (code full)"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        shift = selectors.shift_get_for_signup(user=request.user, pk=pk)
        serializer = ShiftSignupInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            # The caller's own profile, found as its row is locked: no profile is a refusal
            # with code no_profile.
            signup = services.signup_create_own(
                shift=shift,
                user=request.user,  # type: ignore[arg-type]
                waitlist_ok=serializer.validated_data["waitlist"],
            )
        except ValidationError as exc:
            response = _refusal(exc)
            # A client repeating a request that timed out is told which sign-up the first made.
            existing = (
                selectors.signup_own_active(user=request.user, shift=shift) if exc.code == "already" else None
            )
            if existing is not None:
                response.data.update(id=existing.pk, status=existing.status)
            return response
        return Response({"id": signup.pk, "status": signup.status}, status=status.HTTP_201_CREATED)


class SignupListApi(APIView):
    """The caller's sign-ups; coordinators and national staff also see their regions'."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("shift", int),
            OpenApiParameter("status", str, enum=Signup.Status.values),
            *PAGE_PARAMS,
        ],
        responses={200: SignupOutputSerializer(many=True), 400: OpenApiResponse(description="Field errors")},
    )
    def get(self, request: Request) -> Response:
        params = parse_filters(SignupFilterSet, request, Signup.objects.none())
        qs = selectors.signup_list_for(
            user=request.user, shift=params.get("shift"), status=params.get("status", "")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(SignupOutputSerializer(page, many=True).data)


class SignupCancelApi(APIView):
    """Cancel a sign-up before the shift starts; a confirmed place goes to the waitlist."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: SignupCancelledSerializer,
            400: OpenApiResponse(REFUSAL, description="Not active any more, or the shift has started"),
            404: OpenApiResponse(description="Not the caller's sign-up, nor in their regions"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        signup = selectors.signup_get_for(user=request.user, pk=pk)
        try:
            signup = services.signup_cancel(signup=signup, by=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            return _refusal(exc)
        return Response({"id": signup.pk, "status": signup.status})


# A volunteer's hours -----------------------------------------------------------------------------
# Appended (other work adds API views above). volunteers/ cannot import events/, so this lives
# here and scopes the person exactly like GET /api/volunteers/{id}/ (404 outside the regions).


class AttendedShiftSerializer(serializers.Serializer):
    shift = serializers.IntegerField(source="shift_id")
    campaign = serializers.CharField(source="shift.campaign.title")
    place = serializers.CharField(source="shift.place_name")
    starts_at = serializers.DateTimeField(source="shift.starts_at")
    ends_at = serializers.DateTimeField(source="shift.ends_at")
    hours = serializers.DecimalField(max_digits=5, decimal_places=2)
    hours_reason = serializers.CharField()


class VolunteerHoursApi(APIView):
    """The hours a volunteer attended, with the shifts (latest first, paginated)."""

    permission_classes = [ManagesRegions]

    @extend_schema(
        parameters=PAGE_PARAMS,
        responses=inline_serializer(
            "VolunteerHours",
            {
                "volunteer": serializers.IntegerField(),
                "hours": serializers.DecimalField(max_digits=9, decimal_places=2),
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": AttendedShiftSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        volunteer = volunteer_get(user=request.user, pk=pk)
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.volunteer_attended(volunteer=volunteer), request, view=self
        )
        response = paginator.get_paginated_response(AttendedShiftSerializer(page, many=True).data)
        response.data = {
            "volunteer": volunteer.pk,
            "hours": selectors.volunteer_hours_text(volunteer),
            **response.data,
        }
        return response
