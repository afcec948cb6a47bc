from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponsePermanentRedirect, QueryDict
from django.middleware import common
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import escape_leading_slashes

from .languages import SUPPORTED

# Where the API is mounted (volunteer_net/urls.py).
API_PREFIX = "/api/"


class QueryLanguageMiddleware:
    """Let API clients pick the language with `?lang=kk|ru|en` (API.md), over Accept-Language.

    Runs after LocaleMiddleware, so it only overrides what that one chose for this request;
    the browser's remembered choice (cookie) is left as it is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lang = request.GET.get("lang")
        if lang in SUPPORTED:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        return self.get_response(request)


def _holds_nul(query: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


class RefuseNulMiddleware:
    """Answer a page request whose query string or form fields hold a NUL byte with a 400 page.

    PostgreSQL can neither store nor compare a string with NUL in it, so any view that hands such
    a value to a query fails with a 500; no person types one. Checked here once, before any view
    (the admin's included) runs. API requests pass: their serializers refuse NUL with an error
    naming the field, which is what an API client needs. Uploaded files are not looked at.

    Runs after the authentication middleware, so that the page shows the visitor's navigation.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX) and (
            _holds_nul(request.GET) or (request.method == "POST" and _holds_nul(request.POST))
        ):
            return render(request, "400.html", status=400)
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response of ours that does not set its own.

    One default rather than a list of personal pages: the profile, "my data", the roster, the
    detachment member pages, the volunteers API and /api/me/ hold personal data, but so do the
    pages and apps still to come, and every page differs by who is logged in (menu, messages,
    CSRF token). A list would miss the next page added; a default cannot. A page meant to be
    cached (a public map layer, say) says so with its own Cache-Control, which is left alone.
    Static files are served before this runs (WhiteNoise, runserver) and keep their caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response: the browser features our pages never use are off.

    Geolocation stays on for our own origin only: the map's and the care board's "near me"
    buttons (static/js/map.js, near_me.js, location.js) ask the browser where the person is.
    The value is a setting (PERMISSIONS_POLICY) so that a deployment can tighten it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header and not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = self.header
        return response


class CommonMiddleware(common.CommonMiddleware):
    """Django's, with the missing trailing slash of a POST (PUT, PATCH, DELETE) answered by a 308.

    Django answers it with a 301, which HTTP clients follow by sending a GET: an integrator's
    `POST /api/visits` came back as the list of their visits with a 200, and the booking was
    never made. A 308 tells the client to send the same method and body to the address with the
    slash (RFC 9110). GET and HEAD keep the 301, as before.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if (
            request.method not in ("GET", "HEAD")
            and response.status_code == 404
            and self.should_redirect_with_slash(request)
        ):
            path = escape_leading_slashes(request.get_full_path(force_append_slash=True))
            return HttpResponsePermanentRedirect(path, preserve_request=True)
        return super().process_response(request, response)
