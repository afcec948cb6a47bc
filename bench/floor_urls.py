"""The bench's own URLs on top of the site's: a page that is the site's chrome and nothing else
(bench/roster.py measures it beside the roster). Served only by the benchmark, never by the site."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from volunteer_net.urls import urlpatterns as site_urlpatterns


def chrome_only(request: HttpRequest) -> HttpResponse:
    """base.html with an empty content block, through every middleware, as a logged-in user:
    the session and the user read, the header for their roles, the footer."""
    return render(request, "base.html", {})


urlpatterns = [path("bench/chrome-only/", chrome_only), *site_urlpatterns]
