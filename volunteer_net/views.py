"""Project-level pages that read across apps: home, each role's start page, the regions
overview, the CSRF failure page."""

from dataclasses import replace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.destinations import opens_with_get
from accounts.types import AuthenticatedHttpRequest
from regions.scoping import (
    is_curator,
    is_national_staff,
    is_office_staff,
    manages_regions,
    region_scope_required,
    staffed_office_ids,
)
from regions.selectors import regions_by_name
from volunteer_net.collation import in_name_order
from volunteers.selectors import region_overview


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html", {"regions": regions_by_name()})


def landing_url(user: Any) -> str:
    """Where a person's work is: the first page they need after logging in."""
    if manages_regions(user):
        return reverse("overview")
    if is_curator(user):
        return reverse("detachments:list")
    if is_office_staff(user):
        # Their office's visits of today; with several offices, the list to choose from.
        offices = staffed_office_ids(user)
        if len(offices) == 1:
            return reverse("front_offices:day", args=[next(iter(offices))])
        return reverse("front_offices:manage")
    return reverse("profile")


@login_required
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """LOGIN_REDIRECT_URL: send each role to its own page (a `next` parameter still wins,
    since the login view only comes here without one)."""
    return redirect(landing_url(request.user))


@region_scope_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    figures = region_overview(user=request.user)
    # Twenty rows are read as every other list of regions on the site is: in the alphabet of
    # the page's language (Алматы near the top, not among the last by its KATO code).
    figures = replace(figures, rows=in_name_order(figures.rows, lambda row: row.region.name))
    return render(
        request,
        "pages/overview.html",
        {
            "overview": figures,
            # National staff's total is the country's, not "your regions".
            "all_regions": is_national_staff(request.user),
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent with a stale or missing token. The reason is for
    developers and stays out of the page; the person learns how to send the form again."""
    return render(request, "403_csrf.html", {"retry_url": _retry_url(request)}, status=403)


def _retry_url(request: HttpRequest) -> str:
    """Where "Open the page again" goes: the address the form was sent to, when it is a page.
    A button's address (log out, in a tab left open) would only show "this address is for a
    button"; the page the button was on (the Referer, when it is ours) or the person's start
    page is where they can press it again."""
    sent_to = request.get_full_path()
    if opens_with_get(sent_to):
        return sent_to
    referer = request.headers.get("Referer", "")
    if (
        referer
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and opens_with_get(referer)
    ):
        return referer
    return reverse("start") if request.user.is_authenticated else reverse("home")
