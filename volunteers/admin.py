from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from regions.admin_mixins import NationalStaffAdmin

from .models import Skill, Volunteer, VolunteerChange
from .selectors import search_q


@admin.register(Skill)
class SkillAdmin(NationalStaffAdmin):
    """The skills catalogue (reference data). Coordinators keep it on the app's skills page."""

    list_display = ["code", "name_kk", "name_ru", "name_en"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Volunteers' profiles refer to skills: deleting one would take it off every profile
        # without a line in their change history. A skill is renamed instead.
        return False


class ReadOnlyAdmin(NationalStaffAdmin):
    """For support: national staff look; every change goes through the app's pages and services,
    which keep the history and the consent rules."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "region", "status", "detachment"]
    list_filter = ["status", "region"]
    list_select_related = ["region", "detachment"]
    # Restricted and personal columns are neither shown nor filterable here: the roster page
    # shows them to whoever may see them.
    fields = [
        "last_name",
        "first_name",
        "middle_name",
        "region",
        "locality",
        "status",
        "detachment",
        "created_at",
        "updated_at",
        "anonymized_at",
    ]
    show_full_result_count = False

    def search_queryset(
        self, request: HttpRequest, queryset: QuerySet[Volunteer], search_term: str
    ) -> tuple[QuerySet[Volunteer], bool]:
        # The roster's search: case-insensitive for Kazakh and Russian whatever the database
        # locale, phone numbers in any written form, and served by the trigram index.
        if not search_term.strip():
            return queryset, False
        return queryset.filter(search_q(search_term)), False

    search_fields = ["search_text"]  # enables the search box; search_queryset() does the work


@admin.register(VolunteerChange)
class VolunteerChangeAdmin(ReadOnlyAdmin):
    list_display = ["volunteer", "action", "fields", "changed_by", "changed_at"]
    list_select_related = ["volunteer", "changed_by"]
