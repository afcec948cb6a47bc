from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from regions.admin_mixins import NationalStaffAdmin

from . import services
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

    # The person's trail says who opened their record and who looked them up by phone, IIN or
    # e-mail, here as on the roster's pages and the API: the admin is no unrecorded way round.

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        query = request.GET.get(SEARCH_VAR, "")
        if query:
            services.roster_lookup_record(by=request.user, query=query, where="admin")  # type: ignore[arg-type]
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            volunteer = self.get_object(request, unquote(object_id))
            if volunteer is not None:
                services.volunteer_viewed(by=request.user, volunteer=volunteer, where="admin")  # type: ignore[arg-type]
        return response


@admin.register(VolunteerChange)
class VolunteerChangeAdmin(ReadOnlyAdmin):
    list_display = ["volunteer", "action", "fields", "changed_by", "changed_at"]
    list_select_related = ["volunteer", "changed_by"]
