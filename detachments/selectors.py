"""Reads for school detachments, scoped: coordinators see their regions' detachments, a curator
the ones they run (see regions/scoping.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from regions.scoping import get_object_or_404
from volunteers.models import Volunteer
from volunteers.selectors import detachment_scope

from .models import Detachment


def detachment_queryset_for(user: Any) -> QuerySet[Detachment]:
    return detachment_scope(user)


def detachment_list(*, user: Any, region: int | None = None) -> QuerySet[Detachment]:
    qs = detachment_queryset_for(user).select_related("region", "curator")
    if region:
        qs = qs.filter(region_id=region)
    return qs.annotate(member_count=Count("members", filter=Q(members__anonymized_at__isnull=True)))


def detachment_get(*, user: Any, pk: Any) -> Detachment:
    return get_object_or_404(detachment_queryset_for(user).select_related("region", "curator"), pk=pk)


def detachment_members(*, detachment: Detachment) -> QuerySet[Volunteer]:
    return (
        Volunteer.objects.filter(detachment=detachment, anonymized_at__isnull=True)
        .select_related("region")
        .order_by("last_name", "first_name", "id")
    )


def detachment_member_get(*, detachment: Detachment, pk: Any) -> Volunteer:
    return get_object_or_404(detachment_members(detachment=detachment), pk=pk)
