from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .admin_mixins import NationalStaffOnlyAdminMixin
from .models import CoordinatorAssignment, Region
from .scoping import is_coordinator


@admin.register(Region)
class RegionAdmin(NationalStaffOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "iso_code", "name_kk", "name_ru", "name_en", "center_en"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]
    ordering = ["code"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Coordinators need the list for autocomplete and filters; it holds no personal data.
        return is_coordinator(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # The 20 units are fixed by law and loaded by a data migration.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CoordinatorAssignment)
class CoordinatorAssignmentAdmin(NationalStaffOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "region", "created_at"]
    list_filter = ["region"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "region"]
