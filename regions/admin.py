from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEntry

from .admin_mixins import NationalStaffAdmin, NationalStaffTabularInline
from .models import CoordinatorAssignment, Region

User = get_user_model()

# Importing Django's UserAdmin registers its Group admin. Roles here are flags and assignments,
# not Django's groups and permissions (NationalStaffAdmin ignores those), so a groups page would
# edit something that grants nothing — and it is not a NationalStaffAdmin.
admin.site.unregister(Group)


class CoordinatorAssignmentInline(NationalStaffTabularInline):
    model = CoordinatorAssignment
    extra = 0
    verbose_name = _("coordinated region")
    verbose_name_plural = _("coordinated regions")


@admin.register(User)
class UserAdmin(NationalStaffAdmin, BaseUserAdmin):
    """Roles are assigned here by national staff: the national-staff flag, coordinated regions
    (inline), admin access; curators are set on the detachment, front-office staff on the office.
    Registered by regions/ rather than accounts/ because the roles it assigns live here."""

    ordering = ["email"]
    list_display = ["email", "full_name", "is_national_staff", "is_staff", "is_active"]
    list_filter = ["is_national_staff", "is_staff", "is_active", "coordinator_assignments__region"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        (_("Roles"), {"fields": ("is_active", "is_national_staff", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    inlines = [CoordinatorAssignmentInline]
    filter_horizontal = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # National staff hand out roles, but cannot make anybody (themselves included) a
            # superuser: that is the one role above theirs.
            readonly.append("is_superuser")
        return readonly

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A superuser's account (password included) is changed by a superuser only, or setting
        # its password would be a way up for national staff.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting an account here would leave its volunteer profile behind, personal data and
        # all; "Delete my account" anonymises the profile (volunteers.services.account_delete).
        # National staff deactivate accounts instead.
        return False


@admin.register(Region)
class RegionAdmin(NationalStaffAdmin):
    list_display = ["code", "iso_code", "name_kk", "name_ru", "name_en", "center_en"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]
    ordering = ["code"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # The 20 units are fixed by law and loaded by a data migration.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CoordinatorAssignment)
class CoordinatorAssignmentAdmin(NationalStaffAdmin):
    list_display = ["user", "region", "created_at"]
    list_filter = ["region"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "region"]


@admin.register(AuditEntry)
class AuditEntryAdmin(NationalStaffAdmin):
    """The audit trail, for national staff to read: written by the services only."""

    list_display = ["at", "actor", "action", "subject_type", "subject_id", "region_code", "rows"]
    list_filter = ["action", "subject_type", "region_code"]
    list_select_related = ["actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
