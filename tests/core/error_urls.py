"""The project's URLs plus views that fail, for the error-page tests (pytest.mark.urls)."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from volunteer_net.urls import urlpatterns as project_urlpatterns


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def database_gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError("the server closed the connection unexpectedly")


urlpatterns = [
    path("broken/", broken),
    path("forbidden/", forbidden),
    # Failures that escape DRF's exception handler (middleware, a plain Django view) under /api/.
    path("api/broken/", broken),
    path("api/database-gone/", database_gone),
    *project_urlpatterns,
]
handler400 = "volunteer_net.errors.bad_request"
handler404 = "volunteer_net.errors.page_not_found"
handler500 = "volunteer_net.errors.server_error"
