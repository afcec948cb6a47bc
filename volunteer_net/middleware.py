from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

_SUPPORTED = {code for code, _name in settings.LANGUAGES}


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
