"""The admin is a tool for national staff and superusers (see DESIGN.md): coordinators, curators
and office staff work in the app's own pages, which go through the services and the scope.

Every ModelAdmin of the project derives from `NationalStaffAdmin`, which

* admits national staff only (the admin site itself answers 404 to anybody else logged in);
* accepts query-string filters only for the filters the list declares — Django would otherwise
  accept a lookup on any of the model's own columns (`?iin__startswith=…`), an oracle for
  personal data;
* keeps personal columns out of lists, searches and filters (each admin names its own).
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .scoping import is_national_staff

# Suffixes Django's list filters put in the query string for a declared filter.
_FILTER_SUFFIXES = ("", "__exact", "__id__exact", "__isnull", "__in")


class NationalStaffAdmin(admin.ModelAdmin):
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

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        declared = {f if isinstance(f, str) else getattr(f, "parameter_name", "") for f in self.list_filter}
        return any(lookup == f"{name}{suffix}" for name in declared if name for suffix in _FILTER_SUFFIXES)
