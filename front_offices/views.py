"""Front-office pages: the public list of offices, and the staff pages where coordinators keep
their regions' offices (national staff all of them; office staff see their own)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.types import AuthenticatedHttpRequest
from regions.scoping import may_manage_region, region_scope_required, require
from volunteer_net.forms import apply_service_errors

from . import selectors, services
from .forms import FrontOfficeForm


def office_public_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "front_offices/public_list.html", {"offices": selectors.front_office_public_list()}
    )


@require(selectors.may_see_front_offices)
def office_manage_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    offices = selectors.front_office_list(user=request.user)
    # Office staff see their offices here but edit nothing; a coordinator edits their regions'.
    rows = [(office, may_manage_region(request.user, office.region_id)) for office in offices]
    return render(request, "front_offices/manage_list.html", {"rows": rows})


@region_scope_required
def office_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    office = selectors.front_office_get_for_edit(user=request.user, pk=pk)
    # The form writes what was typed into its instance; the heading keeps the saved name.
    form = FrontOfficeForm(
        request.POST or None, instance=selectors.front_office_get_for_edit(user=request.user, pk=pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.front_office_update(office=office, data=form.office_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The front office has been saved."))
            return redirect("front_offices:manage")
    return render(request, "front_offices/form.html", {"form": form, "office": office})
