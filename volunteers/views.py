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
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import ratelimit, reauth
from accounts.forms import RegistrationForm
from accounts.types import AuthenticatedHttpRequest
from regions.scoping import is_national_staff, manages_regions, region_scope_required
from volunteer_net.dates import iso_local
from volunteer_net.forms import apply_service_errors, share_choices
from volunteer_net.http import require_post
from volunteer_net.paging import SortedRowsPaginator
from volunteer_net.submit_once import saved, submitted_once

from . import extensions, selectors, services
from .forms import (
    CoordinatorVolunteerForm,
    DuplicateFilterForm,
    ErasureRequestForm,
    GuardianConfirmForm,
    GuardianConsentForm,
    GuardianConsentWithdrawForm,
    MergeForm,
    OwnConsentForm,
    OwnPaperConsentForm,
    OwnProfileForm,
    RegistrationProfileForm,
    RosterBulkForm,
    RosterFilterForm,
    SkillForm,
    WalkInVolunteerForm,
)
from .models import Volunteer
from .validators import format_phone, mask_phone

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
    return _profile_page(request, volunteer)


def _profile_page(
    request: AuthenticatedHttpRequest,
    volunteer: Volunteer | None,
    *,
    own_consent_form: OwnConsentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The person's profile, with the next step it waits for: the guardian's link, or, come of
    age, their own consent (`own_consent_form` as posted, when it came back with errors)."""
    # Where the guardian's link went, never the link: whoever holds it can give the consent.
    link = selectors.guardian_link_status(volunteer=volunteer) if volunteer else None
    if own_consent_form is None and volunteer is not None and volunteer.awaits_own_consent:
        own_consent_form = OwnConsentForm()
    return render(
        request,
        "volunteers/profile.html",
        {"volunteer": volunteer, "guardian_link_status": link, "own_consent_form": own_consent_form},
        status=status,
    )


@require_post(back="profile")
@login_required
def own_consent(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Someone who came of age while awaiting their guardian gives their own consent."""
    volunteer = selectors.volunteer_of_user(user=request.user)
    if volunteer is None:
        raise Http404
    form = OwnConsentForm(request.POST)
    if form.is_valid():
        try:
            services.own_consent_give(volunteer=volunteer, by=request.user)
        except ValidationError as exc:
            # A second click: the first one recorded it, which is no error of the person's.
            report = messages.info if getattr(exc, "code", None) == "already" else messages.error
            report(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Thank you: your consent is recorded, and you can sign up for shifts.")
            )
        return redirect("profile")
    return _profile_page(request, volunteer, own_consent_form=form, status=400)


@require_post(back="profile")
@login_required
def guardian_link_send(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A minor asks for their guardian's link to be sent to the guardian's phone again."""
    volunteer = selectors.volunteer_of_user(user=request.user)
    if volunteer is None:
        raise Http404
    try:
        sent = services.guardian_link_send(volunteer=volunteer)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The link is on its way to %(phone)s by SMS.") % {"phone": mask_phone(sent.phone)},
        )
    return redirect(reverse("profile") + "#guardian-next-step")


@login_required
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_of_user(user=request.user)
    if volunteer is None:
        raise Http404
    old_email = volunteer.email
    form = OwnProfileForm(request.POST or None, instance=volunteer, user=request.user)
    if request.method == "POST" and form.is_valid():
        if _email_changes(old_email, form.cleaned_data.get("email")) and reauth.reauth_needed(request):
            # Messages go to this address: changing it takes a recently typed password.
            messages.info(request, _("Confirm your password, then save the new e-mail address again."))
            return reauth.reauth_redirect(request, reverse("profile_edit"))
        try:
            services.volunteer_update(
                volunteer=volunteer,
                changed_by=request.user,
                data=form.profile_data(),
                skills=form.skills_data(),
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
        "account": {"email": request.user.email, "date_joined": iso_local(request.user.date_joined)},
        "volunteer": selectors.volunteer_personal_data(volunteer=volunteer) if volunteer else None,
        "exported_at": iso_local(timezone.now()),
    }
    if volunteer is not None:
        # Sections of apps above volunteers/ (events' shifts and hours): see volunteers/extensions.py.
        for key, section in extensions.PERSONAL_DATA_SECTIONS:
            payload[key] = section(volunteer)
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="volunteer-net-my-data.json"'
    return response


def _email_changes(old: str, new: str | None) -> bool:
    """A new address where messages would go. Emptying the field sends them nowhere new (the
    person keeps SMS or nothing), so it needs no password."""
    new = (new or "").strip().lower()
    return bool(new) and new != (old or "").strip().lower()


@reauth.reauth_required
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
    if filters.q:
        services.roster_lookup_record(by=request.user, query=filters.q, where="roster")
    # A search reads and ranks every match whatever the page: its total comes with the page.
    paginator = SortedRowsPaginator(
        selectors.roster_page_list(user=request.user, filters=filters),
        per_page,
        count_with_page=bool(filters.q.strip()),
    )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    # Its own ids: with the default ones its selects repeated the filter's id_detachment and
    # id_skill, and the bar's labels (for="id_bulk_…") named no control.
    bulk_form = RosterBulkForm(user=request.user, auto_id="id_bulk_%s")
    shared = share_choices(
        form,
        bulk_form,
        "detachment",
        "skill",
        given={"detachment": selectors.detachment_options(request.user)},
    )
    share_choices(form, None, "region")
    return render(
        request,
        "roster/list.html",
        {
            "form": form,
            "bulk_form": bulk_form,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "page_sizes": PAGE_SIZES,
            "per_page": per_page,
            # The rows name each person's skills from the catalogue the skill filter offers.
            "skill_labels": shared["skill"],
        },
    )


@require_post(back="roster:list")
@region_scope_required
def roster_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RosterBulkForm(request.POST, user=request.user)
    back = request.POST.get("next", "")
    back = back if back.startswith("/roster/") else reverse("roster:list")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect(back)
    people = selectors.volunteers_for_bulk(user=request.user, ids=form.cleaned_data["ids"])
    result = services.volunteers_bulk_update(
        volunteers=people, changed_by=request.user, action=form.cleaned_data["action"], value=form.value()
    )
    if result.changed:
        messages.success(
            request,
            ngettext("%(count)d volunteer changed.", "%(count)d volunteers changed.", len(result.changed))
            % {"count": len(result.changed)},
        )
    if result.unchanged and not result.changed and not result.refused:
        messages.info(request, _("Nothing to change: they already had it."))
    for volunteer, reason in result.refused:
        messages.error(request, f"{volunteer.full_name}: {reason}")
    return redirect(back)


@region_scope_required
def roster_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    services.volunteer_viewed(by=request.user, volunteer=volunteer, where="roster")
    return render(
        request,
        "roster/detail.html",
        {
            "volunteer": volunteer,
            # Who viewed or exported this person's data (accounts/audit.py), newest first.
            "trail": selectors.volunteer_trail(volunteer=volunteer),
            "changes": selectors.volunteer_changes(volunteer=volunteer),
            "show_iin": selectors.iin_visible_to(user=request.user, volunteer=volunteer),
            "duplicates": selectors.duplicates_of(user=request.user, volunteer=volunteer),
        },
    )


@region_scope_required
def roster_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    if volunteer.anonymized_at is not None:
        # Erased people stay erased: there is nothing to edit, and no way back to "active".
        raise Http404
    show_iin = selectors.iin_visible_to(user=request.user, volunteer=volunteer)
    form = CoordinatorVolunteerForm(request.POST or None, instance=volunteer, user=request.user)
    if request.method == "GET":
        # The form shows the data; a saved change is in the person's history already.
        services.volunteer_viewed(by=request.user, volunteer=volunteer, where="roster-edit")
    if not show_iin:
        # A coordinator does not see the IIN, so cannot edit it either.
        del form.fields["iin"]
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(
                volunteer=volunteer,
                changed_by=request.user,
                data=form.profile_data(),
                skills=form.skills_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The volunteer's profile has been saved."))
            return redirect("roster:detail", pk=volunteer.pk)
    return render(request, "roster/form.html", {"form": form, "volunteer": volunteer})


@region_scope_required
def roster_erase(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Erase a person's data on their request, as the staff who may edit them: a page that says
    what goes and what stays and asks how the request came, then the POST that erases."""
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    if volunteer.anonymized_at is not None:
        raise Http404
    # Bound on every POST, an empty one included: nothing ticked is an error shown, not a new page.
    form = ErasureRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_erase_on_request(
                volunteer=volunteer, by=request.user, basis=form.cleaned_data["basis"]
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "anonymised":
                # Someone else erased the person a moment earlier: the outcome is the same.
                messages.info(request, " ".join(exc.messages))
                return redirect("roster:detail", pk=volunteer.pk)
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("The person's personal data has been erased; their volunteer hours still count.")
            )
            return redirect("roster:detail", pk=volunteer.pk)
    return render(
        request,
        "roster/erase.html",
        {"volunteer": volunteer, "form": form, "hours": extensions.volunteer_total_hours(volunteer)},
    )


@region_scope_required
@submitted_once
def roster_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = WalkInVolunteerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_create(
                created_by=request.user,
                data=form.profile_data(),
                skills=form.cleaned_data["skills"],
                own_consent=form.own_consent(),
                guardian_consent=form.guardian_consent(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The volunteer has been added to the roster."))
            tell_staff_of_duplicates(request, volunteer=volunteer, typed_iin=form.cleaned_data.get("iin"))
            return saved(request, redirect("roster:detail", pk=volunteer.pk))
    return render(request, "roster/form.html", {"form": form, "volunteer": None})


@region_scope_required
def roster_guardian_consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    return guardian_consent_page(
        request, volunteer=volunteer, back_url=reverse("roster:detail", args=[volunteer.pk])
    )


def guardian_consent_page(
    request: AuthenticatedHttpRequest, *, volunteer: Volunteer, back_url: str
) -> HttpResponse:
    """A minor's guardian consent as staff see it (roster and detachment pages alike): what is
    on file, the personal link to hand to the guardian, recording a signed form, withdrawal.
    For someone who came of age still awaiting it: recording the form they signed themselves."""
    if volunteer.awaits_own_consent:
        return _own_consent_page(request, volunteer=volunteer, back_url=back_url)
    if volunteer.anonymized_at is not None or not volunteer.is_minor():
        raise Http404
    record_form = GuardianConsentForm(request.POST if request.POST.get("action") == "record" else None)
    withdraw_form = GuardianConsentWithdrawForm(
        request.POST if request.POST.get("action") == "withdraw" else None
    )
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            sent = services.guardian_link_send(volunteer=volunteer)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The link is on its way to the guardian's phone %(phone)s by SMS.")
                % {"phone": format_phone(sent.phone)},
            )
        return redirect(request.path)
    if request.method == "POST":
        form = withdraw_form if request.POST.get("action") == "withdraw" else record_form
        if form.is_valid():
            try:
                if form is withdraw_form:
                    services.guardian_consent_withdraw(
                        volunteer=volunteer, withdrawn_by=request.user, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The guardian's consent has been withdrawn."))
                else:
                    services.guardian_consent_record(
                        volunteer=volunteer, recorded_by=request.user, paper=record_form.paper()
                    )
                    messages.success(request, _("The guardian's written consent has been recorded."))
            except ValidationError as exc:
                # A second click or tab: the first recorded or withdrew it, and the page it would
                # show the error on no longer has that form.
                if getattr(exc, "code", None) in ("already_recorded", "none"):
                    messages.info(request, " ".join(exc.messages))
                    return redirect(back_url)
                apply_service_errors(form, exc)
            else:
                return redirect(back_url)
    return render(
        request,
        "volunteers/guardian_consent.html",
        {
            "volunteer": volunteer,
            "back_url": back_url,
            "record_form": record_form,
            "withdraw_form": withdraw_form,
            "consents": selectors.guardian_consents(volunteer=volunteer),
            "link": selectors.guardian_link_for(volunteer=volunteer),
        },
    )


def _own_consent_page(
    request: AuthenticatedHttpRequest, *, volunteer: Volunteer, back_url: str
) -> HttpResponse:
    form = OwnPaperConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.own_consent_give(volunteer=volunteer, by=request.user, paper=form.paper())
        except ValidationError as exc:
            messages.info(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Their consent has been recorded: they can take part now."))
        return redirect(back_url)
    return render(
        request,
        "volunteers/own_consent_record.html",
        {"volunteer": volunteer, "back_url": back_url, "form": form},
        status=400 if form.errors else 200,
    )


def guardian_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The page a guardian opens from the personal link: no account, no login."""
    try:
        volunteer = selectors.volunteer_for_guardian_link(token=token)
    except ValidationError as exc:
        return render(
            request, "volunteers/guardian_confirm.html", {"error": " ".join(exc.messages)}, status=404
        )
    try:
        # Opened in the minor's own session: nothing to show them but that it is not theirs.
        services.guardian_link_refuse_own_account(volunteer=volunteer, user=request.user)
    except ValidationError as exc:
        return render(
            request, "volunteers/guardian_confirm.html", {"error": " ".join(exc.messages)}, status=403
        )
    done = volunteer.guardian_consent_at is not None
    if not done and not volunteer.is_minor():
        # Came of age since the link was sent: the consent is theirs now (law 94-V). The page
        # offered the guardian the form and refused it only once filled in, in staff's words.
        error = _("%(name)s is 18 now and gives their own consent: nothing more is needed from you.") % {
            "name": volunteer.first_name
        }
        return render(request, "volunteers/guardian_confirm.html", {"error": error}, status=410)
    form = GuardianConfirmForm(request.POST or None, initial={"guardian_name": volunteer.guardian_name})
    if request.method == "POST" and not done and form.is_valid():
        try:
            services.guardian_consent_confirm(
                token=token, guardian_name=form.cleaned_data["guardian_name"], opened_by=request.user
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) != "already_recorded":
                apply_service_errors(form, exc)
        if not form.errors:
            return redirect("guardian_consent", token=token)
    return render(
        request,
        "volunteers/guardian_confirm.html",
        {"volunteer": volunteer, "form": form, "done": done, "consent_version": settings.CONSENT_VERSION},
    )


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


# Possible duplicates -----------------------------------------------------------------------

DUPLICATES_PER_PAGE = 20


def tell_staff_of_duplicates(
    request: AuthenticatedHttpRequest, *, volunteer: Volunteer, typed_iin: str | None
) -> None:
    """After a coordinator or curator adds someone: say that the record was flagged as a possible
    duplicate (staff only; a self-registrant is never told), and why an IIN typed in was not kept.

    Only of records the user may know of (their regions, their detachments' members): a word
    about someone elsewhere would tell them that a phone, e-mail or IIN is on file elsewhere in
    the country. Such a pair is flagged all the same, for national staff, and the page reads as
    if nothing matched."""
    if typed_iin and not volunteer.iin and selectors.iin_holder_known_to(user=request.user, iin=typed_iin):
        messages.warning(
            request,
            _(
                "The IIN was not saved: another record on file has it. The two are listed as possible "
                "duplicates for a coordinator to check and merge."
            ),
        )
    elif selectors.has_open_duplicates(user=request.user, volunteer=volunteer):
        if manages_regions(request.user):
            message = _(
                "Someone with the same phone or e-mail is already on file: the two are listed under "
                "possible duplicates on the regions overview."
            )
        else:
            message = _(
                "Someone with the same phone or e-mail is already on file: a coordinator will check "
                "whether they are the same person."
            )
        messages.warning(request, message)


@region_scope_required
def duplicate_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DuplicateFilterForm(request.GET or None, user=request.user)
    region = form.region_id()
    paginator = Paginator(selectors.duplicate_list(user=request.user, region=region), DUPLICATES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "roster/duplicates.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "show_iin": is_national_staff(request.user),
        },
    )


def _already_dealt_with(request: AuthenticatedHttpRequest, text: str | None = None) -> HttpResponse:
    messages.info(request, text or _("This pair has already been dealt with."))
    return redirect("roster:duplicates")


@region_scope_required
def duplicate_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    flag = selectors.duplicate_get(user=request.user, pk=pk)
    if flag.resolved_at is not None or flag.volunteer is None or flag.existing is None:
        return _already_dealt_with(request)
    pair = (flag.existing, flag.volunteer)
    # Offered first: the record with the account (it must stay), else the earlier one.
    suggested = flag.volunteer if flag.volunteer.user_id else flag.existing
    form = MergeForm(request.POST or None, pair=pair, initial={"keep": suggested.pk})
    if request.method == "POST" and form.is_valid():
        keep, drop = form.keep_and_drop()
        try:
            services.volunteer_merge(keep=keep, drop=drop, by=request.user)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "gone":
                # Another coordinator merged the pair a moment earlier.
                return _already_dealt_with(request, " ".join(exc.messages))
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The records have been merged into #%(id)s; record #%(old)s no longer exists.")
                % {"id": keep.pk, "old": drop.pk},
            )
            return redirect("roster:detail", pk=keep.pk)
    return render(
        request,
        "roster/duplicate_merge.html",
        {"flag": flag, "form": form, "show_iin": is_national_staff(request.user)},
    )


@require_post(back="roster:duplicates")
@region_scope_required
def duplicate_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    flag = selectors.duplicate_get(user=request.user, pk=pk)
    if flag.resolved_at is not None or flag.volunteer is None or flag.existing is None:
        return _already_dealt_with(request)
    try:
        services.possible_duplicate_dismiss(flag=flag, by=request.user)
    except ValidationError as exc:
        return _already_dealt_with(request, " ".join(exc.messages))
    messages.success(request, _("Marked as two different people: this pair will not be flagged again."))
    return redirect("roster:duplicates")
