"""The one place where access is scoped by region.

Every roster page, API view, export and admin list filters through `scope_queryset` (or
`get_scoped_object_or_404`), so that a coordinator sees only the regions assigned to them and
anything else answers 404. National staff (and superusers) see everything; everybody else sees
nothing here (a volunteer's own data is reached through their profile, not through a scope).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)

_CACHE_ATTR = "_scoped_region_ids"


def is_national_staff(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or getattr(user, "is_national_staff", False))
    )


def scoped_region_ids(user: Any) -> frozenset[int] | None:
    """Region ids the user may manage; None means every region (national staff).

    Cached on the user object so that one request asks the database once.
    """
    if is_national_staff(user):
        return None
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from .models import CoordinatorAssignment

        cached = frozenset(
            CoordinatorAssignment.objects.filter(user=user).values_list("region_id", flat=True)
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def is_coordinator(user: Any) -> bool:
    ids = scoped_region_ids(user)
    return ids is None or bool(ids)


def scope_q(user: Any, *, region_field: str = "region") -> Q | None:
    """The region condition for `user` as a Q object; None means no restriction.

    For lists that also admit rows on another ground (a curator's own detachment), combine it
    with `|`; an empty scope yields a condition that matches nothing.
    """
    ids = scoped_region_ids(user)
    if ids is None:
        return None
    return Q(**{f"{region_field}__in": ids}) if ids else Q(pk__in=[])


def scope_queryset(queryset: QuerySet[M], user: Any, *, region_field: str = "region") -> QuerySet[M]:
    """Restrict `queryset` to the user's regions through `region_field` (a FK path to Region)."""
    condition = scope_q(user, region_field=region_field)
    return queryset if condition is None else queryset.filter(condition)


def get_object_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """One object of an already scoped queryset; absent, or a malformed id, is a 404."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_scoped_object_or_404(
    queryset: QuerySet[M], user: Any, *, region_field: str = "region", **lookup: Any
) -> M:
    """Fetch one object within the user's scope; outside it the object does not exist (404)."""
    return get_object_or_404(scope_queryset(queryset, user, region_field=region_field), **lookup)


def region_queryset_for(user: Any) -> QuerySet[Any]:
    """Regions a user may pick in forms and filters."""
    from .models import Region

    ids = scoped_region_ids(user)
    qs = Region.objects.all()
    return qs if ids is None else qs.filter(id__in=ids)
