"""What volunteers are told about their shifts (events/messages.py), sent by the real sweep.

The sweep runs in-process (`messages_send_due`) with Django's in-memory mailbox; the clock is
moved to a reminder's due time to see it go out. The end-to-end test at the bottom signs up
through the page and lets a real Celery worker on Redis deliver.
"""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services
from events.models import Signup
from notifications.models import Message
from notifications.services import messages_send_due
from tests.conftest import client_for
from tests.factories import VolunteerFactory
from tests.notifications.backends import deliveries
from tests.notifications.conftest import clock
from tests.notifications.test_worker import processes, wait_for  # noqa: F401 (a fixture)

from .factories import CampaignFactory, ShiftFactory, in_days

H = datetime.timedelta(hours=1)


def send_due() -> int:
    return messages_send_due(max_seconds=30).sent


def messages_of(signup: Signup, **filters: object) -> list[Message]:
    return list(
        Message.objects.filter(subject_type="events.signup", subject_id=signup.pk, **filters).order_by(
            "due_at", "kind"
        )
    )


def waiting(signup: Signup) -> dict[str, datetime.datetime]:
    """The person's reminders still to go out: kind → due time."""
    return {
        m.kind: m.due_at for m in messages_of(signup, status="pending", kind__startswith="shift_reminder")
    }


@pytest.fixture
def shift(db):  # type: ignore[no-untyped-def]
    # 10:00 in Almaty (05:00 UTC) in five days.
    return ShiftFactory(
        campaign=CampaignFactory(title="Таза Алматы"),
        place_name="Есентай өзені",
        address="Әл-Фараби даңғылы, 77",
        starts_at=in_days(5, hour=10),
        capacity=1,
    )


@pytest.mark.django_db
class TestSignup:
    def test_confirmation_goes_out_in_kazakh_with_almaty_time_and_a_link(self, almaty, shift) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language="kk", first_name="Дана")
        signup = services.signup_create(shift=shift, volunteer=person, by=None)

        assert send_due() == 1
        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        assert email.to == [person.email]
        assert email.subject == "Сіз жазылдыңыз: Таза Алматы"
        assert "Сәлеметсіз бе, Дана!" in email.body
        assert "«Таза Алматы» іс-шарасына жазылдыңыз" in email.body
        # Almaty time, whatever the server's zone: 10:00, not the 05:00 of UTC.
        assert "10:00" in email.body and "05:00" not in email.body
        assert "Орны: Есентай өзені, Әл-Фараби даңғылы, 77" in email.body
        assert f"{settings.SITE_URL}/shifts/{shift.pk}/" in email.body
        confirmed = messages_of(signup, kind="signup_confirmed")
        assert [(m.status, m.language) for m in confirmed] == [("sent", "kk")]
        # Nothing else is due yet: the reminders wait for their time.
        assert send_due() == 0 and len(mail.outbox) == 1

    def test_reminders_are_due_a_day_and_two_hours_before_and_expire_in_time(self, bob, shift) -> None:  # type: ignore[no-untyped-def]
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        assert waiting(signup) == {
            "shift_reminder_24h": shift.starts_at - 24 * H,
            "shift_reminder_2h": shift.starts_at - 2 * H,
        }
        # "Tomorrow" until the shift's own Almaty day begins; "in two hours" until the start.
        shift_day = timezone.localtime(shift.starts_at).replace(hour=0)
        assert {m.kind: m.valid_until for m in messages_of(signup, kind__startswith="shift_reminder")} == {
            "shift_reminder_24h": shift_day,
            "shift_reminder_2h": shift.starts_at,
        }
        assert {m.context["url"] for m in messages_of(signup)} == {f"{settings.SITE_URL}/shifts/{shift.pk}/"}
        assert {m.context["starts_at"] for m in messages_of(signup)} == {
            timezone.localtime(shift.starts_at).isoformat()
        }
        assert messages_of(signup)[0].context["starts_at"].endswith("T10:00:00+05:00")

    def test_reminder_goes_out_at_its_time_once(self, almaty, shift) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language="kk")
        services.signup_create(shift=shift, volunteer=person, by=None)
        send_due()
        mail.outbox.clear()
        with clock(shift.starts_at - 24 * H + datetime.timedelta(seconds=5)):
            assert send_due() == 1
            assert send_due() == 0
        assert [m.subject for m in mail.outbox] == ["Ертең: Таза Алматы"]
        with clock(shift.starts_at - 2 * H + datetime.timedelta(seconds=5)):
            assert send_due() == 1
        assert len(mail.outbox) == 2 and mail.outbox[1].subject == "Екі сағаттан кейін: Таза Алматы"

    def test_late_sign_up_skips_the_reminder_whose_time_has_passed(self, bob) -> None:  # type: ignore[no-untyped-def]
        soon = ShiftFactory(starts_at=timezone.now() + 5 * H)
        signup = services.signup_create(shift=soon, volunteer=bob, by=None)
        assert waiting(signup) == {"shift_reminder_2h": soon.starts_at - 2 * H}

    def test_reminder_hours_come_from_the_settings(self, bob, shift, settings) -> None:  # type: ignore[no-untyped-def]
        settings.SHIFT_REMINDER_HOURS = (48, 3)
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        assert waiting(signup) == {
            "shift_reminder_24h": shift.starts_at - 48 * H,
            "shift_reminder_2h": shift.starts_at - 3 * H,
        }

    def test_waitlisted_person_gets_no_confirmation_and_no_reminders(self, almaty, shift) -> None:  # type: ignore[no-untyped-def]
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        late = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        assert late.status == "waitlisted"
        assert messages_of(late) == []

    def test_refused_sign_up_schedules_nothing(self, bob) -> None:  # type: ignore[no-untyped-def]
        closed = ShiftFactory(campaign=CampaignFactory(status="draft"))
        with pytest.raises(ValidationError):
            services.signup_create(shift=closed, volunteer=bob, by=None)
        assert not Message.objects.exists()


@pytest.mark.django_db
class TestCancellation:
    def test_own_cancellation_cancels_the_reminders_and_sends_nothing(self, bob, shift) -> None:  # type: ignore[no-untyped-def]
        signup = services.signup_create(shift=shift, volunteer=bob, by=bob.user)
        send_due()
        mail.outbox.clear()
        services.signup_cancel(signup=signup, by=bob.user)
        assert waiting(signup) == {}
        assert {m.kind: m.status for m in messages_of(signup)} == {
            "signup_confirmed": "sent",
            "shift_reminder_24h": "cancelled",
            "shift_reminder_2h": "cancelled",
        }
        with clock(shift.starts_at - 2 * H):
            assert send_due() == 0
        assert mail.outbox == []

    def test_coordinator_cancelling_tells_the_volunteer_in_their_language(self, alice, almaty, shift) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language="ru")
        signup = services.signup_create(shift=shift, volunteer=person, by=alice)
        send_due()
        mail.outbox.clear()
        services.signup_cancel(signup=signup, by=alice)
        assert send_due() == 1
        assert mail.outbox[0].subject == "Запись отменена: Таза Алматы"
        assert "отменена организаторами" in mail.outbox[0].body
        assert "10:00" in mail.outbox[0].body
        assert waiting(signup) == {}

    def test_promotion_from_the_waitlist_is_told_and_reminded(self, almaty, shift) -> None:  # type: ignore[no-untyped-def]
        first = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        second_person = VolunteerFactory(region=almaty, preferred_language="kk")
        second = services.signup_create(shift=shift, volunteer=second_person, by=None)
        send_due()
        mail.outbox.clear()

        services.signup_cancel(signup=first, by=None)
        second.refresh_from_db()
        assert second.status == "confirmed"
        assert waiting(second) == {
            "shift_reminder_24h": shift.starts_at - 24 * H,
            "shift_reminder_2h": shift.starts_at - 2 * H,
        }
        assert send_due() == 2  # the promoted person's news, and the first one's "cancelled" note
        promoted = [m for m in mail.outbox if m.to == [second_person.email]]
        assert [m.subject for m in promoted] == ["Орын босады: Таза Алматы"]


@pytest.mark.django_db
class TestShiftChanges:
    def test_moved_shift_moves_the_reminders_and_tells_everyone(self, alice, almaty, shift) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language="kk")
        signup = services.signup_create(shift=shift, volunteer=person, by=None)
        waitlisted = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        send_due()
        mail.outbox.clear()
        old_start = shift.starts_at
        new_start = old_start + 26 * H  # the next day, at noon

        services.shift_update(
            shift=shift, data={"starts_at": new_start, "ends_at": new_start + 3 * H}, by=alice
        )
        assert waiting(signup) == {
            "shift_reminder_24h": new_start - 24 * H,
            "shift_reminder_2h": new_start - 2 * H,
        }
        # Moved, not doubled: one of each, the old slots gone.
        assert len(messages_of(signup, kind__startswith="shift_reminder")) == 2
        assert waiting(waitlisted) == {}
        assert send_due() == 2
        changed = {tuple(m.to): m for m in mail.outbox}
        assert changed[(person.email,)].subject == "Өзгерді: Таза Алматы"
        assert "12:00" in changed[(person.email,)].body
        mail.outbox.clear()

        # At the old reminder time nothing goes out; at the new one, the reminder with the new time.
        with clock(old_start - 24 * H + datetime.timedelta(seconds=5)):
            assert send_due() == 0
        with clock(new_start - 24 * H + datetime.timedelta(seconds=5)):
            assert send_due() == 1
        assert "12:00" in mail.outbox[0].body

    def test_moved_close_to_the_start_drops_late_reminders(self, alice, bob, shift) -> None:  # type: ignore[no-untyped-def]
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        soon = timezone.now() + 3 * H
        services.shift_update(shift=shift, data={"starts_at": soon, "ends_at": soon + H}, by=alice)
        assert waiting(signup) == {"shift_reminder_2h": soon - 2 * H}
        assert {m.kind: m.status for m in messages_of(signup, kind="shift_reminder_24h")} == {
            "shift_reminder_24h": "cancelled"
        }

    def test_edit_that_keeps_the_time_sends_nothing(self, alice, bob, shift) -> None:  # type: ignore[no-untyped-def]
        services.signup_create(shift=shift, volunteer=bob, by=None)
        send_due()
        mail.outbox.clear()
        services.shift_update(shift=shift, data={"notes": "Қолғап әкеліңіз."}, by=alice)
        assert send_due() == 0
        assert not Message.objects.filter(kind="shift_changed").exists()

    def test_a_renamed_campaign_is_reminded_by_its_new_name(self, alice, bob, shift) -> None:  # type: ignore[no-untyped-def]
        """The reminders' texts were written at sign-up: renamed a week before, the campaign was
        still reminded by its old name, which people no longer find on its page."""
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        services.campaign_update(campaign=shift.campaign, data={"title": "Таза Алматы — 2026"}, by=alice)
        reminders = Message.objects.filter(subject_id=signup.pk, kind__startswith="shift_reminder")
        assert reminders.count() == 2
        assert {m.context["title"] for m in reminders} == {"Таза Алматы — 2026"}
        # Renaming tells nobody by itself, and reminds nobody twice.
        assert not Message.objects.filter(kind="shift_changed").exists()
        assert Message.objects.filter(subject_id=signup.pk).count() == 3

    def test_a_campaign_renamed_in_the_admin_is_too(self, nora, bob, shift) -> None:  # type: ignore[no-untyped-def]
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        client = client_for(nora)
        url = f"/admin/events/campaign/{shift.campaign_id}/change/"
        form = client.get(url).context["adminform"].form
        data = {name: form[name].value() for name in form.fields}
        data = {name: ("" if value is None else value) for name, value in data.items()}
        response = client.post(url, data | {"title": "Жаңа атау"})
        assert response.status_code == 302, response.context["adminform"].form.errors
        reminders = Message.objects.filter(subject_id=signup.pk, kind__startswith="shift_reminder")
        assert {m.context["title"] for m in reminders} == {"Жаңа атау"}

    def test_cancelled_shift_tells_each_person_once_and_drops_their_reminders(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(title="Таза Алматы"), capacity=2)
        people = [VolunteerFactory(region=almaty, preferred_language="kk") for _ in range(3)]
        signups = [services.signup_create(shift=shift, volunteer=p, by=None) for p in people]
        assert [s.status for s in signups] == ["confirmed", "confirmed", "waitlisted"]
        send_due()
        mail.outbox.clear()

        services.shift_cancel(shift=shift, by=alice)
        # Cancelling the campaign afterwards finds the shift cancelled already: no second note.
        services.campaign_set_status(campaign=shift.campaign, status="cancelled", by=alice)
        assert send_due() == 3
        assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
        assert {m.subject for m in mail.outbox} == {"Тоқтатылды: Таза Алматы"}
        for signup in signups:
            assert waiting(signup) == {}
        with clock(shift.starts_at - 2 * H):
            assert send_due() == 0

    def test_cancelled_campaign_tells_the_people_of_its_upcoming_shifts(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        services.campaign_set_status(campaign=shift.campaign, status="cancelled", by=alice)
        # The confirmation not sent yet is dropped too: "signed up" must not follow "cancelled".
        assert {m.kind: m.status for m in messages_of(signup)} == {
            "signup_confirmed": "cancelled",
            "shift_reminder_24h": "cancelled",
            "shift_reminder_2h": "cancelled",
            "shift_cancelled": "pending",
        }


@pytest.mark.django_db(transaction=True)
def test_sign_up_on_the_page_is_confirmed_and_reminded_once_by_a_real_worker(processes) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Through Redis to a separate worker process, which writes one file per e-mail delivered."""
    processes.worker("w1")
    person = VolunteerFactory(with_account=True, preferred_language="kk", first_name="Әлия")
    shift = ShiftFactory(campaign=CampaignFactory(title="Қарттарға көмек"), starts_at=in_days(3))

    response = client_for(person.user).post(f"/shifts/{shift.pk}/signup/")
    assert response.status_code == 302
    signup = Signup.objects.get(shift=shift, volunteer=person)
    assert signup.status == "confirmed"

    # Queued on commit, taken by the worker: no sweep needed for a message due now.
    found = wait_for(lambda: deliveries(processes.mail_dir), timeout=30, what="the confirmation")
    (confirmation,) = messages_of(signup, kind="signup_confirmed")
    assert list(found) == [confirmation.pk]
    assert found[confirmation.pk][0]["subject"] == "Сіз жазылдыңыз: Қарттарға көмек"
    assert found[confirmation.pk][0]["to"] == [person.email]

    # Its time comes (here: brought forward in the database), and a sweep on the worker sends it.
    reminder = Message.objects.get(subject_id=signup.pk, kind="shift_reminder_24h")
    now = timezone.now()
    Message.objects.filter(pk=reminder.pk).update(due_at=now, next_attempt_at=now)
    from notifications import tasks

    tasks.sweep_due_messages.delay()
    tasks.sweep_due_messages.delay()
    wait_for(
        lambda: reminder.pk in deliveries(processes.mail_dir), timeout=30, what="the reminder to be delivered"
    )
    wait_for(lambda: processes.log("w1").count("succeeded") >= 3, timeout=30, what="both sweeps to have run")
    found = deliveries(processes.mail_dir)
    assert {pk: len(copies) for pk, copies in found.items()} == {confirmation.pk: 1, reminder.pk: 1}
    assert found[reminder.pk][0]["subject"] == "Ертең: Қарттарға көмек"
    reminder.refresh_from_db()
    assert reminder.status == "sent"
    assert Message.objects.get(kind="shift_reminder_2h", subject_id=signup.pk).status == "pending"


@pytest.mark.django_db
class TestMoveToAnotherShift:
    """A coordinator moves someone: one message from the old shift to the new one, never
    "your sign-up was cancelled by the organisers" followed by "you are signed up"."""

    def test_one_message_names_the_old_and_the_new_shift(self, alice, almaty, shift) -> None:  # type: ignore[no-untyped-def]
        later = ShiftFactory(
            campaign=shift.campaign,
            place_name="Сайран көлі",
            address="",
            starts_at=in_days(6, hour=17),
        )
        person = VolunteerFactory(region=almaty, preferred_language="en")
        signup = services.signup_create(shift=shift, volunteer=person, by=None)
        send_due()
        mail.outbox.clear()

        move = services.signup_move(signup=signup, to_shift=later, by=alice)

        assert send_due() == 1
        (email,) = mail.outbox
        assert email.to == [person.email]
        assert (
            email.subject
            == f"Moved to another shift: Таза Алматы, {timezone.localtime(later.starts_at):%d.%m.%Y} 17:00"
        )
        assert "The organisers have moved you to another shift of “Таза Алматы”." in email.body
        assert "Earlier shift:" in email.body and "10:00, Есентай өзені, Әл-Фараби даңғылы, 77" in email.body
        assert "New shift:" in email.body and "17:00" in email.body
        assert "Place: Сайран көлі" in email.body
        assert "cancelled" not in email.body.lower()
        # The old place's reminders are dropped; the new shift's wait for their time.
        assert waiting(signup) == {}
        assert waiting(move.signup) == {
            "shift_reminder_24h": later.starts_at - 24 * H,
            "shift_reminder_2h": later.starts_at - 2 * H,
        }
        assert [m.kind for m in messages_of(move.signup, status="sent")] == ["shift_changed"]
        assert not Message.objects.filter(kind__in=["generic", "signup_confirmed"], status="pending").exists()

    def test_the_first_on_the_old_waitlist_is_told_of_the_place(self, alice, almaty, shift) -> None:  # type: ignore[no-untyped-def]
        later = ShiftFactory(campaign=shift.campaign, starts_at=in_days(6))
        moved = VolunteerFactory(region=almaty, preferred_language="kk")
        signup = services.signup_create(shift=shift, volunteer=moved, by=None)
        waiter = VolunteerFactory(region=almaty, preferred_language="kk")
        services.signup_create(shift=shift, volunteer=waiter, by=None)
        send_due()
        mail.outbox.clear()

        move = services.signup_move(signup=signup, to_shift=later, by=alice)

        assert [s.volunteer for s in move.promoted] == [waiter]
        assert send_due() == 2
        to = {m.to[0]: m.subject for m in mail.outbox}
        assert to[waiter.email] == "Орын босады: Таза Алматы"
        assert set(to) == {waiter.email, moved.email}

    def test_a_lift_asked_for_the_old_shift_is_said_to_be_called_off(self, alice, almaty, shift) -> None:  # type: ignore[no-untyped-def]
        from events import services_extra

        later = ShiftFactory(campaign=shift.campaign, starts_at=in_days(6))
        person = VolunteerFactory(region=almaty, preferred_language="en")
        signup = services.signup_create(shift=shift, volunteer=person, by=None)
        services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=1)
        send_due()
        mail.outbox.clear()
        services.signup_move(signup=signup, to_shift=later, by=alice)
        send_due()
        assert "The lift you asked for to the earlier shift has been called off" in mail.outbox[0].body


@pytest.mark.django_db
class TestShiftChangeWithALift:
    def test_a_person_with_an_arranged_lift_is_told_it_will_be_confirmed_again(
        self, alice, almaty, shift
    ) -> None:  # type: ignore[no-untyped-def]
        from events import services_extra

        shift.capacity = 2
        shift.save()
        rider = VolunteerFactory(region=almaty, preferred_language="en")
        walker = VolunteerFactory(region=almaty, preferred_language="en")
        ride = services.signup_create(shift=shift, volunteer=rider, by=None)
        services.signup_create(shift=shift, volunteer=walker, by=None)
        request = services_extra.transport_request_save(signup=ride, pickup="Сайран", seats=1)
        services_extra.transport_arrange(
            request=request,
            by=alice,
            driver_name="Серік",
            driver_phone="+77015550000",
            departure_at=shift.starts_at - 45 * datetime.timedelta(minutes=1),
            departure_place="Сайран аялдамасы",
        )
        send_due()
        mail.outbox.clear()

        earlier = shift.starts_at - H
        services.shift_update(shift=shift, data={"starts_at": earlier, "ends_at": earlier + 3 * H}, by=alice)

        assert send_due() == 2
        bodies = {m.to[0]: m.body for m in mail.outbox}
        assert "the coordinator will confirm it again" in bodies[rider.email]
        assert "the coordinator will confirm it again" not in bodies[walker.email]

    def test_a_new_place_is_told_too(self, alice, bob, shift) -> None:  # type: ignore[no-untyped-def]
        services.signup_create(shift=shift, volunteer=bob, by=None)
        send_due()
        mail.outbox.clear()
        services.shift_update(shift=shift, data={"place_name": "Сайран көлі", "address": ""}, by=alice)
        assert send_due() == 1
        assert "Сайран көлі" in mail.outbox[0].body

    @pytest.mark.parametrize(
        ("language", "moved", "retimed"),
        [
            ("kk", "ауысымы басқа орынға ауысты: Сайран көлі. Ол бұрынғыдай", "Енді ол"),
            ("ru", "переехала в другое место: Сайран көлі. Начинается она, как и прежде,", "Теперь она"),
        ],
    )
    def test_a_new_place_alone_is_not_told_as_a_new_time(
        self, alice, almaty, shift, language: str, moved: str, retimed: str
    ) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language=language)
        services.signup_create(shift=shift, volunteer=person, by=None)
        send_due()
        mail.outbox.clear()
        services.shift_update(shift=shift, data={"place_name": "Сайран көлі", "address": ""}, by=alice)
        assert send_due() == 1
        body = mail.outbox[0].body
        assert moved in body and retimed not in body
        assert moved in mail.outbox[0].alternatives[0][0]
        # A new time is told as one.
        mail.outbox.clear()
        later = shift.starts_at + H
        services.shift_update(shift=shift, data={"starts_at": later, "ends_at": later + 3 * H}, by=alice)
        assert send_due() == 1
        assert retimed in mail.outbox[0].body and moved not in mail.outbox[0].body
