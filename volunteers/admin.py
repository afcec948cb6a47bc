from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from regions.admin_mixins import CoordinatorAdminMixin, NationalStaffOnlyAdminMixin, RegionScopedAdminMixin
from regions.models import CoordinatorAssignment

from . import services
from .models import Detachment, Skill, User, Volunteer, VolunteerChange
from .selectors import search_q


class CoordinatorAssignmentInline(admin.TabularInline):
    model = CoordinatorAssignment
    extra = 0
    verbose_name = _("coordinated region")
    verbose_name_plural = _("coordinated regions")


@admin.register(User)
class UserAdmin(NationalStaffOnlyAdminMixin, BaseUserAdmin):
    """Roles are assigned here by national staff: the national-staff flag, coordinated regions
    (inline), admin access; curators are set on the detachment, front-office staff on the office."""

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


@admin.register(Skill)
class SkillAdmin(CoordinatorAdminMixin, admin.ModelAdmin):
    """The skills catalogue: coordinators and national staff manage it."""

    list_display = ["code", "name_kk", "name_ru", "name_en"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]


@admin.register(Detachment)
class DetachmentAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    list_display = ["school_name", "school_number", "locality", "region", "curator"]
    list_filter = ["region"]
    search_fields = ["school_name", "school_number", "locality", "curator__email"]
    list_select_related = ["region", "curator"]
    autocomplete_fields = ["curator"]


@admin.register(Volunteer)
class VolunteerAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "phone", "email", "region", "status", "detachment"]
    list_filter = ["status", "region", "available_evenings", "available_weekends", "skills"]
    search_fields = ["last_name", "first_name", "middle_name", "phone", "email"]
    list_select_related = ["region", "detachment"]
    raw_id_fields = ["user", "detachment", "guardian_consent_recorded_by"]
    filter_horizontal = ["skills"]
    readonly_fields = ["created_at", "updated_at", "anonymized_at", "consent_at", "consent_version"]
    exclude = ["iin"]  # restricted-access data: never listed in admin
    show_full_result_count = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # After skills are saved too: the admin is one more way to change personal data, and
        # the history must show it like any other.
        services.volunteer_change_record(
            volunteer=form.instance,
            changed_by=request.user,  # type: ignore[arg-type]
            action=VolunteerChange.Action.UPDATE if change else VolunteerChange.Action.CREATE,
            fields=list(form.changed_data),
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Volunteer], search_term: str
    ) -> tuple[QuerySet[Volunteer], bool]:
        # The roster's search: case-insensitive for Kazakh and Russian whatever the database
        # locale, phone numbers in any written form, and served by the trigram index.
        if not search_term.strip():
            return queryset, False
        return queryset.filter(search_q(search_term)), False


@admin.register(VolunteerChange)
class VolunteerChangeAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_field = "volunteer__region"
    list_display = ["volunteer", "action", "fields", "changed_by", "changed_at"]
    list_select_related = ["volunteer", "changed_by"]

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
