from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from regions.scoping import ManagesRegions

from . import selectors
from .models import Volunteer


class SkillSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class VolunteerListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    last_name = serializers.CharField()
    first_name = serializers.CharField()
    middle_name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    region = serializers.CharField(source="region.code")
    locality = serializers.CharField()
    age = serializers.SerializerMethodField()
    status = serializers.CharField()
    detachment = serializers.IntegerField(source="detachment_id", allow_null=True)
    skills = SkillSerializer(many=True)
    available_weekdays = serializers.BooleanField()
    available_evenings = serializers.BooleanField()
    available_weekends = serializers.BooleanField()

    def get_age(self, obj: Volunteer) -> int | None:
        return obj.age()


class VolunteerDetailOutputSerializer(VolunteerListOutputSerializer):
    birth_date = serializers.DateField()
    languages = serializers.ListField(child=serializers.CharField())
    preferred_language = serializers.CharField()
    preferred_channel = serializers.CharField()
    iin = serializers.SerializerMethodField()
    is_minor = serializers.SerializerMethodField()
    guardian_name = serializers.CharField()
    guardian_phone = serializers.CharField()
    guardian_relation = serializers.CharField()
    guardian_consent_at = serializers.DateTimeField(allow_null=True)
    consent_at = serializers.DateTimeField(allow_null=True)
    consent_version = serializers.CharField()
    hours = serializers.SerializerMethodField(help_text="Volunteer hours confirmed by attendance.")

    def get_iin(self, obj: Volunteer) -> str:
        user = self.context["request"].user
        return obj.iin or "" if selectors.iin_visible_to(user=user, volunteer=obj) else obj.masked_iin

    def get_is_minor(self, obj: Volunteer) -> bool:
        return obj.is_minor()

    def get_hours(self, obj: Volunteer) -> float:
        # Attendance and hours are recorded by campaigns and shifts; none exist yet.
        return 0.0


def _parse_int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise serializers.ValidationError({name: [_("Enter a whole number.")]}) from exc


class VolunteerListApi(APIView):
    """Coordinators and national staff: the roster of their regions."""

    permission_classes = [ManagesRegions]

    class Pagination(PageNumberPagination):
        page_size = 50
        page_size_query_param = "page_size"
        max_page_size = 200

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Name, phone or e-mail; case-insensitive"),
            OpenApiParameter("region", str, description="Region code, e.g. 75"),
            OpenApiParameter("skill", str, description="Skill code"),
            OpenApiParameter("detachment", int),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=VolunteerListOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        region_code = request.query_params.get("region")
        skill_code = request.query_params.get("skill")
        region_id = skill_id = None
        if region_code:
            from regions.models import Region

            region_id = Region.objects.filter(code=region_code).values_list("id", flat=True).first()
            if region_id is None:
                raise serializers.ValidationError({"region": [_("Unknown region code.")]})
        if skill_code:
            from .models import Skill

            skill_id = Skill.objects.filter(code=skill_code).values_list("id", flat=True).first()
            if skill_id is None:
                raise serializers.ValidationError({"skill": [_("Unknown skill.")]})
        filters = selectors.RosterFilters(
            q=request.query_params.get("q", ""),
            region=region_id,
            skill=skill_id,
            detachment=_parse_int(request, "detachment"),
        )
        qs = selectors.volunteer_list(user=request.user, filters=filters)
        paginator = self.Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = VolunteerListOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class VolunteerDetailApi(APIView):
    permission_classes = [ManagesRegions]

    @extend_schema(responses=VolunteerDetailOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        volunteer = selectors.volunteer_get(user=request.user, pk=pk)
        return Response(VolunteerDetailOutputSerializer(volunteer, context={"request": request}).data)


class MeApi(APIView):
    """The caller's own account and volunteer profile."""

    @extend_schema(
        responses=inline_serializer(
            "MeOutput",
            {
                "email": serializers.EmailField(),
                "is_national_staff": serializers.BooleanField(),
                "coordinated_regions": serializers.ListField(child=serializers.CharField()),
                "volunteer": VolunteerDetailOutputSerializer(allow_null=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)  # IsAuthenticated has run
        volunteer = selectors.volunteer_of_user(user=user)
        regions: list[Any] = list(
            user.coordinator_assignments.values_list("region__code", flat=True).order_by("region__code")
        )
        return Response(
            {
                "email": user.email,
                "is_national_staff": bool(user.is_national_staff),
                "coordinated_regions": regions,
                "volunteer": (
                    VolunteerDetailOutputSerializer(volunteer, context={"request": request}).data
                    if volunteer
                    else None
                ),
            }
        )
