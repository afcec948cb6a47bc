"""Pages for transport requests (volunteers ask, coordinators answer on a board per shift or
campaign) and emergency call-outs (coordinators call out, volunteers answer from a signed link
without logging in). Loads through selectors (scoped, 404 outside the scope); writes through
services_extra."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.types import AuthenticatedHttpRequest
from regions.scoping import region_scope_required
from volunteer_net.forms import apply_service_errors
from volunteer_net.http import require_post
from volunteer_net.languages import link_language
from volunteer_net.submit_once import saved, submitted_once

from . import selectors, services_extra
from .forms_extra import (
    CallOutForm,
    ConfirmOntoShiftForm,
    TransportArrangeForm,
    TransportDeclineForm,
    TransportRequestForm,
)
from .models import CallOutAnswer, Campaign, Signup, TransportRequest
from .views import _refusal_text, _report

# Transport: the volunteer's side ---------------------------------------------------------------


@login_required
def transport_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask for transport to the shift of one's own sign-up, or change or cancel the request."""
    signup = selectors.my_transport_request_signup(user=request.user, pk=pk)
    existing: TransportRequest | None = getattr(signup, "transport", None)
    if request.method == "POST" and request.POST.get("action") == "cancel" and existing is not None:
        try:
            services_extra.transport_request_cancel(request=existing)
        except ValidationError as exc:
            messages.error(request, _refusal_text(exc))
        else:
            messages.success(request, _("Your transport request has been cancelled."))
        return redirect(reverse("events:my_shifts") + f"#signup-{signup.pk}")
    initial = (
        {"pickup": existing.pickup, "seats": existing.seats, "note": existing.note}
        if existing is not None and existing.status != TransportRequest.Status.CANCELLED
        else None
    )
    form = TransportRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services_extra.transport_request_save(signup=signup, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your transport request has been sent to the coordinator."))
            return redirect(reverse("events:my_shifts") + f"#signup-{signup.pk}")
    return render(
        request,
        "events/transport/request.html",
        {
            "signup": signup,
            "shift": signup.shift,
            "form": form,
            "existing": existing,
            "may_ask": signup.status in (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED),
        },
    )


# Transport: the coordinator's boards ------------------------------------------------------------


def _board(
    request: HttpRequest, *, requests: list[TransportRequest], title: str, back: str, **extra: object
) -> HttpResponse:
    return render(
        request,
        "events/transport/board.html",
        {
            "requests": requests,
            "title": title,
            "back": back,
            "seats": sum(r.seats for r in requests if r.status != TransportRequest.Status.DECLINED),
            "arrange_form": TransportArrangeForm(),
            "decline_form": TransportDeclineForm(),
            **extra,
        },
    )


@region_scope_required
def shift_transport(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = selectors.managed_shift_get(user=request.user, pk=pk)
    return _board(
        request,
        requests=list(selectors.transport_board(shift=shift)),
        title=str(shift),
        back=reverse("events:manage_shift", args=[shift.pk]),
        shift=shift,
        campaign=shift.campaign,
    )


@region_scope_required
def campaign_transport(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.managed_campaign_get(user=request.user, pk=pk)
    return _board(
        request,
        requests=list(selectors.transport_board(campaign=campaign)),
        title=campaign.title,
        back=reverse("events:manage_campaign", args=[campaign.pk]),
        campaign=campaign,
        whole_campaign=True,
    )


@require_post(back="events:manage_campaigns")
@region_scope_required
def transport_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Arrange or decline one request, from its card on the board."""
    item = selectors.managed_transport_get(user=request.user, pk=pk)
    name = item.signup.volunteer.full_name
    action = request.POST.get("action")
    try:
        if action == "arrange":
            form = TransportArrangeForm(request.POST)
            if not form.is_valid():
                raise ValidationError([str(e) for errors in form.errors.values() for e in errors])
            services_extra.transport_arrange(request=item, by=request.user, **form.cleaned_data)
        elif action == "decline":
            decline = TransportDeclineForm(request.POST)
            if not decline.is_valid():
                raise ValidationError([str(e) for errors in decline.errors.values() for e in errors])
            services_extra.transport_decline(
                request=item, by=request.user, reason=decline.cleaned_data["decline_reason"]
            )
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        messages.error(request, f"{name}: {_refusal_text(exc)}")
    else:
        messages.success(request, _("%(name)s: saved.") % {"name": name})
    back = request.POST.get("back") == "campaign"
    target = (
        reverse("events:campaign_transport", args=[item.signup.shift.campaign_id])
        if back
        else reverse("events:shift_transport", args=[item.signup.shift_id])
    )
    return redirect(target + f"#transport-{item.pk}")


# Call-outs: the coordinator's side -------------------------------------------------------------


@region_scope_required
@submitted_once
def callout_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.managed_campaign_get(user=request.user, pk=pk)
    if campaign.kind != Campaign.Kind.EMERGENCY:
        raise Http404
    form = CallOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            callout = services_extra.callout_create(
                campaign=campaign,
                text=form.cleaned_data["text"],
                skills=form.cleaned_data["skills"],
                near=form.near(),
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Volunteers called out: %(count)s.") % {"count": callout.answers.count()}
            )
            return saved(request, redirect("events:callout_detail", pk=callout.pk))
    return render(
        request,
        "events/callout/create.html",
        {"campaign": campaign, "form": form, "callouts": selectors.campaign_callouts(campaign=campaign)},
    )


@region_scope_required
def callout_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    callout = selectors.managed_callout_get(user=request.user, pk=pk)
    return render(
        request,
        "events/callout/detail.html",
        {
            "callout": callout,
            "campaign": callout.campaign,
            "counts": selectors.callout_counts(callout=callout),
            "answers": selectors.callout_answers(callout=callout),
            "shifts": selectors.campaign_shifts(campaign=callout.campaign),
            "skills": callout.skills.order_by("code"),
        },
    )


@region_scope_required
def callout_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """Counts and answers for the page's polling script (every 10 seconds)."""
    callout = selectors.managed_callout_get(user=request.user, pk=pk)
    return JsonResponse(
        {
            "counts": selectors.callout_counts(callout=callout),
            "answers": [
                {"id": a.pk, "answer": a.answer, "label": a.get_answer_display()}
                for a in selectors.callout_answers(callout=callout)
            ],
            "open": callout.is_open,
        }
    )


@require_post(back="events:callout_detail", back_kwargs=("pk",))
@region_scope_required
def callout_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Sign up everyone who said yes for the chosen shift; each refusal is reported by name."""
    callout = selectors.managed_callout_get(user=request.user, pk=pk)
    form = ConfirmOntoShiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a shift."))
        return redirect("events:callout_detail", pk=callout.pk)
    shift = selectors.managed_shift_get(user=request.user, pk=form.cleaned_data["shift"])
    try:
        results = services_extra.callout_confirm(callout=callout, shift=shift, by=request.user)
    except ValidationError as exc:
        messages.error(request, _refusal_text(exc))
    else:
        if not results:
            messages.info(request, _("Nobody has said yes yet."))
        _report(request, list(results))
    return redirect("events:callout_detail", pk=callout.pk)


@require_post(back="events:callout_detail", back_kwargs=("pk",))
@region_scope_required
def callout_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    callout = selectors.managed_callout_get(user=request.user, pk=pk)
    services_extra.callout_close(callout=callout)
    messages.success(request, _("The call-out is closed: answers can no longer change."))
    return redirect("events:callout_detail", pk=callout.pk)


# Call-outs: the volunteer's answer, without logging in -----------------------------------------


def callout_answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        answer = services_extra.callout_answer_from_token(token)
    except signing.SignatureExpired:
        return render(request, "events/callout/expired.html", status=410)
    except CallOutAnswer.DoesNotExist:
        raise Http404 from None
    # The person called out is seldom logged in on the phone the link opens on, and must
    # understand at once what is asked.
    with translation.override(link_language(request, answer.volunteer.preferred_language)):
        if request.method == "POST":
            try:
                answer = services_extra.callout_answer_set(
                    answer=answer, value=request.POST.get("answer", "")
                )
            except CallOutAnswer.DoesNotExist:
                raise Http404 from None
            except ValidationError as exc:
                messages.error(request, _refusal_text(exc))
            else:
                messages.success(request, _("Thank you: your answer has been recorded."))
            return redirect("events:callout_answer", token=token)
        return render(
            request,
            "events/callout/answer.html",
            {"answer": answer, "callout": answer.callout, "campaign": answer.callout.campaign},
        )
