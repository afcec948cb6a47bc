from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from .scoping import is_coordinator, is_national_staff, region_queryset_for, scope_queryset


class NationalStaffOnlyAdminMixin(admin.ModelAdmin):
    """Role assignments and reference data are managed by national staff only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_national_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_national_staff(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_national_staff(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_national_staff(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_national_staff(request.user)


class CoordinatorAdminMixin(admin.ModelAdmin):
    """Coordinators and national staff work here; deleting is for national staff only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_coordinator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_coordinator(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_coordinator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_coordinator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Personal data is anonymised, not deleted, so that hours statistics survive.
        return is_national_staff(request.user)


class RegionScopedAdminMixin(CoordinatorAdminMixin):
    """Admin lists and forms go through the same region scope as every page and API view:
    a coordinator with admin access works on their regions only."""

    region_field = "region"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope_queryset(super().get_queryset(request), request.user, region_field=self.region_field)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "region":
            kwargs["queryset"] = region_queryset_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
