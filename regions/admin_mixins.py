"""The admin is a tool for national staff and superusers (see DESIGN.md): coordinators, curators
and office staff work in the app's own pages, which go through the services and the scope.

Every ModelAdmin of the project derives from `NationalStaffAdmin` (every inline from
`NationalStaffTabularInline`), which

* admits national staff only (the admin site itself answers 404 to anybody else logged in);
* accepts query-string filters only for the filters the list declares — Django would otherwise
  accept a lookup on any of the model's own columns (`?iin__startswith=…`), an oracle for
  personal data;
* keeps personal columns out of lists, searches and filters (each admin names its own);
* answers a NUL byte in a filter, a search term or a selected id with 400 or an empty result:
  PostgreSQL cannot hold NUL in text, and Django's admin hands these values to the database as
  they come (a 500 otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import ForeignKey, ManyToManyField, Model, QuerySet
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse

from .scoping import is_national_staff

# Suffixes Django's list filters put in the query string for a declared filter.
_FILTER_SUFFIXES = ("", "__exact", "__id__exact", "__isnull", "__in")


class NationalStaffPermissions:
    """Permissions by role, not by Django's per-model permissions: national staff may do what
    the admin offers them, nobody else anything. Shared by model admins and inlines (an inline
    left on Django's permissions is hidden from national staff who are not superusers)."""

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


def _is_key(field: Any, value: Any) -> bool:
    """Whether `value` can be a value of `field` at all (PostgreSQL text holds no NUL)."""
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return "\x00" not in str(value)


def _acceptable_keys(field: Any, values: Iterable[Any]) -> list[Any]:
    """The values that can be ids of the relation `field` points along; the rest match nothing."""
    opts = field.remote_field.model._meta
    target = opts.get_field(getattr(field.remote_field, "field_name", None) or opts.pk.attname)
    return [value for value in values if _is_key(target, value)]


class _SafeAutocompleteSelect(AutocompleteSelect):
    # Django looks the submitted ids up as they came when it redisplays an invalid form, so a
    # malformed id (`staff=abc`) would raise instead of showing the field's error.
    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        return super().optgroups(name, _acceptable_keys(self.field, value), attr)


class _SafeAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        return super().optgroups(name, _acceptable_keys(self.field, value), attr)


class NationalStaffAdmin(NationalStaffPermissions, admin.ModelAdmin):
    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        if "\x00" in str(value):
            return False
        declared = {f if isinstance(f, str) else getattr(f, "parameter_name", "") for f in self.list_filter}
        return any(lookup == f"{name}{suffix}" for name in declared if name for suffix in _FILTER_SUFFIXES)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # The changelist's search form refuses NUL itself; the autocomplete endpoint does not.
        if "\x00" in search_term:
            return queryset.none(), False
        return self.search_queryset(request, queryset, search_term)

    def search_queryset(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """Override this rather than `get_search_results`, which screens the term first."""
        return super().get_search_results(request, queryset, search_term)

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        # Django filters by the selected ids as they came; a malformed one would be a 500.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_key(self.model._meta.pk, value) for value in selected):
            raise BadRequest("Malformed selection")
        return super().response_action(request, queryset)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = _SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = _SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class NationalStaffTabularInline(NationalStaffPermissions, admin.TabularInline):
    pass
