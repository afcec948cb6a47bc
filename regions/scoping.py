"""The one place where access is decided.

Three scopes, each with one predicate, one queryset condition, and (for the region scope) one
view decorator and one DRF permission:

* **region scope** — national staff see every region; a regional coordinator sees the regions
  assigned to them; everybody else sees none.
* **curator scope** — a detachment curator sees the detachments they run (and their members).
* **office-staff scope** — front-office staff see the offices they work in.

Every page, API view, export and admin list filters through these, so that anything outside a
user's scope answers 404 — it does not exist for them — never 403-with-data. The module knows no
app above `regions/`: the curator and office scopes are written against field paths that the
calling selector names (`curator_field="detachment__curator"`), not against imported models.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from accounts.destinations import mark_access

M = TypeVar("M", bound=Model)
View = TypeVar("View", bound=Callable[..., HttpResponse])

_REGIONS_CACHE = "_scoped_region_ids"
_CURATOR_CACHE = "_is_curator"
_OFFICES_CACHE = "_staffed_office_ids"


def _is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_national_staff(user: Any) -> bool:
    return _is_active_user(user) and bool(user.is_superuser or getattr(user, "is_national_staff", False))


# Region scope --------------------------------------------------------------------------------


def scoped_region_ids(user: Any) -> frozenset[int] | None:
    """Region ids the user may manage; None means every region (national staff).

    Cached on the user object so that one request asks the database once.
    """
    if is_national_staff(user):
        return None
    if not _is_active_user(user):
        return frozenset()
    cached = getattr(user, _REGIONS_CACHE, None)
    if cached is None:
        from .models import CoordinatorAssignment

        cached = frozenset(
            CoordinatorAssignment.objects.filter(user=user).values_list("region_id", flat=True)
        )
        setattr(user, _REGIONS_CACHE, cached)
    return cached


def manages_regions(user: Any) -> bool:
    """Whether the user manages at least one region: a regional coordinator or national staff."""
    ids = scoped_region_ids(user)
    return ids is None or bool(ids)


def is_regional_coordinator(user: Any) -> bool:
    """A coordinator by assignment (national staff are not, though they manage every region)."""
    ids = scoped_region_ids(user)
    return ids is not None and bool(ids)


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


def region_queryset_for(user: Any) -> QuerySet[Any]:
    """Regions a user may pick in forms and filters."""
    from .models import Region

    ids = scoped_region_ids(user)
    qs = Region.objects.all()
    return qs if ids is None else qs.filter(id__in=ids)


def may_manage_region(user: Any, region_id: int | None) -> bool:
    ids = scoped_region_ids(user)
    return ids is None or (region_id is not None and region_id in ids)


# Curator scope -------------------------------------------------------------------------------


def is_curator(user: Any) -> bool:
    """Whether the user runs at least one school detachment (cached per request)."""
    if not _is_active_user(user):
        return False
    cached = getattr(user, _CURATOR_CACHE, None)
    if cached is None:
        cached = user.curated_detachments.exists()
        setattr(user, _CURATOR_CACHE, cached)
    return bool(cached)


def region_or_curator_q(
    user: Any, *, region_field: str = "region", curator_field: str = "curator"
) -> Q | None:
    """Rows in the user's regions, or rows of detachments the user curates; None: everything."""
    region_q = scope_q(user, region_field=region_field)
    if region_q is None:
        return None
    if not _is_active_user(user):
        return Q(pk__in=[])
    return region_q | Q(**{curator_field: user})


# Office-staff scope --------------------------------------------------------------------------


def staffed_office_ids(user: Any) -> frozenset[int]:
    """Front offices the user works in (cached per request)."""
    if not _is_active_user(user):
        return frozenset()
    cached = getattr(user, _OFFICES_CACHE, None)
    if cached is None:
        cached = frozenset(user.front_offices.values_list("id", flat=True))
        setattr(user, _OFFICES_CACHE, cached)
    return cached


def is_office_staff(user: Any) -> bool:
    return bool(staffed_office_ids(user))


def office_scope_q(user: Any, *, office_field: str = "pk", region_field: str = "region") -> Q | None:
    """Offices (or rows of offices) the user may see: their own as staff, or their regions'."""
    region_q = scope_q(user, region_field=region_field)
    if region_q is None:
        return None
    return region_q | Q(**{f"{office_field}__in": staffed_office_ids(user)})


# Lookups, decorators, permissions ------------------------------------------------------------


def get_object_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """One object of an already scoped queryset; absent, or a malformed id, is a 404."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def get_scoped_object_or_404(
    queryset: QuerySet[M], user: Any, *, region_field: str = "region", **lookup: Any
) -> M:
    """Fetch one object within the user's scope; outside it the object does not exist (404)."""
    return get_object_or_404(scope_queryset(queryset, user, region_field=region_field), **lookup)


def require(predicate: Callable[[Any], bool]) -> Callable[[View], View]:
    """View decorator: a logged-in user for whom `predicate` is false gets 404, as if the page
    did not exist; an anonymous visitor is sent to log in first."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        # A login whose `next` is this page goes, for someone without the role, to their own
        # start page rather than to a "page not found".
        mark_access(wrapped, predicate)
        return wrapped  # type: ignore[return-value]

    return decorator


region_scope_required = require(manages_regions)


def curator_or_region_scope(user: Any) -> bool:
    return manages_regions(user) or is_curator(user)


class ManagesRegions(BasePermission):
    """DRF permission: coordinators and national staff only; for anybody else the endpoint
    does not exist (404), exactly like the pages."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False  # 401 through the authentication classes
        if not manages_regions(request.user):
            raise NotFound
        return True
