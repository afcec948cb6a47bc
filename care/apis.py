"""REST API of targeted help.

* `GET /api/care/requests/` — scoped: staff see their regions' requests; a volunteer the open,
  checked requests of their region and those they go to. No contact in the list.
* `GET /api/care/requests/{id}/` — one request; `contact` (name, phone, address, exact point)
  only for staff of the region and those assigned within the window, each view audited.
* `POST /api/care/requests/{id}/offer/` — "I can do it": an offer for a coordinator to confirm.
* `GET /api/care/requests/map/` — the requests layer as GeoJSON; the point is snapped to a grid
  cell (the locality) for everybody but those assigned.
Query parameters are parsed by filter serializers: a bad value is a 400, never a 500.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regions.models import Region
from volunteer_net.api import (
    GEOJSON_RENDERERS,
    PAGE_PARAMS,
    GeoJSONErrorsAsJSON,
    Pagination,
    geojson_content_type,
)

from . import selectors, services
from .models import Assignment, HelpRequest


class RequestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=HelpRequest.Kind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    urgency = serializers.ChoiceField(choices=HelpRequest.Urgency.choices)
    status = serializers.ChoiceField(choices=HelpRequest.Status.choices)
    region = serializers.CharField(source="region.code")
    locality = serializers.CharField(source="beneficiary.locality")
    due_from = serializers.DateTimeField()
    due_until = serializers.DateTimeField()
    recurrence = serializers.ChoiceField(choices=HelpRequest.Recurrence.choices)
    weekday = serializers.IntegerField(allow_null=True, help_text="0 Monday … 6 Sunday, for weekly requests.")
    needed_hands = serializers.IntegerField()
    free_hands = serializers.IntegerField()
    adults_only = serializers.BooleanField()
    needs_check = serializers.BooleanField(
        help_text="Reported by a volunteer, not yet checked by a coordinator."
    )
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, obj: HelpRequest) -> bool:
        return obj.is_overdue()


class ContactSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    how_to_reach = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)


class AssignmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Assignment.Status.choices)
    hands = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class RequestDetailSerializer(RequestOutputSerializer):
    details = serializers.CharField()
    outcome_note = serializers.CharField()
    contact = serializers.SerializerMethodField(
        help_text="Only for staff of the region and those assigned, until the request is done plus "
        "CARE_CONTACT_DAYS_AFTER_DONE days; null otherwise. Every view is recorded in the audit trail."
    )
    my_assignments = serializers.SerializerMethodField()

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact(self, obj: HelpRequest) -> dict[str, Any] | None:
        contact = self.context.get("contact")
        return None if contact is None else ContactSerializer(contact).data

    @extend_schema_field(AssignmentOutputSerializer(many=True))
    def get_my_assignments(self, obj: HelpRequest) -> list[dict[str, Any]]:
        return AssignmentOutputSerializer(self.context.get("mine", []), many=True).data  # type: ignore[return-value]


class RequestFilterSerializer(serializers.Serializer):
    region = serializers.CharField(max_length=2, required=False, help_text="Two-digit KATO code, e.g. 75.")
    kind = serializers.ChoiceField(choices=HelpRequest.Kind.choices, required=False)
    status = serializers.CharField(
        required=False,
        default="open",
        help_text="open (default), closed, all, or one status: " + ", ".join(HelpRequest.Status.values),
    )

    def validate_status(self, value: str) -> str:
        if value not in ("open", "closed", "all", *HelpRequest.Status.values):
            raise serializers.ValidationError(_("Choose open, closed, all or a status."))
        return value

    def validate_region(self, value: str) -> int:
        region = Region.objects.filter(code=value).values_list("pk", flat=True).first()
        if region is None:
            raise serializers.ValidationError(_("No such region."))
        return int(region)


class MapFilterSerializer(serializers.Serializer):
    region = serializers.CharField(max_length=2, required=False)
    kind = serializers.ChoiceField(choices=HelpRequest.Kind.choices, required=False)
    bbox = serializers.CharField(max_length=100, required=False, help_text="minLon,minLat,maxLon,maxLat")

    def validate_region(self, value: str) -> int:
        return RequestFilterSerializer().validate_region(value)

    def validate_bbox(self, value: str) -> tuple[float, float, float, float]:
        try:
            parts = [float(p) for p in value.split(",")]
        except ValueError:
            parts = []
        if len(parts) != 4 or not (-180 <= parts[0] <= parts[2] <= 180 and -90 <= parts[1] <= parts[3] <= 90):
            raise serializers.ValidationError(_("Give the box as minLon,minLat,maxLon,maxLat."))
        return (parts[0], parts[1], parts[2], parts[3])


REFUSAL = inline_serializer(
    "CareRefusal",
    {
        "detail": serializers.CharField(help_text="Why, in the request's language."),
        "code": serializers.CharField(
            help_text="closed, unchecked, inactive, out_of_region, age_unknown, minor_alone, full, already, no_profile"
        ),
        "id": serializers.IntegerField(
            required=False,
            help_text="With code already: the caller's offer for this request (a repeated request "
            "finds the one the first made).",
        ),
        "status": serializers.ChoiceField(
            choices=Assignment.Status.choices,
            required=False,
            help_text="With code already: that offer's status.",
        ),
    },
)


class RequestListApi(APIView):
    """Help requests the caller may see (no contact in the list)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            RequestFilterSerializer,
            *PAGE_PARAMS,
        ],
        responses={200: RequestOutputSerializer(many=True)},
        operation_id="care_requests_list",
    )
    def get(self, request: Request) -> Response:
        params = RequestFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        user = request.user
        if selectors.is_care_staff(user):
            rows: selectors.OverdueFirst | list[HelpRequest] = selectors.request_list_for_staff(
                user=user,
                filters=selectors.RequestFilters(
                    region=data.get("region"), kind=data.get("kind", ""), status=data.get("status", "open")
                ),
            )
        else:
            volunteer = selectors.volunteer_of(user)
            if volunteer is None:
                rows = []
            else:
                rows = selectors.requests_open_for_volunteer(volunteer=volunteer, kind=data.get("kind", ""))
        paginator = Pagination()
        # Django's paginator under DRF's counts and slices any list that has count().
        page: list[HelpRequest] | None = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(RequestOutputSerializer(page, many=True).data)


class RequestDetailApi(APIView):
    """One request; the contact only when the caller may see it (and then audited)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: RequestDetailSerializer,
            404: OpenApiResponse(description="Not in the caller's scope"),
        },
        operation_id="care_requests_retrieve",
    )
    def get(self, request: Request, pk: int) -> Response:
        help_request = selectors.request_get_for(user=request.user, pk=pk)
        contact = selectors.contact_for(user=request.user, request=help_request, where="api")
        volunteer = selectors.volunteer_of(request.user)
        mine = [
            a
            for a in help_request.assignments.exclude(status=Assignment.Status.WITHDRAWN)
            if volunteer is not None and a.volunteer_id == volunteer.pk
        ]
        return Response(
            RequestDetailSerializer(help_request, context={"contact": contact, "mine": mine}).data
        )


class RequestOfferApi(APIView):
    """ "I can do it": the caller offers to take an open request of their region."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "CareOffer", {"id": serializers.IntegerField(), "status": serializers.CharField()}
            ),
            400: OpenApiResponse(REFUSAL, description="Refused: the reason and its code"),
            404: OpenApiResponse(description="Not in the caller's scope"),
            409: OpenApiResponse(REFUSAL, description="Enough people are already going (code full)"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        help_request = selectors.request_get_for(user=request.user, pk=pk)
        volunteer = selectors.volunteer_of(request.user)
        if volunteer is None:
            return Response(
                {"detail": str(_("This account has no volunteer profile.")), "code": "no_profile"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            assignment = services.assignment_offer(request=help_request, volunteer=volunteer, by=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            code = exc.code or "invalid"
            http = status.HTTP_409_CONFLICT if code == "full" else status.HTTP_400_BAD_REQUEST
            body: dict[str, Any] = {"detail": " ".join(exc.messages), "code": code}
            # A client repeating an offer that timed out is told which offer the first made.
            existing = (
                selectors.assignment_own_active(volunteer=volunteer, request=help_request)
                if code == "already"
                else None
            )
            if existing is not None:
                body.update(id=existing.pk, status=existing.status)
            return Response(body, status=http)
        return Response({"id": assignment.pk, "status": assignment.status}, status=status.HTTP_201_CREATED)


class RequestMapApi(GeoJSONErrorsAsJSON, APIView):
    """The requests layer: a GeoJSON FeatureCollection of open requests the caller may see. The
    point is the exact one only for those assigned (`exact: true`, with the address, audited);
    for everybody else it is the centre of a grid cell of CARE_MAP_SNAP_DEGREES."""

    permission_classes = [IsAuthenticated]
    renderer_classes = GEOJSON_RENDERERS

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="Two-digit KATO code"),
            OpenApiParameter("kind", str, enum=HelpRequest.Kind.values, description="One kind of help"),
            OpenApiParameter("bbox", str, description="minLon,minLat,maxLon,maxLat"),
        ],
        responses={
            200: inline_serializer(
                "CareRequestsGeoJSON",
                {
                    "type": serializers.CharField(),
                    "features": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def get(self, request: Request) -> HttpResponse:
        params = MapFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        layer = selectors.map_features(
            user=request.user, region=data.get("region"), kind=data.get("kind", ""), bbox=data.get("bbox")
        )
        # A region's couple of thousand features: orjson writes them several times faster than
        # the renderer's json module, the same JSON (as the public map layers do).
        return HttpResponse(
            orjson.dumps(layer),
            content_type=geojson_content_type(request),
            headers={"Cache-Control": "no-store"},
        )
