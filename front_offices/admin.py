from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from regions.admin_mixins import RegionScopedAdminMixin
from regions.scoping import is_national_staff

from .models import FrontOffice


@admin.register(FrontOffice)
class FrontOfficeAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    """Coordinators keep their regions' offices; assigning staff is a role, given by national staff."""

    list_display = ["name", "region", "address", "phone"]
    list_filter = ["region"]
    search_fields = ["name", "address", "staff__email"]
    list_select_related = ["region"]
    autocomplete_fields = ["staff"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if not is_national_staff(request.user):
            readonly.append("staff")
        return readonly
