"""The page shown when a request fails on the server (handler500), the one for an address that
does not exist (handler404), and the one for a request Django refuses before any view (handler400:
a body past DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad Host).

Under /api/ both answer JSON, `{"detail": "…"}` in the client's language, as every other API
error does: a client parsing the body must not meet an HTML page.

A database that is restarting or unreachable is not a bug of ours: the person gets a 503 page
that says to try again in a minute (with Retry-After), not the "something went wrong" of a 500.
Both pages are rendered without the request's context processors, which would query the very
database that just failed.
"""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext, gettext_lazy
from django.views import defaults

from .middleware import API_PREFIX

RETRY_AFTER_SECONDS = 30
# What an API client is told on a 503 (here, and by the API's exception handler).
OUTAGE_DETAIL = gettext_lazy(
    "The service is briefly unavailable. Nothing was saved: send the request again in a minute."
)


def _for_api(request: HttpRequest) -> bool:
    # path_info, as the middleware reads it: behind a prefix (SCRIPT_NAME) `path` starts with it.
    return request.path_info.startswith(API_PREFIX)


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    outage = isinstance(error, OperationalError | InterfaceError)
    if _for_api(request):
        # The messages of DRF's own answers (its catalogue translates them) and of the API's 503
        # (volunteer_net/api.py), for what escaped the API's exception handler.
        detail = str(OUTAGE_DETAIL) if outage else gettext("A server error occurred.")
        response: HttpResponse = JsonResponse({"detail": detail}, status=503 if outage else 500)
    elif outage:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    else:
        return HttpResponseServerError(loader.get_template("500.html").render())
    if outage:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An address under /api/ that no endpoint has (`/api/campaigns/abc/`, a mistyped path)
    answers as the API's own 404s do; every other one gets the page."""
    if _for_api(request):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Under /api/, what Django refused before the view ran, as JSON: a body too large is a 413
    (the client must send less, not fix a field), anything else DRF's "Malformed request."."""
    if _for_api(request):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse({"detail": gettext("The request body is too large.")}, status=413)
        return JsonResponse({"detail": gettext("Malformed request.")}, status=400)
    return defaults.bad_request(request, exception)
