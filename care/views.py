"""Pages of targeted help: the staff's list and map, intake, a request's page with matching,
the volunteer's page of open requests and their own, and the POST actions. Each loads through a
scoped selector (outside the scope: 404) and calls one service."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.types import AuthenticatedHttpRequest
from regions.scoping import is_curator, require
from volunteer_net.collation import in_name_order
from volunteer_net.forms import apply_service_errors, id_param
from volunteer_net.http import require_post
from volunteer_net.submit_once import saved, submitted_once
from volunteers.models import Volunteer

from . import selectors, services
from .forms import (
    ADULT_KINDS,
    AssignDetachmentForm,
    AssignVolunteersForm,
    CloseForm,
    DoneForm,
    IntakeForm,
    ReportForm,
)
from .models import Assignment, HelpRequest

PER_PAGE = 30


def _logged_in(user: object) -> bool:
    return True


def _volunteer_or_curator(user: object) -> bool:
    return selectors.is_volunteer(user) or is_curator(user)


def _map_context() -> dict[str, object]:
    return {"tiles_url": settings.MAP_TILES_URL, "tiles_attribution": settings.MAP_TILES_ATTRIBUTION}


@require(selectors.is_care_staff)
def request_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open requests of the user's regions, overdue first, and the map of them."""
    status = request.GET.get("status", "open")
    kind = request.GET.get("kind", "")
    region = id_param(request.GET.get("region"))
    filters = selectors.RequestFilters(region=region, kind=kind, status=status)
    page = Paginator(selectors.request_list_for_staff(user=request.user, filters=filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    # In the alphabet of the page's language, as every region select lists them.
    regions = in_name_order(selectors.intake_regions(request.user), lambda r: r.name)
    code = next((r.code for r in regions if r.pk == region), None) if region else None
    # The map API names regions by their KATO code, as every API does. The map shows the kind
    # the list is filtered to, so that its points are the list's open requests.
    query = urlencode({k: v for k, v in (("region", code), ("kind", filters.kind)) if v})
    map_url = reverse("api-care-requests-map") + (f"?{query}" if query else "")
    return render(
        request,
        "care/request_list.html",
        {
            "page": page,
            "filters": filters,
            "regions": regions,
            "kinds": HelpRequest.Kind.choices,
            "statuses": [("open", _("Open")), ("closed", _("Closed")), ("all", _("All"))],
            "map_url": map_url,
            **_map_context(),
        },
    )


@require(selectors.is_care_staff)
@submitted_once
def intake(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff take a request on one form. Same phone or address on file: the form asks first."""
    form = IntakeForm(
        request.POST or None,
        regions=selectors.intake_regions(request.user),
        initial={"adults_only": True},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = services.beneficiary_duplicates(
            region_id=data["region"].pk, phone=data.get("phone", ""), address=data.get("address", "")
        )
        if duplicates and not data.get("duplicates_seen") and data.get("existing_beneficiary") is None:
            # Asked once: the next submission keeps a new file unless a duplicate is chosen.
            form.offer_duplicates(duplicates)
            selectors.record_views(user=request.user, beneficiaries=duplicates, where="intake duplicates")
            data_copy = request.POST.copy()
            data_copy["duplicates_seen"] = "True"
            form.data = data_copy
            messages.warning(request, _("Someone with the same phone or address is already on file."))
        else:
            try:
                help_request = services.request_intake(data=form.request_data(), by=request.user)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The request has been taken."))
                return saved(request, redirect("care:request_detail", pk=help_request.pk))
    return render(
        request,
        "care/intake.html",
        {
            "form": form,
            "adult_kinds": sorted(ADULT_KINDS),
            **_consent_terms(),
        },
    )


def _consent_terms() -> dict[str, int]:
    """What the consent told to the person states, as the app will really do it: how long those
    who go keep seeing the address, and when the data are erased (care/services.py)."""
    return {
        "contact_days": settings.CARE_CONTACT_DAYS_AFTER_DONE,
        "retention_days": settings.CARE_RETENTION_DAYS,
    }


@require(selectors.is_volunteer)
@submitted_once
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A volunteer reports someone in need; the request waits for a coordinator's check."""
    volunteer = selectors.volunteer_of(request.user)
    assert volunteer is not None
    form = ReportForm(request.POST or None, initial={"adults_only": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.request_report(volunteer=volunteer, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Thank you. A coordinator will check the request and find who can go.")
            )
            return saved(request, redirect("care:open"))
    return render(request, "care/report.html", {"form": form, "volunteer": volunteer, **_consent_terms()})


@require(_volunteer_or_curator)
def open_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The volunteer's page: their assignments, and the open requests of their region to offer
    help with (kind, locality and time only: no contact before a coordinator confirms)."""
    volunteer = selectors.volunteer_of(request.user)
    mine: list[Assignment] = []
    open_page = None
    if volunteer is not None:
        mine = list(selectors.assignments_of_volunteer(volunteer=volunteer)[:50])
        open_page = Paginator(selectors.requests_open_for_volunteer(volunteer=volunteer), PER_PAGE).get_page(
            request.GET.get("page")
        )
    curated = (
        list(selectors.assignments_of_curator(user=request.user)[:50]) if is_curator(request.user) else []
    )
    return render(
        request,
        "care/open.html",
        {"volunteer": volunteer, "mine": mine, "curated": curated, "open_page": open_page},
    )


@require(_logged_in)
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, pk)


def _detail_page(
    request: AuthenticatedHttpRequest, pk: int, *, close_form: CloseForm | None = None
) -> HttpResponse:
    """The request's page; `close_form`: the close form as sent, shown with its errors."""
    help_request = selectors.request_get_for(user=request.user, pk=pk)
    staff = selectors.takes_requests_in(request.user, help_request.region_id)
    coordinator = staff and selectors.is_care_coordinator(request.user)
    contact = selectors.contact_for(user=request.user, request=help_request, where="page")
    volunteer = selectors.volunteer_of(request.user)
    assignments = selectors.request_assignments(request=help_request)
    own = [a for a in assignments if volunteer is not None and a.volunteer_id == volunteer.pk]
    own += [a for a in assignments if a.detachment is not None and a.detachment.curator_id == request.user.pk]
    context: dict[str, object] = {
        "req": help_request,
        "contact": contact,
        "staff": staff,
        "coordinator": coordinator,
        "assignments": assignments if staff else own,
        "own": own,
        "can_offer": (
            volunteer is not None
            and not own
            and services.volunteer_refusal(request=help_request, volunteer=volunteer) is None
            and help_request.free_hands > 0
        ),
        "overdue": help_request.is_overdue(),
    }
    if coordinator and help_request.is_open:
        volunteers = selectors.suggested_volunteers(request=help_request)
        detachments = selectors.suggested_detachments(request=help_request)
        context["suggested"] = volunteers
        context["assign_form"] = AssignVolunteersForm(choices=[(v.pk, v.full_name) for v in volunteers])
        context["detachments"] = detachments
        context["detachment_form"] = (
            AssignDetachmentForm(
                choices=[(d.pk, d.name) for d, _km in detachments],
                # Never more than the request still needs (a detachment is at least two).
                initial={"hands": max(2, min(3, help_request.free_hands))},
            )
            if detachments
            else None
        )
    if staff and help_request.is_open:
        # Front-office staff close what they took by phone as coordinators do: the person calls
        # back to say the help came, or is no longer needed.
        context["close_form"] = close_form or CloseForm()
    if coordinator:
        # Who saw or erased the beneficiary's data: their coordinators' to see, as a volunteer's is.
        context["trail"] = selectors.beneficiary_trail(beneficiary=help_request.beneficiary)
    if staff and contact is not None:
        duplicates = services.beneficiary_duplicates(
            region_id=help_request.region_id,
            phone=help_request.beneficiary.phone,
            address=help_request.beneficiary.address,
            exclude_id=help_request.beneficiary_id,
        )
        selectors.record_views(user=request.user, beneficiaries=duplicates, where="page duplicates")
        context["duplicates"] = duplicates
    return render(request, "care/request_detail.html", context)


def _back(pk: int) -> HttpResponse:
    return redirect("care:request_detail", pk=pk)


def _error(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _act(
    request: AuthenticatedHttpRequest, act: Callable[[], object], *, done: str, back_to: int
) -> HttpResponse:
    """Run one service call of a request's page: its refusal shown as messages, else `done`
    (nothing when empty); then back to the request's page either way."""
    try:
        act()
    except ValidationError as exc:
        _error(request, exc)
    else:
        if done:
            messages.success(request, done)
    return _back(back_to)


@require_post(back="care:open")
@require(selectors.is_volunteer)
def offer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    help_request = selectors.request_get_for(user=request.user, pk=pk)
    volunteer = selectors.volunteer_of(request.user)
    assert isinstance(volunteer, Volunteer)
    return _act(
        request,
        lambda: services.assignment_offer(request=help_request, volunteer=volunteer, by=request.user),
        done=_("Thank you. The coordinator will confirm and you will get a message."),
        back_to=pk,
    )


@require_post(back="care:request_list")
@require(selectors.is_care_coordinator)
def check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    help_request = selectors.request_get_for_staff(user=request.user, pk=pk)
    return _act(
        request,
        lambda: services.request_check(request=help_request, by=request.user),
        done=_("The request is checked: volunteers may now offer help."),
        back_to=pk,
    )


@require_post(back="care:request_list")
@require(selectors.is_care_coordinator)
def assign_volunteers(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    help_request = selectors.request_get_for_staff(user=request.user, pk=pk)
    suggested = {v.pk: v for v in selectors.suggested_volunteers(request=help_request, limit=200)}
    form = AssignVolunteersForm(request.POST, choices=[(k, v.full_name) for k, v in suggested.items()])
    if not form.is_valid():
        messages.error(request, _("Choose at least one of the volunteers suggested."))
        return _back(pk)
    chosen = [suggested[i] for i in form.cleaned_data["volunteers"]]
    for volunteer, result in services.assignments_volunteers(
        request=help_request, volunteers=chosen, by=request.user
    ):
        if isinstance(result, ValidationError):
            messages.error(request, f"{volunteer.full_name}: {' '.join(result.messages)}")
        else:
            messages.success(request, _("%(name)s is assigned.") % {"name": volunteer.full_name})
    return _back(pk)


@require_post(back="care:request_list")
@require(selectors.is_care_coordinator)
def assign_detachment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    help_request = selectors.request_get_for_staff(user=request.user, pk=pk)
    detachments = {d.pk: d for d, _km in selectors.suggested_detachments(request=help_request, limit=500)}
    form = AssignDetachmentForm(request.POST, choices=[(k, d.name) for k, d in detachments.items()])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(pk)
    return _act(
        request,
        lambda: services.assignment_detachment(
            request=help_request,
            detachment=detachments[form.cleaned_data["detachment"]],
            hands=form.cleaned_data["hands"],
            curator_going=form.cleaned_data["curator_going"],
            by=request.user,
        ),
        done=_("The detachment is assigned."),
        back_to=pk,
    )


@require_post(back="care:request_list")
@require(selectors.is_care_coordinator)
def confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get_for_staff(user=request.user, pk=pk)
    return _act(
        request,
        lambda: services.assignment_confirm(assignment=assignment, by=request.user),
        done=_("The offer is confirmed."),
        back_to=assignment.request_id,
    )


@require_post(back="care:open")
@require(_logged_in)
def withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get_own(user=request.user, pk=pk)
    own = (assignment.volunteer is not None and assignment.volunteer.user_id == request.user.pk) or (
        assignment.detachment is not None and assignment.detachment.curator_id == request.user.pk
    )
    who = assignment.volunteer.full_name if assignment.volunteer else str(assignment.detachment)
    return _act(
        request,
        lambda: services.assignment_withdraw(assignment=assignment, by=request.user),
        # Staff removing someone are told whom; a volunteer withdrawing knows it was themselves.
        done=_("Withdrawn.") if own else _("%(name)s: removed from this request.") % {"name": who},
        back_to=assignment.request_id,
    )


@require_post(back="care:open")
@require(_logged_in)
def start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    help_request = selectors.request_get_for(user=request.user, pk=pk)
    return _act(
        request, lambda: services.request_start(request=help_request, by=request.user), done="", back_to=pk
    )


@require(_logged_in)
def done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The volunteer (or the curator) marks their part done with the time spent and a note; or
    staff record it for them, as a clerk does for someone who has no account and phones in."""
    assignment = selectors.assignment_get_own(user=request.user, pk=pk)
    own = (assignment.volunteer is not None and assignment.volunteer.user_id == request.user.pk) or (
        assignment.detachment is not None and assignment.detachment.curator_id == request.user.pk
    )
    who = assignment.volunteer.full_name if assignment.volunteer else str(assignment.detachment)
    form = DoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_done(
                assignment=assignment,
                hours=form.cleaned_data["hours"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if not own:
                # Staff back on the request's page, to record the next person's hours.
                messages.success(request, _("%(name)s: the hours have been recorded.") % {"name": who})
                return _back(assignment.request_id)
            messages.success(request, _("Thank you! Your hours have been added."))
            return redirect("care:open") if assignment.volunteer_id else _back(assignment.request_id)
    return render(
        request,
        "care/done.html",
        {"form": form, "assignment": assignment, "req": assignment.request, "own": own, "who": who},
    )


@require_post(back="care:request_list")
@require(selectors.is_care_staff)
def close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    help_request = selectors.request_get_for_staff(user=request.user, pk=pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.request_close(
                request=help_request,
                status=form.cleaned_data["status"],
                outcome_note=form.cleaned_data["outcome_note"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The request is closed."))
            return _back(pk)
    if not form.non_field_errors():
        # The close form is on the request's page: the refusal beside the outcome chosen,
        # the note as typed (a redirect lost both).
        return _detail_page(request, pk, close_form=form)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return _back(pk)


@require_post(back="care:request_list")
@require(selectors.is_care_staff)
def stop_series(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    help_request = selectors.request_get_for_staff(user=request.user, pk=pk)
    try:
        cancelled = services.series_stop(request=help_request, by=request.user)
    except ValidationError as exc:
        _error(request, exc)
        return _back(pk)
    messages.success(request, _("The request will not repeat any more."))
    if cancelled:
        days = ", ".join(date_format(timezone.localtime(r.due_from), "SHORT_DATE_FORMAT") for r in cancelled)
        messages.info(
            request,
            ngettext(
                "The visit already planned for %(days)s is cancelled; those going are told.",
                "The visits already planned for %(days)s are cancelled; those going are told.",
                len(cancelled),
            )
            % {"days": days},
        )
    return _back(pk)


@require(selectors.is_care_staff)
def erase(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Erase a beneficiary's data on their request (a confirmation page, then POST)."""
    beneficiary = selectors.beneficiary_get_for_staff(user=request.user, pk=pk)
    if beneficiary.is_erased:
        raise Http404
    if request.method == "POST":
        try:
            services.beneficiary_erase(beneficiary=beneficiary, by=request.user)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The person's data has been erased; the counts remain."))
            return redirect("care:request_list")
    # Counted whole: a year of weekly shopping is 52 requests, and whoever erases the file for
    # good reads how many go with it.
    count = beneficiary.requests.count()
    return render(request, "care/erase.html", {"beneficiary": beneficiary, "request_count": count})
