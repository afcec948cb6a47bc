"""Pages for school detachments: coordinators manage their regions' detachments and invite their
curators; a curator manages the members of the detachments they run (see regions/scoping.py);
an invitee accepts on the invitation page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.types import AuthenticatedHttpRequest
from regions.scoping import curator_or_region_scope, manages_regions, region_scope_required, require
from volunteer_net.forms import apply_service_errors
from volunteer_net.http import require_post
from volunteer_net.submit_once import saved, submitted_once
from volunteers import selectors as volunteer_selectors
from volunteers import services as volunteer_services
from volunteers.views import guardian_consent_page, tell_staff_of_duplicates

from . import selectors, services
from .forms import CuratorAccountForm, DetachmentForm, DetachmentMemberForm
from .models import CuratorInvitation


@require(curator_or_region_scope)
def detachment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    code = request.GET.get("region", "")
    region = selectors.detachment_list_region(user=request.user, code=code) if code else None
    detachments = selectors.detachment_list(user=request.user, region=region.pk if region else None)
    return render(
        request,
        "detachments/list.html",
        {"detachments": detachments, "region": region, "can_create": manages_regions(request.user)},
    )


@region_scope_required
@submitted_once
def detachment_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DetachmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        invite_email = form.invite_email()
        try:
            detachment = services.detachment_create(
                data=form.detachment_data(), invite_email=invite_email, by=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The detachment has been created."))
            _invitation_sent_message(request, invite_email)
            return saved(request, redirect("detachments:detail", pk=detachment.pk))
    return render(request, "detachments/form.html", {"form": form, "detachment": None})


@region_scope_required
def detachment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    form = DetachmentForm(request.POST or None, instance=detachment, user=request.user)
    if request.method == "POST" and form.is_valid():
        invite_email = form.invite_email()
        try:
            services.detachment_update(
                detachment=detachment, data=form.detachment_data(), invite_email=invite_email, by=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The detachment has been saved."))
            _invitation_sent_message(request, invite_email)
            return redirect("detachments:detail", pk=detachment.pk)
    return render(request, "detachments/form.html", {"form": form, "detachment": detachment})


def _invitation_sent_message(request: AuthenticatedHttpRequest, email: str) -> None:
    if email:
        messages.info(
            request,
            _("An invitation has been mailed to %(email)s; they become the curator once they accept it.")
            % {"email": email},
        )


@require(curator_or_region_scope)
def detachment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    can_edit = manages_regions(request.user)
    return render(
        request,
        "detachments/detail.html",
        {
            "detachment": detachment,
            "members": selectors.detachment_members(detachment=detachment),
            "can_edit": can_edit,
            "invitations": selectors.pending_invitations(detachment=detachment) if can_edit else [],
            "today": timezone.localdate(),
        },
    )


@require_post(back="detachments:detail", back_kwargs=("pk",))
@region_scope_required
def invitation_revoke(request: AuthenticatedHttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    invitation = selectors.pending_invitation_get(detachment=detachment, pk=invitation_pk)
    try:
        services.curator_invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email}
        )
    return redirect("detachments:detail", pk=detachment.pk)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page the link in a curator's invitation opens. Opening it changes nothing (mail
    scanners open links); the person's click (POST) accepts."""
    try:
        found = selectors.invitation_for_token(token=token)
    except ValidationError as exc:
        return _invitation_error(request, exc, status=404)
    try:
        selectors.invitation_check_usable(invitation=found)
    except ValidationError as exc:
        return _invitation_error(request, exc, status=410, invitation=found)
    user = request.user
    if user.is_authenticated:
        mode = "accept" if user.email.lower() == found.email.lower() else "other_user"
    else:
        mode = "login" if selectors.invitation_has_account(invitation=found) else "new"
    form = CuratorAccountForm(request.POST or None, email=found.email) if mode == "new" else None
    if request.method == "POST" and mode == "accept":
        try:
            detachment = services.curator_invitation_accept(invitation=found, user=user)  # type: ignore[arg-type]
        except ValidationError as exc:
            return _invitation_error(request, exc, status=409, invitation=found)
        return _accepted(request, detachment.pk, str(detachment))
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            new_user, detachment = services.curator_invitation_accept_new(
                invitation=found,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _invitation_error(request, exc, status=409, invitation=found)
            apply_service_errors(form, exc)
        else:
            login(request, new_user, backend=settings.LOGIN_BACKEND)
            return _accepted(request, detachment.pk, str(detachment))
    return render(request, "detachments/invitation.html", {"invitation": found, "mode": mode, "form": form})


def _accepted(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    messages.success(request, _("You are now the curator of %(detachment)s.") % {"detachment": name})
    return redirect("detachments:detail", pk=pk)


def _invitation_error(
    request: HttpRequest, exc: ValidationError, *, status: int, invitation: CuratorInvitation | None = None
) -> HttpResponse:
    # The curator who accepted it gets the way to their detachment rather than a dead end.
    own = (
        invitation is not None
        and request.user.is_authenticated
        and invitation.detachment.curator_id == request.user.pk
    )
    return render(
        request,
        "detachments/invitation.html",
        {"error": " ".join(exc.messages), "invitation": invitation, "own_detachment": own},
        status=status,
    )


@require(curator_or_region_scope)
@submitted_once
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
            return saved(request, redirect("detachments:detail", pk=detachment.pk))
    return render(
        request, "detachments/member_form.html", {"form": form, "detachment": detachment, "member": None}
    )


@require(curator_or_region_scope)
def detachment_member_edit(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    detachment = selectors.detachment_get(user=request.user, pk=pk)
    member = selectors.detachment_member_get(detachment=detachment, pk=member_pk)
    form = DetachmentMemberForm(request.POST or None, instance=member, detachment=detachment)
    if request.method == "GET":
        # A minor's data in front of the curator or coordinator: a view like the roster's.
        volunteer_services.volunteer_viewed(by=request.user, volunteer=member, where="detachment")
    # Consent has its own page (recorded with its document, or withdrawn, with history).
    for name in form.PAPER_CONSENT_FIELDS:
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
                skills=form.skills_data(),
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
