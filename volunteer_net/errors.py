"""The page shown when a request fails on the server (handler500).

A database that is restarting or unreachable is not a bug of ours: the person gets a 503 page
that says to try again in a minute (with Retry-After), not the "something went wrong" of a 500.
Both pages are rendered without the request's context processors, which would query the very
database that just failed.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
