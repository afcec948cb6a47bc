"""Pages for volunteers (self-service), the coordinator's roster and school detachments.

Views load objects through the scoped selectors, call one service and present the result.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regions.scoping import is_coordinator

from . import selectors, services
from .forms import (
    CoordinatorVolunteerForm,
    DetachmentForm,
    DetachmentMemberForm,
    RegistrationForm,
    RosterFilterForm,
    VolunteerProfileForm,
    WalkInVolunteerForm,
)
from .types import AuthenticatedHttpRequest

PAGE_SIZES = (25, 50, 100)


def _coordinator_required(request: HttpRequest) -> None:
    # Outside the roles the roster does not exist for the user: 404, like any other object.
    if not request.user.is_authenticated or not is_coordinator(request.user):
        raise Http404


def _apply_service_errors(form: Any, exc: ValidationError, *other_forms: Any) -> None:
    """Show a service's ValidationError by the field it names, on whichever form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = next((f for f in (form, *other_forms) if field in f.fields), None)
        if target is None:
            form.add_error(None, errors)
        else:
            target.add_error(field, errors)


# Self-service ------------------------------------------------------------------------------


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("profile")
    account_form = RegistrationForm(request.POST or None, prefix="account")
    profile_form = VolunteerProfileForm(request.POST or None, prefix="profile")
    # `&`, not `and`: validate both forms so that every error shows at once.
    if request.method == "POST" and account_form.is_valid() & profile_form.is_valid():
        try:
            user = services.user_register(
                email=account_form.cleaned_data["email"],
                password=account_form.cleaned_data["password1"],
                profile=profile_form.profile_data(),
                skills=profile_form.cleaned_data["skills"],
            )
        except ValidationError as exc:
            _apply_service_errors(profile_form, exc, account_form)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Volunteer Net! Your profile has been created."))
            return redirect("profile")
    return render(
        request, "volunteers/register.html", {"account_form": account_form, "profile_form": profile_form}
    )


def consent_text(request: HttpRequest) -> HttpResponse:
    return render(request, "volunteers/consent.html", {"consent_version": settings.CONSENT_VERSION})


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_of_user(user=request.user)
    return render(request, "volunteers/profile.html", {"volunteer": volunteer})


@login_required
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_of_user(user=request.user)
    if volunteer is None:
        raise Http404
    form = VolunteerProfileForm(request.POST or None, instance=volunteer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(
                volunteer=volunteer,
                changed_by=request.user,
                data=form.profile_data(),
                skills=form.cleaned_data["skills"],
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("profile")
    return render(request, "volunteers/profile_form.html", {"form": form})


@login_required
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_of_user(user=request.user)
    payload: dict[str, Any] = {
        "account": {"email": request.user.email, "date_joined": request.user.date_joined.isoformat()},
        "volunteer": selectors.volunteer_personal_data(volunteer=volunteer) if volunteer else None,
        "exported_at": timezone.now().isoformat(),
    }
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="volunteer-net-my-data.json"'
    return response


@login_required
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_of_user(user=request.user)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that you want to delete your account."))
            return redirect("account_delete")
        services.account_delete(user=request.user)
        logout(request)
        messages.success(request, _("Your account has been deleted and your personal data erased."))
        return redirect("home")
    return render(request, "volunteers/account_delete.html", {"volunteer": volunteer})


# Coordinator roster ------------------------------------------------------------------------


def roster_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _coordinator_required(request)
    form = RosterFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else selectors.RosterFilters()
    try:
        per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        per_page = PAGE_SIZES[0]
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
    paginator = Paginator(selectors.volunteer_list(user=request.user, filters=filters), per_page)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "roster/list.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "page_sizes": PAGE_SIZES,
            "per_page": per_page,
        },
    )


def roster_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _coordinator_required(request)
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    return render(
        request,
        "roster/detail.html",
        {
            "volunteer": volunteer,
            "changes": selectors.volunteer_changes(volunteer=volunteer),
            "show_iin": selectors.iin_visible_to(user=request.user, volunteer=volunteer),
        },
    )


def roster_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _coordinator_required(request)
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    show_iin = selectors.iin_visible_to(user=request.user, volunteer=volunteer)
    form = CoordinatorVolunteerForm(request.POST or None, instance=volunteer, user=request.user)
    if not show_iin:
        # A coordinator does not see the IIN, so cannot edit it either.
        del form.fields["iin"]
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(
                volunteer=volunteer,
                changed_by=request.user,
                data=form.profile_data(),
                skills=form.cleaned_data["skills"],
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("The volunteer's profile has been saved."))
            return redirect("roster:detail", pk=volunteer.pk)
    return render(request, "roster/form.html", {"form": form, "volunteer": volunteer})


def roster_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _coordinator_required(request)
    form = WalkInVolunteerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.profile_data()
        consent = data.pop("guardian_consent_received", False)
        try:
            volunteer = services.volunteer_create(
                created_by=request.user,
                data=data,
                skills=form.cleaned_data["skills"],
                guardian_consent_received=consent,
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("The volunteer has been added to the roster."))
            return redirect("roster:detail", pk=volunteer.pk)
    return render(request, "roster/form.html", {"form": form, "volunteer": None})


@require_POST
def roster_guardian_consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _coordinator_required(request)
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    try:
        services.guardian_consent_record(volunteer=volunteer, recorded_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The guardian's written consent has been recorded."))
    return redirect("roster:detail", pk=volunteer.pk)


# Detachments -------------------------------------------------------------------------------


def _detachments_allowed(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not (
        is_coordinator(request.user) or selectors.user_is_curator(user=request.user)
    ):
        raise Http404


def detachment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _detachments_allowed(request)
    detachments = selectors.detachment_list(user=request.user)
    return render(
        request,
        "volunteers/detachment_list.html",
        {"detachments": detachments, "can_create": is_coordinator(request.user)},
    )


def detachment_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _coordinator_required(request)
    form = DetachmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            detachment = services.detachment_create(data=form.detachment_data())
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("The detachment has been created."))
            return redirect("detachments:detail", pk=detachment.pk)
    return render(request, "volunteers/detachment_form.html", {"form": form, "detachment": None})


def detachment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _coordinator_required(request)
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    form = DetachmentForm(request.POST or None, instance=detachment, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.detachment_update(detachment=detachment, data=form.detachment_data())
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("The detachment has been saved."))
            return redirect("detachments:detail", pk=detachment.pk)
    return render(request, "volunteers/detachment_form.html", {"form": form, "detachment": detachment})


def detachment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _detachments_allowed(request)
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    return render(
        request,
        "volunteers/detachment_detail.html",
        {
            "detachment": detachment,
            "members": selectors.detachment_members(detachment=detachment),
            "can_edit": is_coordinator(request.user),
            "today": timezone.localdate(),
        },
    )


def detachment_member_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _detachments_allowed(request)
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    form = DetachmentMemberForm(request.POST or None, detachment=detachment)
    if request.method == "POST" and form.is_valid():
        consent = form.cleaned_data.get("guardian_consent_received", False)
        try:
            services.volunteer_create(
                created_by=request.user,
                data=form.profile_data(),
                skills=form.cleaned_data["skills"],
                guardian_consent_received=consent,
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("The member has been added to the detachment."))
            return redirect("detachments:detail", pk=detachment.pk)
    return render(
        request, "volunteers/member_form.html", {"form": form, "detachment": detachment, "member": None}
    )


def detachment_member_edit(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    _detachments_allowed(request)
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    member = selectors.detachment_member_get(detachment=detachment, pk=member_pk)
    form = DetachmentMemberForm(request.POST or None, instance=member, detachment=detachment)
    del form.fields["guardian_consent_received"]
    if not selectors.iin_visible_to(user=request.user, volunteer=member):
        # The IIN is restricted: a curator may type it in, but never reads it back.
        del form.fields["iin"]
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(
                volunteer=member,
                changed_by=request.user,
                data=form.profile_data(),
                skills=form.cleaned_data["skills"],
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("The member's details have been saved."))
            return redirect("detachments:detail", pk=detachment.pk)
    return render(
        request, "volunteers/member_form.html", {"form": form, "detachment": detachment, "member": member}
    )


@require_POST
def detachment_member_consent(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    _detachments_allowed(request)
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    member = selectors.detachment_member_get(detachment=detachment, pk=member_pk)
    try:
        services.guardian_consent_record(volunteer=member, recorded_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The guardian's written consent has been recorded."))
    return redirect("detachments:detail", pk=detachment.pk)
