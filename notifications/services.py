"""Writes for messages: scheduling, rescheduling, cancelling, sending, preferences, broadcasts.

Every message is sent at most once per due slot (recipient, kind, subject, due time) and none is
lost when a worker dies mid-batch: scheduling is an idempotent get-or-create on the slot's unique
key, and the sender claims a message in the database before it sends (see `_Batch`).
Tasks only carry ids; the database is the queue, so the periodic sweep finds whatever is due and
unsent even when Redis lost a task or was down when it should have been queued.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.constants import OnConflict
from django.db.models.functions import Lower, Now
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from regions.scoping import scope_queryset
from volunteers.models import Volunteer
from volunteers.validators import is_mobile

from .channels import ChannelSet, Outgoing, PermanentSendError, TransientSendError
from .models import Broadcast, Message, Preference
from .rendering import RenderCache, announcement_sms_segments, render_cached
from .selectors import volunteer_now
from .timing import not_before, reminder_valid_until, retry_delay
from .tokens import ANNOUNCEMENTS, announcement_path, read_unsubscribe_token, unsubscribe_url

logger = logging.getLogger(__name__)

Status = Message.Status
SUBJECT_TYPE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")

# What each kind's templates need from the caller (other keys are welcome: `place`, `url`,
# `ends_at`, `note`, `recipient_name`). Keys ending in `_at` are times, stored as ISO strings.
CONTEXT_KEYS: dict[str, tuple[str, ...]] = {
    Message.Kind.SIGNUP_CONFIRMED: ("title", "starts_at"),
    Message.Kind.WAITLIST_PROMOTED: ("title", "starts_at"),
    Message.Kind.SHIFT_REMINDER_24H: ("title", "starts_at"),
    Message.Kind.SHIFT_REMINDER_2H: ("title", "starts_at"),
    Message.Kind.SHIFT_CHANGED: ("title", "starts_at"),
    Message.Kind.SHIFT_CANCELLED: ("title", "starts_at"),
    Message.Kind.VISIT_BOOKED: ("office", "starts_at"),
    Message.Kind.VISIT_REMINDER_24H: ("office", "starts_at"),
    Message.Kind.VISIT_REMINDER_1H: ("office", "starts_at"),
    Message.Kind.VISIT_CANCELLED: ("office", "starts_at"),
    Message.Kind.VISIT_MOVED: ("office", "starts_at"),
    Message.Kind.CALLOUT: ("title", "text"),
    Message.Kind.TRANSPORT_ANSWER: ("title", "text"),
    Message.Kind.BROADCAST: ("subject", "text"),
    Message.Kind.GUARDIAN_CONSENT_REQUEST: ("volunteer_name", "text"),
    Message.Kind.GENERIC: ("subject", "text"),
}


# Kinds whose text the caller wrote in the recipient's language when scheduling (`generic`, a
# lift's answer) or that go to someone else on the recipient's behalf in a language chosen for
# them (a guardian): sent in the language stored, so that the greeting matches the text. Every
# other kind is rendered from its templates when it goes, in the recipient's language then.
WRITTEN_KINDS = frozenset(
    {Message.Kind.GENERIC, Message.Kind.TRANSPORT_ANSWER, Message.Kind.GUARDIAN_CONSENT_REQUEST}
)


# Why a message did not go out. Stored in English and translated where staff read them (the
# worker that writes them has no reader's language).
REASON_SUPERSEDED = gettext_noop("Superseded: the time changed.")
REASON_CANCELLED = gettext_noop("Cancelled: no longer needed.")
REASON_EXPIRED = gettext_noop("Too late: the moment it was for has passed.")
REASON_ERASED = gettext_noop("The recipient's data has been erased.")
REASON_OPTED_OUT = gettext_noop("The recipient has turned off this channel.")
REASON_NO_ANNOUNCEMENTS = gettext_noop("The recipient has turned off announcements.")
REASON_NOT_ACTIVE = gettext_noop("The recipient's profile is no longer active.")
REASON_NO_EMAIL = gettext_noop("No e-mail address on file.")
REASON_NO_PHONE = gettext_noop("No phone number on file.")
# Called off by whoever scheduled it (not refused by the sender): asking for the same due slot
# again brings the message back. A visit moved to Tuesday and back to Monday is reminded of
# Monday; without this, the slot's cancelled row answered every later request for it.
CALLED_OFF = (REASON_SUPERSEDED, REASON_CANCELLED)


# Not gone out yet: waiting, or claimed by a batch that may not have reached it. Called off, such
# a message is cancelled; the batch looks again before it sends (`_Batch.send`) and the reclaim
# takes back only what is still 'sending'.
NOT_GONE = (Status.PENDING, Status.SENDING)


# Scheduling --------------------------------------------------------------------------------------


def _json_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """Context as JSON: datetimes become ISO strings with their offset (shown in Almaty later)."""
    context_json: dict[str, Any] = json.loads(json.dumps(dict(context), cls=DjangoJSONEncoder))
    return context_json


def _pick_channel(*, recipient: Volunteer | None, channel: str | None, email: str, phone: str) -> str:
    if channel:
        return channel
    has = {
        Message.Channel.EMAIL: bool(email or (recipient and recipient.email)),
        # A landline is a number to call, not one an SMS reaches (the gateway refuses it).
        Message.Channel.SMS: is_mobile(phone or (recipient.phone if recipient is not None else "")),
    }
    preferred = recipient.preferred_channel if recipient is not None else Message.Channel.EMAIL
    if has.get(preferred):  # type: ignore[call-overload]
        return preferred
    # A preferred channel without an address (SMS chosen, no mobile) falls back to one that has.
    other = Message.Channel.SMS if preferred == Message.Channel.EMAIL else Message.Channel.EMAIL
    return other if has[other] else preferred


def _validate(
    *,
    recipient: Volunteer | None,
    kind: str,
    subject_type: str,
    due_at: datetime.datetime,
    valid_until: datetime.datetime | None,
    context: Mapping[str, Any],
    channel: str | None,
    email: str,
    phone: str,
    language: str | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in Message.Kind.values:
        errors["kind"] = [f"unknown kind {kind!r}"]
    else:
        missing = [key for key in CONTEXT_KEYS[kind] if key not in context]
        if missing:
            errors["context"] = [f"{kind} needs {', '.join(missing)} in its context"]
    if not SUBJECT_TYPE.match(subject_type) or len(subject_type) > 50:
        errors["subject_type"] = [f"{subject_type!r} is not of the form 'app.model'"]
    if timezone.is_naive(due_at):
        errors["due_at"] = ["due_at must be timezone-aware"]
    elif valid_until is not None and (timezone.is_naive(valid_until) or valid_until < due_at):
        errors["valid_until"] = ["valid_until must be timezone-aware and not before due_at"]
    if channel is not None and channel not in Message.Channel.values:
        errors["channel"] = [f"unknown channel {channel!r}"]
    if recipient is None and not (email or phone):
        errors["recipient"] = ["a message needs a volunteer or an address"]
    if language is not None and language not in Volunteer.Language.values:
        errors["language"] = [f"unknown language {language!r}"]
    if errors:
        raise ValidationError(errors)


def _slot_fields(
    *,
    recipient: Volunteer | None,
    kind: str,
    subject_type: str,
    subject_id: int,
    due_at: datetime.datetime,
    valid_until: datetime.datetime | None,
    context: Mapping[str, Any],
    channel: str | None,
    recipient_email: str,
    recipient_phone: str,
    language: str | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The validated due slot of a message (its unique key) and the rest of a new row."""
    _validate(
        recipient=recipient,
        kind=kind,
        subject_type=subject_type,
        due_at=due_at,
        valid_until=valid_until,
        context=context,
        channel=channel,
        email=recipient_email,
        phone=recipient_phone,
        language=language,
    )
    chosen = _pick_channel(recipient=recipient, channel=channel, email=recipient_email, phone=recipient_phone)
    key: dict[str, Any] = {
        "recipient": recipient,
        "kind": kind,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "due_at": due_at,
    }
    if recipient is None:
        key.update(recipient_email=recipient_email, recipient_phone=recipient_phone)
    defaults = {
        "recipient_email": recipient_email,
        "recipient_phone": recipient_phone,
        "channel": chosen,
        "language": language
        or (recipient.preferred_language if recipient is not None else settings.LANGUAGE_CODE[:2]),
        "context": _json_context(context),
        "valid_until": valid_until,
        "next_attempt_at": not_before(kind=kind, channel=chosen, moment=due_at, context=context),
    }
    return key, defaults


@transaction.atomic
def message_schedule(
    *,
    recipient: Volunteer | None,
    kind: str,
    subject_type: str,
    subject_id: int,
    due_at: datetime.datetime,
    valid_until: datetime.datetime | None = None,
    context: Mapping[str, Any],
    channel: str | None = None,
    recipient_email: str = "",
    recipient_phone: str = "",
    language: str | None = None,
) -> Message:
    """Schedule one message for its due slot; calling again for the same slot returns the same
    message (its context and validity refreshed while it is still waiting), never a second one.

    The channel is the recipient's preferred one unless given; the language is theirs at the
    time of scheduling, and again theirs when it is sent unless the kind is one of
    `WRITTEN_KINDS` (its text already written in the language stored). `recipient_email`/`recipient_phone` address someone reached on the volunteer's
    behalf (a minor's guardian) or, with no `recipient`, a person without a profile.
    """
    key, defaults = _slot_fields(
        recipient=recipient,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        due_at=due_at,
        valid_until=valid_until,
        context=context,
        channel=channel,
        recipient_email=recipient_email,
        recipient_phone=recipient_phone,
        language=language,
    )
    message, created = Message.objects.get_or_create(**key, defaults=defaults)
    stored_context = defaults["context"]
    if not created and message.status == Status.CANCELLED and message.last_error in CALLED_OFF:
        revived = {
            field: defaults[field]
            for field in ("channel", "language", "context", "valid_until", "next_attempt_at")
        }
        # Only a row still cancelled: one revived meanwhile by another transaction stays as it is.
        # Unclaimed: one called off while a batch held it keeps that batch's claim until now.
        if Message.objects.filter(pk=message.pk, status=Status.CANCELLED).update(
            status=Status.PENDING, attempts=0, last_error="", claim_token=None, claimed_at=None, **revived
        ):
            for field, value in {
                **revived,
                "status": Status.PENDING,
                "attempts": 0,
                "last_error": "",
            }.items():
                setattr(message, field, value)
            created = True  # for the enqueueing below: it waits as a new one would
    elif not created and message.status == Status.PENDING:
        changed = Message.objects.filter(pk=message.pk, status=Status.PENDING).update(
            context=stored_context, valid_until=valid_until
        )
        if changed:
            message.context, message.valid_until = stored_context, valid_until
    if created and message.next_attempt_at <= timezone.now():
        _enqueue_send([message.pk])
    return message


def messages_schedule_new(
    *,
    recipient: Volunteer,
    subject_type: str,
    subject_id: int,
    context: Mapping[str, Any],
    due: Sequence[tuple[str, datetime.datetime, datetime.datetime | None]],
) -> list[Message]:
    """`message_schedule` for each (kind, due_at, valid_until) of a subject created in the
    calling transaction — a new sign-up, a new visit — in one INSERT: none of its messages can
    exist yet. A get-or-create each (a savepoint, a SELECT, an INSERT) was half the queries of a
    sign-up or a booking over HTTP (bench/over_http.py). Should one of them exist after all,
    each goes through `message_schedule`: the same rows either way (the INSERT skips them,
    `_insert_new`, so no savepoint is needed)."""
    rows = []
    for kind, due_at, valid_until in due:
        key, defaults = _slot_fields(
            recipient=recipient,
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            due_at=due_at,
            valid_until=valid_until,
            context=context,
            channel=None,
            recipient_email="",
            recipient_phone="",
            language=None,
        )
        rows.append(Message(**key, **defaults))
    created = _insert_new(rows)
    now = timezone.now()
    due_now = [m.pk for m in created if m.next_attempt_at <= now]
    if due_now:
        _enqueue_send(due_now)
    if len(created) == len(rows):
        return created
    # Some existed after all: those go through `message_schedule` (found, not doubled), and
    # each message comes back in the place of its due slot.
    made = {(m.kind, m.due_at): m for m in created}
    return [
        made.get((kind, due_at))
        or _schedule_each(recipient, subject_type, subject_id, context, [(kind, due_at, valid_until)])[0]
        for kind, due_at, valid_until in due
    ]


def _insert_new(rows: list[Message]) -> list[Message]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the rows of `rows` that were inserted, with
    their ids. One statement and no savepoint where a plain bulk_create had to be wrapped in a
    savepoint (two round trips more on every sign-up and booking) for the fallback on a due
    slot that already exists."""
    if not rows:
        return []
    qs = Message.objects.all()
    qs._prepare_for_bulk_create(rows)  # type: ignore[attr-defined]  # what bulk_create does first
    meta = Message._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk and not f.generated]
    # Rows skipped are missing from RETURNING, so several rows come back with their due slot to
    # be told apart; a single one comes back alone (its id, or None: Django's converters would
    # fail on a row that is not there, so none are asked for).
    single = len(rows) == 1
    returned = qs._insert(  # type: ignore[attr-defined]  # bulk_create's own INSERT
        rows,
        fields=fields,
        returning_fields=[meta.pk] if single else [meta.pk, meta.get_field("kind"), meta.get_field("due_at")],
        on_conflict=OnConflict.IGNORE,
    )
    if single:
        inserted = {(rows[0].kind, rows[0].due_at): returned[0][0]} if returned and returned[0] else {}
    else:
        inserted = {(kind, due_at): pk for pk, kind, due_at in filter(None, returned)}
    created = []
    for row in rows:
        pk = inserted.get((row.kind, row.due_at))
        if pk is not None:
            row.pk = pk
            row._state.adding, row._state.db = False, qs.db
            created.append(row)
    return created


# Reminders before a start (a shift, a visit) ------------------------------------------------------


def reminder_times(
    starts_at: datetime.datetime, kinds: Sequence[str], hours: Sequence[int]
) -> list[tuple[str, datetime.datetime]]:
    """(kind, due time) of each reminder: `kinds[i]` is due `hours[i]` before `starts_at`."""
    return [(kind, starts_at - datetime.timedelta(hours=h)) for kind, h in zip(kinds, hours, strict=True)]


def reminder_validity(
    starts_at: datetime.datetime, reminders: Sequence[tuple[str, datetime.datetime]]
) -> dict[str, datetime.datetime]:
    """kind → until when each of `reminders` (from `reminder_times`) may still go out
    (`timing.reminder_valid_until`): the scheduling and the moving of reminders use the same."""
    dues = [due_at for _kind, due_at in reminders]
    return {
        kind: reminder_valid_until(kind, due_at, starts_at=starts_at, later_due=dues)
        for kind, due_at in reminders
    }


def _ahead(
    starts_at: datetime.datetime, reminders: Sequence[tuple[str, datetime.datetime]], now: datetime.datetime
) -> list[tuple[str, datetime.datetime, datetime.datetime]]:
    # None already late (booked an hour before the start: the day-before one would only arrive
    # late); each valid while it is still true (held up past that by quiet hours or a worker
    # down, it is dropped).
    valid = reminder_validity(starts_at, reminders)
    return [(kind, due_at, valid[kind]) for kind, due_at in reminders if due_at > now]


def messages_schedule_with_reminders(
    *,
    recipient: Volunteer,
    subject_type: str,
    subject_id: int,
    context: Mapping[str, Any],
    first: str,
    starts_at: datetime.datetime,
    reminders: Sequence[tuple[str, datetime.datetime]],
) -> list[Message]:
    """A new subject's message `first` now (a confirmation) and its `reminders` (from
    `reminder_times`) not already late, in one INSERT (`messages_schedule_new`). The confirmation
    is valid until the start: held by the night's quiet hours (a 07:00 shift taken at 23:30), it
    would arrive at 08:00 to confirm what had already begun."""
    now = timezone.now()
    return messages_schedule_new(
        recipient=recipient,
        subject_type=subject_type,
        subject_id=subject_id,
        context=context,
        due=[(first, now, max(starts_at, now)), *_ahead(starts_at, reminders, now)],
    )


def messages_schedule_reminders(
    *,
    recipient: Volunteer,
    subject_type: str,
    subject_id: int,
    context: Mapping[str, Any],
    starts_at: datetime.datetime,
    reminders: Sequence[tuple[str, datetime.datetime]],
) -> None:
    """The `reminders` not already late of a subject that may have messages already (moved up
    from a waitlist, moved to another time): each through `message_schedule`."""
    _schedule_each(recipient, subject_type, subject_id, context, _ahead(starts_at, reminders, timezone.now()))


def _schedule_each(
    recipient: Volunteer,
    subject_type: str,
    subject_id: int,
    context: Mapping[str, Any],
    due: Sequence[tuple[str, datetime.datetime, datetime.datetime | None]],
) -> list[Message]:
    """`message_schedule` for each (kind, due_at, valid_until)."""
    return [
        message_schedule(
            recipient=recipient,
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            due_at=due_at,
            valid_until=valid_until,
            context=context,
        )
        for kind, due_at, valid_until in due
    ]


@transaction.atomic
def messages_reschedule(
    *,
    subject_type: str,
    subject_id: int,
    kinds: Sequence[str],
    new_due_at: datetime.datetime,
    valid_until: datetime.datetime | None = None,
    context: Mapping[str, Any] | None = None,
) -> int:
    """A subject moved (a shift to another day): its reminders of `kinds` move to `new_due_at`.

    Per recipient and kind: a reminder still waiting (or failed, or expired) moves to the new
    slot; one already sent stays in the history, and a fresh one is scheduled for the new slot
    when that lies ahead — otherwise the person was reminded already and the caller's "changed"
    message carries the news. Cancelled reminders (the person withdrew) stay cancelled.
    Returns the number of reminders now waiting for the new slot.
    """
    if timezone.is_naive(new_due_at):
        raise ValidationError({"new_due_at": ["new_due_at must be timezone-aware"]})
    now = timezone.now()
    extra = _json_context(context or {})
    # A reminder called off at the new slot itself (the subject was there before) is the one to
    # bring back: moving another row onto its slot would break the unique due slot.
    rows = list(
        Message.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=subject_id, kind__in=kinds)
        .exclude(Q(status=Status.CANCELLED) & ~Q(due_at=new_due_at, last_error__in=CALLED_OFF))
        .order_by("id")
    )
    groups: dict[tuple[Any, ...], list[Message]] = {}
    for row in rows:
        groups.setdefault((row.recipient_id, row.recipient_email, row.recipient_phone, row.kind), []).append(
            row
        )
    waiting = 0
    to_send_now: list[int] = []
    for group in groups.values():
        movable = [m for m in group if m.status in {Status.PENDING, Status.FAILED, Status.EXPIRED}]
        at_slot = [m for m in group if m.due_at == new_due_at]
        if at_slot:
            target = at_slot[0]
        elif movable:
            target = movable[0]
        elif new_due_at > now:
            latest = max(group, key=lambda m: m.due_at)
            target = Message(
                recipient_id=latest.recipient_id,
                recipient_email=latest.recipient_email,
                recipient_phone=latest.recipient_phone,
                kind=latest.kind,
                subject_type=subject_type,
                subject_id=subject_id,
                channel=latest.channel,
                language=latest.language,
                context=latest.context,
            )
        else:
            continue
        if target.pk is None or target.status in {
            Status.PENDING,
            Status.FAILED,
            Status.EXPIRED,
            Status.CANCELLED,
        }:
            target.due_at = new_due_at
            target.next_attempt_at = not_before(
                kind=target.kind,
                channel=target.channel,
                moment=new_due_at,
                context={**target.context, **extra},
            )
            target.valid_until = valid_until
            target.context = {**target.context, **extra}
            target.status = Status.PENDING
            target.attempts = 0
            target.last_error = ""
            target.claim_token = target.claimed_at = None
            target.save()
            waiting += 1
            if target.next_attempt_at <= now:
                to_send_now.append(target.pk)
        # Any other reminder of this person still waiting for the old slot is superseded, one
        # claimed by a batch that has not reached it too (it would tell the old time).
        stale = [m.pk for m in group if m.pk != target.pk and m.status in NOT_GONE]
        Message.objects.filter(pk__in=stale, status__in=NOT_GONE).update(
            status=Status.CANCELLED, last_error=REASON_SUPERSEDED
        )
    if to_send_now:
        _enqueue_send(to_send_now)
    return waiting


def messages_cancel(
    *,
    subject_type: str,
    subject_id: int,
    kinds: Iterable[str] | None = None,
    recipient: Volunteer | None = None,
) -> int:
    """Cancel the messages of a subject that have not gone out yet (a withdrawn sign-up, a
    cancelled shift), those claimed by a batch still to reach them included (`_Batch.send`
    looks again before it sends). One whose sending is under way goes out and is recorded as
    sent. Returns how many."""
    qs = Message.objects.filter(subject_type=subject_type, subject_id=subject_id, status__in=NOT_GONE)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    return qs.update(status=Status.CANCELLED, last_error=REASON_CANCELLED)


def messages_cancel_many(*, subject_type: str, subject_ids: Iterable[int] | QuerySet[Any]) -> int:
    """`messages_cancel` for many subjects of one type in one UPDATE (a call-out's links, which
    may go to thousands of people). `subject_ids` may be a queryset of ids, read as a subquery."""
    return Message.objects.filter(
        subject_type=subject_type, subject_id__in=subject_ids, status__in=NOT_GONE
    ).update(status=Status.CANCELLED, last_error=REASON_CANCELLED)


@transaction.atomic
def message_retry(*, message: Message, by: User) -> Message:
    """Staff send a failed message again, now, with a fresh count of attempts."""
    updated = Message.objects.filter(pk=message.pk, status=Status.FAILED).update(
        status=Status.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    if not updated:
        raise ValidationError(_("Only a failed message can be sent again."))
    logger.info("message %s retried by user %s", message.pk, by.pk)
    _enqueue_send([message.pk])
    message.refresh_from_db()
    return message


# Queueing ----------------------------------------------------------------------------------------


def _enqueue_send(message_ids: list[int]) -> None:
    # After the commit, so that the worker never looks for a row it cannot see yet.
    transaction.on_commit(partial(_publish_send, list(message_ids)))


def _publish_send(message_ids: list[int]) -> None:
    from . import tasks

    for message_id in message_ids:
        try:
            # A broker that is down must not fail the request that scheduled the message, nor
            # hold it for long: the sweep will find the message in the database anyway.
            tasks.send_message.apply_async((message_id,), retry=True, retry_policy=PUBLISH_RETRY)
        except Exception:
            logger.warning("could not queue message %s; the sweep will send it", message_id, exc_info=True)
            return


def enqueue_sweep() -> None:
    """Ask a worker to sweep now (after a broadcast) rather than at the next beat tick."""

    def publish() -> None:
        from . import tasks

        try:
            tasks.sweep_due_messages.apply_async(retry=True, retry_policy=PUBLISH_RETRY)
        except Exception:
            logger.warning("could not queue a sweep; the next periodic sweep will run", exc_info=True)

    transaction.on_commit(publish)


PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


# Sending -----------------------------------------------------------------------------------------


def message_send(*, message_id: int) -> str | None:
    """Send one message if it is due and nobody else has it. Returns its new status, or None
    when it was not pending (sent already, claimed by a sweep, cancelled, not yet due)."""
    token = uuid.uuid4()
    claimed = Message.objects.filter(
        id=message_id, status=Status.PENDING, next_attempt_at__lte=timezone.now()
    ).update(status=Status.SENDING, claim_token=token, claimed_at=Now())
    if claimed != 1:
        return None
    with _Batch(token) as batch:
        return batch.send([message_id]).get(message_id)


def messages_claim_due(*, limit: int) -> tuple[uuid.UUID, list[int]]:
    """Claim up to `limit` due messages for one batch. SKIP LOCKED lets sweeps running at the same
    time take disjoint batches instead of waiting for each other or taking the same rows."""
    token = uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            # The database's clock, not this host's: the reclaim compares it with its own.
            Message.objects.filter(id__in=ids).update(
                status=Status.SENDING, claim_token=token, claimed_at=Now()
            )
    return token, ids


def messages_reclaim_stuck() -> int:
    """Messages left 'sending' by a worker that died (SIGKILL, OOM, lost host) go back to the
    queue once their batch has shown no sign of life for NOTIFICATIONS_SENDING_TIMEOUT, by the
    database's clock. A live batch renews its claim several times within that timeout (see
    `_Batch`), so a message is never taken from a sender that is still at work."""
    stale = ExpressionWrapper(
        Now() - datetime.timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT),
        output_field=DateTimeField(),
    )
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, claimed_at__lt=stale)
            .values_list("id", flat=True)[:10_000]
        )
        reclaimed = Message.objects.filter(id__in=ids).update(
            status=Status.PENDING, claim_token=None, claimed_at=None, next_attempt_at=timezone.now()
        )
    if reclaimed:
        logger.warning("reclaimed %s message(s) left 'sending' by a stopped worker", reclaimed)
    return reclaimed


def messages_forget_erased() -> int:
    """Erasure ("delete my account") blanks a volunteer's personal data, but volunteers/ knows
    nothing of this app; the sweep does the rest here. Messages to an erased person lose their context and
    addresses (names, places, a guardian's phone), and those still waiting are cancelled."""
    erased = Message.objects.filter(recipient__anonymized_at__isnull=False)
    erased.filter(status=Status.PENDING).update(status=Status.CANCELLED, last_error=REASON_ERASED)
    return erased.exclude(context={}, recipient_email="", recipient_phone="").update(
        context={}, recipient_email="", recipient_phone=""
    )


# A message whose fate is settled: the sweep will never touch it again.
FINISHED = (Status.SENT, Status.FAILED, Status.EXPIRED, Status.CANCELLED)


def messages_purge_old(*, now: datetime.datetime | None = None, batch_size: int = 10_000) -> int:
    """Delete the messages settled more than NOTIFICATIONS_RETENTION_DAYS ago: each keeps its
    recipient's address and what it said (a shift, a place, a guardian's name), which the
    staff's "why did it fail" and the person's "my messages" need for a while, not for ever. One
    that is still waiting is kept, however old. Both its scheduling and its due time must be
    that old, so that a reminder scheduled long ahead stays as long as any other. Deleted in
    batches of `batch_size`, each its own statement, so that the first run over years of
    messages holds no long lock. Run daily (notifications.tasks.purge_old_messages); returns how
    many went. A deleted message's due slot could take a new message again, but nothing is
    scheduled for a moment that long past (reminders expire with what they are for)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.NOTIFICATIONS_RETENTION_DAYS)
    old = Message.objects.filter(created_at__lt=cutoff, due_at__lt=cutoff, status__in=FINISHED).order_by()
    purged = 0
    while ids := list(old.values_list("pk", flat=True)[:batch_size]):
        purged += Message.objects.filter(pk__in=ids).delete()[0]
    return purged


@dataclass
class SweepReport:
    sent: int = 0
    other: int = 0
    batches: int = 0
    reclaimed: int = 0


def messages_send_due(*, batch_size: int | None = None, max_seconds: float | None = None) -> SweepReport:
    """The sweep: reclaim what dead workers left, then claim and send due messages batch after
    batch until none is due or the time budget is spent (the next sweep goes on from there)."""
    batch_size = batch_size or settings.NOTIFICATIONS_BATCH_SIZE
    budget = settings.NOTIFICATIONS_SWEEP_MAX_SECONDS if max_seconds is None else max_seconds
    started = time.monotonic()
    report = SweepReport(reclaimed=messages_reclaim_stuck())
    messages_forget_erased()
    with _async_commit():
        while time.monotonic() - started < budget:
            token, ids = messages_claim_due(limit=batch_size)
            if not ids:
                break
            report.batches += 1
            with _Batch(token) as batch:
                for status in batch.send(ids).values():
                    if status == Status.SENT:
                        report.sent += 1
                    elif status is not None:
                        report.other += 1
            if len(ids) < batch_size:
                break
    return report


@contextmanager
def _async_commit() -> Iterator[None]:
    """Commits of the sweep do not wait for the WAL flush (PostgreSQL, this session only).

    A worker killed at any point loses nothing by it: its commits are in the server. A crash of
    the database server itself may forget the last fraction of a second of "sent" marks, and
    those few messages are then sent again. Waiting for the disk on every message instead would
    cap a sweep at a few hundred messages a second (one fsync each).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


_TABLE = Message._meta.db_table
_FIELDS = {field.name: field for field in Message._meta.concrete_fields}


# What sending reads (the checks, the channels, the renderer): loading only these keeps a batch of
# 500 cheap to fetch and to build — each column is converted to Python per row. A field left out
# but read would cost a query per message (tests/notifications: one query per message).
_MESSAGE_FIELDS = [
    "id",
    "recipient",
    "recipient_email",
    "recipient_phone",
    "kind",
    "channel",
    "language",
    "context",
    "valid_until",
    "attempts",
    "created_at",
]
_RECIPIENT_FIELDS = [
    "recipient__first_name",
    "recipient__email",
    "recipient__phone",
    "recipient__anonymized_at",
    "recipient__preferred_language",
    "recipient__preferred_channel",
    "recipient__status",
    "recipient__message_preference__email_opt_out",
    "recipient__message_preference__sms_opt_out",
    "recipient__message_preference__announcements_opt_out",
]


# How often a batch under way looks again at which of its messages are still to go (one query
# for the rest of the batch). The reminders of every shift starting at one hour are due at one
# moment and go out in one batch of hundreds, minutes long behind a slow SMS gateway: a sign-up
# withdrawn or a shift moved meanwhile had its reminder sent with the rest, after the person
# had been told it was off. Once a second costs nothing at thousands of messages a second.
RECHECK_SECONDS = 1.0


class _Batch:
    """Messages claimed under one token: loaded in one query, rendered once per identical
    content (the same reminder to fifty people is rendered once), sent over channels opened
    once, each marked in the database the moment its channel returns.

    Exactly once, and where it can fail:

    * A worker killed before or during a send leaves the message 'sending' under its batch's
      claim; once the claim is stale the sweep reclaims it and it is sent once, by someone else.
    * A live batch never loses a message it is sending: it renews its claim every quarter of
      NOTIFICATIONS_SENDING_TIMEOUT, and a single send is bounded far below that (EMAIL_TIMEOUT;
      an SMS backend must time out likewise). Should a batch still find, when marking, that its
      claim is gone (a process frozen for longer than the timeout), it says so in the log.
    * The one window for a second copy is a worker killed after the channel accepted a message
      and before the one-row UPDATE that marks it sent commits: a single round trip to the
      database. E-mails carry a Message-ID fixed per message, so a mailbox that receives such a
      copy can drop it.

    Marking is one autocommitted UPDATE per message, guarded by the claim: a transaction held open
    around the send would cost two more round trips per message and buy nothing the claim does
    not already give.
    """

    def __init__(self, token: uuid.UUID) -> None:
        self.token = token
        self.channels = ChannelSet()
        self.renders: RenderCache = {}
        self.renewed = time.monotonic()
        self.renew_every = settings.NOTIFICATIONS_SENDING_TIMEOUT / 4
        # Per message, the proxy `connection` costs a thread-local lookup at each use; the batch
        # runs in one thread and keeps this thread's connection at hand, with the UPDATE of each
        # set of columns it marks (there are a handful) written once.
        self.db = connections[DEFAULT_DB_ALIAS]
        self.token_db = self.db_value("claim_token", token)
        self.marks: dict[tuple[str, ...], str] = {}
        self.mail_domain = _mail_domain()

    def __enter__(self) -> _Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.channels.close()

    def send(self, ids: Sequence[int]) -> dict[int, str | None]:
        messages = {
            m.pk: m
            for m in Message.objects.filter(id__in=ids, claim_token=self.token, status=Status.SENDING)
            .select_related("recipient", "recipient__message_preference")
            .only(*_MESSAGE_FIELDS, *_RECIPIENT_FIELDS)
        }
        outcome: dict[int, str | None] = {}
        checked = time.monotonic()
        # One cursor for the batch's marks rather than one per message.
        with self.db.cursor() as cursor:
            for index, pk in enumerate(ids):
                if pk in messages:
                    clock = time.monotonic()
                    still_ours = None
                    if clock - self.renewed > self.renew_every:
                        still_ours = set(self.renew())
                    elif clock - checked > RECHECK_SECONDS:
                        still_ours = self.still_ours([i for i in ids[index:] if i in messages])
                    if still_ours is not None:
                        messages = {k: v for k, v in messages.items() if k in still_ours}
                        checked = clock
                outcome[pk] = self.send_one(messages[pk], cursor) if pk in messages else None
        return outcome

    def still_ours(self, ids: list[int]) -> set[int]:
        """Which of `ids` this batch still holds: one called off since the batch loaded it is
        cancelled (`messages_cancel`, `messages_reschedule`) and is not sent."""
        return set(
            Message.objects.filter(id__in=ids, claim_token=self.token, status=Status.SENDING).values_list(
                "id", flat=True
            )
        )

    def renew(self) -> list[int]:
        """Renew the claim on what this batch still holds; returns those ids."""
        claimed = Message.objects.filter(claim_token=self.token, status=Status.SENDING)
        claimed.update(claimed_at=Now())
        self.renewed = time.monotonic()
        return list(claimed.values_list("id", flat=True))

    def db_value(self, field: str, value: Any) -> Any:
        if value is None or isinstance(value, (str, int)):
            return value  # as the field would give it (a status, a count, a note)
        return _FIELDS[field].get_db_prep_value(value, self.db)

    def mark_sql(self, columns: tuple[str, ...]) -> str:
        sql = self.marks.get(columns)
        if sql is None:
            assignments = ", ".join(f"{self.db.ops.quote_name(name)} = %s" for name in columns)
            sql = self.marks[columns] = (
                f"UPDATE {_TABLE} SET {assignments} WHERE id = %s AND claim_token = %s"  # noqa: S608 (our columns)
            )
        return sql

    def send_one(self, message: Message, cursor: Any) -> str:
        channel = message.channel
        status, fields = self.deliver(message, timezone.now())
        if message.channel != channel:
            fields["channel"] = message.channel
        fields.update(status=status, claim_token=None, claimed_at=None)
        # Raw SQL: at thousands of messages a second, building this with the ORM would cost more
        # than the database takes to run it.
        cursor.execute(
            self.mark_sql(tuple(fields)),
            [*(self.db_value(name, value) for name, value in fields.items()), message.pk, self.token_db],
        )
        if cursor.rowcount != 1:
            logger.error("message %s was reclaimed while this batch sent it; it may go out twice", message.pk)
        return status

    def deliver(self, message: Message, now: datetime.datetime) -> tuple[str, dict[str, Any]]:
        """Decide, render and send; returns the status and the fields to record."""
        if message.valid_until is not None and now > message.valid_until:
            return Status.EXPIRED, {"last_error": REASON_EXPIRED}
        recipient = message.recipient
        if recipient is not None and recipient.anonymized_at is not None:
            return Status.CANCELLED, {"last_error": REASON_ERASED}
        if (
            message.kind == Message.Kind.BROADCAST
            and recipient is not None
            and recipient.status != Volunteer.Status.ACTIVE
        ):
            # An announcement goes to the active (broadcast_send's audience): someone paused or
            # archived while it waited (a night's SMS held for the morning) is no longer among them.
            return Status.CANCELLED, {"last_error": REASON_NOT_ACTIVE}
        own_address = not (message.recipient_email or message.recipient_phone)
        if recipient is not None and own_address:
            # The channel the person reads now, as the address and the language are: one who
            # switched to SMS after signing up (or whose e-mail was removed) had the reminder go
            # to a mailbox they no longer open. Picked before the opt-out and the quiet hours,
            # which are the new channel's.
            message.channel = _pick_channel(recipient=recipient, channel=None, email="", phone="")
            preference = getattr(recipient, "message_preference", None)
            if preference is not None and preference.opted_out(message.channel, message.kind):
                announcements = message.kind == Message.Kind.BROADCAST and preference.announcements_opt_out
                return Status.CANCELLED, {
                    "last_error": REASON_NO_ANNOUNCEMENTS if announcements else REASON_OPTED_OUT
                }
        deferred = not_before(kind=message.kind, channel=message.channel, moment=now, context=message.context)
        if deferred > now:
            # Quiet hours: the SMS waits for the morning; neither dropped nor counted as a try.
            return Status.PENDING, {"next_attempt_at": deferred}
        channel = self.channels.get(message.channel)
        to = channel.address(message)
        if not to:
            return Status.FAILED, {
                "last_error": REASON_NO_EMAIL if message.channel == Message.Channel.EMAIL else REASON_NO_PHONE
            }
        if (
            recipient is not None
            and own_address
            and message.kind not in WRITTEN_KINDS
            and recipient.preferred_language != message.language
        ):
            # A reminder is written when it goes, in the language the person reads now: one who
            # switched to Russian after signing up was reminded in Kazakh a week later.
            message.language = recipient.preferred_language
        try:
            link = one_click = ""
            if recipient is not None and own_address:
                # An announcement's link turns off announcements; any other message's, its channel
                # (the page says that reminders and changes stop too). Only an announcement offers
                # the mail provider's one-click button (List-Unsubscribe): pressed on a reminder, it
                # silently stopped the news that a shift had been cancelled.
                if message.kind == Message.Kind.BROADCAST:
                    link = one_click = unsubscribe_url(volunteer_id=recipient.pk, channel=ANNOUNCEMENTS)
                else:
                    link = unsubscribe_url(volunteer_id=recipient.pk, channel=message.channel)
            subject, text, html = render_cached(message, unsubscribe_url=link, cache=self.renders)
        except Exception as exc:
            logger.exception("message %s could not be rendered", message.pk)
            return Status.FAILED, {"last_error": f"rendering: {exc!r}"}
        outgoing = Outgoing(
            message_id=message.pk,
            to=to,
            subject=subject,
            text=text,
            html=html,
            unsubscribe_url=one_click,
            message_ref=f"<message-{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{self.mail_domain}>",
        )
        attempts = message.attempts + 1
        try:
            result = channel.send(outgoing)
        except PermanentSendError as exc:
            return Status.FAILED, {"attempts": attempts, "last_error": str(exc)}
        except Exception as exc:
            # Transient, or not known to be permanent: try again later, a bounded number of times.
            error = str(exc) if isinstance(exc, TransientSendError) else repr(exc)
            if not isinstance(exc, TransientSendError):
                logger.exception(
                    "message %s: unexpected error from the %s channel", message.pk, message.channel
                )
            if attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
                return Status.FAILED, {"attempts": attempts, "last_error": error}
            retry_at = not_before(
                kind=message.kind,
                channel=message.channel,
                moment=now + retry_delay(attempts),
                context=message.context,
            )
            return Status.PENDING, {"attempts": attempts, "last_error": error, "next_attempt_at": retry_at}
        # A gateway adapter may hand back its reply as it came (None, the gateway's JSON as a
        # dict): the SMS has gone all the same, and a note that cannot be cut to size must not
        # stop it being marked sent, or the reclaim would send it a second time.
        note = result if isinstance(result, str) else "" if result is None else str(result)
        # Marked right after the channel returned (see the class's note on the window).
        return Status.SENT, {
            "attempts": attempts,
            "sent_at": now,
            "result": note[:200],
            "last_error": "",
            "language": message.language,
        }


def _mail_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >")
    return address or "localhost"


# Preferences -------------------------------------------------------------------------------------


def preference_update(
    *, volunteer: Volunteer, email_opt_out: bool, sms_opt_out: bool, announcements_opt_out: bool = False
) -> Preference:
    preference, _created = Preference.objects.update_or_create(
        volunteer=volunteer,
        defaults={
            "email_opt_out": email_opt_out,
            "sms_opt_out": sms_opt_out,
            "announcements_opt_out": announcements_opt_out,
        },
    )
    return preference


def message_preferences_merge(*, kept: Volunteer, dropped: Volunteer, by: User | None) -> None:
    """Two records of one person merged (volunteers.services.volunteer_merge): a channel turned
    off on either stays off on the record kept; the person turns it back on under "My messages".
    Left to the generic move, the kept record's row stayed and the other's was deleted: someone
    who had unsubscribed from e-mail under one record was sent e-mails again once staff merged
    it with the other. Registered in NotificationsConfig.ready(); runs with both rows locked."""
    theirs = Preference.objects.filter(volunteer=dropped).first()
    if theirs is None:
        return
    ours = Preference.objects.filter(volunteer=kept).first()
    if ours is None:
        return  # the dropped record's row moves to the kept one as it is
    Preference.objects.filter(volunteer=kept).update(
        email_opt_out=ours.email_opt_out or theirs.email_opt_out,
        sms_opt_out=ours.sms_opt_out or theirs.sms_opt_out,
        announcements_opt_out=ours.announcements_opt_out or theirs.announcements_opt_out,
        updated_at=timezone.now(),
    )
    theirs.delete()


def unsubscribe(*, token: str) -> tuple[Volunteer, str] | None:
    """One-click unsubscribe from a signed link: turns the channel off, or an announcement's link
    the announcements. Idempotent; None for a link we did not sign (or whose volunteer no longer
    exists, nor was merged into another)."""
    parsed = read_unsubscribe_token(token)
    if parsed is None:
        return None
    volunteer_id, channel = parsed
    # A link from before a merge turns the channel off on the record that holds the person now.
    holder = volunteer_now(volunteer_id=volunteer_id)
    volunteer = Volunteer.objects.filter(pk=holder).first() if holder is not None else None
    if volunteer is None:
        return None
    field = {
        Message.Channel.EMAIL: "email_opt_out",
        Message.Channel.SMS: "sms_opt_out",
        ANNOUNCEMENTS: "announcements_opt_out",
    }[channel]
    Preference.objects.update_or_create(volunteer=volunteer, defaults={field: True})
    return volunteer, channel


def announcements_stop(*, volunteer_id: int) -> Volunteer | None:
    """Announcements off for the person an announcement's SMS link was sent to, from the page it
    opens (most of an imported list have a phone and no account, so no "My messages"), recorded
    as the e-mail's unsubscribe link records it. Reminders and news of their own shifts and visits
    keep coming. Idempotent; None for nobody (nor anyone merged into since)."""
    holder = volunteer_now(volunteer_id=volunteer_id)
    volunteer = Volunteer.objects.filter(pk=holder).first() if holder is not None else None
    if volunteer is None:
        return None
    Preference.objects.update_or_create(volunteer=volunteer, defaults={"announcements_opt_out": True})
    return volunteer


# Broadcasts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BroadcastPreview:
    recipients: int
    by_email: int
    by_sms: int
    opted_out: int
    # The parts of each SMS as sent, and of the text whole (more when it is cut short).
    sms_parts: int = 0
    sms_parts_whole: int = 0
    # People whose phone (or e-mail) another person of the list has too: one message between them.
    sharing: int = 0

    @property
    def sms_parts_total(self) -> int:
        """Paid parts of the whole sending by SMS, what its cost follows."""
        return self.sms_parts * self.by_sms


def _broadcast_audience(*, volunteers_qs: QuerySet[Volunteer], by: User) -> QuerySet[Volunteer]:
    # Whatever list the caller built, nobody outside the sender's regions is reached; erased
    # profiles have nothing to send to. `reached_by`: the channel the message goes by, as
    # _pick_channel chooses it when sending: e-mail chosen and no address but a phone (most of an
    # imported list) is an SMS. Counted by the preferred channel, the audience check called such
    # people "by e-mail", and its SMS count and paid parts came out short.
    return (
        scope_queryset(volunteers_qs, by)
        .filter(anonymized_at__isnull=True)
        .annotate(
            reached_by=Case(
                When(
                    Q(preferred_channel=Message.Channel.EMAIL, email="") & ~Q(phone=""),
                    then=Value(Message.Channel.SMS),
                ),
                When(
                    Q(preferred_channel=Message.Channel.SMS, phone="") & ~Q(email=""),
                    then=Value(Message.Channel.EMAIL),
                ),
                default=F("preferred_channel"),
                output_field=CharField(),
            )
        )
    )


def _broadcast_address() -> Case:
    """The number or the address (lower-cased) an announcement goes to, by `reached_by`."""
    return Case(
        When(reached_by=Message.Channel.SMS, then=F("phone")),
        default=Lower("email"),
        output_field=CharField(),
    )


def _opted_out_q() -> Q:
    """Who an announcement does not reach: out of announcements, or of the channel it would go by
    (`reached_by`, see _broadcast_audience)."""
    return (
        Q(message_preference__announcements_opt_out=True)
        | Q(reached_by=Message.Channel.EMAIL, message_preference__email_opt_out=True)
        | Q(reached_by=Message.Channel.SMS, message_preference__sms_opt_out=True)
    )


def broadcast_preview(
    *, volunteers_qs: QuerySet[Volunteer], by: User, subject: str = "", body: str = ""
) -> BroadcastPreview:
    """How many people an announcement to this list would reach, before it is sent, and how many
    paid parts each of its SMS takes."""
    audience = _broadcast_audience(volunteers_qs=volunteers_qs, by=by).annotate(
        reached_at=_broadcast_address()
    )
    reached, none = ~_opted_out_q(), Q(reached_at="")
    sms, email = Q(reached_by=Message.Channel.SMS), Q(reached_by=Message.Channel.EMAIL)
    counts = audience.aggregate(
        total=Count("pk", distinct=True),
        opted_out=Count("pk", filter=_opted_out_q(), distinct=True),
        # One message per number or address (broadcast_send); someone with neither counts alone.
        sms=Count("reached_at", filter=sms & reached & ~none, distinct=True)
        + Count("pk", filter=sms & reached & none, distinct=True),
        email=Count("reached_at", filter=email & reached & ~none, distinct=True)
        + Count("pk", filter=email & reached & none, distinct=True),
    )
    whole, sent = announcement_sms_segments(subject.strip(), body.strip()) if body.strip() else (0, 0)
    people = counts["total"] - counts["opted_out"]
    return BroadcastPreview(
        recipients=counts["sms"] + counts["email"],
        by_email=counts["email"],
        by_sms=counts["sms"],
        opted_out=counts["opted_out"],
        sms_parts=sent,
        sms_parts_whole=whole,
        sharing=people - counts["sms"] - counts["email"],
    )


@transaction.atomic
def broadcast_send(*, volunteers_qs: QuerySet[Volunteer], subject: str, body: str, by: User) -> Broadcast:
    """An announcement to every volunteer of the list (within the sender's scope) who has not
    turned off their channel: one message each, in their own channel, sent by the sweep."""
    subject, body = subject.strip(), body.strip()
    errors: dict[str, list[str]] = {}
    if not subject:
        errors["subject"] = [_("Write a subject.")]
    elif len(subject) > 200:
        errors["subject"] = [_("Keep the subject under 200 characters.")]
    if not body:
        errors["body"] = [_("Write the text of the announcement.")]
    if errors:
        raise ValidationError(errors)
    broadcast = Broadcast.objects.create(subject=subject, body=body, created_by=by)
    now = timezone.now()
    audience = (
        _broadcast_audience(volunteers_qs=volunteers_qs, by=by)
        .exclude(_opted_out_q())
        .annotate(reached_at=_broadcast_address())
        .order_by("pk")
        .distinct()
        .values_list("pk", "reached_by", "preferred_language", "reached_at")
    )
    # One message per number or address: brothers and sisters listed with their parent's phone
    # (school lists do that) each had the announcement sent to it, the same SMS paid for two or
    # three times and read as many.
    addresses: set[tuple[str, str]] = set()
    # `full_url`: the whole text, linked at the end of an SMS cut to SMS_ANNOUNCEMENT_SEGMENTS.
    context = {"subject": subject, "text": body, "full_url": announcement_path(broadcast_id=broadcast.pk)}
    batch: list[Message] = []
    total = 0
    for pk, channel, language, address in audience.iterator(chunk_size=2000):
        if address:
            if (channel, address) in addresses:
                continue
            addresses.add((channel, address))
        batch.append(
            Message(
                recipient_id=pk,
                kind=Message.Kind.BROADCAST,
                subject_type="notifications.broadcast",
                subject_id=broadcast.pk,
                channel=channel,
                language=language,
                context=context,
                due_at=now,
                next_attempt_at=not_before(kind=Message.Kind.BROADCAST, channel=channel, moment=now),
            )
        )
        if len(batch) >= 2000:
            Message.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    if batch:
        Message.objects.bulk_create(batch)
        total += len(batch)
    Broadcast.objects.filter(pk=broadcast.pk).update(recipients_count=total)
    broadcast.recipients_count = total
    enqueue_sweep()
    return broadcast
