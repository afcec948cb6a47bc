"""What events tell volunteers, and when: the services call these inside their own transaction.

`notifications.services` queues whatever is due at once after the commit and the sweep sends the
rest, so a rolled-back sign-up never sends anything. Every message is about one sign-up
(subject "events.signup", its id): cancelling or moving a person's reminders touches nobody
else's. Texts are rendered by the sweep in the volunteer's language, times in Almaty.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from notifications.services import (
    message_schedule,
    messages_cancel,
    messages_cancel_many,
    messages_reschedule,
    messages_schedule_reminders,
    messages_schedule_with_reminders,
    reminder_times,
    reminder_validity,
)
from volunteer_net.dates import when_text

from .models import Campaign, Shift, Signup

SUBJECT_TYPE = "events.signup"
REMINDER_KINDS = ("shift_reminder_24h", "shift_reminder_2h")


def _reminders(starts_at: datetime.datetime) -> list[tuple[str, datetime.datetime]]:
    """(kind, due time) of each reminder; SHIFT_REMINDER_HOURS is read at call time so that a
    test or a deploy may change it."""
    return reminder_times(starts_at, REMINDER_KINDS, settings.SHIFT_REMINDER_HOURS)


def shift_context(shift: Shift) -> dict[str, Any]:
    """What the templates show: the campaign, where (place and address together, as the message
    prints one line), when (aware datetimes, stored as ISO with their offset) and a link."""
    place = ", ".join(part for part in (shift.place_name, shift.address) if part)
    return {
        "title": shift.campaign.title,
        "place": place,
        "address": shift.address,
        # Stored with Almaty's offset (+05:00), so the row reads as the volunteer would.
        "starts_at": timezone.localtime(shift.starts_at, timezone.get_default_timezone()),
        "ends_at": timezone.localtime(shift.ends_at, timezone.get_default_timezone()),
        "url": settings.SITE_URL + reverse("events:shift_detail", args=[shift.pk]),
    }


def _schedule(
    signup: Signup, kind: str, *, due_at: datetime.datetime, context: dict[str, Any], **kw: Any
) -> None:
    message_schedule(
        recipient=signup.volunteer,
        kind=kind,
        subject_type=SUBJECT_TYPE,
        subject_id=signup.pk,
        due_at=due_at,
        context=context,
        **kw,
    )


def _schedule_reminders(signup: Signup, shift: Shift, context: dict[str, Any]) -> None:
    messages_schedule_reminders(
        recipient=signup.volunteer,
        subject_type=SUBJECT_TYPE,
        subject_id=signup.pk,
        context=context,
        starts_at=shift.starts_at,
        reminders=_reminders(shift.starts_at),
    )


def campaign_renamed(campaign: Campaign) -> None:
    """The campaign's title has changed: the reminders still to go out for its upcoming shifts
    say the new one (their texts were written at sign-up), as a moved shift's do. Scheduling a
    reminder again for its slot refreshes a waiting one's text."""
    held = Signup.objects.filter(
        shift__campaign=campaign,
        shift__cancelled_at__isnull=True,
        shift__starts_at__gt=timezone.now(),
        status=Signup.Status.CONFIRMED,
    ).select_related("shift__campaign", "volunteer")
    for signup in held.iterator(chunk_size=500):
        _schedule_reminders(signup, signup.shift, shift_context(signup.shift))


def signup_created(signup: Signup, shift: Shift) -> None:
    """A new sign-up: confirmed gets a confirmation now and the reminders. A waitlisted person
    gets nothing yet: there is no "on the waitlist" message, the page has told them, and the
    promotion message follows if a place frees."""
    if signup.status != Signup.Status.CONFIRMED:
        return
    # A new sign-up has no messages yet: all of them in one INSERT (the busiest write path).
    messages_schedule_with_reminders(
        recipient=signup.volunteer,
        subject_type=SUBJECT_TYPE,
        subject_id=signup.pk,
        context=shift_context(shift),
        first="signup_confirmed",
        starts_at=shift.starts_at,
        reminders=_reminders(shift.starts_at),
    )


def signup_promoted(signup: Signup, shift: Shift) -> None:
    """Moved up from the waitlist: told so at once, then reminded like everyone confirmed."""
    now = timezone.now()
    context = shift_context(shift)
    # Nobody moves up once the shift has started (`_promote`); held up past the start, the news
    # would send the person to a shift under way, so it is dropped then.
    _schedule(signup, "waitlist_promoted", due_at=now, valid_until=max(shift.starts_at, now), context=context)
    _schedule_reminders(signup, shift, context)


def signup_cancelled(signup: Signup, shift: Shift, *, by: User | None) -> None:
    """A withdrawn sign-up: whatever of it has not gone out yet (reminders, a confirmation held
    up) is cancelled. When a coordinator or curator withdrew it (not the volunteer), the
    volunteer is told, in their own language."""
    messages_cancel(subject_type=SUBJECT_TYPE, subject_id=signup.pk)
    volunteer = signup.volunteer
    if by is not None and volunteer.user_id is not None and by.pk == volunteer.user_id:
        return
    if volunteer.anonymized_at is not None:
        # Erased on the person's request (staff acting for them): no message is written to an
        # erased profile, whose contact details are gone anyway.
        return
    context = shift_context(shift)
    # The generic kind carries its text as given, so it is written in the recipient's language here.
    with translation.override(volunteer.preferred_language):
        when = formats.date_format(
            timezone.localtime(shift.starts_at, timezone.get_default_timezone()), "SHORT_DATETIME_FORMAT"
        )
        context["subject"] = _("Sign-up cancelled: %(title)s") % {"title": shift.campaign.title}
        context["text"] = _(
            "Your sign-up for “%(title)s” on %(when)s has been cancelled by the organisers. "
            "If you think this is a mistake, contact the coordinator."
        ) % {"title": shift.campaign.title, "when": when}
    _schedule(signup, "generic", due_at=timezone.now(), context=context)


def signup_dropped(signup: Signup) -> None:
    """A place given up in a move: whatever of it has not gone out (reminders, a confirmation held
    up) is dropped, and nothing else is sent for it (`signup_moved` tells the person)."""
    messages_cancel(subject_type=SUBJECT_TYPE, subject_id=signup.pk)


def signup_moved(signup: Signup, shift: Shift, *, was_shift: Shift, transport_dropped: bool) -> None:
    """A coordinator moved the person to `shift` (their new sign-up) from `was_shift`: one message
    now, saying from which shift to which, and the new shift's reminders. It is the "shift
    changed" kind (for this person, their shift did change), with the earlier shift in its
    context; a lift asked for the earlier shift was called off with it, and the message says so."""
    was = shift_context(was_shift)
    context = {
        **shift_context(shift),
        "moved_from_starts_at": was["starts_at"],
        "moved_from_place": was["place"],
    }
    if transport_dropped:
        context["transport_dropped"] = True
    messages_schedule_with_reminders(
        recipient=signup.volunteer,
        subject_type=SUBJECT_TYPE,
        subject_id=signup.pk,
        context=context,
        first="shift_changed",
        starts_at=shift.starts_at,
        reminders=_reminders(shift.starts_at),
    )


@dataclass(frozen=True)
class Moved:
    """A sign-up whose shift changed time or place, as `shift_moved` leaves it untold: whether a
    lift arranged for it is to be confirmed again, and whether only the place changed."""

    shift: Shift
    signup: Signup
    transport_recheck: bool
    place_only: bool


def shift_moved(
    shift: Shift,
    *,
    signups: Iterable[Signup],
    transport_recheck: Collection[int] = (),
    retimed: bool = True,
    untold: list[Moved] | None = None,
) -> None:
    """The shift's time or place changed: each confirmed person's reminders move with the start
    (or are dropped when their new time has already passed) and carry the new place, and
    everyone still signed up is told. Those whose sign-up is in `transport_recheck` had a lift
    arranged: their message says the coordinator will confirm it again. When only the place
    changed (`retimed` false) the message says so: "it now starts on …" read as a new time.
    Given `untold`, the people are not told here but listed in it (`series_moved` tells them)."""
    now = timezone.now()
    shared = shift_context(shift)
    reminders = _reminders(shift.starts_at)
    valid = reminder_validity(shift.starts_at, reminders)
    for signup in signups:
        if signup.status == Signup.Status.CONFIRMED:
            for kind, due_at in reminders:
                if due_at > now:
                    messages_reschedule(
                        subject_type=SUBJECT_TYPE,
                        subject_id=signup.pk,
                        kinds=[kind],
                        new_due_at=due_at,
                        valid_until=valid[kind],
                        context=shared,
                    )
                    # One who signed up too late for this reminder at the old time gets it now.
                    _schedule(signup, kind, due_at=due_at, valid_until=valid[kind], context=shared)
                else:
                    messages_cancel(subject_type=SUBJECT_TYPE, subject_id=signup.pk, kinds=[kind])
        moved = Moved(shift, signup, transport_recheck=signup.pk in transport_recheck, place_only=not retimed)
        if untold is None:
            _tell_moved(moved, shared, now=now)
        else:
            untold.append(moved)


def _tell_moved(moved: Moved, shared: dict[str, Any], *, now: datetime.datetime) -> None:
    context = {**shared, "transport_recheck": True} if moved.transport_recheck else shared
    if moved.place_only:
        context = {**context, "place_only": True}
    # A "changed" note of an earlier move not sent yet would show a time no longer true.
    messages_cancel(subject_type=SUBJECT_TYPE, subject_id=moved.signup.pk, kinds=["shift_changed"])
    _schedule(moved.signup, "shift_changed", due_at=now, context=context)


def _by_person(held: Iterable[tuple[Shift, Signup]]) -> list[list[tuple[Shift, Signup]]]:
    by_person: dict[int, list[tuple[Shift, Signup]]] = {}
    for shift, signup in held:
        by_person.setdefault(signup.volunteer_id, []).append((shift, signup))
    return list(by_person.values())


def _dates(shifts: list[Shift]) -> str:
    """The shifts' start times in the active language, the first DATES_NAMED of them named."""
    dates = ", ".join(when_text(shift.starts_at) for shift in shifts[:DATES_NAMED])
    more = len(shifts) - DATES_NAMED
    if more > 0:
        dates += " " + ngettext("and %(count)d more", "and %(count)d more", more) % {"count": more}
    return dates


def series_moved(moved: list[Moved]) -> None:
    """Shifts of a series changed "this and the following" (`moved`, earliest first, as
    `shift_moved` left them untold): each person is told once. Of one shift as a shift's change
    tells it; of several in one message with their new dates, in the person's language: a weekly
    series of a season was a text a week, each paid for as an SMS."""
    now = timezone.now()
    by_person: dict[int, list[Moved]] = {}
    for each in moved:
        by_person.setdefault(each.signup.volunteer_id, []).append(each)
    for held in by_person.values():
        contexts = [shift_context(each.shift) for each in held]
        places = {context["place"] for context in contexts}
        place_only = all(each.place_only for each in held)
        if len(held) == 1 or (place_only and len(places) > 1):
            for each, context in zip(held, contexts, strict=True):
                _tell_moved(each, context, now=now)
            continue
        for each in held:
            messages_cancel(subject_type=SUBJECT_TYPE, subject_id=each.signup.pk, kinds=["shift_changed"])
        first = held[0]
        context = contexts[0]
        context["url"] = settings.SITE_URL + reverse("events:my_shifts")
        count, title = len(held), first.shift.campaign.title
        with translation.override(first.signup.volunteer.preferred_language):
            values = {"title": title, "count": count, "dates": _dates([each.shift for each in held])}
            if place_only:
                text = ngettext(
                    "“%(title)s”: %(count)d shift you signed up for has moved to another place: "
                    "%(place)s. The times stay: %(dates)s.",
                    "“%(title)s”: %(count)d shifts you signed up for have moved to another place: "
                    "%(place)s. The times stay: %(dates)s.",
                    count,
                ) % {**values, "place": context["place"]}
            else:
                text = (
                    ngettext(
                        "“%(title)s”: %(count)d shift you signed up for has changed. It now starts on: %(dates)s.",
                        "“%(title)s”: %(count)d shifts you signed up for have changed. They now start on: %(dates)s.",
                        count,
                    )
                    % values
                )
                if len(places) == 1:
                    text += " " + _("Place: %(place)s.") % {"place": context["place"]}
            if any(each.transport_recheck for each in held):
                text += " " + _(
                    "Your lift was arranged for the earlier time or location: the coordinator will "
                    "confirm it again, and you will get the answer."
                )
            context["subject"] = _("Changed: %(title)s") % {"title": title}
            context["text"] = text
        _schedule(first.signup, "generic", due_at=now, context=context)


def series_cancelled(cancelled: Iterable[tuple[Shift, Signup]]) -> None:
    """Shifts of a series cancelled "this and the following" (each with a sign-up it cancelled,
    earliest first): whatever of those sign-ups has not gone out is dropped, and each person is
    told once: of one shift as a shift's cancellation tells it, of several in one message naming
    their dates, in the person's language, instead of one message a week of the series."""
    _cancelled_told_once(
        cancelled,
        url=settings.SITE_URL + reverse("events:my_shifts"),
        text=lambda count: ngettext(
            "“%(title)s”: %(count)d shift you signed up for has been cancelled: %(dates)s. "
            "Sorry for the change of plans.",
            "“%(title)s”: %(count)d shifts you signed up for have been cancelled: %(dates)s. "
            "Sorry for the change of plans.",
            count,
        ),
    )


def _cancelled_told_once(
    cancelled: Iterable[tuple[Shift, Signup]], *, url: str, text: Callable[[int], str]
) -> None:
    """Each person of `cancelled` told once: of one shift as `shift_cancelled` tells it, of
    several in one message, `text(count)` with the campaign's title, the count and the dates, in
    the person's language."""
    now = timezone.now()
    for held in _by_person(cancelled):
        if len(held) == 1:
            shift_cancelled(held[0][0], signups=[held[0][1]])
            continue
        for _shift, signup in held:
            messages_cancel(subject_type=SUBJECT_TYPE, subject_id=signup.pk)
        first_shift, first = held[0]
        context = shift_context(first_shift)
        context["url"] = url
        title, count = first_shift.campaign.title, len(held)
        with translation.override(first.volunteer.preferred_language):
            dates = _dates([shift for shift, _signup in held])
            context["subject"] = _("Cancelled: %(title)s") % {"title": title}
            context["text"] = text(count) % {"title": title, "count": count, "dates": dates}
        _schedule(first, "generic", due_at=now, context=context)


def shift_cancelled(shift: Shift, *, signups: Iterable[Signup]) -> None:
    """The shift is off: each person whose sign-up it cancelled is told once; whatever else of
    theirs has not gone out (reminders, a confirmation held up) is dropped."""
    now = timezone.now()
    context = shift_context(shift)
    for signup in signups:
        messages_cancel(subject_type=SUBJECT_TYPE, subject_id=signup.pk)
        _schedule(signup, "shift_cancelled", due_at=now, context=context)


# How many of a person's dates a campaign's cancellation names; the rest are counted.
DATES_NAMED = 8


def campaign_cancelled(campaign: Campaign, cancelled: Iterable[tuple[Shift, Signup]]) -> None:
    """A campaign cancelled with its upcoming shifts (`cancelled`: each shift with a sign-up it
    cancelled, earliest first): whatever of those sign-ups has not gone out is dropped, and each
    person is told once. Of one shift as a shift's cancellation tells it; of several in one
    message naming their dates, in the person's language, instead of one message a shift (a
    month of daily shifts was thirty texts)."""
    _cancelled_told_once(
        cancelled,
        url=settings.SITE_URL + reverse("events:campaign_detail", args=[campaign.pk]),
        text=lambda count: ngettext(
            "The campaign “%(title)s” has been cancelled, and with it your %(count)d shift: "
            "%(dates)s. Sorry for the change of plans.",
            "The campaign “%(title)s” has been cancelled, and with it your %(count)d shifts: "
            "%(dates)s. Sorry for the change of plans.",
            count,
        ),
    )


# The coordinator's answer to a lift request (events.services_extra) is about the request.
TRANSPORT_SUBJECT_TYPE = "events.transport"


def transport_answers_dropped(request_ids: Iterable[int] | QuerySet[Any]) -> None:
    """Requests whose sign-up is gone: an answer of theirs not sent yet is dropped."""
    messages_cancel_many(subject_type=TRANSPORT_SUBJECT_TYPE, subject_ids=request_ids)


# A call-out's link to answer (events.services_extra) is about one answer row.
CALLOUT_SUBJECT_TYPE = "events.callout"


def callouts_dropped(answer_ids: Iterable[int] | QuerySet[Any]) -> None:
    """Call-outs closed (by hand or with their campaign): a link not sent yet is dropped."""
    messages_cancel_many(subject_type=CALLOUT_SUBJECT_TYPE, subject_ids=answer_ids)
