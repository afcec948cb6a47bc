from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse

from accounts import reauth
from accounts.lockout import known_browser_remember
from regions.scoping import is_national_staff


def _admits(user: Any) -> bool:
    return is_national_staff(user) and bool(user.is_staff or user.is_superuser)


class NationalStaffAuthenticationForm(AdminAuthenticationForm):
    """The admin's login takes national staff only; anybody else is told no more than that the
    account is not one for this site (they log in on the app's own page)."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not _admits(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class NationalStaffAdminSite(admin.AdminSite):
    """The admin for national staff and superusers only. Anybody else who is logged in finds no
    admin at all (404): it is not a second, less guarded way to the data of the app's pages."""

    site_header = "Volunteer Net"
    site_title = "Volunteer Net"
    login_form = NationalStaffAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return _admits(request.user)

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Django's login page greets a logged-in user without access by name ("you are
        # authenticated as … but not authorized"): it would tell a coordinator the admin exists.
        if request.user.is_authenticated and not self.has_permission(request):
            raise Http404
        response = super().login(request, extra_context)
        if request.method == "POST" and response.status_code == 302 and request.user.is_authenticated:
            # As the site's own log-in page does (accounts/reauth.py, accounts/lockout.py).
            reauth.password_confirmed(request)
            known_browser_remember(response, email=request.user.email)
        return response
