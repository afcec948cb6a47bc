"""Reminders as the person reads them in Almaty: a "Tomorrow" SMS held up by quiet hours is not
sent on the day itself, and a due slot called off and asked for again is reminded once."""

from __future__ import annotations

import datetime

import pytest

from notifications import services
from notifications.models import Message
from tests.factories import VolunteerFactory

from .conftest import clock, kz

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
KINDS = ("shift_reminder_24h", "shift_reminder_2h")


def _reminders(person, starts_at: datetime.datetime) -> list[Message]:  # type: ignore[no-untyped-def]
    context = {"title": "Түнгі рейд", "starts_at": starts_at}
    with clock(starts_at - 3 * 24 * H):
        services.messages_schedule_with_reminders(
            recipient=person,
            subject_type="events.signup",
            subject_id=7,
            context=context,
            first="signup_confirmed",
            starts_at=starts_at,
            reminders=services.reminder_times(starts_at, KINDS, (24, 2)),
        )
    return list(Message.objects.filter(kind__in=KINDS).order_by("due_at"))


def test_a_tomorrow_sms_deferred_past_midnight_by_quiet_hours_is_dropped(almaty, capsys) -> None:  # type: ignore[no-untyped-def]
    """A shift at 22:30: its day-before SMS is due at 22:30 the evening before, in quiet hours; at
    08:00 it would say "Tomorrow" about this evening. It expires; the two-hours one goes at 20:30."""
    person = VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550021")
    starts_at = kz(2026, 12, 10, 22, 30)
    day_before, two_hours = _reminders(person, starts_at)
    assert day_before.next_attempt_at == kz(2026, 12, 10, 8, 0)
    with clock(kz(2026, 12, 10, 8, 0)):
        services.messages_send_due(max_seconds=30)
    day_before.refresh_from_db()
    assert day_before.status == "expired"
    with clock(kz(2026, 12, 10, 20, 30)):
        services.messages_send_due(max_seconds=30)
    two_hours.refresh_from_db()
    assert two_hours.status == "sent"


def test_a_tomorrow_sms_for_a_shift_after_midnight_goes_the_morning_before(almaty) -> None:  # type: ignore[no-untyped-def]
    """A shift at 00:30 on the 1st: the day-before SMS (due 00:30 on the 30th, quiet hours) goes at
    08:00 on the 30th — "Tomorrow" is true then."""
    person = VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550022")
    starts_at = kz(2026, 12, 1, 0, 30)
    day_before, _two_hours = _reminders(person, starts_at)
    with clock(kz(2026, 11, 30, 8, 0)):
        services.messages_send_due(max_seconds=30)
    day_before.refresh_from_db()
    assert day_before.status == "sent"


def test_a_cancelled_reminder_asked_for_again_waits_again(bob) -> None:  # type: ignore[no-untyped-def]
    due = kz(2026, 12, 9, 10)
    message = services.message_schedule(
        recipient=bob,
        kind="visit_reminder_24h",
        subject_type="front_offices.visit",
        subject_id=3,
        due_at=due,
        context={"office": "Офис", "starts_at": due + 24 * H},
    )
    services.messages_cancel(subject_type="front_offices.visit", subject_id=3)
    again = services.message_schedule(
        recipient=bob,
        kind="visit_reminder_24h",
        subject_type="front_offices.visit",
        subject_id=3,
        due_at=due,
        context={"office": "Офис", "starts_at": due + 24 * H},
    )
    assert again.pk == message.pk
    again.refresh_from_db()
    assert (again.status, again.last_error) == ("pending", "")
    with clock(due):
        services.messages_send_due(max_seconds=30)
        services.messages_send_due(max_seconds=30)
    again.refresh_from_db()
    assert (again.status, again.attempts) == ("sent", 1)


def test_a_confirmation_held_by_the_night_does_not_arrive_after_the_start(almaty, capsys) -> None:  # type: ignore[no-untyped-def]
    """Signed up at 23:30 for a 07:00 shift: the SMS confirmation waits for 08:00 and would then
    confirm a shift under way. It expires at the start; one for a later start still goes."""
    person = VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550023")
    for subject_id, starts_at in ((8, kz(2026, 12, 11, 7, 0)), (9, kz(2026, 12, 11, 15, 0))):
        with clock(kz(2026, 12, 10, 23, 30)):
            services.messages_schedule_with_reminders(
                recipient=person,
                subject_type="events.signup",
                subject_id=subject_id,
                context={"title": "Таңғы рейд", "starts_at": starts_at},
                first="signup_confirmed",
                starts_at=starts_at,
                reminders=services.reminder_times(starts_at, KINDS, (24, 2)),
            )
    with clock(kz(2026, 12, 11, 8, 0)):
        services.messages_send_due(max_seconds=30)
    confirmations = Message.objects.filter(kind="signup_confirmed").order_by("subject_id")
    assert [m.status for m in confirmations] == ["expired", "sent"]
