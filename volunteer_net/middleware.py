from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import translation

_SUPPORTED = {code for code, _name in settings.LANGUAGES}
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
        if lang in _SUPPORTED:
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
