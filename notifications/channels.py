"""Channels: one interface for every way a message leaves the system.

A channel finds the recipient's address on the message, sends what the renderer produced and
returns a short note for the record ("accepted", "logged", a gateway's reference). It raises
`TransientSendError` when another try later may succeed (the mail server is down, a timeout) and
`PermanentSendError` when it will not (the server refuses the address). A channel instance lives
for one batch so that an SMTP connection is opened once per batch, not once per message.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from volunteers.validators import is_mobile

from .mime import PrebuiltEmail
from .sms import get_sms_backend

if TYPE_CHECKING:
    from .models import Message


class SendError(Exception):
    pass


class TransientSendError(SendError):
    """Worth another try later (back-off, up to NOTIFICATIONS_MAX_ATTEMPTS)."""


class PermanentSendError(SendError):
    """Will not succeed however often it is tried: the message fails with this reason."""


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    to: str
    subject: str
    text: str
    html: str
    # One-click unsubscribe (RFC 8058); empty when the recipient has no profile to keep it on.
    unsubscribe_url: str = ""
    # Stable per message, so that a mailbox can drop the copy a crash might make (see services).
    message_ref: str = ""


class Channel:
    name: ClassVar[str]

    def address(self, message: Message) -> str:
        raise NotImplementedError

    def send(self, outgoing: Outgoing) -> str:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the batch held open (an SMTP connection)."""


class EmailChannel(Channel):
    name = "email"

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None

    def address(self, message: Message) -> str:
        if message.recipient_email:
            return message.recipient_email
        return message.recipient.email if message.recipient is not None else ""

    def send(self, outgoing: Outgoing) -> str:
        headers = {"Auto-Submitted": "auto-generated", "X-Volunteer-Net-Message": str(outgoing.message_id)}
        if outgoing.message_ref:
            headers["Message-ID"] = outgoing.message_ref
        if outgoing.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        # Built straight to bytes (notifications/mime.py): the standard build cost more than the rest of
        # a message's sending together.
        email = PrebuiltEmail(
            subject=outgoing.subject,
            body=outgoing.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outgoing.to],
            headers=headers,
        )
        email.attach_alternative(outgoing.html, "text/html")
        try:
            if self._connection is None:
                connection = get_connection()
                # Opened here, the connection stays open for the whole batch (a backend closes
                # a connection after sending only when it opened it itself).
                connection.open()
                self._connection = connection
            self._connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = f"the mail server refused the address: {exc.recipients}"
            if all(400 <= code < 500 for code in codes):
                raise TransientSendError(error) from exc
            raise PermanentSendError(error) from exc
        except smtplib.SMTPResponseException as exc:
            self._reset()
            error = f"the mail server answered {exc.smtp_code}: {exc.smtp_error!r}"
            if exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPAuthenticationError):
                raise PermanentSendError(error) from exc
            raise TransientSendError(error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Connection refused or lost, a timeout: the server may be back in a minute.
            self._reset()
            raise TransientSendError(f"the mail server could not be reached: {exc!r}") from exc
        return "accepted"

    def _reset(self) -> None:
        # A broken SMTP session is not reused for the next message of the batch.
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: S110 — already failing; the next message reconnects
                pass

    def close(self) -> None:
        self._reset()


class SmsChannel(Channel):
    name = "sms"

    def address(self, message: Message) -> str:
        if message.recipient_phone:
            phone = message.recipient_phone
        else:
            phone = message.recipient.phone if message.recipient is not None else ""
        # A landline is no SMS number: the gateway would refuse it, so the message is reported as
        # having no number rather than failing at the gateway.
        return phone if is_mobile(phone) else ""

    def send(self, outgoing: Outgoing) -> str:
        return get_sms_backend().send(to=outgoing.to, text=outgoing.text, message_id=outgoing.message_id)


CHANNELS: dict[str, type[Channel]] = {EmailChannel.name: EmailChannel, SmsChannel.name: SmsChannel}


class ChannelSet:
    """The channels of one batch, created on first use and closed together."""

    def __init__(self) -> None:
        self._open: dict[str, Channel] = {}

    def get(self, name: str) -> Channel:
        if name not in self._open:
            self._open[name] = CHANNELS[name]()
        return self._open[name]

    def close(self) -> None:
        for channel in self._open.values():
            channel.close()
        self._open.clear()
