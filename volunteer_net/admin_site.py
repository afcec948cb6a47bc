from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest

from regions.scoping import is_national_staff


class NationalStaffAdminSite(admin.AdminSite):
    """The admin for national staff and superusers only. Anybody else who is logged in finds no
    admin at all (404): it is not a second, less guarded way to the data of the app's pages."""

    site_header = "Volunteer Net"
    site_title = "Volunteer Net"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_national_staff(request.user) and bool(request.user.is_staff or request.user.is_superuser)

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return guarded
