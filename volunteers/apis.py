from typing import Any, cast

import django_filters
from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import api_page_read_record
from accounts.models import User
from regions.models import Region
from regions.scoping import ManagesRegions
from volunteer_net.api import Pagination
from volunteer_net.filters import PositiveIntegerFilter, parse_filters

from . import extensions, selectors, services
from .models import Skill, Volunteer


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

    def get_iin(self, obj: Volunteer) -> str:
        user = self.context["request"].user
        return obj.iin or "" if selectors.iin_visible_to(user=user, volunteer=obj) else obj.masked_iin

    def get_is_minor(self, obj: Volunteer) -> bool:
        return obj.is_minor()


# Under the name the profile's schema has always had, so generated clients keep their type.
@extend_schema_serializer(component_name="VolunteerDetailOutput")
class VolunteerProfileSerializer(VolunteerDetailOutputSerializer):
    """The schema of a profile as `_detail` writes it: the fields above, and those the apps above
    volunteers/ add through extensions.DETAIL_API_FIELDS, which the schema could not see (a client
    generated from it had no `hours`, the figure API.md promises with the profile)."""

    hours = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        read_only=True,
        help_text='Hours given: shifts attended and help requests done, added up; e.g. "12.50".',
    )


class CodeField(forms.CharField):
    """A `code` of `model`, read as the row's id (empty: no filter)."""

    def __init__(self, *, model: type[Model], message: str, **kwargs: Any) -> None:
        self.model, self.message = model, message
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        value = super().clean(value)
        if not value:
            return None
        row_id = self.model._default_manager.filter(code=value).values_list("id", flat=True).first()
        if row_id is None:
            raise forms.ValidationError(self.message, code="invalid")
        return row_id


class CodeFilter(django_filters.Filter):
    field_class = CodeField


class VolunteerListApi(APIView):
    """Coordinators and national staff: the roster of their regions. Each page read with a
    token is recorded in the audit trail (who, rows, page, the filters' names; never values)."""

    permission_classes = [ManagesRegions]

    class Filters(django_filters.FilterSet):
        """The query, parsed before anything reaches the database: a NUL byte, a word where a number
        goes or an unknown code is a 400 naming the parameter."""

        q = django_filters.CharFilter(max_length=200)
        region = CodeFilter(model=Region, max_length=10, message=_("Unknown region code."))
        skill = CodeFilter(model=Skill, max_length=50, message=_("Unknown skill."))
        detachment = PositiveIntegerFilter()

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Name, phone or e-mail; case-insensitive"),
            OpenApiParameter("region", str, description="Region code, e.g. 75"),
            OpenApiParameter("skill", str, description="Skill code"),
            OpenApiParameter("detachment", int, description="Detachment id"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=VolunteerListOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        params = parse_filters(self.Filters, request, Volunteer.objects.none())
        filters = selectors.RosterFilters(
            q=params.get("q", ""),
            region=params.get("region"),
            skill=params.get("skill"),
            detachment=params.get("detachment"),
        )
        user = cast(User, request.user)  # ManagesRegions has run
        if filters.q:
            services.roster_lookup_record(by=user, query=filters.q, where="api")
        qs = selectors.volunteer_list(user=user, filters=filters)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = VolunteerListOutputSerializer(page, many=True, context={"request": request}).data
        if isinstance(request.successful_authenticator, TokenAuthentication):
            # A program's reads; the browser's roster list (the session) stays unrecorded, as
            # the roster page's is: it is the coordinators' everyday work.
            api_page_read_record(
                actor=user,
                subject_type="volunteers.roster",
                rows=len(data),
                page=paginator.page.number if paginator.page is not None else 1,
                filters=[name for name in ("q", "region", "skill", "detachment") if params.get(name)],
                region_code=request.query_params.get("region", "") if filters.region else "",
            )
        return paginator.get_paginated_response(data)


class VolunteerDetailApi(APIView):
    """One volunteer's profile with their hours; outside the caller's regions, 404."""

    permission_classes = [ManagesRegions]

    @extend_schema(responses=VolunteerProfileSerializer)
    def get(self, request: Request, pk: int) -> Response:
        volunteer = selectors.volunteer_get(user=request.user, pk=pk)
        services.volunteer_viewed(by=cast(User, request.user), volunteer=volunteer, where="api")
        return Response(_detail(volunteer, request))


def _detail(volunteer: Volunteer, request: Request) -> dict[str, Any]:
    """A profile as GET /api/volunteers/{id}/ and /api/me/ give it, with the figures of the apps
    above volunteers/ ("hours" from events, every source added up): volunteers/extensions.py."""
    data = dict(VolunteerDetailOutputSerializer(volunteer, context={"request": request}).data)
    for key, field in extensions.DETAIL_API_FIELDS:
        data[key] = field(volunteer)
    return data


class MeApi(APIView):
    """The caller's own account and volunteer profile."""

    @extend_schema(
        responses=inline_serializer(
            "MeOutput",
            {
                "email": serializers.EmailField(),
                "is_national_staff": serializers.BooleanField(),
                "coordinated_regions": serializers.ListField(child=serializers.CharField()),
                "volunteer": VolunteerProfileSerializer(allow_null=True),
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
                # The person's own hours too, as their profile page shows them.
                "volunteer": _detail(volunteer, request) if volunteer else None,
            }
        )
