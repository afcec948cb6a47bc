"""Project-level pages that read across apps (home; sections whose issues are still open)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from regions.selectors import region_list


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html", {"regions": region_list()})


def _coming_soon(request: HttpRequest, title: str, text: str) -> HttpResponse:
    return render(request, "pages/coming_soon.html", {"page_title": title, "page_text": text})


def map_page(request: HttpRequest) -> HttpResponse:
    return _coming_soon(request, _("Map"), _("Campaigns, front offices and school detachments near you."))


def front_offices_page(request: HttpRequest) -> HttpResponse:
    return _coming_soon(request, _("Front offices"), _("A volunteer front office in each of the 20 regions."))
