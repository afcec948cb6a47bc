"""A minor's personal consent link, sent by SMS to the guardian's phone on the minor's behalf.

volunteers/ decides when a link is due and how often one may go out; it reaches this app through
volunteers/extensions.py (registered in NotificationsConfig.ready). The message belongs to the
minor (their region's staff follow it, their erasure blanks it) but goes to the guardian's number:
the minor's own list names it without its link (selectors.messages_described), so the minor never
holds a link that would let them consent for themselves.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from volunteers.extensions import GuardianLinkSent
from volunteers.models import Volunteer

from .models import Message
from .services import message_schedule, messages_cancel

SUBJECT_TYPE = "volunteers.guardian"
KIND = Message.Kind.GUARDIAN_CONSENT_REQUEST


class SmsGuardianLinkMessenger:
    def send(self, *, volunteer: Volunteer, url: str, valid_until: datetime.datetime) -> None:
        # A link still waiting (quiet hours) may name a number or a guardian no longer on file:
        # only the newest goes out.
        messages_cancel(subject_type=SUBJECT_TYPE, subject_id=volunteer.pk, kinds=[KIND])
        message_schedule(
            recipient=volunteer,
            kind=KIND,
            subject_type=SUBJECT_TYPE,
            subject_id=volunteer.pk,
            due_at=timezone.now(),
            valid_until=valid_until,
            channel=Message.Channel.SMS,
            recipient_phone=volunteer.guardian_phone,
            # In the minor's language; the message greets the guardian, not the minor.
            context={
                "volunteer_name": volunteer.full_name,
                "text": "",
                "url": url,
                "recipient_name": volunteer.guardian_name,
            },
        )

    def sent_since(self, *, volunteer: Volunteer, since: datetime.datetime) -> list[GuardianLinkSent]:
        rows = (
            Message.objects.filter(
                recipient=volunteer,
                kind=KIND,
                subject_type=SUBJECT_TYPE,
                subject_id=volunteer.pk,
                # Queued at once: its due time is when it was asked for.
                due_at__gte=since,
            )
            .order_by("-due_at", "-id")
            .values_list("due_at", "recipient_phone")
        )
        return [GuardianLinkSent(at=at, phone=phone) for at, phone in rows]
