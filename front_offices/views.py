"""Front-office pages: the public list and an office's booking page, the activist's visits, the
"next free visit" search, the staff's day, and the coordinators' office details.
Thin: the selectors read, the services write and refuse."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.types import AuthenticatedHttpRequest
from regions.scoping import may_manage_region, region_scope_required, require
from regions.selectors import regions_by_name
from volunteer_net.choices import choice_labels
from volunteer_net.collation import in_name_order
from volunteer_net.forms import apply_service_errors, id_param, validate_calendar_day
from volunteer_net.http import require_post
from volunteer_net.submit_once import saved, submitted_once
from volunteers.models import Volunteer

from . import selectors, services
from .forms import (
    BlockForm,
    BookingForm,
    FrontOfficeForm,
    OpeningHoursForm,
    ScheduleExceptionForm,
    SlotBlockForm,
    StaffCancelForm,
    WalkInForm,
)
from .ics import visit_calendar
from .models import FrontOffice, OpeningHours, ScheduleException, Visit, VisitSlot
from .schedule import tz


def _day_param(request: HttpRequest, default: datetime.date) -> datetime.date:
    """The page's ?date=, or `default` for one unreadable or outside DayField's years: a day at
    the ends of the calendar has no day before or after it, nor a UTC midnight (a 500)."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
        validate_calendar_day(day)
    except (ValueError, ValidationError):
        return default
    return day


def _volunteer(request: AuthenticatedHttpRequest) -> Volunteer | None:
    return Volunteer.objects.filter(user=request.user, anonymized_at__isnull=True).first()


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Public ----------------------------------------------------------------------------------------


def office_public_list(request: HttpRequest) -> HttpResponse:
    evenings, weekends = request.GET.get("evenings") == "1", request.GET.get("weekends") == "1"
    # Region by region in the alphabet of the page's language, as the region selects list them.
    offices = in_name_order(
        selectors.front_office_public_list(evenings=evenings, weekends=weekends),
        lambda office: office.region.name,
    )
    statuses = selectors.opening_statuses(offices)
    return render(
        request,
        "front_offices/public_list.html",
        {
            "offices": offices,
            "rows": [(o, statuses[o.pk], o.region.name) for o in offices],
            "offices_url": reverse("front_offices:list"),
            "evenings": evenings,
            "weekends": weekends,
            "can_see_office_pages": selectors.may_see_front_offices(request.user),
        },
    )


def office_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The booking page of a day: the office, its hours, and the chosen date's slots."""
    office = selectors.front_office_public_get(pk=pk)
    first, last = selectors.booking_window()
    day = min(max(_day_param(request, first), first), last)
    now = timezone.now()
    slots = selectors.slots_of_day(office=office, day=day)
    return render(
        request,
        "front_offices/office_detail.html",
        {
            "office": office,
            "status": selectors.opening_status(office, now),
            "week": selectors.weekly_hours(office),
            "closed": selectors.closed_dates(office, first),
            "temporary": selectors.temporary_schedules(office, first),
            "day": day,
            "first": first,
            "last": last,
            "previous": day - datetime.timedelta(days=1) if day > first else None,
            "next": day + datetime.timedelta(days=1) if day < last else None,
            "slots": _slot_rows(slots, now),
            # Each slot's link is /front-offices/slots/<pk>/book/, built from this prefix.
            "book_url": reverse("front_offices:book", args=[0]).removesuffix("0/book/"),
        },
    )


def _slot_offs(
    slots: list[VisitSlot], now: datetime.datetime, *, current: int | None = None
) -> list[tuple[VisitSlot, str]]:
    """Each slot with why it cannot be taken, or "" when it can: the visit's own (on the move
    page), closed by the staff, its time begun, or full, each word translated once. A time begun
    says so rather than "full": its places may be free, and a person reading "full" looks for
    another day for no reason."""
    closed, begun, full = _("closed"), pgettext("visit time", "passed"), _("full")
    own = pgettext("visit time", "current")
    rows = []
    for slot in slots:
        if slot.pk == current:
            off = own
        elif slot.blocked_reason:
            off = closed
        elif slot.starts_at <= now:
            off = begun
        elif slot.free <= 0:
            off = full
        else:
            off = ""
        rows.append((slot, off))
    return rows


def _slot_rows(slots: list[VisitSlot], now: datetime.datetime) -> list[tuple[VisitSlot, bool, str, str, str]]:
    """(slot, bookable, "HH:MM", label for screen readers, why it cannot be booked or ""), the
    texts translated once."""
    label = _("Book %(time)s, %(free)s free")
    zone = tz()
    rows = []
    for slot, off in _slot_offs(slots, now):
        hhmm = slot.starts_at.astimezone(zone).strftime("%H:%M")
        rows.append((slot, not off, hhmm, label % {"time": hhmm, "free": slot.free}, off))
    return rows


def next_free(request: HttpRequest) -> HttpResponse:
    region = request.GET.get("region")
    if region is None:
        # A volunteer looks near home first, as on the campaign list: their own region until they
        # choose another or "All Kazakhstan" (which the form sends as ""). Listing the whole
        # country, an Almaty volunteer was offered Kokshetau and Oral before their own office.
        volunteer = _volunteer(request) if request.user.is_authenticated else None  # type: ignore[arg-type]
        region = volunteer.region.code if volunteer is not None and volunteer.region_id else ""
    evenings, weekends = request.GET.get("evenings") == "1", request.GET.get("weekends") == "1"
    point = selectors.parse_point(request.GET.get("lat", ""), request.GET.get("lon", ""))
    found = selectors.next_free_visits(region=region, point=point, evenings=evenings, weekends=weekends)
    zone = tz()
    rows = [
        (f, formats.date_format(f.slot.starts_at.astimezone(zone), "D, j E, H:i"), f.office.region.name)
        for f in found
    ]
    return render(
        request,
        "front_offices/next_free.html",
        {
            "rows": rows,
            "book_url": reverse("front_offices:book", args=[0]).removesuffix("0/book/"),
            "offices_url": reverse("front_offices:list"),
            "regions": regions_by_name(),
            "region": region,
            "evenings": evenings,
            "weekends": weekends,
            "point": point,
        },
    )


# The activist's visits -------------------------------------------------------------------------


@login_required
def book(request: AuthenticatedHttpRequest, slot_pk: int) -> HttpResponse:
    slot = selectors.slot_get(pk=slot_pk)
    volunteer = _volunteer(request)
    if volunteer is None:
        return render(request, "front_offices/no_profile.html", status=200)
    refusal = services.booking_refusal(slot=slot, volunteer=volunteer)
    form = BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_book(
                slot=slot,
                volunteer=volunteer,
                purpose=form.cleaned_data["purpose"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_service_errors(form, exc)
            else:
                refusal = exc
        else:
            messages.success(request, _("Your visit is booked."))
            return redirect("front_offices:visit", visit.pk)
    return render(
        request,
        "front_offices/book.html",
        {
            "slot": slot,
            "office": slot.office,
            "form": form,
            "refusal": refusal,
            "consent_hint": _consent_hint(volunteer),
        },
    )


def _consent_hint(volunteer: Volunteer) -> str:
    """What someone awaiting a consent may see to on this visit: a minor's guardian's form
    ("guardian"), or, come of age, their own ("own_consent"); "" for everyone else."""
    if volunteer.awaits_own_consent:
        return "own_consent"
    if volunteer.status == Volunteer.Status.AWAITING_GUARDIAN and volunteer.awaits_guardian:
        return "guardian"
    return ""


@login_required
def my_visits(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = _volunteer(request)
    if volunteer is None:
        return render(request, "front_offices/no_profile.html")
    return render(
        request,
        "front_offices/my_visits.html",
        {
            "upcoming": selectors.visits_of_person(volunteer=volunteer),
            "past": selectors.visits_of_person(volunteer=volunteer, upcoming=False)[:20],
        },
    )


def _own_visit(request: AuthenticatedHttpRequest, pk: int) -> Visit:
    volunteer = _volunteer(request)
    if volunteer is None:
        raise Http404
    return selectors.visit_of_person(volunteer=volunteer, pk=pk)


@login_required
def visit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = _own_visit(request, pk)
    return render(
        request, "front_offices/visit_detail.html", {"visit": visit, "can_change": _can_change(visit)}
    )


@login_required
def visit_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = _own_visit(request, pk)
    url = settings.SITE_URL + reverse("front_offices:visit", args=[visit.pk])
    body = visit_calendar(visit, summary=_("Visit: %(office)s") % {"office": visit.office.name}, url=url)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visit-{visit.pk}.ics"'
    return response


def _can_change(visit: Visit) -> bool:
    return visit.status == Visit.Status.BOOKED and visit.starts_at > timezone.now()


@login_required
def visit_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: what will be cancelled, and the button that confirms it (as a shift's sign-up is
    cancelled, events.views.signup_cancel); POST: cancel, from that button or any older form."""
    visit = _own_visit(request, pk)
    if request.method == "POST":
        try:
            services.visit_cancel(visit=visit, by=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Your visit has been cancelled."))
        return redirect("front_offices:my_visits")
    return render(
        request, "front_offices/visit_cancel.html", {"visit": visit, "can_cancel": _can_change(visit)}
    )


def _move_page(
    request: AuthenticatedHttpRequest,
    visit: Visit,
    *,
    done_url: str,
    staff: bool,
    cancel_form: StaffCancelForm | None = None,
) -> HttpResponse:
    """Choose another slot of the visit's office (a date, then a time) and move in one step."""
    refusal = services.visit_move_refusal(visit=visit)
    if refusal is not None:
        # No times to offer for a visit that cannot move: back to where it came from, saying why.
        messages.error(request, _error_text(refusal))
        return redirect(done_url)
    first, last = selectors.booking_window()
    default = max(visit.local_date, first)
    day = min(max(_day_param(request, default), first), last)
    if request.method == "POST" and cancel_form is None:
        slot: VisitSlot | None
        if staff:
            # A slot of the office whose page the staff chose from (any in their scope): that
            # office goes to the service, which refuses a visit its person has moved elsewhere
            # since the page was read, with a message saying so.
            slot = selectors.staff_slot_get(user=request.user, pk=request.POST.get("slot", ""))
        else:
            try:
                slot = VisitSlot.objects.select_related("office").get(
                    pk=int(request.POST.get("slot", "")), office=visit.office
                )
            except (ValueError, VisitSlot.DoesNotExist):
                slot = None
        if slot is None:
            messages.error(request, _("Choose a time."))
        else:
            try:
                services.visit_reschedule(
                    visit=visit, to_slot=slot, by=request.user, at_office=slot.office if staff else None
                )
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, _("The visit has been moved."))
                return redirect(done_url)
    now = timezone.now()
    slots = _slot_offs(selectors.slots_of_day(office=visit.office, day=day), now, current=visit.slot_id)
    return render(
        request,
        "front_offices/move.html",
        {
            "visit": visit,
            "day": day,
            "first": first,
            "last": last,
            "previous": day - datetime.timedelta(days=1) if day > first else None,
            "next": day + datetime.timedelta(days=1) if day < last else None,
            "slots": slots,
            "staff": staff,
            "cancel_form": (cancel_form or StaffCancelForm(prefix="cancel")) if staff else None,
        },
    )


@login_required
def visit_reschedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = _own_visit(request, pk)
    return _move_page(
        request,
        visit,
        done_url=reverse("front_offices:visit", args=[visit.pk]),
        staff=False,
    )


# The staff's day -------------------------------------------------------------------------------


def _label_visits(visits: list[Visit]) -> None:
    """Each visit's time, labels and the buttons it can use now, with the choices' labels read
    once for the page (volunteer_net.choices), not per card."""
    zone = tz()
    now = timezone.now()
    purposes = choice_labels(Visit._meta.get_field("purpose"))
    statuses = choice_labels(Visit._meta.get_field("status"))
    outcomes = choice_labels(Visit._meta.get_field("outcome"))
    outcome_options = _outcome_options()
    # A visitor whose profile is not active (paused, archived, awaiting a guardian) is named so
    # on their card: the desk sees it before helping them to a shift or a booking.
    profile = _("Profile: %(status)s")
    profile_statuses = {
        k: profile % {"status": v} for k, v in Volunteer.Status.choices if k != Volunteer.Status.ACTIVE
    }
    check_in_from = _("Check-in from %(time)s")
    for visit in visits:
        visit.hhmm = visit.starts_at.astimezone(zone).strftime("%H:%M")  # type: ignore[attr-defined]
        visit.purpose_label = purposes.get(visit.purpose, visit.purpose)  # type: ignore[attr-defined]
        visit.status_label = statuses.get(visit.status, visit.status)  # type: ignore[attr-defined]
        visit.outcome_label = outcomes.get(visit.outcome, "")  # type: ignore[attr-defined]
        # The saved outcome selected: a select back at "—" would clear it on the next save.
        visit.outcome_options = outcome_options.get(visit.outcome, outcome_options[""])  # type: ignore[attr-defined]
        visit.profile_status_label = profile_statuses.get(visit.volunteer.status, "")  # type: ignore[attr-defined]
        # The service's own rule decides which buttons show: none that would only be refused.
        can_arrive = services.visit_mark_refusal(visit=visit, status=Visit.Status.ARRIVED, now=now) is None
        visit.can_arrive = can_arrive  # type: ignore[attr-defined]
        visit.can_no_show = (  # type: ignore[attr-defined]
            services.visit_mark_refusal(visit=visit, status=Visit.Status.NO_SHOW, now=now) is None
        )
        visit.check_in_from = (  # type: ignore[attr-defined]
            ""
            if can_arrive
            else check_in_from % {"time": services.arrival_opens_at(visit).astimezone(zone).strftime("%H:%M")}
        )


def _outcome_options() -> dict[str, SafeString]:
    """The outcome <option>s ("—" for none first), once with each outcome selected: rendered
    once per page instead of once per visit, and each card takes the set of its own outcome."""
    choices = [("", "—"), *Visit.Outcome.choices]
    return {
        chosen: format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, " selected" if value == chosen else "", label) for value, label in choices),
        )
        for chosen, _label in choices
    }


@login_required
def staff_day(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    office = selectors.office_for_staff(user=request.user, pk=pk)
    today = timezone.localdate()
    day = _day_param(request, today)
    visits = selectors.staff_day(office=office, day=day)
    _label_visits(visits)
    return render(
        request,
        "front_offices/staff_day.html",
        {
            "office": office,
            "day": day,
            "today": today,
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
            "visits": visits,
            "active_count": sum(1 for v in visits if v.is_active),
            # Each card builds /front-offices/staff/visits/<pk>/{mark,move}/ from this prefix.
            "visits_url": reverse("front_offices:visit_mark", args=[0]).removesuffix("0/mark/"),
            # A booked visit not yet begun can be cancelled for its person.
            "now": timezone.now(),
        },
    )


def _back_to_day(office: FrontOffice, day: datetime.date) -> HttpResponse:
    return redirect(f"{reverse('front_offices:day', args=[office.pk])}?date={day.isoformat()}")


@login_required
@require_post
def staff_visit_mark(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Arrived / did not come (a `status` button) or the outcome (the select and its button).

    Acted for the office of the page (`office`, when the form sends it: one in the user's scope;
    else the visit's, as read here): the service refuses a visit its person has moved to another
    office since, and the staff go back to the day they came from."""
    visit = selectors.staff_visit_get(user=request.user, pk=pk)
    sent = request.POST.get("office", "")
    office = selectors.office_for_staff(user=request.user, pk=sent) if sent else visit.office
    # The day lists everyone: the message names the person and what was marked, as the shift's
    # roster does, so that a clerk who pressed the wrong card sees it (a bare "Saved." did not).
    name = visit.volunteer.full_name
    try:
        if "status" in request.POST:
            marked = services.visit_mark(
                visit=visit, status=request.POST["status"], by=request.user, at_office=office
            )
            if marked.status == Visit.Status.ARRIVED:
                done = _("%(name)s: marked as arrived.") % {"name": name}
            elif marked.status == Visit.Status.NO_SHOW:
                done = _("%(name)s: marked as did not come.") % {"name": name}
            else:  # back to booked: a mistaken mark undone
                done = _("%(name)s: saved.") % {"name": name}
        else:
            services.visit_outcome_set(
                visit=visit, outcome=request.POST.get("outcome", ""), by=request.user, at_office=office
            )
            done = _("%(name)s: saved.") % {"name": name}
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return _back_to_day(office, visit.local_date)


@login_required
def staff_visit_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Another time for a booked visit, or (its `cancel` button, with a reason) no time: the desk
    cancels it for its person, who phoned that they cannot come, and they are told, with the
    reason. Without it the staff could only block the time, closing it to everyone."""
    visit = selectors.staff_visit_get(user=request.user, pk=pk)
    done = f"{reverse('front_offices:day', args=[visit.office_id])}?date={visit.local_date.isoformat()}"
    if request.method == "POST" and "cancel" in request.POST:
        cancel_form = StaffCancelForm(request.POST, prefix="cancel")
        if cancel_form.is_valid():
            try:
                # For the office the visit was read at: one its person has moved elsewhere
                # since is refused, with a message saying so.
                services.visit_cancel(
                    visit=visit,
                    by=request.user,
                    reason=cancel_form.cleaned_data["reason"],
                    at_office=visit.office,
                )
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, _("The visit has been cancelled and its person told."))
            return redirect(done)
        return _move_page(request, visit, done_url=done, staff=True, cancel_form=cancel_form)
    return _move_page(request, visit, done_url=done, staff=True)


@login_required
@submitted_once
def staff_walk_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Someone at the desk without a booking: found by phone or added, checked in, one form."""
    office = selectors.office_for_staff(user=request.user, pk=pk)
    form = WalkInForm(request.POST or None, prefix="walkin")
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.walk_in_register(office=office, by=request.user, **form.walk_in_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            name = visit.volunteer.full_name
            messages.success(request, _("%(name)s has been checked in.") % {"name": name})
            if not visit.walk_in:
                messages.info(
                    request,
                    _("%(name)s had a visit booked here today at %(time)s: that visit is the one checked in.")
                    % {"name": name, "time": visit.starts_at.astimezone(tz()).strftime("%H:%M")},
                )
            if visit.volunteer.awaits_own_consent:
                # Of age now: the form to sign here is their own, not a parent's.
                messages.warning(
                    request, _("This person is 18 now and becomes active once their own consent is recorded.")
                )
            elif visit.volunteer.status == Volunteer.Status.AWAITING_GUARDIAN:
                messages.warning(
                    request,
                    _(
                        "%(name)s takes part in nothing until the written consent of their parent "
                        "or legal representative is recorded."
                    )
                    % {"name": name},
                )
            elif visit.volunteer.status != Volunteer.Status.ACTIVE:
                # Paused or archived: the visit is a fact and is recorded, but the clerk must not
                # promise a shift or a booking the profile cannot have.
                messages.warning(
                    request,
                    _(
                        "The volunteer profile of %(name)s is “%(status)s”: the visit is recorded, but "
                        "they cannot sign up for shifts or book visits until a coordinator of the "
                        "region makes the profile active again."
                    )
                    % {"name": name, "status": visit.volunteer.get_status_display()},
                )
            return saved(request, _back_to_day(office, visit.local_date))
    return render(request, "front_offices/walk_in.html", {"office": office, "form": form})


@login_required
def staff_block(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Block one slot (its button, with the slot form's reason) or a time range of the date
    (from/until, with the range form's reason). Only the form sent is bound: the other one's
    fields are not "required" errors of a form nobody filled in."""
    office = selectors.office_for_staff(user=request.user, pk=pk)
    day = _day_param(request, timezone.localdate())
    if request.method == "POST" and "unblock" in request.POST:
        # A blocked slot's own button: it needs no reason, and binds neither form.
        return _unblock(request, office, day)
    # The pressed slot button names the slot form; anything else is the range form.
    slot_sent = request.method == "POST" and bool(request.POST.get("slot"))
    range_sent = request.method == "POST" and not slot_sent
    form = BlockForm(request.POST if range_sent else None, prefix="block")
    slot_form = SlotBlockForm(request.POST if slot_sent else None, prefix="slot")
    sent = slot_form if slot_sent else form
    if request.method == "POST" and sent.is_valid():
        try:
            if slot_sent:
                slot = VisitSlot.objects.filter(office=office, pk=int(request.POST["slot"])).first()
                if slot is None:
                    raise Http404
                starts_at, ends_at = slot.starts_at, slot.ends_at
            else:
                starts_at = datetime.datetime.combine(day, form.cleaned_data["starts"], tzinfo=tz())
                ends_at = datetime.datetime.combine(day, form.cleaned_data["ends"], tzinfo=tz())
                if form.cleaned_data["ends"] == datetime.time(0):
                    # "Until 00:00" is the end of the day: a whole day is blocked as 00:00–00:00.
                    ends_at += datetime.timedelta(days=1)
            cancelled = services.slots_block(
                office=office,
                starts_at=starts_at,
                ends_at=ends_at,
                reason=sent.cleaned_data["reason"],
                by=request.user,
            )
        except ValueError:
            messages.error(request, _("Choose a time."))
        except ValidationError as exc:
            apply_service_errors(sent, exc)
        else:
            messages.success(
                request,
                _("Blocked. Visits cancelled and people told: %(count)s.") % {"count": len(cancelled)},
            )
            return _back_to_day(office, day)
    return render(
        request,
        "front_offices/block.html",
        {
            "office": office,
            "day": day,
            "form": form,
            "slot_form": slot_form,
            "slots": selectors.slots_to_block(office=office, day=day),
            # A slot begun can be neither blocked (a block leaves its visits alone, for the
            # desk to mark) nor opened again: it says so instead of offering a button.
            "now": timezone.now(),
        },
    )


def _unblock(request: AuthenticatedHttpRequest, office: FrontOffice, day: datetime.date) -> HttpResponse:
    slot = VisitSlot.objects.filter(office=office, pk=id_param(request.POST["unblock"]) or 0).first()
    if slot is None:
        raise Http404
    try:
        services.slot_unblock(slot=slot, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("%(time)s is open for booking again.")
            % {"time": slot.starts_at.astimezone(tz()).strftime("%H:%M")},
        )
    return redirect(f"{reverse('front_offices:block', args=[office.pk])}?date={day.isoformat()}")


@login_required
def staff_hours(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The office's weekly hours, temporary schedules and exceptions, kept by its staff and the
    region's coordinators; every change regenerates the slots ahead."""
    office = selectors.office_for_staff(user=request.user, pk=pk)
    hours_form = OpeningHoursForm(prefix="hours")
    exception_form = ScheduleExceptionForm(prefix="exception")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add_hours":
                # The forms' rows belong to the office as they are validated: the model's rules
                # read it (special hours are one office's), and without it a date's special hours
                # were refused under a field the form does not have, and nothing was saved.
                hours_form = OpeningHoursForm(
                    request.POST, prefix="hours", instance=OpeningHours(office=office)
                )
                if hours_form.is_valid():
                    services.opening_hours_add(office=office, by=request.user, **hours_form.cleaned_data)
                    messages.success(request, _("Saved."))
                    return redirect("front_offices:hours", office.pk)
            elif action == "add_exception":
                exception_form = ScheduleExceptionForm(
                    request.POST, prefix="exception", instance=ScheduleException(office=office)
                )
                if exception_form.is_valid():
                    services.schedule_exception_add(
                        office=office, by=request.user, **exception_form.cleaned_data
                    )
                    messages.success(request, _("Saved."))
                    return redirect("front_offices:hours", office.pk)
            elif action == "delete_hours":
                row = OpeningHours.objects.filter(office=office, pk=request.POST.get("id") or 0).first()
                if row is None:
                    raise Http404
                services.opening_hours_delete(hours=row, by=request.user)
                # Said, as an addition is: the row simply vanished, and a clerk who pressed the
                # wrong one of ten identical "Remove" buttons could not tell which had gone.
                what = f"{row.get_weekday_display()} {row.opens:%H:%M}–{row.closes:%H:%M}"
                messages.success(request, _("%(what)s: removed.") % {"what": what})
                return redirect("front_offices:hours", office.pk)
            elif action == "delete_exception":
                found = ScheduleException.objects.filter(
                    office=office, pk=request.POST.get("id") or 0
                ).first()
                if found is None:
                    raise Http404
                services.schedule_exception_delete(exception=found, by=request.user)
                day = formats.date_format(found.date, "SHORT_DATE_FORMAT")
                hours = f"{found.opens:%H:%M}–{found.closes:%H:%M}" if found.opens else _("closed")
                messages.success(request, _("%(what)s: removed.") % {"what": f"{day} {hours}"})
                return redirect("front_offices:hours", office.pk)
        except (ValidationError, ValueError) as exc:
            form = hours_form if action == "add_hours" else exception_form
            if isinstance(exc, ValidationError):
                apply_service_errors(form, exc)
    today = timezone.localdate()
    return render(
        request,
        "front_offices/hours.html",
        {
            "office": office,
            "hours": OpeningHours.objects.filter(office=office).order_by("valid_from", "weekday", "opens"),
            "exceptions": ScheduleException.objects.filter(office=office, date__gte=today).order_by(
                "date", "opens"
            ),
            "holidays": ScheduleException.objects.filter(office=None, date__gte=today).order_by("date")[:15],
            "hours_form": hours_form,
            "exception_form": exception_form,
            # Booked at times the schedule no longer has: for the staff to move or cancel.
            "off_schedule": selectors.visits_off_schedule(office=office),
        },
    )


# Coordinators: offices' details -----------------------------------------------------------------


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
