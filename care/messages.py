"""What care tells people, and when: the services call these inside their own transaction.

Every message is the notifications app's "generic" kind, written here in the recipient's
language (the subject and text carry nothing of the beneficiary but the locality and the kind:
the address is on the page, behind the visibility window and the audit trail).
Subjects: "care.request" for the coordinators' alerts, "care.assignment" for a volunteer's.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.services import message_schedule, messages_cancel
from regions.models import CoordinatorAssignment
from volunteer_net.dates import when_text
from volunteer_net.languages import profile_language

from .models import Assignment, HelpRequest

REQUEST_SUBJECT = "care.request"
ASSIGNMENT_SUBJECT = "care.assignment"


def _window(start: datetime.datetime, end: datetime.datetime) -> str:
    """The request's window as a range, "28.11.2026 10:00–14:00" (both ends in full when it runs
    past midnight). A range, never "from … until …": Kazakh puts those words after the dates and
    the dates would need case endings (-нан, -ға) that a placeholder cannot carry."""
    zone = timezone.get_default_timezone()
    start, end = timezone.localtime(start, zone), timezone.localtime(end, zone)
    if start.date() == end.date():
        # The end's hour as when_text writes the start's ("09:00"): Russian's TIME_FORMAT drops
        # the leading zero ("9:00"), and a range would read its two ends two ways.
        return f"{when_text(start)}–{end:%H:%M}"
    return f"{when_text(start)} – {when_text(end)}"


def _url(request: HelpRequest) -> str:
    return settings.SITE_URL + reverse("care:request_detail", args=[request.pk])


def _texts(request: HelpRequest, language: str, build: Any) -> dict[str, str]:
    with translation.override(language):
        subject, text = build(
            {
                "kind": str(request.get_kind_display()),
                "locality": request.beneficiary.locality or request.region.name,
                "when": when_text(request.due_from),
                "window": _window(request.due_from, request.due_until),
            }
        )
    return {"subject": subject, "text": text, "url": _url(request)}


def _language_of(user: Any) -> str:
    """A staff account's language: its volunteer profile's, if it has one, else the site's."""
    return profile_language(user, settings.LANGUAGE_CODE[:2])


def _to_coordinators(request: HelpRequest, build: Any) -> None:
    """Each coordinator of the request's region, at once, by e-mail, in their language."""
    now = timezone.now()
    coordinators = CoordinatorAssignment.objects.filter(region_id=request.region_id).select_related("user")
    for assignment in coordinators:
        user = assignment.user
        if not user.is_active or not user.email:
            continue
        language = _language_of(user)
        message_schedule(
            recipient=None,
            recipient_email=user.email,
            language=language,
            kind="generic",
            subject_type=REQUEST_SUBJECT,
            subject_id=request.pk,
            due_at=now,
            valid_until=request.due_until if request.due_until > now else None,
            context=_texts(request, language, build),
        )


def urgent_request(request: HelpRequest) -> None:
    """A new urgent request: each coordinator of the region is told at once, by e-mail."""

    def build(p: dict[str, str]) -> tuple[str, str]:
        return (
            _("Urgent help request: %(kind)s, %(locality)s") % p,
            _(
                "An urgent request has been taken: %(kind)s in %(locality)s, %(window)s. "
                "Open the list of requests to find who can go."
            )
            % p,
        )

    _to_coordinators(request, build)


def someone_needed_again(request: HelpRequest) -> None:
    """Those who were going no longer go (a detachment left without its curator, a volunteer
    who stopped): each coordinator of the region is told at once, by e-mail, that the request
    needs someone again."""

    def build(p: dict[str, str]) -> tuple[str, str]:
        return (
            _("Someone is needed again: %(kind)s, %(locality)s") % p,
            _(
                "Those who were going to the help request %(kind)s in %(locality)s, %(window)s, "
                "no longer go. Open the request to find someone else."
            )
            % p,
        )

    _to_coordinators(request, build)


def assignment_confirmed(assignment: Assignment, request: HelpRequest) -> None:
    """The volunteer is told at once, and reminded CARE_REMINDER_HOURS before the window opens."""
    volunteer = assignment.volunteer
    if volunteer is None:
        return
    now = timezone.now()
    language = volunteer.preferred_language
    # Someone the coordinator assigned who has no account (a walk-in) cannot open the request's
    # page: the coordinator gives them the address, and hears from them if they cannot go.
    has_account = volunteer.user_id is not None

    def confirmed(p: dict[str, str]) -> tuple[str, str]:
        if has_account:
            text = _(
                "The coordinator has confirmed you for a help request: %(kind)s in %(locality)s, "
                "%(window)s. The address and phone are on the request's page."
            )
        else:
            text = _(
                "The coordinator has confirmed you for a help request: %(kind)s in %(locality)s, "
                "%(window)s. The coordinator will give you the address and phone."
            )
        return (_("You are going: %(kind)s, %(locality)s") % p, text % p)

    def reminder(p: dict[str, str]) -> tuple[str, str]:
        if has_account:
            text = _(
                "A reminder of your help request: %(kind)s in %(locality)s, %(window)s. "
                "If you cannot go, withdraw on the request's page so that someone else can."
            )
        else:
            text = _(
                "A reminder of your help request: %(kind)s in %(locality)s, %(window)s. "
                "If you cannot go, tell the coordinator so that someone else can."
            )
        return (_("Reminder: %(kind)s, %(when)s") % p, text % p)

    message_schedule(
        recipient=volunteer,
        kind="generic",
        subject_type=ASSIGNMENT_SUBJECT,
        subject_id=assignment.pk,
        due_at=now,
        # An SMS held by the night's quiet hours past the window's end would send them to a
        # visit already over: it expires with the window instead.
        valid_until=request.due_until if request.due_until > now else None,
        context=_texts(request, language, confirmed),
    )
    remind_at = request.due_from - datetime.timedelta(hours=settings.CARE_REMINDER_HOURS)
    if remind_at > now:
        message_schedule(
            recipient=volunteer,
            kind="generic",
            subject_type=ASSIGNMENT_SUBJECT,
            subject_id=assignment.pk,
            due_at=remind_at,
            valid_until=request.due_from,
            context=_texts(request, language, reminder),
        )


def detachment_assigned(assignment: Assignment, request: HelpRequest) -> None:
    """The curator of a detachment assigned is told at once, by e-mail (curators are accounts),
    in their own language (`_to_curator`)."""
    detachment = assignment.detachment

    def build(p: dict[str, str]) -> tuple[str, str]:
        return (
            _("Your detachment is going: %(kind)s, %(locality)s") % p,
            _(
                "The coordinator has assigned your detachment to a help request: %(kind)s in "
                "%(locality)s, %(window)s. Pupils go only with you. The address and phone are on "
                "the request's page."
            )
            % p,
        )

    _to_curator(assignment, request, detachment.curator if detachment is not None else None, build)


def assignment_withdrawn(assignment: Assignment) -> None:
    """Whatever of the assignment has not gone out (a reminder) is dropped."""
    messages_cancel(subject_type=ASSIGNMENT_SUBJECT, subject_id=assignment.pk)


def request_closed(request: HelpRequest) -> None:
    """The request is closed: a coordinators' alert not yet sent ("urgent", "someone is needed
    again") would send them looking for someone to go to help that no longer happens."""
    messages_cancel(subject_type=REQUEST_SUBJECT, subject_id=request.pk)


def _called_off(p: dict[str, str]) -> tuple[str, str]:
    return (
        _("Called off: %(kind)s, %(locality)s") % p,
        _(
            "The help request %(kind)s in %(locality)s, %(window)s, no longer needs anyone: "
            "you do not need to go. Thank you for being ready to help."
        )
        % p,
    )


def _to_curator(assignment: Assignment, request: HelpRequest, curator: Any, build: Any) -> None:
    """A curator is an account, reached by e-mail, in the language of their volunteer profile
    if they have one (as their invitation was), else the site's: a Russian-speaking teacher was
    told in Kazakh that their pupils go."""
    if curator is None or not curator.email:
        return
    language = _language_of(curator)
    message_schedule(
        recipient=None,
        recipient_email=curator.email,
        language=language,
        kind="generic",
        subject_type=ASSIGNMENT_SUBJECT,
        subject_id=assignment.pk,
        due_at=timezone.now(),
        context=_texts(request, language, build),
    )


def assignment_called_off(assignment: Assignment, request: HelpRequest, *, was_going: bool) -> None:
    """The help no longer happens (the request cancelled or closed as "cannot help", or the
    person's data erased): what has not gone out (the reminder) is dropped, and whoever was
    confirmed is told once, at once, so that nobody turns up at the door. An offer that was
    never confirmed was never promised anything: it is only dropped."""
    messages_cancel(subject_type=ASSIGNMENT_SUBJECT, subject_id=assignment.pk)
    if not was_going:
        return
    _tell_the_one_going(assignment, request, _called_off)


def _tell_the_one_going(assignment: Assignment, request: HelpRequest, build: Any) -> None:
    """Tell the volunteer of the assignment at once, in their language; for a detachment, its
    curator. An erased person is told nothing."""
    volunteer = assignment.volunteer
    if volunteer is None:
        detachment = assignment.detachment
        _to_curator(assignment, request, detachment.curator if detachment is not None else None, build)
        return
    if volunteer.anonymized_at is not None:
        return
    message_schedule(
        recipient=volunteer,
        kind="generic",
        subject_type=ASSIGNMENT_SUBJECT,
        subject_id=assignment.pk,
        due_at=timezone.now(),
        context=_texts(request, volunteer.preferred_language, build),
    )


def _taken_off(p: dict[str, str]) -> tuple[str, str]:
    return (
        _("You no longer go: %(kind)s, %(locality)s") % p,
        _(
            "The coordinator has taken you off the help request %(kind)s in %(locality)s, "
            "%(window)s: you do not need to go. Thank you for being ready to help."
        )
        % p,
    )


def assignment_removed(assignment: Assignment, request: HelpRequest) -> None:
    """Staff took someone confirmed off a request that still goes ahead: their reminder is
    dropped and they are told once, at once, or they would go all the same (they had the
    address since the confirmation), and the curator for a detachment."""
    messages_cancel(subject_type=ASSIGNMENT_SUBJECT, subject_id=assignment.pk)
    _tell_the_one_going(assignment, request, _taken_off)


def detachment_released(assignment: Assignment, request: HelpRequest, *, curator: Any) -> None:
    """The detachment no longer goes (left without its curator): the curator removed is told
    once that the pupils need not go."""
    _to_curator(assignment, request, curator, _called_off)


def assignment_finished(assignment: Assignment) -> None:
    """Done: the reminder, if still waiting, is no longer needed."""
    messages_cancel(subject_type=ASSIGNMENT_SUBJECT, subject_id=assignment.pk)
