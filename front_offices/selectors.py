"""Reads for front offices. The public list shows every office; the staff pages are scoped
(regions/scoping.py): coordinators see their regions' offices, national staff all of them,
front-office staff the offices they work in."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from regions.scoping import (
    get_scoped_object_or_404,
    is_office_staff,
    manages_regions,
    office_scope_q,
    staffed_office_ids,
)

from .models import FrontOffice


def may_see_front_offices(user: Any) -> bool:
    """Who has the offices' staff pages: coordinators, national staff and office staff."""
    return manages_regions(user) or is_office_staff(user)


def front_office_public_list() -> QuerySet[FrontOffice]:
    """Every office with its contacts, as anybody may look them up."""
    return FrontOffice.objects.select_related("region").order_by("region__code", "name")


def front_office_list(*, user: Any) -> QuerySet[FrontOffice]:
    """The offices in the user's scope, with their staff."""
    condition = office_scope_q(user)
    qs = (
        FrontOffice.objects.select_related("region")
        .prefetch_related(Prefetch("staff", queryset=User.objects.order_by("full_name", "email")))
        .order_by("region__code", "name")
    )
    return qs if condition is None else qs.filter(condition)


def front_office_get_for_edit(*, user: Any, pk: Any) -> FrontOffice:
    """An office the user may edit: in their regions (office staff keep hours, not details)."""
    return get_scoped_object_or_404(FrontOffice.objects.select_related("region"), user, pk=pk)


def front_offices_of_staff(*, user: Any) -> QuerySet[FrontOffice]:
    """The offices a front-office staff member works in (their scope in the visits module)."""
    return FrontOffice.objects.filter(pk__in=staffed_office_ids(user)).select_related("region")
