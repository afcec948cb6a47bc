"""Scheduling, sending and the rules around it, with the send run in-process (no worker)."""

from __future__ import annotations

import datetime
import logging
import re
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from django.utils.html import escape

from notifications import services
from notifications.channels import EmailChannel, TransientSendError
from notifications.models import Message, Preference
from notifications.tokens import read_unsubscribe_token
from tests.factories import VolunteerFactory
from volunteers.models import Volunteer

from .conftest import clock, kz, schedule

pytestmark = pytest.mark.django_db

SENT = Message.Status.SENT


def unsubscribe_link(body: str) -> str:
    found = re.search(r"http://127\.0\.0\.1:8000/unsubscribe/\S+/", body)
    assert found is not None, body
    return found.group(0)


def send_due() -> services.SweepReport:
    return services.messages_send_due(max_seconds=30)


class TestSchedule:
    def test_same_slot_scheduled_twice_is_one_message(self, bob, on_commit) -> None:  # type: ignore[no-untyped-def]
        first = schedule(bob)
        again = schedule(bob, context={"title": "Тал егу (жаңа)", "starts_at": kz(2026, 5, 20, 10)})
        assert again.pk == first.pk
        assert Message.objects.count() == 1
        # The waiting message carries the latest context.
        assert Message.objects.get().context["title"] == "Тал егу (жаңа)"

    def test_each_due_slot_is_its_own_message(self, bob) -> None:  # type: ignore[no-untyped-def]
        schedule(bob, kind="shift_reminder_24h")
        schedule(bob, kind="shift_reminder_2h", due_at=kz(2026, 5, 20, 8))
        schedule(bob, kind="shift_reminder_24h", subject_id=2)
        assert Message.objects.count() == 3

    def test_a_new_subjects_messages_in_one_insert_are_the_rows_of_one_by_one(
        self,
        bob,
        on_commit,
        django_assert_num_queries,  # type: ignore[no-untyped-def]
    ) -> None:
        starts = kz(2026, 5, 20, 10, 0)
        context = {"title": "Тал егу", "starts_at": starts, "place": "Орталық саябақ"}
        due = [
            ("shift_reminder_24h", starts - datetime.timedelta(hours=24), starts),
            ("shift_reminder_2h", starts - datetime.timedelta(hours=2), starts),
        ]
        fields = (
            "recipient_id",
            "kind",
            "subject_id",
            "due_at",
            "channel",
            "language",
            "context",
            "valid_until",
        )
        for subject_id, kind, due_at, valid_until in [(1, *due[0]), (1, *due[1])]:
            schedule(
                bob, kind=kind, subject_id=subject_id, due_at=due_at, valid_until=valid_until, context=context
            )
        one_by_one = list(Message.objects.order_by("due_at").values(*fields))
        Message.objects.all().delete()
        with django_assert_num_queries(1):  # one INSERT, without a savepoint of its own
            services.messages_schedule_new(
                recipient=bob, subject_type="events.signup", subject_id=1, context=context, due=due
            )
        assert list(Message.objects.order_by("due_at").values(*fields)) == one_by_one

    def test_a_message_that_exists_after_all_is_not_doubled(self, bob, on_commit) -> None:  # type: ignore[no-untyped-def]
        starts = kz(2026, 5, 20, 10, 0)
        context = {"title": "Тал егу", "starts_at": starts, "place": "Орталық саябақ"}
        first = schedule(bob, kind="shift_reminder_24h", due_at=starts - datetime.timedelta(hours=24))
        made = services.messages_schedule_new(
            recipient=bob,
            subject_type="events.signup",
            subject_id=1,
            context=context,
            due=[
                ("shift_reminder_24h", starts - datetime.timedelta(hours=24), None),
                ("shift_reminder_2h", starts - datetime.timedelta(hours=2), None),
            ],
        )
        assert made[0].pk == first.pk
        assert [m.kind for m in made] == ["shift_reminder_24h", "shift_reminder_2h"]
        assert made[1].pk is not None and made[1].pk != first.pk
        assert Message.objects.count() == 2

    def test_a_single_message_that_exists_after_all_is_found(self, bob, on_commit) -> None:  # type: ignore[no-untyped-def]
        starts = kz(2026, 5, 20, 10, 0)
        due_at = starts - datetime.timedelta(hours=24)
        first = schedule(bob, kind="shift_reminder_24h", due_at=due_at)
        made = services.messages_schedule_new(
            recipient=bob,
            subject_type="events.signup",
            subject_id=1,
            context={"title": "Тал егу", "starts_at": starts},
            due=[("shift_reminder_24h", due_at, None)],
        )
        assert [m.pk for m in made] == [first.pk]
        assert Message.objects.count() == 1

    def test_language_and_channel_come_from_the_profile(self, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language="ru", preferred_channel="sms")
        message = schedule(person)
        assert (message.language, message.channel) == ("ru", "sms")
        # An explicit channel wins over the profile's.
        assert schedule(person, subject_id=9, channel="email").channel == "email"

    def test_preferred_channel_without_address_falls_back(self, almaty) -> None:  # type: ignore[no-untyped-def]
        # A profile can no longer be saved so (SMS needs a phone), but older rows may be.
        person = VolunteerFactory(region=almaty)
        Volunteer.objects.filter(pk=person.pk).update(preferred_channel="sms", phone="")
        person.refresh_from_db()
        assert schedule(person).channel == "email"

    def test_times_are_stored_as_iso_with_offset(self, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob)
        message.refresh_from_db()
        assert message.context["starts_at"] == "2026-05-20T10:00:00+05:00"

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"kind": "no_such_kind"}, "kind"),
            ({"context": {"title": "x"}}, "context"),
            ({"due_at": datetime.datetime(2026, 5, 19, 10)}, "due_at"),  # naive
            ({"valid_until": kz(2026, 1, 1)}, "valid_until"),  # before due
            ({"channel": "pigeon"}, "channel"),
            ({"language": "de"}, "language"),
        ],
    )
    def test_bad_requests_are_refused_before_saving(self, bob, overrides, field) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as caught:
            schedule(bob, **overrides)
        assert field in caught.value.message_dict
        assert not Message.objects.exists()

    def test_message_to_a_bare_address(self, db) -> None:  # type: ignore[no-untyped-def]
        kwargs = {
            "recipient": None,
            "kind": "generic",
            "subject_type": "care.request",
            "subject_id": 3,
            "due_at": kz(2026, 5, 1, 12),
            "context": {"subject": "Сәлем", "text": "Мәтін"},
            "recipient_email": "friend@example.kz",
        }
        first = services.message_schedule(**kwargs)
        assert services.message_schedule(**kwargs).pk == first.pk
        assert first.channel == "email"


class TestSend:
    def test_due_reminder_goes_out_once_in_the_recipients_language(self, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, first_name="Дана", preferred_language="kk")
        message = schedule(person)
        with clock(almaty_time := message.due_at + datetime.timedelta(seconds=5)):
            report = send_due()
            assert send_due().sent == 0  # nothing left: sent once
        assert report.sent == 1
        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        assert email.to == [person.email]
        assert email.subject == "Ертең: Тал егу"
        # The shift's time in Almaty, in Kazakh, whatever the server's zone.
        assert "20.05.2026 10:00" in email.body
        assert "Сәлеметсіз бе, Дана!" in email.body
        html = email.alternatives[0].content  # type: ignore[union-attr]
        assert "20.05.2026 10:00" in html and 'lang="kk"' in html
        message.refresh_from_db()
        assert (message.status, message.attempts, message.sent_at, message.result) == (
            SENT,
            1,
            almaty_time,
            "accepted",
        )

    def test_russian_recipient_reads_russian(self, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language="ru")
        message = schedule(person, kind="shift_reminder_2h", due_at=kz(2026, 5, 20, 8))
        with clock(message.due_at):
            send_due()
        assert mail.outbox[0].subject == "Через два часа: Тал егу"
        assert "20.05.2026 10:00" in mail.outbox[0].body

    def test_a_reminder_goes_in_the_language_the_person_reads_when_it_is_sent(self, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language="kk")
        message = schedule(person, kind="shift_reminder_2h", due_at=kz(2026, 5, 20, 8))
        # Switched to Russian between signing up and the reminder.
        person.preferred_language = "ru"
        person.save(update_fields=["preferred_language"])
        with clock(message.due_at):
            send_due()
        assert mail.outbox[0].subject == "Через два часа: Тал егу"
        assert "Здравствуйте" in mail.outbox[0].body
        message.refresh_from_db()
        assert (message.status, message.language) == ("sent", "ru")

    @pytest.mark.parametrize("kind", ["generic", "transport_answer"])
    def test_a_text_written_for_the_person_keeps_its_language(self, almaty, kind) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language="kk")
        context = {
            "subject": "Жазылу тоқтатылды: Тал егу",
            "title": "Тал егу",
            "text": "Жазылуыңызды ұйымдастырушылар тоқтатты.",
        }
        message = schedule(person, kind=kind, due_at=kz(2026, 5, 20, 8), context=context)
        person.preferred_language = "ru"
        person.save(update_fields=["preferred_language"])
        with clock(message.due_at):
            send_due()
        # The greeting and the footer in the language of the text, not Russian around Kazakh.
        assert "Сәлеметсіз бе" in mail.outbox[0].body
        message.refresh_from_db()
        assert message.language == "kk"

    def test_a_reminder_links_to_unsubscribe_without_the_one_click_button(self, bob) -> None:  # type: ignore[no-untyped-def]
        """The link in the text turns the channel off, on a page that says reminders and changes
        stop too. The mail provider's one-click button (List-Unsubscribe) is an announcement's
        only: pressed on a reminder, it stopped the news of a cancelled shift without a word."""
        message = schedule(bob)
        with clock(message.due_at):
            send_due()
        headers = mail.outbox[0].extra_headers
        assert "List-Unsubscribe" not in headers and "List-Unsubscribe-Post" not in headers
        link = unsubscribe_link(mail.outbox[0].body)
        assert link.startswith("http://127.0.0.1:8000/unsubscribe/")
        assert read_unsubscribe_token(link.rstrip("/").rsplit("/", 1)[1]) == (bob.pk, "email")
        assert headers["Message-ID"].startswith(f"<message-{message.pk}.")

    def test_not_yet_due_is_left_alone(self, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob)
        with clock(message.due_at - datetime.timedelta(seconds=1)):
            assert send_due().sent == 0
            assert services.message_send(message_id=message.pk) is None
        assert not mail.outbox

    def test_past_valid_until_expires_unsent(self, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob, valid_until=kz(2026, 5, 20, 10))
        with clock(kz(2026, 5, 20, 10, 1)):
            send_due()
        message.refresh_from_db()
        assert message.status == "expired" and not mail.outbox
        assert message.last_error == services.REASON_EXPIRED

    def test_opted_out_channel_is_not_used(self, bob) -> None:  # type: ignore[no-untyped-def]
        Preference.objects.create(volunteer=bob, email_opt_out=True)
        message = schedule(bob)
        with clock(message.due_at):
            send_due()
        message.refresh_from_db()
        assert message.status == "cancelled" and not mail.outbox
        assert message.last_error == services.REASON_OPTED_OUT

    def test_erased_recipient_gets_nothing(self, bob) -> None:  # type: ignore[no-untyped-def]
        from volunteers.services import account_delete

        message = schedule(bob)
        account_delete(user=bob.user)
        with clock(message.due_at):
            send_due()
        message.refresh_from_db()
        assert message.status == "cancelled" and not mail.outbox

    def test_erasure_reaches_the_messages(self, almaty) -> None:  # type: ignore[no-untyped-def]
        from volunteers.services import account_delete

        person = VolunteerFactory(region=almaty, with_account=True)
        sent = schedule(person, subject_id=1, due_at=timezone.now() - datetime.timedelta(hours=1))
        send_due()
        waiting = schedule(person, subject_id=2, recipient_phone="+77017654321")
        account_delete(user=person.user)
        send_due()
        rows = {m.pk: m for m in Message.objects.filter(recipient=person)}
        assert rows[sent.pk].status == SENT and rows[waiting.pk].status == "cancelled"
        assert all(m.context == {} and not m.recipient_phone for m in rows.values())

    def test_guardian_is_reached_on_the_minors_behalf(self, almaty) -> None:  # type: ignore[no-untyped-def]
        from tests.factories import MinorFactory

        minor = MinorFactory(region=almaty, preferred_channel="email")
        Preference.objects.create(volunteer=minor, sms_opt_out=True)  # the minor's own choice
        message = services.message_schedule(
            recipient=minor,
            kind="guardian_consent_request",
            subject_type="detachments.member",
            subject_id=minor.pk,
            due_at=kz(2026, 5, 20, 12),
            channel="sms",
            recipient_phone=minor.guardian_phone,
            context={"volunteer_name": minor.full_name, "text": "", "recipient_name": minor.guardian_name},
        )
        with clock(kz(2026, 5, 20, 12)):
            send_due()
        message.refresh_from_db()
        assert (message.status, message.result) == (SENT, "logged")

    def test_address_is_read_when_sending(self, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob)
        bob.email = "new-address@example.kz"
        bob.save()
        with clock(message.due_at):
            send_due()
        assert mail.outbox[0].to == ["new-address@example.kz"]

    def test_a_reminder_goes_by_the_channel_the_person_chose_when_it_is_sent(self, almaty, capsys) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_channel="email", phone="+77015550031")
        message = schedule(person, due_at=kz(2026, 5, 19, 12))
        assert message.channel == "email"
        # Switched to SMS between signing up and the reminder (no longer reads that mailbox).
        person.preferred_channel = "sms"
        person.save(update_fields=["preferred_channel"])
        with clock(message.due_at):
            send_due()
        assert not mail.outbox
        assert "+77015550031" in capsys.readouterr().out
        message.refresh_from_db()
        assert (message.status, message.channel) == (SENT, "sms")

    def test_a_switch_to_sms_made_at_night_waits_for_the_morning(self, almaty, capsys) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_channel="email", phone="+77015550032")
        message = schedule(person, due_at=kz(2026, 5, 19, 23, 30))
        Volunteer.objects.filter(pk=person.pk).update(preferred_channel="sms")
        with clock(kz(2026, 5, 19, 23, 31)):
            send_due()
        message.refresh_from_db()
        assert (message.status, message.next_attempt_at) == ("pending", kz(2026, 5, 20, 8, 0))
        assert not mail.outbox and "+77015550032" not in capsys.readouterr().out

    def test_a_phone_removed_after_scheduling_falls_back_to_e_mail(self, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550033")
        message = schedule(person, due_at=kz(2026, 5, 19, 12))
        assert message.channel == "sms"
        Volunteer.objects.filter(pk=person.pk).update(phone="")
        with clock(message.due_at):
            send_due()
        assert mail.outbox[0].to == [person.email]
        message.refresh_from_db()
        assert (message.status, message.channel) == (SENT, "email")

    def test_a_landline_chosen_for_sms_is_reached_by_e_mail(self, almaty, capsys) -> None:  # type: ignore[no-untyped-def]
        # Saved before SMS needed a mobile: an Almaty landline, which the SMS gateway refuses.
        person = VolunteerFactory(region=almaty, preferred_channel="sms")
        Volunteer.objects.filter(pk=person.pk).update(phone="+77272501234")
        person.refresh_from_db()
        message = schedule(person, due_at=kz(2026, 5, 19, 12))
        assert message.channel == "email"
        with clock(message.due_at):
            send_due()
        assert mail.outbox[0].to == [person.email]
        assert "+77272501234" not in capsys.readouterr().out
        message.refresh_from_db()
        assert (message.status, message.channel) == (SENT, "email")

    def test_a_landline_without_e_mail_is_not_sent_an_sms(self, almaty, capsys) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_channel="sms")
        message = schedule(person, due_at=kz(2026, 5, 19, 12))
        assert message.channel == "sms"
        Volunteer.objects.filter(pk=person.pk).update(phone="+77272501234", email="")
        with clock(message.due_at):
            send_due()
        assert not mail.outbox
        assert "+77272501234" not in capsys.readouterr().out
        message.refresh_from_db()
        assert (message.status, message.last_error) == ("failed", services.REASON_NO_PHONE)

    def test_sms_is_printed_not_claimed_as_sent_by_a_gateway(self, almaty, caplog, capsys) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550011")
        message = schedule(person, due_at=kz(2026, 5, 19, 12))
        with clock(message.due_at), caplog.at_level(logging.DEBUG):
            send_due()
        message.refresh_from_db()
        assert (message.status, message.result) == (SENT, "logged")
        printed = capsys.readouterr().out
        assert "+77015550011" in printed and "no gateway configured" in printed
        assert "Тал егу" in printed and "Орталық саябақ" in printed
        # On standard output, like the console e-mail backend: the log gets no number, no text.
        assert "+77015550011" not in caplog.text and "Тал егу" not in caplog.text
        assert not mail.outbox

    def test_the_former_backend_name_still_works(self, almaty, capsys, settings) -> None:  # type: ignore[no-untyped-def]
        settings.SMS_BACKEND = "notifications.sms.LogSmsBackend"
        person = VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550013")
        message = schedule(person, due_at=kz(2026, 5, 19, 12))
        with clock(message.due_at):
            send_due()
        message.refresh_from_db()
        assert (message.status, message.result) == (SENT, "logged")
        assert "+77015550013" in capsys.readouterr().out


class TestQuietHours:
    @pytest.fixture
    def sms_person(self, almaty):  # type: ignore[no-untyped-def]
        return VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550012")

    def test_sms_due_at_night_waits_for_eight(self, sms_person, capsys) -> None:  # type: ignore[no-untyped-def]
        message = schedule(sms_person, due_at=kz(2026, 5, 19, 23, 30))
        assert message.next_attempt_at == kz(2026, 5, 20, 8, 0)
        with clock(kz(2026, 5, 19, 23, 31)):
            send_due()
        message.refresh_from_db()
        assert message.status == "pending" and "SMS" not in capsys.readouterr().out
        with clock(kz(2026, 5, 20, 8, 0)):
            send_due()
        message.refresh_from_db()
        assert message.status == SENT and message.attempts == 1

    def test_retry_landing_in_quiet_hours_is_deferred(self, sms_person) -> None:  # type: ignore[no-untyped-def]
        message = schedule(sms_person, due_at=kz(2026, 5, 19, 21, 59, 30))
        with clock(kz(2026, 5, 19, 21, 59, 40)):
            with mock.patch(
                "notifications.sms.ConsoleSmsBackend.send", side_effect=TransientSendError("gateway 503")
            ):
                send_due()
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("pending", 1)
        assert message.next_attempt_at == kz(2026, 5, 20, 8, 0)

    def test_callout_may_wake_people(self, sms_person) -> None:  # type: ignore[no-untyped-def]
        message = services.message_schedule(
            recipient=sms_person,
            kind="callout",
            subject_type="events.callout",
            subject_id=1,
            due_at=kz(2026, 5, 20, 2, 0),
            context={"title": "Су тасқыны", "text": "Жиналу орны — әкімдік."},
        )
        with clock(kz(2026, 5, 20, 2, 0, 1)):
            send_due()
        message.refresh_from_db()
        assert message.status == SENT

    @pytest.mark.parametrize(
        ("kind", "starts_at", "sent_at_once"),
        [
            # Moved at 23:00 to start at 07:00: told at 08:00 it would have begun.
            ("shift_changed", kz(2026, 5, 20, 7, 0), True),
            ("shift_cancelled", kz(2026, 5, 20, 9, 30), True),
            ("waitlist_promoted", kz(2026, 5, 20, 6, 0), True),
            ("visit_moved", kz(2026, 5, 20, 9, 0), True),
            # A start the morning still reaches in time waits for it, as every SMS does.
            ("shift_changed", kz(2026, 5, 20, 10, 0), False),
            ("visit_cancelled", kz(2026, 5, 20, 14, 0), False),
            # A reminder is no news: it never wakes anybody (the day-before one has gone).
            ("shift_reminder_2h", kz(2026, 5, 20, 7, 0), False),
        ],
    )
    def test_news_the_morning_would_bring_too_late_goes_at_night(
        self, sms_person, kind, starts_at, sent_at_once
    ) -> None:  # type: ignore[no-untyped-def]
        night = kz(2026, 5, 19, 23, 0)
        context = {"title": "Тал егу", "office": "Алматы кеңсесі", "starts_at": starts_at}
        message = schedule(sms_person, kind=kind, context=context, due_at=night)
        with clock(night + datetime.timedelta(seconds=30)):
            send_due()
        message.refresh_from_db()
        if sent_at_once:
            assert message.status == SENT and message.next_attempt_at == night
        else:
            assert message.status == "pending" and message.next_attempt_at == kz(2026, 5, 20, 8, 0)

    def test_email_ignores_quiet_hours(self, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob, due_at=kz(2026, 5, 19, 23, 30))
        with clock(kz(2026, 5, 19, 23, 30)):
            send_due()
        assert len(mail.outbox) == 1 and Message.objects.get(pk=message.pk).status == SENT


class TestRetries:
    def test_transient_error_backs_off_then_fails_with_the_reason(self, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob)
        moment = message.due_at
        failure = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=failure):
            for attempt in range(1, 6):
                with clock(moment):
                    send_due()
                message.refresh_from_db()
                assert message.attempts == attempt
                if attempt < 5:
                    assert message.status == "pending"
                    assert message.next_attempt_at - moment == datetime.timedelta(minutes=5 ** (attempt - 1))
                    moment = message.next_attempt_at
        assert message.status == "failed"
        assert "could not be reached" in message.last_error and "unexpectedly closed" in message.last_error

    def test_refused_address_fails_at_once(self, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob)
        refused = smtplib.SMTPRecipientsRefused({bob.email: (550, b"no such mailbox")})
        with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused):
            with clock(message.due_at):
                send_due()
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("failed", 1)
        assert "no such mailbox" in message.last_error

    def test_staff_retry_sends_a_failed_message(self, bob, alice) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob, due_at=timezone.now() - datetime.timedelta(hours=1))
        Message.objects.filter(pk=message.pk).update(status="failed", attempts=5, last_error="boom")
        services.message_retry(message=message, by=alice)
        send_due()
        message.refresh_from_db()
        assert (message.status, message.attempts) == (SENT, 1)
        assert len(mail.outbox) == 1
        with pytest.raises(ValidationError):
            services.message_retry(message=message, by=alice)

    @pytest.mark.parametrize("reply", [{"id": 4711, "status": "queued"}, None])
    def test_a_gateway_reply_that_is_not_text_marks_the_sms_sent_once(self, almaty, settings, reply) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550035")
        message = schedule(person, due_at=kz(2026, 5, 19, 12))
        after_the_reclaim = message.due_at + datetime.timedelta(
            seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT + 60
        )
        with mock.patch("notifications.sms.ConsoleSmsBackend.send", return_value=reply) as gateway:
            with clock(message.due_at):
                send_due()
            with clock(after_the_reclaim):
                send_due()
        assert gateway.call_count == 1
        message.refresh_from_db()
        assert (message.status, message.attempts) == (SENT, 1)
        assert message.result == ("" if reply is None else str(reply))

    def test_no_address_fails_with_a_reason(self, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, email="", phone="")
        message = schedule(person, due_at=timezone.now())
        send_due()
        message.refresh_from_db()
        assert (message.status, message.last_error) == ("failed", services.REASON_NO_EMAIL)


class TestClaims:
    def test_two_sweeps_share_nothing(self, bob) -> None:  # type: ignore[no-untyped-def]
        for n in range(5):
            schedule(bob, subject_id=n, due_at=timezone.now())
        _token_a, first = services.messages_claim_due(limit=3)
        _token_b, second = services.messages_claim_due(limit=3)
        assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)
        assert services.message_send(message_id=first[0]) is None  # claimed: not pending any more

    def test_message_left_sending_by_a_dead_worker_is_reclaimed(self, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob, due_at=timezone.now() - datetime.timedelta(hours=1))
        _token, ids = services.messages_claim_due(limit=10)
        assert ids == [message.pk]
        # The worker died here: nothing sent, the message stays 'sending'.
        assert send_due().sent == 0
        with override_settings(NOTIFICATIONS_SENDING_TIMEOUT=0):
            report = send_due()
        assert (report.reclaimed, report.sent) == (1, 1)
        assert len(mail.outbox) == 1

    def test_claims_are_timed_by_the_database_clock(self, bob) -> None:  # type: ignore[no-untyped-def]
        """A worker host whose clock lags the database's must not see its own fresh claims as
        stale (nor another host's): claim and reclaim both ask the database for the time."""
        message = schedule(bob)
        with clock(message.due_at):  # this host believes it is months earlier
            _token, ids = services.messages_claim_due(limit=10)
            assert ids == [message.pk]
            assert services.messages_reclaim_stuck() == 0
        assert Message.objects.get(pk=message.pk).status == "sending"

    def test_a_batch_that_lost_its_claim_skips_the_message(self, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob, due_at=timezone.now() - datetime.timedelta(minutes=1))
        token, _ids = services.messages_claim_due(limit=10)
        with override_settings(NOTIFICATIONS_SENDING_TIMEOUT=0):
            services.messages_reclaim_stuck()
        with services._Batch(token) as batch:
            assert batch.send([message.pk]) == {message.pk: None}
        assert not mail.outbox


class TestRescheduleAndCancel:
    def test_moved_shift_moves_waiting_reminders(self, bob, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        for person in (bob, astana_volunteer):
            schedule(person, kind="shift_reminder_24h", subject_id=7)
            schedule(person, kind="shift_reminder_2h", subject_id=7, due_at=kz(2026, 5, 20, 8))
        new_start = kz(2026, 5, 27, 15, 0)
        with clock(kz(2026, 5, 18, 9, 0)):
            moved = services.messages_reschedule(
                subject_type="events.signup",
                subject_id=7,
                kinds=["shift_reminder_24h"],
                new_due_at=new_start - datetime.timedelta(hours=24),
                valid_until=new_start,
                context={"starts_at": new_start},
            )
        assert moved == 2
        day_before = Message.objects.filter(kind="shift_reminder_24h")
        assert {m.due_at for m in day_before} == {kz(2026, 5, 26, 15, 0)}
        assert {m.context["starts_at"] for m in day_before} == {"2026-05-27T15:00:00+05:00"}
        # The other kind was not asked to move.
        assert set(Message.objects.filter(kind="shift_reminder_2h").values_list("due_at", flat=True)) == {
            kz(2026, 5, 20, 8)
        }
        with clock(kz(2026, 5, 26, 15, 0)):
            send_due()
        day_before_mails = [m for m in mail.outbox if m.subject == "Ертең: Тал егу"]
        assert sorted(m.to[0] for m in day_before_mails) == sorted([bob.email, astana_volunteer.email])
        assert all("27.05.2026 15:00" in m.body for m in day_before_mails)

    def test_moved_after_the_reminder_went_out_reminds_again(self, bob) -> None:  # type: ignore[no-untyped-def]
        first = schedule(bob, subject_id=8)
        with clock(first.due_at):
            send_due()
        with clock(kz(2026, 5, 19, 12)):
            services.messages_reschedule(
                subject_type="events.signup",
                subject_id=8,
                kinds=["shift_reminder_24h"],
                new_due_at=kz(2026, 6, 1, 10),
                context={"starts_at": kz(2026, 6, 2, 10)},
            )
        rows = list(Message.objects.filter(subject_id=8).order_by("due_at").values_list("status", "due_at"))
        assert rows == [(SENT, first.due_at), ("pending", kz(2026, 6, 1, 10))]

    def test_rescheduling_twice_keeps_one_waiting_reminder(self, bob) -> None:  # type: ignore[no-untyped-def]
        schedule(bob, subject_id=9)
        for day in (22, 23, 22):
            services.messages_reschedule(
                subject_type="events.signup",
                subject_id=9,
                kinds=["shift_reminder_24h"],
                new_due_at=kz(2026, 5, day, 10),
            )
        assert list(Message.objects.filter(subject_id=9).values_list("status", "due_at")) == [
            ("pending", kz(2026, 5, 22, 10))
        ]

    def test_cancel_stops_what_has_not_gone_out(self, bob, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        schedule(bob, subject_id=4)
        schedule(astana_volunteer, subject_id=4)
        assert services.messages_cancel(subject_type="events.signup", subject_id=4, recipient=bob) == 1
        assert (
            services.messages_cancel(subject_type="events.signup", subject_id=4, kinds=["visit_booked"]) == 0
        )
        statuses = dict(Message.objects.values_list("recipient_id", "status"))
        assert statuses == {bob.pk: "cancelled", astana_volunteer.pk: "pending"}


class TestChannels:
    def test_email_connection_is_reused_across_a_batch(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        others = [VolunteerFactory(region=almaty) for _ in range(3)]
        for person in [bob, *others]:
            schedule(person, due_at=timezone.now())
        with mock.patch("django.core.mail.backends.locmem.EmailBackend.open") as opened:
            send_due()
        assert opened.call_count == 1
        assert len(mail.outbox) == 4

    def test_temporary_refusal_is_transient(self) -> None:
        channel = EmailChannel()
        refused = smtplib.SMTPRecipientsRefused({"a@example.kz": (451, b"try later")})
        from notifications.channels import Outgoing

        with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused):
            with pytest.raises(TransientSendError):
                channel.send(
                    Outgoing(message_id=1, to="a@example.kz", subject="s", text="t", html="<p>t</p>")
                )


class TestSweepCost:
    def test_one_query_per_message_plus_a_constant_per_batch(self, almaty) -> None:  # type: ignore[no-untyped-def]
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def sweep_of(count: int, first_subject: int) -> int:
            for n in range(count):
                person = VolunteerFactory(region=almaty)
                Preference.objects.create(volunteer=person)
                schedule(person, subject_id=first_subject + n, due_at=timezone.now())
            with CaptureQueriesContext(connection) as queries:
                assert services.messages_send_due(max_seconds=30).sent == count
            return len(queries)

        few, many = sweep_of(3, 100), sweep_of(10, 200)
        # Loading the recipient, their preferences and the text adds nothing per message: only
        # the UPDATE that marks each one sent.
        assert many - few == 7


class TestRenderOncePerText:
    def test_people_reminded_of_one_shift_get_their_own_name_and_link(self, almaty) -> None:  # type: ignore[no-untyped-def]
        people = [
            VolunteerFactory(region=almaty, first_name=name) for name in ("Дана", "<b>Әсел</b>", "Ержан & Co")
        ]
        for person in people:
            schedule(person, subject_id=person.pk, due_at=timezone.now())
        send_due()
        by_address = {m.to[0]: m for m in mail.outbox}
        for person in people:
            email = by_address[person.email]
            html = email.alternatives[0].content  # type: ignore[union-attr]
            link = unsubscribe_link(email.body)
            assert read_unsubscribe_token(link.rstrip("/").rsplit("/", 1)[1]) == (person.pk, "email")
            assert f"Сәлеметсіз бе, {person.first_name}!" in email.body and link in email.body
            # Escaped in HTML like any other value, whatever the caching.
            assert f"Сәлеметсіз бе, {escape(person.first_name)}!" in html and escape(link) in html
            assert "<b>Әсел</b>" not in html


class TestMergedRecords:
    def test_a_channel_turned_off_on_either_record_stays_off(self, almaty, alice) -> None:  # type: ignore[no-untyped-def]
        from volunteers.services import volunteer_merge

        kept = VolunteerFactory(region=almaty, preferred_channel="email")
        dropped = VolunteerFactory(region=almaty, preferred_channel="email")
        Preference.objects.create(volunteer=kept, sms_opt_out=True)
        # Unsubscribed from e-mail on the record that is merged away.
        Preference.objects.create(volunteer=dropped, email_opt_out=True)
        volunteer_merge(keep=kept, drop=dropped, by=alice)
        preference = Preference.objects.get(volunteer=kept)
        assert (preference.email_opt_out, preference.sms_opt_out) == (True, True)
        assert not Preference.objects.filter(volunteer_id=dropped.pk).exists()
        message = schedule(kept, due_at=kz(2026, 5, 19, 12))
        with clock(message.due_at):
            send_due()
        message.refresh_from_db()
        assert (message.status, message.last_error) == ("cancelled", services.REASON_OPTED_OUT)
        assert not mail.outbox

    def test_the_kept_records_choices_stand_when_the_other_made_none(self, almaty, alice) -> None:  # type: ignore[no-untyped-def]
        from volunteers.services import volunteer_merge

        kept = VolunteerFactory(region=almaty)
        dropped = VolunteerFactory(region=almaty)
        Preference.objects.create(volunteer=dropped, sms_opt_out=True)
        volunteer_merge(keep=kept, drop=dropped, by=alice)
        preference = Preference.objects.get(volunteer=kept)
        assert (preference.email_opt_out, preference.sms_opt_out) == (False, True)


class TestCalledOffWhileItsBatchSends:
    """Reminders of every shift starting at one hour are due at one moment and go out in one
    batch; a sign-up withdrawn or a shift moved while that batch is under way must stop the
    reminders not yet sent."""

    def _claimed(self, almaty, count: int = 3):  # type: ignore[no-untyped-def]
        people = [VolunteerFactory(region=almaty) for _ in range(count)]
        for person in people:
            schedule(person, subject_id=person.pk, due_at=timezone.now())
        token, ids = services.messages_claim_due(limit=10)
        assert len(ids) == count
        return token, ids

    def _send_calling_off(self, token, ids, call_off):  # type: ignore[no-untyped-def]
        """The batch sends; while it sends the first message, `call_off` runs (staff at work)."""
        send = mock.Mock(side_effect=lambda *args, **kwargs: None)

        def first_then_call_off(backend, messages, *args, **kwargs):  # type: ignore[no-untyped-def]
            if send.call_count == 0:
                call_off()
            send()
            return len(messages)

        with (
            mock.patch.object(services, "RECHECK_SECONDS", 0, create=True),
            mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", first_then_call_off),
            services._Batch(token) as batch,
        ):
            return batch.send(ids), send.call_count

    def test_a_withdrawn_sign_ups_reminder_is_not_sent(self, almaty) -> None:  # type: ignore[no-untyped-def]
        token, ids = self._claimed(almaty)
        withdrawn = Message.objects.get(pk=ids[1]).recipient  # not the one being sent
        outcome, sent = self._send_calling_off(
            token,
            ids,
            lambda: services.messages_cancel(subject_type="events.signup", subject_id=withdrawn.pk),
        )
        assert sent == 2
        message = Message.objects.get(recipient=withdrawn)
        assert (message.status, message.last_error) == ("cancelled", services.REASON_CANCELLED)
        assert outcome[message.pk] is None
        assert sorted(Message.objects.values_list("status", flat=True)) == ["cancelled", SENT, SENT]
        # Nothing is left for a later sweep to pick up and send after all.
        with clock(timezone.now() + datetime.timedelta(hours=1)):
            assert send_due().sent == 0
        assert Message.objects.get(pk=message.pk).status == "cancelled"

    def test_a_moved_shifts_old_time_is_not_sent(self, almaty) -> None:  # type: ignore[no-untyped-def]
        token, ids = self._claimed(almaty)
        moved = Message.objects.get(pk=ids[2]).recipient
        later = timezone.now() + datetime.timedelta(days=1)
        _outcome, sent = self._send_calling_off(
            token,
            ids,
            lambda: services.messages_reschedule(
                subject_type="events.signup",
                subject_id=moved.pk,
                kinds=["shift_reminder_24h"],
                new_due_at=later,
            ),
        )
        assert sent == 2
        rows = {m.due_at: m for m in Message.objects.filter(recipient=moved)}
        old = next(m for due, m in rows.items() if due != later)
        assert (old.status, old.last_error) == ("cancelled", services.REASON_SUPERSEDED)
        assert rows[later].status == "pending"
        assert sorted(Message.objects.values_list("status", flat=True)) == [
            "cancelled",
            "pending",
            SENT,
            SENT,
        ]
