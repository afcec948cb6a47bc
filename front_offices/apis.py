"""REST API for front offices, slots and visits (API.md "Front offices and visits"), calling the
same selectors and services as the pages: 201 on a booking, 400 with field errors or a refusal's
reason and code, 409 when the slot is full, 404 outside the caller's scope."""

from __future__ import annotations

import datetime
from typing import Any, cast

import django_filters
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import User
from regions.scoping import get_object_or_404, may_manage_region, staffed_office_ids
from volunteer_net.api import PAGE_PARAMS, Pagination
from volunteer_net.filters import DayFilter, parse_filters

from . import selectors, services
from .models import FrontOffice, Purpose, Visit, VisitSlot


class HoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 Monday … 6 Sunday")
    opens = serializers.TimeField(format="%H:%M")
    closes = serializers.TimeField(format="%H:%M", help_text="00:00 means midnight")
    valid_from = serializers.DateField(allow_null=True, help_text="Set on a temporary schedule's rows")
    valid_until = serializers.DateField(allow_null=True)


class OfficeStatusSerializer(serializers.Serializer):
    # The schema's shape of `status` (selectors.OpeningStatus.as_dict), which was an untyped object.
    is_open = serializers.BooleanField()
    closes_at = serializers.DateTimeField(allow_null=True, help_text="When open: when it closes.")
    opens_at = serializers.DateTimeField(
        allow_null=True, help_text="When closed: the next opening within 14 days, else null."
    )
    text = serializers.CharField(help_text="The same, in words, in the request's language.")


class OfficeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.CharField(source="region.code")
    address = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    phone = serializers.CharField()
    email = serializers.CharField()
    services = serializers.ListField(child=serializers.CharField())
    visit_minutes = serializers.IntegerField()
    visitors_at_once = serializers.IntegerField()
    languages = serializers.CharField()
    accessibility = serializers.CharField()
    opening_hours = HoursSerializer(source="hours.all", many=True)
    status = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OfficeStatusSerializer)
    def get_status(self, obj: FrontOffice) -> dict[str, Any]:
        statuses = self.context.get("statuses") or {}
        found = statuses.get(obj.pk) or selectors.opening_status(obj)
        return found.as_dict()

    def get_url(self, obj: FrontOffice) -> str:
        return self.context["request"].build_absolute_uri(reverse("front_offices:detail", args=[obj.pk]))


class SlotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    free = serializers.SerializerMethodField(
        help_text="Places still bookable: 0 once the slot has begun, and on a day past the booking horizon."
    )
    blocked = serializers.SerializerMethodField()

    def get_free(self, obj: VisitSlot) -> int:
        # As the booking page shows it: the morning's slots read at 20:00 are not free to book
        # (booking them is refused as past), whatever places nobody took; nor are those of a day
        # past the booking horizon (made a week ahead of it, so the horizon never meets an empty
        # day), which the page does not offer and a booking is refused as too far ahead.
        if obj.starts_at <= self.context["now"] or obj.local_date > self.context["last_day"]:
            return 0
        return obj.free

    def get_blocked(self, obj: VisitSlot) -> bool:
        return bool(obj.blocked_reason)


class VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    office = serializers.IntegerField(source="office_id")
    office_name = serializers.CharField(source="office.name")
    slot = serializers.IntegerField(source="slot_id", allow_null=True)
    starts_at = serializers.DateTimeField()
    purpose = serializers.CharField()
    note = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.CharField()
    walk_in = serializers.BooleanField()


class VisitInputSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SlotsFilterSet(django_filters.FilterSet):
    """The day of GET /api/front-offices/{id}/slots/, read as the other API filters read theirs
    (volunteer_net/filters.py DayFilter): DRF's own date field answered 2026-02-29 with "Date has
    wrong format. Use one of these formats instead: YYYY-MM-DD.", the very format it was sent in."""

    date = DayFilter(required=True)


REFUSAL = inline_serializer(
    "VisitRefusal",
    {
        "detail": serializers.CharField(help_text="Why, in the request's language."),
        "code": serializers.CharField(
            help_text="full, closed, blocked, past, horizon, limit, duplicate, inactive, not_booked, no_profile"
        ),
        "id": serializers.IntegerField(
            required=False,
            help_text="With code duplicate: the caller's visit booked at that time (a repeated "
            "request finds the one the first made).",
        ),
    },
)


def _refusal(exc: ValidationError) -> Response:
    if hasattr(exc, "error_dict"):
        raise exc  # field errors: the project's handler makes them a 400
    code = exc.code or "invalid"
    http = status.HTTP_409_CONFLICT if code == "full" else status.HTTP_400_BAD_REQUEST
    return Response({"detail": " ".join(exc.messages), "code": code}, status=http)


def _offices() -> Any:
    return selectors.front_office_public_list()


class OfficeListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OfficeSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """The active regional front offices with their weekly hours, services, languages and
        whether they are open now (public)."""
        offices = list(_offices())
        context = {"request": request, "statuses": selectors.opening_statuses(offices)}
        return Response(OfficeSerializer(offices, many=True, context=context).data)


class OfficeDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OfficeSerializer, 404: OpenApiResponse(description="No such office")})
    def get(self, request: Request, pk: int) -> Response:
        """One active front office with its weekly hours and opening status (public)."""
        office = selectors.front_office_public_get(pk=pk)
        return Response(OfficeSerializer(office, context={"request": request}).data)


class OfficeSlotsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "date", datetime.date, required=True, description="The day, YYYY-MM-DD (Almaty)."
            )
        ],
        responses={200: SlotSerializer(many=True), 400: OpenApiResponse(description="Field errors")},
    )
    def get(self, request: Request, pk: int) -> Response:
        """The office's visit slots of one day: start, end, capacity, free places and whether
        staff blocked them (public)."""
        office = selectors.front_office_public_get(pk=pk)
        params = parse_filters(SlotsFilterSet, request, VisitSlot.objects.none())
        slots = selectors.slots_of_day(office=office, day=params["date"])
        now = timezone.now()
        _first, last_day = selectors.booking_window(now)
        return Response(SlotSerializer(slots, many=True, context={"now": now, "last_day": last_day}).data)


class VisitListCreateApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "visit_booking"

    def get_throttles(self) -> list[Any]:
        # Only booking is throttled; reading one's visits is not.
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        parameters=PAGE_PARAMS,
        responses={200: VisitSerializer(many=True), 400: OpenApiResponse(description="Field errors")},
    )
    def get(self, request: Request) -> Response:
        """The caller's visits; front-office staff and coordinators: their offices' visits."""
        user = request.user
        if selectors.may_see_front_offices(user):
            qs = selectors.visits_for_staff_api(user=user)
        else:
            qs = (
                Visit.objects.filter(volunteer__user=cast(User, user))
                .select_related("office")
                .order_by("-starts_at", "-pk")
            )
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(VisitSerializer(page, many=True).data)

    @extend_schema(
        request=VisitInputSerializer,
        responses={
            201: VisitSerializer,
            400: OpenApiResponse(REFUSAL, description="Field errors, or refused with a reason and code"),
            409: OpenApiResponse(REFUSAL, description="The slot is full (code full)"),
            429: OpenApiResponse(description="Too many bookings from this account; see Retry-After."),
        },
    )
    def post(self, request: Request) -> Response:
        """Book a visit in a slot for the caller: 201 with the visit; 409 when the slot is full;
        400 with field errors or with the reason and its code (closed, blocked, past, horizon,
        limit, duplicate). Throttled per user."""
        data = VisitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            # The caller's own profile and the slot, found as their rows are locked: no profile
            # is a refusal with code no_profile, no such slot a field error.
            visit = services.visit_book_own(
                slot_id=data.validated_data["slot"],
                user=request.user,  # type: ignore[arg-type]
                purpose=data.validated_data["purpose"],
                note=data.validated_data["note"],
            )
        except ValidationError as exc:
            response = _refusal(exc)
            # A client repeating a booking that timed out is told which visit the first made.
            existing = (
                selectors.visit_own_booked_at_time_of(user=request.user, slot_id=data.validated_data["slot"])
                if exc.code == "duplicate"
                else None
            )
            if existing is not None:
                response.data["id"] = existing.pk
            return response
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class VisitCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: VisitSerializer,
            400: OpenApiResponse(REFUSAL),
            404: OpenApiResponse(description="Not yours"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """Cancel a visit (the caller's own, or one of the offices they staff or coordinate); its
        place is freed. 404 for anyone else's."""
        user = request.user
        visit = Visit.objects.select_related("office").filter(pk=pk).first()
        own = visit is not None and visit.volunteer.user_id == user.pk
        staff = visit is not None and (
            visit.office_id in staffed_office_ids(user) or may_manage_region(user, visit.office.region_id)
        )
        if visit is None or not (own or staff):
            get_object_or_404(Visit.objects.none(), pk=pk)
        assert visit is not None
        try:
            # As staff, for the office their right was checked on: a visit its person has moved
            # to another office meanwhile is refused, not cancelled there.
            visit = services.visit_cancel(
                visit=visit,
                by=user,  # type: ignore[arg-type]
                at_office=None if own else visit.office,
            )
        except ValidationError as exc:
            return _refusal(exc)
        return Response(VisitSerializer(visit).data)
