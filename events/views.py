"""Pages for campaigns and shifts.

Volunteers browse campaigns (public), sign up and cancel with a confirmation step, and keep
"my shifts". Coordinators manage their regions' campaigns and shifts, the roster of each shift
and its attendance; a curator signs up pupils of their own detachments. Every view loads through
events/selectors.py (scoped, 404 outside the scope) and calls one service.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from accounts.types import AuthenticatedHttpRequest
from regions.scoping import is_curator, region_scope_required, require
from volunteer_net.forms import apply_service_errors
from volunteer_net.http import require_post
from volunteer_net.numbers import number_text
from volunteer_net.submit_once import saved, submitted_once
from volunteers.extensions import volunteer_total_hours

from . import selectors, services
from .forms import (
    CampaignFilterForm,
    CampaignForm,
    HoursForm,
    MoveForm,
    PickForm,
    SeriesFollowingForm,
    SeriesForm,
    ShiftForm,
)
from .ics import shift_calendar, shifts_calendar
from .models import Campaign, Signup

CAMPAIGNS_PER_PAGE = 20
SHIFTS_PER_PAGE = 30


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _query_without_page(request: HttpRequest) -> str:
    return _query_without(request, "page")


def _refusal_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Volunteers: browse, sign up, cancel, my shifts --------------------------------------------


def campaign_list(request: HttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_of_user(user=request.user)
    form = CampaignFilterForm(
        request.GET or None,
        volunteer_id=volunteer.pk if volunteer else None,
        home_region=volunteer.region_id if volunteer else None,
    )
    filters = form.filters()
    page = Paginator(selectors.campaign_list(filters=filters), CAMPAIGNS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    if filters.near is not None:
        page.object_list = list(page.object_list)
        for campaign in page.object_list:
            # Annotated by the selector, rounded for the card.
            campaign.distance_km = selectors.km_from_squared_degrees(campaign.nearest_squared)  # type: ignore[attr-defined]
    return render(
        request,
        "events/campaign_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "near": filters.near,
            "near_km": selectors.NEAR_KM,
            "query_without_near": _query_without(request, "page", "lat", "lon"),
            # The cards link /campaigns/<pk>/ from this.
            "campaigns_url": _url_prefix("events:campaign_detail"),
        },
    )


def _url_prefix(name: str) -> str:
    """The path before an object's id ("/shifts/" of "/shifts/<pk>/"), reversed once per page so
    that the rows of a list need no {% url %} each (it is their costliest tag)."""
    return reverse(name, args=[0]).removesuffix("0/")


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get_public(user=request.user, pk=pk)
    page = Paginator(selectors.campaign_shifts(campaign=campaign), SHIFTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    volunteer = selectors.volunteer_of_user(user=request.user)
    mine = selectors.my_signups_for_shifts(volunteer=volunteer, shift_ids=[s.pk for s in page.object_list])
    return render(
        request,
        "events/campaign_detail.html",
        {
            "campaign": campaign,
            "page": page,
            "mine": mine,
            "can_manage": request.user.is_authenticated
            and selectors.may_manage_campaign(request.user, campaign),
            "is_curator": is_curator(request.user),
            # The cards build /shifts/<pk>/{,signup/,calendar.ics} and /my-shifts/<pk>/cancel/ from these.
            "shifts_url": _url_prefix("events:shift_detail"),
            "signups_url": reverse("events:signup_cancel", args=[0]).removesuffix("0/cancel/"),
        },
    )


def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_get_public(user=request.user, pk=pk)
    volunteer = selectors.volunteer_of_user(user=request.user)
    mine = selectors.my_signups_for_shifts(volunteer=volunteer, shift_ids=[shift.pk]).get(shift.pk)
    refusal = None
    # Nobody may sign up now (cancelled, closed, started, past the deadline): a visitor is not
    # asked to log in for it, nor a curator offered to sign up their detachment.
    closed = services.shift_closed_refusal(shift=shift)
    if volunteer is not None and mine is None:
        refusal = services.signup_refusal(shift=shift, volunteer=volunteer)
    elif not request.user.is_authenticated:
        refusal = closed
    return render(
        request,
        "events/shift_detail.html",
        {
            "shift": shift,
            "campaign": shift.campaign,
            "volunteer": volunteer,
            "mine": mine,
            "refusal": refusal,
            "is_curator": is_curator(request.user) and closed is None,
            "can_manage": request.user.is_authenticated
            and selectors.may_manage_campaign(request.user, shift.campaign),
        },
    )


@login_required
def shift_signup(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A confirmation step, then the sign-up (confirmed, or a place on the waitlist)."""
    shift = selectors.shift_get_public(user=request.user, pk=pk)
    volunteer = selectors.volunteer_of_user(user=request.user)
    if volunteer is None:
        return render(request, "events/no_profile.html", {"shift": shift}, status=200)
    if request.method == "POST":
        try:
            signup = services.signup_create(shift=shift, volunteer=volunteer, by=request.user)
        except ValidationError as exc:
            messages.error(request, _refusal_text(exc))
            return redirect("events:shift_detail", pk=shift.pk)
        if signup.status == Signup.Status.CONFIRMED:
            messages.success(request, _("You are signed up. See you there!"))
        else:
            messages.success(
                request, _("The shift is full: you are on the waitlist and move up if a place frees.")
            )
        return redirect("events:my_shifts")
    refusal = services.signup_refusal(shift=shift, volunteer=volunteer)
    return render(
        request,
        "events/signup_confirm.html",
        {"shift": shift, "campaign": shift.campaign, "volunteer": volunteer, "refusal": refusal},
    )


@login_required
def signup_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    signup = selectors.my_signup_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.signup_cancel(signup=signup, by=request.user)
        except ValidationError as exc:
            messages.error(request, _refusal_text(exc))
        else:
            messages.success(request, _("Your sign-up has been cancelled."))
        return redirect("events:my_shifts")
    # The page promises the place to the waitlist only when someone is on it to take it.
    to_waitlist = signup.status == Signup.Status.CONFIRMED and selectors.waitlist_waiting(shift=signup.shift)
    return render(
        request,
        "events/signup_cancel.html",
        {"signup": signup, "shift": signup.shift, "to_waitlist": to_waitlist},
    )


@login_required
def my_shifts(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_of_user(user=request.user)
    if volunteer is None:
        return render(request, "events/no_profile.html", {"shift": None})
    past = Paginator(selectors.my_past_signups(volunteer=volunteer), SHIFTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "events/my_shifts.html",
        {
            # The transport request comes joined: its answer shows on each card.
            "upcoming": selectors.my_upcoming_signups(volunteer=volunteer).select_related("transport"),
            "past": past,
            # Every source's hours (shifts and targeted help), the figure the profile shows too.
            "hours": volunteer_total_hours(volunteer),
            "volunteer": volunteer,
            # The rows build /shifts/<pk>/{,calendar.ics} and /my-shifts/<pk>/{cancel,transport}/.
            "shifts_url": _url_prefix("events:shift_detail"),
            "signups_url": reverse("events:signup_cancel", args=[0]).removesuffix("0/cancel/"),
        },
    )


def shift_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The shift as an iCalendar event, for the phone's calendar."""
    shift = selectors.shift_get_public(user=request.user, pk=pk)
    url = settings.SITE_URL + reverse("events:shift_detail", args=[shift.pk])
    response = HttpResponse(shift_calendar(shift, url=url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="shift-{shift.pk}.ics"'
    return response


@require(is_curator)
def curator_signup(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A curator signs up pupils of their own detachments; each result is reported by name.

    After the sign-ups the page is loaded again (post/redirect/get): the shift read before them
    would show places that are no longer free, and a reload would send the form again. The
    results travel as messages; only a form with errors is shown again as it was sent."""
    shift = selectors.shift_get_public(user=request.user, pk=pk)
    members = list(selectors.curated_members(user=request.user))
    # Bound on any POST, an empty one included, so that nothing ticked says so.
    form = PickForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["volunteers"])
        chosen = [m for m in members if m.pk in wanted]
        _report(request, services.signups_create_many(shift=shift, volunteers=chosen, by=request.user))
        return redirect("events:curator_signup", pk=shift.pk)
    return render(
        request,
        "events/curator_signup.html",
        {
            "shift": shift,
            "campaign": shift.campaign,
            "members": members,
            "already": selectors.signups_of(shift=shift, volunteers=members),
            "form": form,
        },
    )


def _report(request: HttpRequest, results: list[tuple[Any, Signup | ValidationError]]) -> None:
    """One message per person: signed up, waitlisted, or the reason they were refused."""
    for volunteer, outcome in results:
        if isinstance(outcome, ValidationError):
            messages.error(request, f"{volunteer.full_name}: {_refusal_text(outcome)}")
        elif outcome.status == Signup.Status.CONFIRMED:
            messages.success(request, _("%(name)s: signed up.") % {"name": volunteer.full_name})
        else:
            messages.success(request, _("%(name)s: on the waitlist.") % {"name": volunteer.full_name})


# Coordinators: campaigns ---------------------------------------------------------------------


@region_scope_required
def manage_campaign_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(
        selectors.managed_campaigns(user=request.user, status=status), CAMPAIGNS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "events/manage/campaign_list.html",
        {
            "page": page,
            "status": status if status in Campaign.Status.values else "",
            "statuses": Campaign.Status.choices,
            "query": _query_without_page(request),
        },
    )


@region_scope_required
@submitted_once
def campaign_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(data=form.campaign_data(), by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("The campaign has been created as a draft. Add shifts, then publish it.")
            )
            return saved(request, redirect("events:manage_campaign", pk=campaign.pk))
    return render(request, "events/manage/campaign_form.html", {"form": form, "campaign": None})


@region_scope_required
def campaign_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.managed_campaign_get(user=request.user, pk=pk)
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, data=form.campaign_data(), by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The campaign has been saved."))
            return redirect("events:manage_campaign", pk=campaign.pk)
    return render(request, "events/manage/campaign_form.html", {"form": form, "campaign": campaign})


@region_scope_required
def manage_campaign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.managed_campaign_get(user=request.user, pk=pk)
    page = Paginator(selectors.managed_shifts(campaign=campaign), SHIFTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "events/manage/campaign_detail.html",
        {"campaign": campaign, "page": page, "hours": selectors.campaign_hours(campaign=campaign)},
    )


@require_post(back="events:manage_campaign", back_kwargs=("pk",))
@region_scope_required
def campaign_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.managed_campaign_get(user=request.user, pk=pk)
    status = request.POST.get("status", "")
    if status == Campaign.Status.CANCELLED and request.POST.get("confirm") != "yes":
        # Final, and it tells everyone signed up: never from one click.
        messages.error(request, _("Tick the box to confirm that the campaign is cancelled."))
        return redirect("events:manage_campaign", pk=campaign.pk)
    try:
        services.campaign_set_status(campaign=campaign, status=status, by=request.user)
    except ValidationError as exc:
        messages.error(request, _refusal_text(exc))
    else:
        messages.success(
            request, _("The campaign is now: %(status)s.") % {"status": campaign.get_status_display()}
        )
    return redirect("events:manage_campaign", pk=campaign.pk)


# Coordinators: shifts ------------------------------------------------------------------------


@region_scope_required
@submitted_once
def shift_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.managed_campaign_get(user=request.user, pk=pk)
    form = ShiftForm(request.POST or None, initial={"waitlist_enabled": True})
    if request.method == "POST" and form.is_valid():
        try:
            shift = services.shift_create(
                campaign=campaign,
                data=form.shift_data(),
                skills=form.cleaned_data["required_skills"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, _on_date_fields(exc))
        else:
            messages.success(request, _("The shift has been added."))
            return saved(request, redirect("events:manage_shift", pk=shift.pk))
    return render(
        request, "events/manage/shift_form.html", {"form": form, "campaign": campaign, "shift": None}
    )


def _on_date_fields(exc: ValidationError) -> ValidationError:
    """The service names model fields (starts_at, ends_at); the form has a date and times."""
    if not hasattr(exc, "error_dict"):
        return exc
    moved = {{"starts_at": "date", "ends_at": "end_time"}.get(k, k): v for k, v in exc.error_dict.items()}
    return ValidationError(moved)


@region_scope_required
@submitted_once
def series_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.managed_campaign_get(user=request.user, pk=pk)
    form = SeriesForm(request.POST or None, initial={"waitlist_enabled": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shifts = services.shift_series_create(
                campaign=campaign,
                first_date=data["first_date"],
                weekdays=data["weekdays"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                weeks=data["weeks"],
                data=form.common_data(),
                skills=data["required_skills"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, _on_date_fields(exc))
        else:
            messages.success(
                request,
                ngettext("%(count)s shift has been added.", "%(count)s shifts have been added.", len(shifts))
                % {"count": len(shifts)},
            )
            return saved(request, redirect("events:manage_campaign", pk=campaign.pk))
    return render(request, "events/manage/series_form.html", {"form": form, "campaign": campaign})


@region_scope_required
def shift_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = selectors.managed_shift_get(user=request.user, pk=pk)
    form = ShiftForm(request.POST or None, initial=ShiftForm.initial_for(shift))
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_update(
                shift=shift,
                data=form.shift_data(),
                skills=form.cleaned_data["required_skills"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, _on_date_fields(exc))
        else:
            messages.success(request, _("The shift has been saved."))
            _warn_transport_recheck(request, shift)
            return redirect("events:manage_shift", pk=shift.pk)
    return render(
        request, "events/manage/shift_form.html", {"form": form, "campaign": shift.campaign, "shift": shift}
    )


def _warn_transport_recheck(request: HttpRequest, shift: Any) -> None:
    """After a change of time or place: lifts arranged for the old ones wait on the board."""
    count = selectors.transport_to_recheck(shift=shift)
    if count:
        messages.warning(
            request,
            ngettext(
                "%(count)s lift arranged for this shift needs its departure confirmed or changed: "
                "the shift's time or place has changed. See Transport.",
                "%(count)s lifts arranged for this shift need their departure confirmed or changed: "
                "the shift's time or place has changed. See Transport.",
                count,
            )
            % {"count": count},
        )


@require_post(back="events:manage_shift", back_kwargs=("pk",))
@region_scope_required
def shift_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = selectors.managed_shift_get(user=request.user, pk=pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the shift is cancelled."))
        return redirect("events:manage_shift", pk=shift.pk)
    try:
        services.shift_cancel(shift=shift, by=request.user)
    except ValidationError as exc:
        messages.error(request, _refusal_text(exc))
    else:
        messages.success(request, _("The shift has been cancelled, and so have its sign-ups."))
    return redirect("events:manage_shift", pk=shift.pk)


@region_scope_required
def manage_shift(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The shift's roster: confirmed people with attendance, the waitlist, and adding people."""
    shift = selectors.managed_shift_get(user=request.user, pk=pk)
    query = request.GET.get("q", "").strip()[:100].replace("\x00", "")
    candidates = selectors.volunteers_to_add(user=request.user, shift=shift, query=query) if query else []
    roster = selectors.shift_roster(shift=shift)
    attendance_open = timezone.now() >= shift.starts_at - services.CHECK_IN_LEAD
    started = timezone.now() >= shift.starts_at
    return render(
        request,
        "events/manage/shift_roster.html",
        {
            "shift": shift,
            "campaign": shift.campaign,
            "roster": roster,
            "sections": _roster_sections(roster, attendance_open=attendance_open, started=started),
            # The cards build /manage/signups/<pk>/{attendance,move}/ from this.
            "manage_signups_url": reverse("events:signup_attendance", args=[0]).removesuffix("0/attendance/"),
            "hours": selectors.shift_hours(shift=shift),
            "query": query,
            "candidates": candidates,
            "attendance_open": attendance_open,
            "started": started,
            "transport_recheck": selectors.transport_to_recheck(shift=shift),
        },
    )


def _roster_sections(
    roster: dict[str, list[Signup]], *, attendance_open: bool, started: bool
) -> list[tuple[str, str, list[Signup], str]]:
    """(id, heading, people, what an empty section says) of the roster's people with a place:
    confirmed and not marked yet; once attendance opens, those who came; once the shift has
    started, those who did not. Each heading says what is under it."""
    marked = roster["attended"] or roster["no_show"]
    sections = [
        (
            "confirmed",
            pgettext("roster section", "Confirmed"),
            roster["confirmed"],
            _("Everyone has been marked.") if marked else _("Nobody has signed up yet."),
        )
    ]
    if attendance_open or roster["attended"]:
        sections.append(
            ("attended", pgettext("roster section", "Came"), roster["attended"], _("Nobody marked yet."))
        )
    if started or roster["no_show"]:
        sections.append(
            (
                "no-show",
                pgettext("roster section", "Did not come"),
                roster["no_show"],
                _("Nobody marked yet."),
            )
        )
    return sections


@require_post(back="events:manage_shift", back_kwargs=("pk",))
@region_scope_required
def shift_add_volunteers(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add several people at once from the roster search; each refusal is reported by name."""
    shift = selectors.managed_shift_get(user=request.user, pk=pk)
    form = PickForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("volunteers", [])))
    else:
        chosen = selectors.scoped_volunteers(
            user=request.user, shift=shift, ids=form.cleaned_data["volunteers"]
        )
        if len(chosen) != len(set(form.cleaned_data["volunteers"])):
            raise Http404  # someone outside the user's scope (or the shift's region)
        _report(request, services.signups_create_many(shift=shift, volunteers=chosen, by=request.user))
    return redirect(reverse("events:manage_shift", args=[shift.pk]) + "#roster")


@require_post(back="events:manage_campaigns")
@region_scope_required
def signup_attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Check-in, no-show or hours for one person, from the phone at the place; the message says
    what was recorded."""
    signup = selectors.managed_signup_get(user=request.user, pk=pk)
    name = signup.volunteer.full_name
    action = request.POST.get("action")
    try:
        if action == "check_in":
            services.signup_check_in(signup=signup, by=request.user)
            done = _("%(name)s: marked as arrived.") % {"name": name}
        elif action == "no_show":
            services.signup_no_show(signup=signup, by=request.user)
            done = _("%(name)s: marked as did not come.") % {"name": name}
        elif action == "hours":
            form = HoursForm(request.POST)
            if not form.is_valid():
                raise ValidationError(
                    [str(e) for errors in form.errors.values() for e in errors], code="invalid"
                )
            services.signup_hours_set(
                signup=signup,
                hours=form.cleaned_data["hours"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            hours = number_text(form.cleaned_data["hours"])
            done = _("%(name)s: %(hours)s h credited.") % {"name": name, "hours": hours}
        else:
            raise ValidationError(_("Unknown action."), code="invalid")
    except ValidationError as exc:
        messages.error(request, f"{name}: {_refusal_text(exc)}")
    else:
        messages.success(request, done)
    return redirect(reverse("events:manage_shift", args=[signup.shift_id]) + f"#signup-{signup.pk}")


@region_scope_required
def manage_signup_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Staff cancel someone's sign-up (or take them off the waitlist): a confirmation step that
    says what follows (a message to the person, the place to the waitlist, a lift called off),
    then a message naming what happened; the roster keeps them under "cancelled sign-ups"."""
    signup = selectors.managed_signup_get(user=request.user, pk=pk)
    shift = signup.shift
    back = reverse("events:manage_shift", args=[shift.pk])
    name = signup.volunteer.full_name
    told = signup.volunteer.user_id != request.user.pk  # nobody is sent a note of their own act
    if request.method == "POST":
        was_waiting = signup.status == Signup.Status.WAITLISTED
        try:
            done = services.signup_cancel_reported(signup=signup, by=request.user)
        except ValidationError as exc:
            messages.error(request, f"{name}: {_refusal_text(exc)}")
            return redirect(back + f"#signup-{signup.pk}")
        if was_waiting:
            text = _("%(name)s: taken off the waitlist of %(shift)s.") % {"name": name, "shift": shift}
        else:
            text = _("%(name)s: the sign-up for %(shift)s has been cancelled.") % {
                "name": name,
                "shift": shift,
            }
        parts = [text]
        if told:
            parts.append(_("A message tells them so."))
        parts += _freed_place(shift, done.promoted, freed=not was_waiting)
        messages.success(request, " ".join(parts))
        return redirect(back + "#cancelled")
    return render(
        request,
        "events/manage/signup_cancel.html",
        {
            "signup": signup,
            "shift": shift,
            "campaign": shift.campaign,
            "told": told,
            "to_waitlist": signup.status == Signup.Status.CONFIRMED
            and selectors.waitlist_waiting(shift=shift),
            "transport_open": selectors.transport_open(signup=signup),
        },
    )


def _freed_place(shift: Any, promoted: list[Signup], *, freed: bool) -> list[str]:
    """What became of a place given up: who moved up into it from the waitlist, or that it is
    open for sign-ups again."""
    if promoted:
        return [
            _(
                "%(name)s: moved up from the waitlist into the freed place on %(shift)s; a message tells them so."
            )
            % {"name": s.volunteer.full_name, "shift": shift}
            for s in promoted
        ]
    if freed:
        return [_("The freed place on %(shift)s is open for sign-ups.") % {"shift": shift}]
    return []


# Personal calendar feed, series "this and the following", moving people ---------------------
# Appended as new views (other work in progress edits the views above).


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret subscription address: no login (a calendar app has none), the token is the
    key; unknown or revoked → 404."""
    feed = selectors.calendar_feed_get(token=token)

    def url_for(shift: Any) -> str:
        return settings.SITE_URL + reverse("events:shift_detail", args=[shift.pk])

    # A calendar app asks for the feed in its own language (often none, or English): the name
    # the person sees in their list of calendars is in the language they chose on their profile.
    with translation.override(feed.volunteer.preferred_language or None):
        name = _("My shifts · Volunteer Net")
    body = shifts_calendar(
        selectors.calendar_feed_shifts(volunteer=feed.volunteer), url_for=url_for, name=name
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # The person's own schedule: no shared cache keeps it, and search engines never list it.
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    response["Content-Disposition"] = 'inline; filename="my-shifts.ics"'
    return response


@require_post(back="events:my_shifts")
@login_required
def calendar_feed_manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create, replace or revoke the calendar address (buttons on "my shifts")."""
    volunteer = selectors.volunteer_of_user(user=request.user)
    if volunteer is None:
        raise Http404
    if request.POST.get("action") == "revoke":
        services.calendar_feed_revoke(volunteer=volunteer, by=request.user)
        messages.success(request, _("The calendar address no longer works."))
    else:
        services.calendar_feed_renew(volunteer=volunteer)
        messages.success(request, _("Your calendar address is ready; any earlier address no longer works."))
    return redirect(reverse("events:my_shifts") + "#calendar-feed")


@region_scope_required
def series_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change this shift and the later ones of its series in one step."""
    shift = selectors.managed_shift_get(user=request.user, pk=pk)
    if shift.series_id is None or shift.cancelled_at is not None:
        raise Http404
    following = services.series_following(shift=shift)
    form = SeriesFollowingForm(request.POST or None, initial=SeriesFollowingForm.initial_for(shift))
    if request.method == "POST" and form.is_valid():
        data, times = form.changes()
        try:
            changed = services.series_update_following(
                shift=shift,
                data=data,
                start_time=form.cleaned_data["start_time"] if times else None,
                end_time=form.cleaned_data["end_time"] if times else None,
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, _refusal_text(exc))
        else:
            messages.success(
                request,
                ngettext("%(count)s shift has been saved.", "%(count)s shifts have been saved.", len(changed))
                % {"count": len(changed)},
            )
            return redirect("events:manage_shift", pk=shift.pk)
    return render(
        request,
        "events/manage/series_edit.html",
        {"form": form, "shift": shift, "campaign": shift.campaign, "following": following},
    )


@require_post(back="events:series_edit", back_kwargs=("pk",))
@region_scope_required
def series_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = selectors.managed_shift_get(user=request.user, pk=pk)
    if shift.series_id is None:
        raise Http404
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the shifts are cancelled."))
        return redirect("events:series_edit", pk=shift.pk)
    try:
        cancelled = services.series_cancel_following(shift=shift, by=request.user)
    except ValidationError as exc:
        messages.error(request, _refusal_text(exc))
        return redirect("events:series_edit", pk=shift.pk)
    messages.success(
        request,
        ngettext(
            "%(count)s shift has been cancelled, and so have its sign-ups.",
            "%(count)s shifts have been cancelled, and so have their sign-ups.",
            len(cancelled),
        )
        % {"count": len(cancelled)},
    )
    return redirect("events:manage_campaign", pk=shift.campaign_id)


@region_scope_required
def signup_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move one person to another shift of the same campaign; a refusal leaves them where they were."""
    signup = selectors.managed_signup_get(user=request.user, pk=pk)
    if signup.status != Signup.Status.CONFIRMED:
        raise Http404
    form = MoveForm(request.POST or None, shifts=selectors.move_targets(signup=signup))
    if request.method == "POST" and form.is_valid():
        try:
            move = services.signup_move(
                signup=signup, to_shift=form.cleaned_data["to_shift"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("to_shift", _refusal_text(exc))
        else:
            moved = move.signup
            parts = [
                _("%(name)s: moved from %(from)s to %(to)s; a message tells them so.")
                % {"name": signup.volunteer.full_name, "from": move.from_shift, "to": moved.shift},
                *_freed_place(move.from_shift, move.promoted, freed=True),
            ]
            messages.success(request, " ".join(parts))
            return redirect(reverse("events:manage_shift", args=[moved.shift_id]) + f"#signup-{moved.pk}")
    return render(
        request,
        "events/manage/signup_move.html",
        {
            "form": form,
            "signup": signup,
            "shift": signup.shift,
            "campaign": signup.shift.campaign,
            # A lift asked for this shift does not follow the person: the page says so first.
            "transport_open": selectors.transport_open(signup=signup),
        },
    )
