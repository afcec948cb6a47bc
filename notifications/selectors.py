"""Reads for messages, already scoped: staff see the messages of volunteers in their regions,
a volunteer sees their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from regions.scoping import get_object_or_404, scope_queryset
from volunteers.models import Volunteer
from volunteers.search import fold

from .models import Message, Preference


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


def message_get(*, user: Any, pk: int) -> Message:
    return get_object_or_404(_scoped(user).select_related("recipient", "recipient__region"), pk=pk)


def messages_of_volunteer(*, volunteer: Volunteer, limit: int = 100) -> list[Message]:
    return list(Message.objects.filter(recipient=volunteer).order_by("-created_at", "-id")[:limit])


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
            "due_at": m.due_at.isoformat(),
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
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
        "updated_at": preference.updated_at.isoformat() if preference.updated_at else None,
    }
