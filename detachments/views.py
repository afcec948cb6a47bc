"""Pages for school detachments: coordinators manage their regions' detachments; a curator
manages the members of the detachments they run (see regions/scoping.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.types import AuthenticatedHttpRequest
from regions.scoping import curator_or_region_scope, manages_regions, region_scope_required, require
from volunteer_net.forms import apply_service_errors
from volunteers import selectors as volunteer_selectors
from volunteers import services as volunteer_services
from volunteers.views import guardian_consent_page, tell_staff_of_duplicates

from . import selectors, services
from .forms import DetachmentForm, DetachmentMemberForm


@require(curator_or_region_scope)
def detachment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    detachments = selectors.detachment_list(user=request.user)
    return render(
        request,
        "detachments/list.html",
        {"detachments": detachments, "can_create": manages_regions(request.user)},
    )


@region_scope_required
def detachment_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DetachmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            detachment = services.detachment_create(data=form.detachment_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The detachment has been created."))
            return redirect("detachments:detail", pk=detachment.pk)
    return render(request, "detachments/form.html", {"form": form, "detachment": None})


@region_scope_required
def detachment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    form = DetachmentForm(request.POST or None, instance=detachment, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.detachment_update(detachment=detachment, data=form.detachment_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The detachment has been saved."))
            return redirect("detachments:detail", pk=detachment.pk)
    return render(request, "detachments/form.html", {"form": form, "detachment": detachment})


@require(curator_or_region_scope)
def detachment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    return render(
        request,
        "detachments/detail.html",
        {
            "detachment": detachment,
            "members": selectors.detachment_members(detachment=detachment),
            "can_edit": manages_regions(request.user),
            "today": timezone.localdate(),
        },
    )


@require(curator_or_region_scope)
def detachment_member_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    form = DetachmentMemberForm(request.POST or None, detachment=detachment)
    if request.method == "POST" and form.is_valid():
        try:
            member = volunteer_services.volunteer_create(
                created_by=request.user,
                data=form.profile_data(),
                skills=form.cleaned_data["skills"],
                guardian_consent=form.guardian_consent(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The member has been added to the detachment."))
            tell_staff_of_duplicates(request, volunteer=member, typed_iin=form.cleaned_data.get("iin"))
            return redirect("detachments:detail", pk=detachment.pk)
    return render(
        request, "detachments/member_form.html", {"form": form, "detachment": detachment, "member": None}
    )


@require(curator_or_region_scope)
def detachment_member_edit(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    member = selectors.detachment_member_get(detachment=detachment, pk=member_pk)
    form = DetachmentMemberForm(request.POST or None, instance=member, detachment=detachment)
    # Consent has its own page (recorded with its document, or withdrawn, with history).
    for name in ("guardian_consent_received", "guardian_document_number", "guardian_document_date"):
        del form.fields[name]
    if not volunteer_selectors.iin_visible_to(user=request.user, volunteer=member):
        # The IIN is restricted: a curator may type it in, but never reads it back.
        del form.fields["iin"]
    if request.method == "POST" and form.is_valid():
        try:
            volunteer_services.volunteer_update(
                volunteer=member,
                changed_by=request.user,
                data=form.profile_data(),
                skills=form.cleaned_data["skills"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The member's details have been saved."))
            return redirect("detachments:detail", pk=detachment.pk)
    return render(
        request, "detachments/member_form.html", {"form": form, "detachment": detachment, "member": member}
    )


@require(curator_or_region_scope)
def detachment_member_consent(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    member = selectors.detachment_member_get(detachment=detachment, pk=member_pk)
    return guardian_consent_page(
        request, volunteer=member, back_url=reverse("detachments:detail", args=[detachment.pk])
    )
