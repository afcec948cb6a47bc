"""Pages: staff messages of their regions (404 outside), a volunteer's own messages and channel
choices, one-click unsubscribe, announcements with a preview of their audience."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import services
from notifications.models import Broadcast, Message, Preference
from notifications.tokens import unsubscribe_token
from tests.conftest import client_for, reads_iin
from tests.factories import UserFactory, VolunteerFactory
from volunteers.models import Volunteer

from .conftest import clock, kz, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_message(bob):  # type: ignore[no-untyped-def]
    message = schedule(bob, due_at=timezone.now() - datetime.timedelta(hours=1))
    Message.objects.filter(pk=message.pk).update(
        status="failed", attempts=5, last_error="the mail server answered 554: 'relay denied'"
    )
    return message


class TestStaffPages:
    def test_coordinator_sees_messages_of_own_region_only(self, alice, bob, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        mine = schedule(bob)
        theirs = schedule(astana_volunteer)
        response = client_for(alice).get("/messages/")
        assert response.status_code == 200
        assert list(response.context["page"].object_list) == [mine]
        assert client_for(alice).get(f"/messages/{theirs.pk}/").status_code == 404
        assert client_for(alice).post(f"/messages/{theirs.pk}/retry/").status_code == 404

    def test_national_staff_see_every_region(self, nora, bob, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        schedule(bob)
        schedule(astana_volunteer)
        assert client_for(nora).get("/messages/").context["page"].paginator.count == 2

    def test_a_long_log_is_counted_up_to_the_cap_and_says_more_than(self, nora, bob, settings) -> None:  # type: ignore[no-untyped-def]
        """A national log of a million messages is not counted row by row on every view: past
        the cap the page says "more than" and its pages end there."""
        settings.MESSAGE_LIST_COUNT_CAP = 4
        for number in range(5):
            schedule(bob, subject_id=number, due_at=timezone.now() + datetime.timedelta(days=1))
        with CaptureQueriesContext(connection) as queries:
            response = client_for(nora).get("/messages/?lang=en")
        page = response.context["page"]
        assert page.paginator.capped and page.paginator.count == 4
        assert "More than 4 messages: narrow them with the filters above." in response.text
        # The count reads no further than one row past the cap.
        (count,) = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
        assert "LIMIT 5" in count
        ru = client_for(nora).get("/messages/?lang=ru").text
        assert "Сообщений больше 4:" in ru
        # Under the cap, the exact count as before.
        filtered = client_for(nora).get("/messages/?lang=en&kind=shift_reminder_2h")
        assert not filtered.context["page"].paginator.capped

    def test_volunteers_and_visitors_do_not_get_the_staff_pages(self, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob)
        for url in ("/messages/", f"/messages/{message.pk}/", "/messages/broadcast/"):
            assert client_for(bob.user).get(url).status_code == 404
            assert Client().get(url).status_code == 302

    def test_filters_by_status_kind_and_person(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        other = VolunteerFactory(region=almaty, last_name="Нұрланова", first_name="Айгерім")
        reminder = schedule(bob)
        schedule(bob, kind="shift_reminder_2h", due_at=timezone.now())
        schedule(other, subject_id=5)
        Message.objects.filter(pk=reminder.pk).update(status="failed")
        client = client_for(alice)

        def found(query: str) -> set[int]:
            response = client.get(f"/messages/?{query}")
            assert response.status_code == 200
            return {m.pk for m in response.context["page"].object_list}

        assert found("status=failed") == {reminder.pk}
        assert len(found("kind=shift_reminder_2h")) == 1
        assert found("q=нұрланова") == set(
            Message.objects.filter(recipient=other).values_list("pk", flat=True)
        )
        assert found(f"volunteer={bob.pk}") == set(
            Message.objects.filter(recipient=bob).values_list("pk", flat=True)
        )

    @pytest.mark.parametrize("query", ["status=bogus", "volunteer=abc", "page=999"])
    def test_bad_filters_never_fail(self, alice, bob, query) -> None:  # type: ignore[no-untyped-def]
        schedule(bob)
        assert client_for(alice).get(f"/messages/?{query}").status_code == 200

    @pytest.mark.parametrize("volunteer", ["9223372036854775808", "999999999999999999999999"])
    def test_an_id_past_bigint_is_a_bad_filter(self, alice, bob, volunteer: str) -> None:  # type: ignore[no-untyped-def]
        # SQLite (make run) cannot even bind such a number: the list was a 500 there.
        schedule(bob)
        response = client_for(alice).get("/messages/", {"volunteer": volunteer})
        assert response.status_code == 200 and "volunteer" in response.context["form"].errors

    @pytest.mark.parametrize("query", ["kind=%00", "q=%00x"])
    def test_nul_bytes_are_refused_before_the_view(self, alice, bob, query) -> None:  # type: ignore[no-untyped-def]
        schedule(bob)
        assert client_for(alice).get(f"/messages/?{query}").status_code == 400

    def test_list_queries_do_not_grow_with_rows(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        schedule(VolunteerFactory(region=almaty))
        with CaptureQueriesContext(connection) as few:
            client.get("/messages/")
        for n in range(10):
            schedule(VolunteerFactory(region=almaty), subject_id=n + 10)
        with CaptureQueriesContext(connection) as many:
            client.get("/messages/")
        assert len(many) == len(few)

    def test_list_reads_no_recipients_iin(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        """The list shows names, never an IIN, so it reads (and decrypts) none."""
        from tests.factories import iin_for

        people = []
        for serial, name in enumerate(("Бекова", "Сейітова"), start=1):
            person = VolunteerFactory(region=almaty, last_name=name)
            person.iin = iin_for(person.birth_date, serial=serial)
            person.save()
            schedule(person, subject_id=serial)
            people.append(person)
        with CaptureQueriesContext(connection) as queries:
            html = client_for(alice).get("/messages/").content.decode()
        assert all(person.last_name in html for person in people)
        assert not reads_iin(queries.captured_queries)

    def test_detail_says_why_it_failed_and_retry_sends_it(self, alice, failed_message) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        page = client.get(f"/messages/{failed_message.pk}/")
        assert "relay denied" in page.content.decode()
        response = client.post(f"/messages/{failed_message.pk}/retry/")
        assert response.status_code == 302
        failed_message.refresh_from_db()
        assert (failed_message.status, failed_message.attempts) == ("pending", 0)
        services.messages_send_due(max_seconds=10)
        failed_message.refresh_from_db()
        assert failed_message.status == "sent" and len(mail.outbox) == 1
        # Sent now: retrying again is refused with a message, not an error page.
        again = client.post(f"/messages/{failed_message.pk}/retry/", follow=True)
        assert again.status_code == 200
        assert Message.objects.get(pk=failed_message.pk).status == "sent"

    def test_an_sms_retried_at_night_says_it_waits_for_the_morning(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550012")
        message = schedule(person, due_at=kz(2026, 5, 19, 12, 0))
        Message.objects.filter(pk=message.pk).update(status="failed", attempts=5, last_error="gateway 503")
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        with clock(kz(2026, 5, 19, 23, 10)):
            night = client.post(f"/messages/{message.pk}/retry/", follow=True)
        said = [str(m) for m in night.context["messages"]]
        assert "The message will be sent again at 08:00, after the night's quiet hours." in said
        Message.objects.filter(pk=message.pk).update(status="failed")
        with clock(kz(2026, 5, 20, 9, 0)):
            day = client.post(f"/messages/{message.pk}/retry/", follow=True)
        assert "The message will be sent again." in [str(m) for m in day.context["messages"]]

    def test_stored_reason_is_shown_in_the_readers_language(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob)
        Message.objects.filter(pk=message.pk).update(status="cancelled", last_error=services.REASON_OPTED_OUT)
        client = client_for(alice)
        client.cookies["django_language"] = "ru"
        assert "Получатель отключил этот канал." in client.get(f"/messages/{message.pk}/").content.decode()

    def test_logged_sms_is_not_shown_as_delivered_by_a_gateway(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob)
        Message.objects.filter(pk=message.pk).update(status="sent", result="logged", channel="sms")
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        page = client.get(f"/messages/{message.pk}/").content.decode()
        assert "no SMS gateway is configured" in page


class TestMyMessages:
    def test_volunteer_sees_own_messages_only(self, bob, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        schedule(bob)
        schedule(astana_volunteer)
        response = client_for(bob.user).get("/me/messages/")
        assert response.status_code == 200
        assert [m.recipient_id for m in response.context["items"]] == [bob.pk]

    def test_a_long_history_is_paged_down_to_the_first_message(self, bob) -> None:  # type: ignore[no-untyped-def]
        from notifications import views

        first = schedule(bob, subject_id=1)
        Message.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(days=300))
        for n in range(2, views.PAGE_SIZE * 2 + 6):
            schedule(bob, subject_id=n)
        client = client_for(bob.user)
        client.cookies["django_language"] = "en"
        newest = client.get("/me/messages/")
        assert len(newest.context["items"]) == views.PAGE_SIZE
        assert "Page 1 of 3" in newest.content.decode()
        assert 'href="?page=2#my-messages"' in newest.content.decode()
        last = client.get("/me/messages/?page=3")
        assert [m.pk for m in last.context["items"]][-1] == first.pk
        assert client.get("/me/messages/?page=nonsense").status_code == 200

    def test_an_sms_only_printed_on_the_server_is_not_shown_as_sent(self, bob, alice) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob)
        Message.objects.filter(pk=message.pk).update(status="sent", result="logged", channel="sms")
        delivered = schedule(bob, subject_id=2)
        Message.objects.filter(pk=delivered.pk).update(status="sent", result="gw-7781", channel="sms")
        client = client_for(bob.user)
        client.cookies["django_language"] = "en"
        response = client.get("/me/messages/")
        labels = {m.pk: m.status_label for m in response.context["items"]}
        assert labels == {message.pk: "Not sent: no SMS gateway", delivered.pk: "Sent"}
        assert "Not sent: no SMS gateway" in response.content.decode()
        staff = client_for(alice)
        staff.cookies["django_language"] = "en"
        assert "Not sent: no SMS gateway" in staff.get("/messages/").content.decode()

    def test_turning_a_channel_off_and_on(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        response = client.post("/me/messages/", {"sms": "on"})
        assert response.status_code == 302
        preference = Preference.objects.get(volunteer=bob)
        assert (preference.email_opt_out, preference.sms_opt_out) == (True, False)
        client.post("/me/messages/", {"email": "on", "sms": "on"})
        preference.refresh_from_db()
        assert (preference.email_opt_out, preference.sms_opt_out) == (False, False)

    def test_account_without_profile_gets_404(self) -> None:
        assert client_for(UserFactory()).get("/me/messages/").status_code == 404

    def test_profile_links_to_the_page(self, bob) -> None:  # type: ignore[no-untyped-def]
        assert "/me/messages/" in client_for(bob.user).get("/me/").content.decode()


class TestUnsubscribe:
    def test_get_only_asks_post_unsubscribes_without_login(self, bob) -> None:  # type: ignore[no-untyped-def]
        url = f"/unsubscribe/{unsubscribe_token(volunteer_id=bob.pk, channel='email')}/"
        client = Client(enforce_csrf_checks=True)
        assert client.get(url).status_code == 200
        assert not Preference.objects.filter(volunteer=bob).exists()
        # RFC 8058 one-click: the mail client posts this body, with no cookie and no CSRF token.
        response = client.post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        assert Preference.objects.get(volunteer=bob).email_opt_out is True
        assert client.post(url).status_code == 200  # twice is fine

    def test_a_link_from_a_record_since_merged_unsubscribes_the_person(self, almaty, alice) -> None:  # type: ignore[no-untyped-def]
        from volunteers.services import volunteer_merge

        kept = VolunteerFactory(region=almaty, preferred_language="ru")
        dropped = VolunteerFactory(region=almaty)
        # The link of an e-mail sent to the record that staff later merged into the other.
        url = f"/unsubscribe/{unsubscribe_token(volunteer_id=dropped.pk, channel='email')}/"
        volunteer_merge(keep=kept, drop=dropped, by=alice)
        page = Client().get(url)
        assert page.status_code == 200 and '<html lang="ru"' in page.content.decode()
        response = Client().post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        assert Preference.objects.get(volunteer=kept).email_opt_out is True
        message = schedule(kept, due_at=timezone.now())
        services.messages_send_due(max_seconds=10)
        message.refresh_from_db()
        assert message.status == "cancelled" and not mail.outbox

    def test_unsubscribed_volunteer_gets_no_more_mail(self, bob) -> None:  # type: ignore[no-untyped-def]
        message = schedule(bob, due_at=timezone.now())
        Client().post(f"/unsubscribe/{unsubscribe_token(volunteer_id=bob.pk, channel='email')}/")
        services.messages_send_due(max_seconds=10)
        message.refresh_from_db()
        assert message.status == "cancelled" and not mail.outbox

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_the_page_reads_in_the_language_of_the_persons_messages(self, almaty, method) -> None:  # type: ignore[no-untyped-def]
        # Followed from a Russian e-mail on a phone set to English, with nobody logged in.
        person = VolunteerFactory(region=almaty, preferred_language="ru")
        url = f"/unsubscribe/{unsubscribe_token(volunteer_id=person.pk, channel='email')}/"
        page = getattr(Client(), method)(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="ru"' in page and "Отписаться" in page and "Unsubscribe" not in page

    def test_a_language_chosen_on_the_site_is_kept(self, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language="ru")
        client = Client()
        client.cookies["django_language"] = "en"
        page = client.get(f"/unsubscribe/{unsubscribe_token(volunteer_id=person.pk, channel='email')}/")
        assert '<html lang="en"' in page.content.decode()

    @pytest.mark.parametrize("token", ["nonsense", "12.email:forged", "12.fax:x"])
    def test_forged_link_is_404(self, bob, token) -> None:  # type: ignore[no-untyped-def]
        assert Client().post(f"/unsubscribe/{token}/").status_code == 404
        assert not Preference.objects.exists()


class TestAnnouncementsAlone:
    """Someone who presses "Unsubscribe" on a staff announcement stops the announcements, not the
    news of their own shifts: before, it turned e-mail off altogether, and the "shift cancelled"
    e-mail never came to a person who then went to a shift that was not there."""

    def test_an_announcements_button_stops_announcements_only(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        listed = Volunteer.objects.filter(pk=bob.pk)
        services.broadcast_send(volunteers_qs=listed, subject="Сенбілік", body="Келіңіздер!", by=alice)
        services.messages_send_due(max_seconds=10)
        (announcement,) = mail.outbox
        assert announcement.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = announcement.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
        assert url in announcement.body
        client = Client()
        client.cookies["django_language"] = "en"
        assert "news of your own shifts and visits still come" in client.get(url).content.decode()
        response = client.post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        preference = Preference.objects.get(volunteer=bob)
        assert (preference.announcements_opt_out, preference.email_opt_out) == (True, False)

        mail.outbox.clear()
        cancelled = schedule(bob, kind="shift_cancelled", due_at=timezone.now())
        assert services.broadcast_preview(volunteers_qs=listed, by=alice).opted_out == 1
        services.broadcast_send(volunteers_qs=listed, subject="Тағы да", body="Келіңіздер!", by=alice)
        services.messages_send_due(max_seconds=10)
        cancelled.refresh_from_db()
        assert cancelled.status == "sent" and len(mail.outbox) == 1
        assert not Message.objects.filter(kind="broadcast", context__subject="Тағы да").exists()

    def test_an_announcement_queued_before_the_click_is_not_sent(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        services.broadcast_send(
            volunteers_qs=Volunteer.objects.filter(pk=bob.pk), subject="Жиналыс", body="Ертең.", by=alice
        )
        Client().post(f"/unsubscribe/{unsubscribe_token(volunteer_id=bob.pk, channel='announcements')}/")
        services.messages_send_due(max_seconds=10)
        assert not mail.outbox
        message = Message.objects.get(kind="broadcast")
        assert (message.status, message.last_error) == ("cancelled", services.REASON_NO_ANNOUNCEMENTS)

    def test_an_announcement_held_for_the_morning_skips_someone_paused_at_night(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550031")
        with clock(kz(2026, 5, 19, 23, 0)):
            services.broadcast_send(
                volunteers_qs=Volunteer.objects.filter(pk=person.pk),
                subject="Сенбілік",
                body="Келіңіз!",
                by=alice,
            )
        Volunteer.objects.filter(pk=person.pk).update(status=Volunteer.Status.PAUSED)
        with clock(kz(2026, 5, 20, 8, 0)):
            services.messages_send_due(max_seconds=10)
        message = Message.objects.get(kind="broadcast")
        assert (message.status, message.last_error) == ("cancelled", services.REASON_NOT_ACTIVE)

    def test_my_messages_turns_announcements_off_and_on(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        client.cookies["django_language"] = "en"
        page = client.get("/me/messages/").content.decode()
        assert 'name="announcements"' in page and "News of your own shifts and visits comes" in page
        client.post("/me/messages/", {"email": "on", "sms": "on"})
        preference = Preference.objects.get(volunteer=bob)
        assert (preference.announcements_opt_out, preference.email_opt_out) == (True, False)
        client.post("/me/messages/", {"email": "on", "sms": "on", "announcements": "on"})
        preference.refresh_from_db()
        assert preference.announcements_opt_out is False


class TestBroadcast:
    def test_audience_is_exactly_the_list_within_scope(self, alice, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        reached = [VolunteerFactory(region=almaty) for _ in range(3)]
        sms = VolunteerFactory(region=almaty, preferred_channel="sms")
        opted_out = VolunteerFactory(region=almaty)
        Preference.objects.create(volunteer=opted_out, email_opt_out=True)
        paused = VolunteerFactory(region=almaty, status=Volunteer.Status.PAUSED)
        outside = VolunteerFactory(region=astana)
        listed = Volunteer.objects.filter(status="active")  # Astana included: the scope cuts it off

        preview = services.broadcast_preview(volunteers_qs=listed, by=alice)
        assert (preview.recipients, preview.by_email, preview.by_sms, preview.opted_out) == (4, 3, 1, 1)
        with clock(kz(2026, 5, 20, 12, 0)):  # daytime: the SMS is not held for the morning
            broadcast = services.broadcast_send(
                volunteers_qs=listed, subject="Сенбілік", body="Келіңіздер!", by=alice
            )
            report = services.messages_send_due(max_seconds=10)
        recipients = set(
            Message.objects.filter(subject_id=broadcast.pk).values_list("recipient_id", flat=True)
        )
        assert recipients == {v.pk for v in [*reached, sms]}
        assert broadcast.recipients_count == 4 == Broadcast.objects.get().recipients_count
        assert paused.pk not in recipients and outside.pk not in recipients
        assert report.sent == 4
        assert sorted(m.to[0] for m in mail.outbox) == sorted(v.email for v in reached)
        assert all(m.subject == "Сенбілік" and "Келіңіздер!" in m.body for m in mail.outbox)

    def test_a_list_without_e_mails_is_counted_by_the_sms_it_is_sent_by(self, alice, almaty, capsys) -> None:  # type: ignore[no-untyped-def]
        """Most of an imported list has a phone and no e-mail, with e-mail the channel by default:
        the announcement goes to them by SMS, and the check before sending said "by e-mail"."""
        phones_only = [
            VolunteerFactory(region=almaty, preferred_channel="email", email="", phone=f"+7701555004{n}")
            for n in range(3)
        ]
        VolunteerFactory(region=almaty, preferred_channel="email")
        no_sms = VolunteerFactory(region=almaty, preferred_channel="email", email="", phone="+77015550049")
        Preference.objects.create(volunteer=no_sms, sms_opt_out=True)
        listed = Volunteer.objects.filter(region=almaty)
        preview = services.broadcast_preview(
            volunteers_qs=listed, by=alice, subject="Сенбілік", body="Келіңіз!"
        )
        assert (preview.recipients, preview.by_email, preview.by_sms, preview.opted_out) == (4, 1, 3, 1)
        # "Сенбілік: Келіңіз!" and the link that stops announcements: two parts in Kazakh.
        assert (preview.sms_parts, preview.sms_parts_total) == (2, 6)
        with clock(kz(2026, 5, 20, 12, 0)):
            broadcast = services.broadcast_send(
                volunteers_qs=listed, subject="Сенбілік", body="Келіңіз!", by=alice
            )
            services.messages_send_due(max_seconds=10)
        sent = Message.objects.filter(subject_id=broadcast.pk)
        assert sent.count() == 4 and not sent.filter(recipient=no_sms).exists()
        assert set(sent.filter(channel="sms").values_list("recipient_id", flat=True)) == {
            v.pk for v in phones_only
        }
        assert set(sent.values_list("status", flat=True)) == {"sent"}
        printed = capsys.readouterr().out
        assert all(v.phone in printed for v in phones_only)

    def test_brothers_and_sisters_with_their_parents_phone_get_one_sms_between_them(  # type: ignore[no-untyped-def]
        self, alice, almaty, capsys
    ) -> None:
        parent = "+77015550061"
        for _ in range(3):
            VolunteerFactory(region=almaty, preferred_channel="sms", phone=parent, email="")
        VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550062")
        VolunteerFactory(region=almaty, email="Family@example.kz")
        VolunteerFactory(region=almaty, email="family@example.kz")
        listed = Volunteer.objects.filter(region=almaty)
        preview = services.broadcast_preview(
            volunteers_qs=listed, by=alice, subject="Сенбілік", body="Келіңіз!"
        )
        assert (preview.recipients, preview.by_email, preview.by_sms, preview.sharing) == (3, 1, 2, 3)
        assert (preview.sms_parts, preview.sms_parts_total) == (2, 4)
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        page = client.post(
            "/messages/broadcast/",
            {"region": almaty.pk, "subject": "Сенбілік", "body": "Келіңіз!", "action": "preview"},
        ).content.decode()
        assert "3 people share a phone number or e-mail with another on the list" in page
        with clock(kz(2026, 5, 20, 12, 0)):
            broadcast = services.broadcast_send(
                volunteers_qs=listed, subject="Сенбілік", body="Келіңіз!", by=alice
            )
            services.messages_send_due(max_seconds=10)
        assert broadcast.recipients_count == 3
        assert capsys.readouterr().out.count(f"to {parent}") == 1
        assert len(mail.outbox) == 1

    def test_page_previews_then_sends(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        for _ in range(2):
            VolunteerFactory(region=almaty)
        client = client_for(alice)
        data = {"region": str(almaty.pk), "subject": "Жиналыс", "body": "Ертең сағат 10-да."}
        preview = client.post("/messages/broadcast/", {**data, "action": "preview"})
        assert preview.status_code == 200 and preview.context["preview"].recipients == 2
        assert not Broadcast.objects.exists()
        sent = client.post("/messages/broadcast/", {**data, "action": "send"})
        assert sent.status_code == 302
        assert Message.objects.filter(kind="broadcast").count() == 2

    def test_region_outside_scope_is_refused(self, alice, astana) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=astana)
        response = client_for(alice).post(
            "/messages/broadcast/", {"region": str(astana.pk), "subject": "x", "body": "y", "action": "send"}
        )
        assert response.status_code == 200 and "region" in response.context["form"].errors
        assert not Message.objects.exists()

    def test_empty_text_is_a_field_error(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(
            "/messages/broadcast/", {"region": str(almaty.pk), "subject": " ", "body": "", "action": "send"}
        )
        assert response.status_code == 200
        assert {"subject", "body"} <= set(response.context["form"].errors)


class TestWhatEachMessageIs:
    """The lists named a help request's message only "Message": each row now gives its subject
    and what it is about, linked where the reader may open it, and no beneficiary's address."""

    @pytest.fixture
    def assigned(self, alice, bob):  # type: ignore[no-untyped-def]
        from care import services as care_services
        from tests.care.factories import HelpRequestFactory

        request = HelpRequestFactory(needed_hands=1)
        care_services.assignment_volunteer(request=request, volunteer=bob, by=alice)
        return request

    def _row(self, html: str, table: str, text: str) -> str:
        body = html.split(f'id="{table}"')[1].split("</table>")[0]
        return next(row for row in body.split("<tr>") if text in row)

    def test_my_messages_give_the_subject_and_link_the_request(self, bob, assigned) -> None:  # type: ignore[no-untyped-def]
        confirmed = Message.objects.filter(recipient=bob, subject_type="care.assignment").earliest("due_at")
        client = client_for(bob.user)
        client.cookies["django_language"] = "en"
        html = client.get("/me/messages/").content.decode()
        row = self._row(html, "my-messages", confirmed.context["subject"])
        assert f'<a href="/care/requests/{assigned.pk}/">Help request</a>' in row
        # Only the locality: the address is on the request's page, for those who go.
        assert assigned.beneficiary.address not in html
        assert assigned.beneficiary.full_name not in html

    def test_staff_see_the_subject_and_the_request_but_no_visit_of_someone_else(  # type: ignore[no-untyped-def]
        self, alice, bob, assigned
    ) -> None:
        visit = schedule(
            bob,
            kind="visit_booked",
            subject_id=77,
            context={
                "office": "Алматы фронт-офисі",
                "starts_at": kz(2026, 5, 20, 10),
                "url": "/front-offices/visits/77/",
            },
        )
        Message.objects.filter(pk=visit.pk).update(subject_type="front_offices.visit")
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        html = client.get("/messages/").content.decode()
        confirmed = Message.objects.filter(recipient=bob, subject_type="care.assignment").earliest("due_at")
        row = self._row(html, "message-table", confirmed.context["subject"])
        assert f'<a href="/care/requests/{assigned.pk}/">Help request</a>' in row
        visit_row = self._row(html, "message-table", "Visit booked: Алматы фронт-офисі")
        assert "/front-offices/visits/" not in visit_row and "Алматы фронт-офисі" in visit_row
        assert assigned.beneficiary.address not in html
        # The person it was sent to opens their own visit.
        mine = client_for(bob.user).get("/me/messages/?lang=en").content.decode()
        assert 'href="/front-offices/visits/77/"' in self._row(mine, "my-messages", "Алматы фронт-офисі")

    def test_a_link_sent_to_a_guardian_is_not_the_minors(self, almaty) -> None:  # type: ignore[no-untyped-def]
        from tests.factories import MinorFactory

        minor = MinorFactory(region=almaty, with_account=True)
        services.message_schedule(
            recipient=minor,
            kind="guardian_consent_request",
            subject_type="volunteers.guardian",
            subject_id=minor.pk,
            due_at=kz(2026, 5, 20, 12),
            recipient_email="guardian@example.kz",
            context={"volunteer_name": minor.full_name, "text": "", "url": "/consent/secret-token/"},
        )
        html = client_for(minor.user).get("/me/messages/?lang=en").content.decode()
        row = self._row(html, "my-messages", f"Consent needed for {minor.full_name}")
        assert "/consent/secret-token/" not in row

    def test_a_guardians_phone_is_grouped_and_dials(self, nora, almaty) -> None:  # type: ignore[no-untyped-def]
        from tests.factories import MinorFactory

        minor = MinorFactory(region=almaty)
        message = services.message_schedule(
            recipient=None,
            kind="guardian_consent_request",
            subject_type="volunteers.guardian",
            subject_id=minor.pk,
            due_at=kz(2026, 5, 20, 12),
            channel="sms",
            recipient_phone="+77011234567",
            context={"volunteer_name": minor.full_name, "text": ""},
        )
        client = client_for(nora)
        assert "+7 701 123 45 67" in self._row(
            client.get("/messages/").content.decode(), "message-table", "+7 701"
        )
        detail = client.get(f"/messages/{message.pk}/").content.decode()
        assert '<a href="tel:+77011234567" class="nowrap">+7 701 123 45 67</a>' in detail

    def test_both_lists_read_as_many_queries_for_many_kinds_of_rows(
        self, alice, bob, almaty, assigned
    ) -> None:  # type: ignore[no-untyped-def]
        from care import services as care_services
        from tests.care.factories import HelpRequestFactory

        staff, own = client_for(alice), client_for(bob.user)
        with CaptureQueriesContext(connection) as few_staff:
            staff.get("/messages/")
        with CaptureQueriesContext(connection) as few_own:
            own.get("/me/messages/")
        for n in range(6):
            care_services.assignment_volunteer(
                request=HelpRequestFactory(needed_hands=1), volunteer=bob, by=alice
            )
            schedule(bob, subject_id=100 + n)
            schedule(VolunteerFactory(region=almaty), kind="shift_reminder_2h", subject_id=200 + n)
        with CaptureQueriesContext(connection) as many_staff:
            staff.get("/messages/")
        with CaptureQueriesContext(connection) as many_own:
            own.get("/me/messages/")
        assert (len(many_staff), len(many_own)) == (len(few_staff), len(few_own))
