"""Pages for volunteers (self-service) and the coordinator's roster.

Views load objects through the scoped selectors, call one service and present the result.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import ratelimit
from accounts.forms import RegistrationForm
from accounts.types import AuthenticatedHttpRequest
from regions.scoping import region_scope_required
from volunteer_net.forms import apply_service_errors
from volunteer_net.http import require_post

from . import selectors, services
from .forms import (
    CoordinatorVolunteerForm,
    RegistrationProfileForm,
    RosterFilterForm,
    SkillForm,
    VolunteerProfileForm,
    WalkInVolunteerForm,
)

PAGE_SIZES = (25, 50, 100)


# Self-service ------------------------------------------------------------------------------


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("profile")
    account_form = RegistrationForm(request.POST or None, prefix="account")
    profile_form = RegistrationProfileForm(request.POST or None, prefix="profile")
    if request.method == "POST" and ratelimit.limit_exceeded(request, scope="register"):
        account_form.add_error(None, str(ratelimit.LIMITED_MESSAGE))
        context = {"account_form": account_form, "profile_form": profile_form}
        return render(request, "volunteers/register.html", context, status=429)
    # `&`, not `and`: validate both forms so that every error shows at once.
    if request.method == "POST" and account_form.is_valid() & profile_form.is_valid():
        try:
            services.user_register(
                email=account_form.cleaned_data["email"],
                password=account_form.cleaned_data["password1"],
                profile=profile_form.profile_data(),
                skills=profile_form.cleaned_data["skills"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except ValidationError as exc:
            apply_service_errors(profile_form, exc, account_form)
        else:
            # The same page whether the address was new or already registered: see user_register.
            return redirect("register_done")
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
            apply_service_errors(form, exc)
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


@region_scope_required
def roster_list(request: AuthenticatedHttpRequest) -> HttpResponse:
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


@region_scope_required
def roster_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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


@region_scope_required
def roster_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The volunteer's profile has been saved."))
            return redirect("roster:detail", pk=volunteer.pk)
    return render(request, "roster/form.html", {"form": form, "volunteer": volunteer})


@region_scope_required
def roster_create(request: AuthenticatedHttpRequest) -> HttpResponse:
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
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The volunteer has been added to the roster."))
            return redirect("roster:detail", pk=volunteer.pk)
    return render(request, "roster/form.html", {"form": form, "volunteer": None})


@require_post(back="roster:detail", back_kwargs=("pk",))
@region_scope_required
def roster_guardian_consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    try:
        services.guardian_consent_record(volunteer=volunteer, recorded_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The guardian's written consent has been recorded."))
    return redirect("roster:detail", pk=volunteer.pk)


# Skills catalogue --------------------------------------------------------------------------


@region_scope_required
def skill_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "volunteers/skill_list.html", {"skills": selectors.skill_list()})


@region_scope_required
def skill_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SkillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.skill_create(**form.skill_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The skill has been added."))
            return redirect("skills:list")
    return render(request, "volunteers/skill_form.html", {"form": form, "skill": None})


@region_scope_required
def skill_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    skill = selectors.skill_get(pk=pk)
    # The form writes what was typed into its instance; the heading keeps the saved name.
    form = SkillForm(request.POST or None, instance=selectors.skill_get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.skill_update(skill=skill, data=form.skill_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The skill has been saved."))
            return redirect("skills:list")
    return render(request, "volunteers/skill_form.html", {"form": form, "skill": skill})
