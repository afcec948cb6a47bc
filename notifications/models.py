"""Messages to people: what is due, when, over which channel, and what became of it.

Other apps hand notifications what to send and when (`services.message_schedule`); this app knows
nothing about shifts or visits. A message names its subject as a plain pair ("events.signup", 42)
so that no app has to be imported here, and carries in `context` the strings, ids and ISO times
its templates need.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from volunteer_net.choices import ChoiceLabels
from volunteers.models import Volunteer
from volunteers.validators import format_phone


class Message(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        SIGNUP_CONFIRMED = "signup_confirmed", _("Sign-up confirmed")
        WAITLIST_PROMOTED = "waitlist_promoted", _("Moved up from the waiting list")
        SHIFT_REMINDER_24H = "shift_reminder_24h", _("Shift reminder (a day before)")
        SHIFT_REMINDER_2H = "shift_reminder_2h", _("Shift reminder (two hours before)")
        SHIFT_CHANGED = "shift_changed", _("Shift changed")
        SHIFT_CANCELLED = "shift_cancelled", _("Shift cancelled")
        VISIT_BOOKED = "visit_booked", _("Visit booked")
        VISIT_REMINDER_24H = "visit_reminder_24h", _("Visit reminder (a day before)")
        VISIT_REMINDER_1H = "visit_reminder_1h", _("Visit reminder (an hour before)")
        VISIT_CANCELLED = "visit_cancelled", _("Visit cancelled")
        VISIT_MOVED = "visit_moved", _("Visit moved")
        CALLOUT = "callout", _("Emergency call-out")
        TRANSPORT_ANSWER = "transport_answer", _("Answer to a transport request")
        BROADCAST = "broadcast", _("Announcement")
        GUARDIAN_CONSENT_REQUEST = "guardian_consent_request", _("Guardian consent request")
        GENERIC = "generic", _("Message")

    class Channel(models.TextChoices):
        # The same values as Volunteer.Channel, so a preferred channel is used as it is.
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    # The address is read from the volunteer's profile when the message goes out, not copied
    # here: a phone corrected after scheduling is the one used, and "delete my account" (which
    # blanks the profile's e-mail and phone) stops every message without volunteers/ having to
    # know this app. The explicit address below is only for a recipient with no profile of their
    # own (an outside contact) or for someone reached on a volunteer's behalf (a minor's guardian).
    recipient = models.ForeignKey(
        Volunteer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("recipient"),
        # The due-slot unique index starts with the recipient and serves lookups by person; a
        # second index would only slow down the two writes every message costs.
        db_index=False,
    )
    recipient_email = models.EmailField(_("e-mail address"), blank=True)
    recipient_phone = models.CharField(_("phone number"), max_length=16, blank=True)

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    subject_type = models.CharField(_("subject type"), max_length=50)
    subject_id = models.BigIntegerField(_("subject id"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2, choices=Volunteer.Language.choices)
    context = models.JSONField(_("context"), default=dict, blank=True)

    # `due_at` names the slot (part of the unique key) and never moves on its own: were retries
    # and quiet hours to move it, scheduling the same reminder again would no longer find the
    # row and would send it twice. When the sweep may next try is `next_attempt_at`.
    due_at = models.DateTimeField(_("due"))
    next_attempt_at = models.DateTimeField(_("next attempt"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # What the channel reported: "accepted" by the mail server, "logged" when no SMS gateway is
    # configured (written to the log only), or a gateway's own reference.
    result = models.CharField(_("result"), max_length=200, blank=True)
    # The batch holding the message while it is 'sending', and since when (refreshed while the
    # batch runs): a message left 'sending' by a killed worker is reclaimed after a timeout.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            # The due slot: one message per recipient, kind, subject and due time, whoever
            # schedules it and however often.
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_type", "subject_id", "due_at"],
                name="message_due_slot",
            ),
            # PostgreSQL treats NULL recipients as distinct; messages to a bare address get the
            # same guarantee keyed by that address.
            models.UniqueConstraint(
                fields=["recipient_email", "recipient_phone", "kind", "subject_type", "subject_id", "due_at"],
                condition=Q(recipient__isnull=True),
                name="message_due_slot_by_address",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(recipient_email="") | ~Q(recipient_phone=""),
                name="message_has_recipient",
            ),
        ]
        indexes = [
            # The sweep: due pending messages, oldest first. Partial, so it holds only the
            # handful waiting, however many million sent messages the table keeps.
            models.Index(
                fields=["next_attempt_at"],
                name="message_pending_due",
                condition=Q(status="pending"),
            ),
            # Reclaiming messages left 'sending' by a killed worker.
            models.Index(
                fields=["claimed_at"], name="message_sending_claimed", condition=Q(status="sending")
            ),
            # Rescheduling and cancelling by subject (a moved or cancelled shift).
            models.Index(fields=["subject_type", "subject_id"], name="message_subject"),
            # Staff's message list, newest first: a page without sorting the whole table (a
            # million rows at national scale took a second).
            models.Index(fields=["-created_at", "-id"], name="message_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def about(self) -> str:
        """What the message is about, in words people use (the shift, the office, the subject)."""
        context = self.context or {}
        return str(context.get("title") or context.get("office") or context.get("subject") or "")

    @property
    def recipient_phone_display(self) -> str:
        """The bare number (a guardian's) grouped as people read it."""
        return format_phone(self.recipient_phone)

    @property
    def status_label(self) -> str:
        """The status as the lists show it. An SMS printed by the console backend (no gateway
        configured) is 'sent' for the sweep, which must not try it again, but nothing left the
        server: the person looking for it in their messages was told it had been sent."""
        if self.status == self.Status.SENT and self.result == "logged":
            return pgettext("message status", "Not sent: no SMS gateway")
        return str(self.get_status_display())

    @property
    def may_retry(self) -> bool:
        # Expired and cancelled messages stay so: the moment has passed, or the person said no.
        return self.status == self.Status.FAILED


class Preference(models.Model):
    """A volunteer's choices about messages: opt-out per channel (from the link in any message),
    and out of staff's announcements alone (one click from an announcement's e-mail), which keeps
    the news of their own shifts and visits coming."""

    volunteer = models.OneToOneField(
        Volunteer,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="message_preference",
        verbose_name=_("volunteer"),
    )
    email_opt_out = models.BooleanField(_("no e-mails"), default=False)
    sms_opt_out = models.BooleanField(_("no SMS"), default=False)
    announcements_opt_out = models.BooleanField(_("no announcements"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message preferences")
        verbose_name_plural = _("message preferences")

    def __str__(self) -> str:
        return str(self.volunteer_id)

    def opted_out(self, channel: str, kind: str = "") -> bool:
        if kind == Message.Kind.BROADCAST and self.announcements_opt_out:
            return True
        return self.email_opt_out if channel == Message.Channel.EMAIL else self.sms_opt_out


class Broadcast(models.Model):
    """An announcement written by staff and sent to a chosen set of volunteers (one message each)."""

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    recipients_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.subject
