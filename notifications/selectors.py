"""Reads for messages, already scoped: staff see the messages of volunteers in their regions,
a volunteer sees their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from regions.scoping import get_object_or_404, scope_queryset
from volunteer_net.dates import iso_local
from volunteers.models import Volunteer, VolunteerChange
from volunteers.search import fold

from .links import site_path, subject_page
from .models import Broadcast, Message, Preference
from .rendering import subject_line
from .tokens import read_announcement_link


@dataclass(frozen=True)
class MessageFilters:
    status: str = ""
    kind: str = ""
    channel: str = ""
    volunteer: int | None = None
    q: str = ""


def _scoped(user: Any) -> QuerySet[Message]:
    # A message to a bare address (no profile) belongs to no region: national staff only.
    return scope_queryset(Message.objects.all(), user, region_field="recipient__region")


def message_list(*, user: Any, filters: MessageFilters) -> QuerySet[Message]:
    # Without the recipients' IIN: the list never shows it, and each one read is decrypted.
    qs = _scoped(user).select_related("recipient", "recipient__region").defer("recipient__iin")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.volunteer is not None:
        qs = qs.filter(recipient_id=filters.volunteer)
    for word in fold(filters.q).split():
        qs = qs.filter(recipient__search_text__contains=word)
    return qs.order_by("-created_at", "-id")


def messages_described(messages: Iterable[Message], *, for_recipient: bool) -> list[Message]:
    """The messages with what the lists show of each, read from the message alone (no query):
    `subject_line`, its subject (else the first line of its text, else its kind), and
    `about_label` and `about_url`, what it is about and the page to open, if the reader may.

    `for_recipient`: the reader is the person it was sent to (their own list), who may open the
    page they were sent, unless it went to someone on their behalf (a minor's guardian: a link
    meant for the guardian). Staff get a link only where the subject's app opens its page to
    them (notifications/links.py): no visit of someone else's, no call-out's answer token."""
    rows = list(messages)
    details = _("Details")
    for message in rows:
        context = message.context or {}
        text = str(context.get("text") or "").strip()
        message.subject_line = (  # type: ignore[attr-defined]
            subject_line(message) or text.split("\n", 1)[0].strip() or message.get_kind_display()
        )
        page = subject_page(message.subject_type)
        if for_recipient:
            may_open = not (message.recipient_email or message.recipient_phone)
        else:
            may_open = page is not None and page.staff
        url = site_path(context.get("url")) if may_open else ""
        # The page's own kind ("Help request") where one is registered: a help request's
        # message names no title, and its subject is already the subject line.
        label = (
            str(page.label) if page is not None else str(context.get("title") or context.get("office") or "")
        )
        message.about_url = url  # type: ignore[attr-defined]
        message.about_label = label or (details if url else "")  # type: ignore[attr-defined]
    return rows


def message_get(*, user: Any, pk: int) -> Message:
    return get_object_or_404(_scoped(user).select_related("recipient", "recipient__region"), pk=pk)


def messages_of_volunteer(*, volunteer: Volunteer) -> QuerySet[Message]:
    """The person's own messages, newest first, for their page to show a page at a time."""
    return Message.objects.filter(recipient=volunteer).order_by("-created_at", "-id")


def language_of_volunteer(*, volunteer_id: int) -> str | None:
    """The language a volunteer's messages are written in (their profile's), None for nobody."""
    pk = volunteer_now(volunteer_id=volunteer_id)
    if pk is None:
        return None
    return Volunteer.objects.filter(pk=pk).values_list("preferred_language", flat=True).first()


def volunteer_now(*, volunteer_id: int) -> int | None:
    """The record that holds the person `volunteer_id` named when a message was sent: that one,
    or the one it was merged into since; None for nobody. An unsubscribe link never expires, and
    one in an e-mail sent to a record later merged away answered "not found": the person could
    not stop the e-mails, nor could their mail provider's one-click unsubscribe."""
    if Volunteer.objects.filter(pk=volunteer_id).exists():
        return volunteer_id
    # The merge's entry moves with the rest of the history: after a chain of merges it is on the
    # record that holds the person now. Read only for a link whose record is gone (rare).
    return (
        VolunteerChange.objects.filter(action=VolunteerChange.Action.MERGE, merged_from=volunteer_id)
        .values_list("volunteer_id", flat=True)
        .first()
    )


def preference_of(*, volunteer: Volunteer) -> Preference:
    """The volunteer's preferences, or the defaults (everything on) when never saved."""
    return Preference.objects.filter(volunteer=volunteer).first() or Preference(volunteer=volunteer)


def personal_data_messages(volunteer: Volunteer) -> list[dict[str, Any]]:
    """The "messages" section of "download my data": every message sent, or meant to be sent, to
    the person or on their behalf, in one query. What it was about is told in their own words (the
    shift, the office, the subject) but not the addresses of someone reached on their behalf (a
    minor's guardian: that is the guardian's data), nor the context's other values, nor the
    gateways' technical replies."""
    rows = (
        Message.objects.filter(recipient=volunteer)
        .only(
            "kind", "channel", "context", "status", "due_at", "sent_at", "recipient_email", "recipient_phone"
        )
        .order_by("due_at", "id")
    )
    return [
        {
            "kind": m.kind,
            "channel": m.channel,
            "about": m.about,
            "on_behalf": bool(m.recipient_email or m.recipient_phone),
            "status": m.status,
            "due_at": iso_local(m.due_at),
            "sent_at": iso_local(m.sent_at),
        }
        for m in rows
    ]


def personal_data_message_preferences(volunteer: Volunteer) -> dict[str, Any]:
    """The "message_preferences" section of "download my data": the channels the person turned off
    (`updated_at` is None while they never changed the defaults)."""
    preference = preference_of(volunteer=volunteer)
    return {
        "email_opt_out": preference.email_opt_out,
        "sms_opt_out": preference.sms_opt_out,
        "announcements_opt_out": preference.announcements_opt_out,
        "updated_at": iso_local(preference.updated_at),
    }


@dataclass(frozen=True)
class AnnouncementPage:
    broadcast: Broadcast
    # The person the link was sent to, as held now (after a merge, the record that holds them);
    # None on a link everybody shares, or whose person is gone or erased: no stop button then.
    volunteer_id: int | None = None
    language: str = ""
    stopped: bool = False


def announcement_page(*, token: str) -> AnnouncementPage | None:
    """What an announcement's link opens: the full text and, on a recipient's own link, whose
    announcements it can stop. None for a link we did not sign or an announcement no longer kept."""
    parsed = read_announcement_link(token)
    broadcast = Broadcast.objects.filter(pk=parsed[0]).first() if parsed is not None else None
    if parsed is None or broadcast is None:
        return None
    holder = volunteer_now(volunteer_id=parsed[1]) if parsed[1] is not None else None
    person = (
        Volunteer.objects.filter(pk=holder, anonymized_at__isnull=True)
        .values("preferred_language", "message_preference__announcements_opt_out")
        .first()
        if holder is not None
        else None
    )
    if person is None:
        return AnnouncementPage(broadcast=broadcast)
    return AnnouncementPage(
        broadcast=broadcast,
        volunteer_id=holder,
        language=person["preferred_language"],
        stopped=bool(person["message_preference__announcements_opt_out"]),
    )
