"""The authentication backend that reads a user's scopes with the user.

Every page asks who the person is and, for its navigation and its lists, which regions they
manage, which front offices they staff and whether they curate a detachment (regions/scoping.py).
With Django's ModelBackend that is the user's row and then three more queries per request; here
the user's row arrives with all three answers (one query), and scoping.py's per-request caches
start filled. On SQLite (`make run`) the user is read as Django reads it and the scopes stay lazy.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from . import scoping
from .models import CoordinatorAssignment


@functools.cache
def _related() -> tuple[Any, str, str, Any]:
    """The staff through-model with its user and office columns, and the detachment model:
    reverse relations of apps above regions/, named by field rather than imported. Read from
    the model registry once per process, not on every request."""
    user_model = get_user_model()
    offices = user_model._meta.get_field("front_offices").through
    user_column = next(
        f.attname for f in offices._meta.fields if f.is_relation and f.related_model is user_model
    )
    office_column = next(
        f.attname for f in offices._meta.fields if f.is_relation and f.related_model is not user_model
    )
    return (
        offices,
        user_column,
        office_column,
        user_model._meta.get_field("curated_detachments").related_model,
    )


def with_scopes(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Users annotated with their region ids, staffed office ids and whether they curate."""
    if connection.vendor != "postgresql":
        return queryset
    from django.contrib.postgres.expressions import ArraySubquery

    offices, user_column, office_column, detachments = _related()
    return queryset.annotate(
        scope_region_ids=ArraySubquery(
            CoordinatorAssignment.objects.filter(user=OuterRef("pk")).values("region_id")
        ),
        scope_office_ids=ArraySubquery(
            offices.objects.filter(**{user_column: OuterRef("pk")}).values(office_column)
        ),
        scope_curates=Exists(detachments.objects.filter(curator=OuterRef("pk"))),
    )


def prime_scopes(user: Any) -> None:
    """Fill scoping.py's per-request caches from the annotations of `with_scopes`."""
    if not hasattr(user, "scope_region_ids"):
        return
    setattr(user, scoping._REGIONS_CACHE, frozenset(user.scope_region_ids))
    setattr(user, scoping._OFFICES_CACHE, frozenset(user.scope_office_ids))
    setattr(user, scoping._CURATOR_CACHE, bool(user.scope_curates))


@functools.cache
def _users_with_scopes() -> QuerySet[Any]:
    """All users with their scopes, built once per process: resolving the three subqueries
    cost more than the rest of reading the user (each request only clones it and adds its id)."""
    return with_scopes(get_user_model()._default_manager.all())


class ScopedModelBackend(ModelBackend):
    """ModelBackend whose `get_user` (run once a request, for the session) reads the scopes too."""

    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            user = _users_with_scopes().get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        prime_scopes(user)
        return user if self.user_can_authenticate(user) else None
