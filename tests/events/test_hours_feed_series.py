"""Hours on the volunteer's pages and in "my data", anonymisation cancelling upcoming places,
the personal calendar feed, "this and the following" of a series, and moving someone between
shifts — checked in the response and in the database."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from events import selectors, services
from events.models import CalendarFeed, Shift, Signup
from notifications.models import Message
from tests.conftest import client_for
from tests.factories import VolunteerFactory
from volunteer_net.dates import when_text
from volunteers.services import account_delete, volunteer_anonymize

from .factories import CampaignFactory, ShiftFactory, in_days


def attended(volunteer, *, hours: int = 3, days_ago: int = 3, campaign=None) -> Signup:  # type: ignore[no-untyped-def]
    """A past shift the person attended (signed up while upcoming, then moved into the past)."""
    shift = ShiftFactory(campaign=campaign or CampaignFactory(), starts_at=in_days(5))
    signup = services.signup_create(shift=shift, volunteer=volunteer, by=None)
    start = timezone.now() - datetime.timedelta(days=days_ago)
    Shift.objects.filter(pk=shift.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=hours))
    signup.refresh_from_db()
    return services.signup_check_in(signup=signup, by=None)  # type: ignore[arg-type]


# Hours ------------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestHoursOnPages:
    def test_roster_detail_shows_total_and_shifts_attended(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        first = attended(bob, hours=3)
        attended(bob, hours=2, days_ago=10)
        response = client_for(alice).get(f"/roster/{bob.pk}/")
        assert response.status_code == 200
        page = response.content.decode()
        assert "once the volunteer takes part" not in page
        assert re.search(r'id="volunteer-hours">[^<]*<span class="big-number">5</span>', page)
        assert first.shift.campaign.title in page
        assert 'id="attended-table"' in page

    def test_roster_detail_of_someone_without_shifts(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        page = client_for(alice).get(f"/roster/{bob.pk}/").content.decode()
        assert '<span class="big-number">0</span>' in page
        assert 'id="attended-table"' not in page

    def test_roster_detail_outside_scope_is_404(self, charlie, bob) -> None:  # type: ignore[no-untyped-def]
        attended(bob)
        assert client_for(charlie).get(f"/roster/{bob.pk}/").status_code == 404

    def test_roster_detail_queries_do_not_grow_with_shifts(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client_for(alice).get(f"/roster/{bob.pk}/").status_code == 200
            return len(ctx.captured_queries)

        attended(bob)
        one = count()
        for n in range(4):
            attended(bob, days_ago=5 + n)
        assert count() == one

    def test_profile_shows_total_and_link_to_my_shifts(self, bob) -> None:  # type: ignore[no-untyped-def]
        signup = attended(bob, hours=4)
        services.signup_hours_set(signup=signup, hours=Decimal("3.5"), reason="Кешікті", by=None)  # type: ignore[arg-type]
        page = client_for(bob.user).get("/me/").content.decode()
        # Kazakh is the site's default language: the decimal comma.
        assert '<span class="big-number">3,5</span>' in page
        assert 'href="/my-shifts/"' in page


@pytest.mark.django_db
class TestHoursInTheApi:
    def test_volunteer_detail_has_hours_and_stays_scoped(self, alice, charlie, bob) -> None:  # type: ignore[no-untyped-def]
        from rest_framework.test import APIClient

        signup = attended(bob, hours=4)
        services.signup_hours_set(signup=signup, hours=Decimal("3.5"), reason="Кешікті", by=None)  # type: ignore[arg-type]
        api = APIClient()
        api.force_authenticate(alice)
        response = api.get(f"/api/volunteers/{bob.pk}/")
        assert response.status_code == 200
        assert response.json()["hours"] == "3.50"
        other = APIClient()
        other.force_authenticate(charlie)
        assert other.get(f"/api/volunteers/{bob.pk}/").status_code == 404

    def test_hours_endpoint_lists_shifts_scoped(self, alice, charlie, bob) -> None:  # type: ignore[no-untyped-def]
        from rest_framework.test import APIClient

        older = attended(bob, hours=2, days_ago=10)
        newer = attended(bob, hours=3, days_ago=2)
        api = APIClient()
        api.force_authenticate(alice)
        data = api.get(f"/api/volunteers/{bob.pk}/hours/").json()
        assert data["volunteer"] == bob.pk and data["hours"] == "5.00" and data["count"] == 2
        assert [row["shift"] for row in data["results"]] == [newer.shift_id, older.shift_id]
        assert data["results"][0]["hours"] == "3.00"
        assert api.get(f"/api/volunteers/{bob.pk}/hours/", {"page": "x"}).status_code == 400
        for user in (charlie, bob.user):
            other = APIClient()
            other.force_authenticate(user)
            assert other.get(f"/api/volunteers/{bob.pk}/hours/").status_code == 404
        assert APIClient().get(f"/api/volunteers/{bob.pk}/hours/").status_code in (401, 403)

    def test_hours_endpoint_queries_do_not_grow(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        from rest_framework.test import APIClient

        api = APIClient()
        api.force_authenticate(alice)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert api.get(f"/api/volunteers/{bob.pk}/hours/").status_code == 200
            return len(ctx.captured_queries)

        attended(bob)
        count()  # the coordinator's regions are looked up once per user object
        one = count()
        for n in range(4):
            attended(bob, days_ago=5 + n)
        assert count() == one


@pytest.mark.django_db
class TestMyData:
    def test_download_holds_shifts_with_hours(self, bob) -> None:  # type: ignore[no-untyped-def]
        done = attended(bob, hours=3)
        upcoming = ShiftFactory(starts_at=in_days(4))
        services.signup_create(shift=upcoming, volunteer=bob, by=None)
        response = client_for(bob.user).get("/me/data.json")
        assert response.status_code == 200
        data = json.loads(response.content)
        shifts = data["shifts"]
        assert shifts["total_hours"] == "3.00"
        rows = {row["campaign"]: row for row in shifts["signups"]}
        assert rows[done.shift.campaign.title]["hours"] == "3.00"
        assert rows[done.shift.campaign.title]["status"] == "attended"
        assert rows[upcoming.campaign.title]["status"] == "confirmed"
        assert rows[upcoming.campaign.title]["hours"] is None

    def test_account_without_profile_has_no_shifts_section(self, db) -> None:  # type: ignore[no-untyped-def]
        from tests.factories import UserFactory

        data = json.loads(client_for(UserFactory()).get("/me/data.json").content)
        assert data["volunteer"] is None
        assert "shifts" not in data


# Anonymisation ---------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAnonymisation:
    def test_upcoming_places_are_cancelled_and_the_waitlist_moves_up(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        full = ShiftFactory(capacity=1, starts_at=in_days(3))
        mine = services.signup_create(shift=full, volunteer=bob, by=None)
        waiting = services.signup_create(shift=full, volunteer=VolunteerFactory(region=almaty), by=None)
        other = ShiftFactory(capacity=1, starts_at=in_days(6))
        services.signup_create(shift=other, volunteer=VolunteerFactory(region=almaty), by=None)
        on_waitlist = services.signup_create(shift=other, volunteer=bob, by=None)
        assert waiting.status == on_waitlist.status == Signup.Status.WAITLISTED
        past = attended(bob, hours=3)

        account_delete(user=bob.user)

        mine.refresh_from_db()
        waiting.refresh_from_db()
        on_waitlist.refresh_from_db()
        past.refresh_from_db()
        full.refresh_from_db()
        assert mine.status == Signup.Status.CANCELLED
        assert on_waitlist.status == Signup.Status.CANCELLED
        assert waiting.status == Signup.Status.CONFIRMED  # the freed place went to the next person
        assert full.taken_places == 1
        # Hours already earned stay, anonymously, in every total.
        assert past.status == Signup.Status.ATTENDED
        assert selectors.volunteer_hours(volunteer=past.volunteer) == Decimal("3.00")
        assert selectors.campaign_hours(campaign=past.shift.campaign) == Decimal("3.00")

    def test_hours_by_region_keep_anonymised_people(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        attended(bob, hours=3)
        before = selectors.hours_by_region(user=alice)
        volunteer_anonymize(volunteer=bob, requested_by=None)
        after = selectors.hours_by_region(user=alice)
        assert before == after
        assert after[0]["hours"] == Decimal("3.00") and after[0]["people"] == 1

    def test_the_calendar_feed_goes_too(self, bob) -> None:  # type: ignore[no-untyped-def]
        feed = services.calendar_feed_renew(volunteer=bob)
        volunteer_anonymize(volunteer=bob, requested_by=None)
        assert not CalendarFeed.objects.exists()
        assert Client().get(f"/my-shifts/{feed.token}.ics").status_code == 404


# Calendar feed ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestCalendarFeed:
    def test_volunteer_gets_renews_and_revokes_the_address(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        page = client.get("/my-shifts/").content.decode()
        assert 'id="calendar-feed"' in page and 'id="calendar-feed-url"' not in page
        response = client.post("/my-shifts/calendar-feed/", {"action": "renew"})
        assert response.status_code == 302
        first = CalendarFeed.objects.get(volunteer=bob).token
        assert f"/my-shifts/{first}.ics" in client.get("/my-shifts/").content.decode()
        client.post("/my-shifts/calendar-feed/", {"action": "renew"})
        second = CalendarFeed.objects.get(volunteer=bob).token
        assert second != first
        assert Client().get(f"/my-shifts/{first}.ics").status_code == 404
        assert Client().get(f"/my-shifts/{second}.ics").status_code == 200
        client.post("/my-shifts/calendar-feed/", {"action": "revoke"})
        assert not CalendarFeed.objects.exists()
        assert Client().get(f"/my-shifts/{second}.ics").status_code == 404

    def test_get_is_405_and_anonymous_is_sent_to_login(self, bob) -> None:  # type: ignore[no-untyped-def]
        assert client_for(bob.user).get("/my-shifts/calendar-feed/").status_code == 405
        response = Client().post("/my-shifts/calendar-feed/", {"action": "renew"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not CalendarFeed.objects.exists()

    def test_feed_lists_confirmed_upcoming_and_recent_shifts(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        confirmed = ShiftFactory(starts_at=in_days(3), place_name="Есентай")
        services.signup_create(shift=confirmed, volunteer=bob, by=None)
        full = ShiftFactory(capacity=1, starts_at=in_days(4))
        services.signup_create(shift=full, volunteer=VolunteerFactory(region=almaty), by=None)
        services.signup_create(shift=full, volunteer=bob, by=None)  # waitlisted: not in the feed
        dropped = ShiftFactory(starts_at=in_days(5))
        services.signup_cancel(signup=services.signup_create(shift=dropped, volunteer=bob, by=None), by=None)
        called_off = ShiftFactory(starts_at=in_days(6))
        services.signup_create(shift=called_off, volunteer=bob, by=None)
        services.shift_cancel(shift=called_off, by=None)  # type: ignore[arg-type]
        recent = attended(bob, days_ago=10)
        old = attended(bob, days_ago=selectors.FEED_PAST_DAYS + 5)
        feed = services.calendar_feed_renew(volunteer=bob)

        response = Client().get(f"/my-shifts/{feed.token}.ics")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert "private" in response["Cache-Control"]
        body = response.content.decode()
        assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
        uids = {line.split(":", 1)[1].split("@")[0] for line in body.split("\r\n") if line.startswith("UID:")}
        assert uids == {f"shift-{s.pk}" for s in (confirmed, called_off, recent.shift)}
        assert f"shift-{old.shift.pk}" not in uids and f"shift-{dropped.pk}" not in uids
        assert body.count("STATUS:CANCELLED") == 1
        assert body.count("BEGIN:VEVENT") == 3

    @pytest.mark.parametrize("asked", ["en-US,en;q=0.9", ""])
    def test_the_calendar_is_named_in_the_persons_language(self, bob, asked: str) -> None:  # type: ignore[no-untyped-def]
        """The calendar app asks in its own language (Outlook in English, Google in none)."""
        bob.preferred_language = "ru"
        bob.save(update_fields=["preferred_language"])
        feed = services.calendar_feed_renew(volunteer=bob)
        body = Client(HTTP_ACCEPT_LANGUAGE=asked).get(f"/my-shifts/{feed.token}.ics").content.decode()
        assert "X-WR-CALNAME:Мои смены · Volunteer Net\r\n" in body

    def test_unknown_token_is_404(self, db) -> None:  # type: ignore[no-untyped-def]
        assert Client().get("/my-shifts/not-a-real-token.ics").status_code == 404

    def test_feed_queries_do_not_grow(self, bob) -> None:  # type: ignore[no-untyped-def]
        feed = services.calendar_feed_renew(volunteer=bob)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert Client().get(f"/my-shifts/{feed.token}.ics").status_code == 200
            return len(ctx.captured_queries)

        services.signup_create(shift=ShiftFactory(starts_at=in_days(3)), volunteer=bob, by=None)
        one = count()
        for n in range(4):
            services.signup_create(shift=ShiftFactory(starts_at=in_days(5 + n)), volunteer=bob, by=None)
        assert count() == one


# Series: this and the following ---------------------------------------------------------------


def weekly(campaign=None, weeks: int = 3, capacity: int = 5) -> list[Shift]:  # type: ignore[no-untyped-def]
    campaign = campaign or CampaignFactory()
    return services.shift_series_create(
        campaign=campaign,
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        weekdays=[(timezone.localdate() + datetime.timedelta(days=1)).isoweekday()],
        start_time=datetime.time(10),
        end_time=datetime.time(13),
        weeks=weeks,
        data={"place_name": "Мектеп ауласы", "capacity": capacity, "waitlist_enabled": True},
        by=None,  # type: ignore[arg-type]
    )


def local_times(shift: Shift) -> tuple[datetime.time, datetime.time]:
    shift.refresh_from_db()
    return timezone.localtime(shift.starts_at).time(), timezone.localtime(shift.ends_at).time()


@pytest.mark.django_db
class TestSeriesFollowing:
    def test_page_changes_this_and_later_shifts_only(self, alice) -> None:  # type: ignore[no-untyped-def]
        first, second, third = weekly()
        client = client_for(alice)
        assert client.get(f"/manage/shifts/{second.pk}/series/").status_code == 200
        response = client.post(
            f"/manage/shifts/{second.pk}/series/",
            {
                "place_name": "Спорт залы",
                "address": "",
                "start_time": "18:00",
                "end_time": "21:30",
                "capacity": "8",
                "notes": "",
            },
        )
        assert response.status_code == 302
        for shift in (second, third):
            assert local_times(shift) == (datetime.time(18), datetime.time(21, 30))
            assert (shift.place_name, shift.capacity) == ("Спорт залы", 8)
            assert timezone.localtime(shift.starts_at).date() == shift.series.first_date + datetime.timedelta(
                days=7 * (1 if shift == second else 2)
            )
        assert local_times(first) == (datetime.time(10), datetime.time(13))
        assert (first.place_name, first.capacity) == ("Мектеп ауласы", 5)

    def test_only_changed_fields_apply(self, alice) -> None:  # type: ignore[no-untyped-def]
        first, second = weekly(weeks=2)
        Shift.objects.filter(pk=second.pk).update(place_name="Басқа орын")
        client_for(alice).post(
            f"/manage/shifts/{first.pk}/series/",
            {"place_name": "Мектеп ауласы", "start_time": "10:00", "end_time": "13:00", "capacity": "9"},
        )
        second.refresh_from_db()
        assert (second.place_name, second.capacity) == ("Басқа орын", 9)
        assert local_times(second) == (datetime.time(10), datetime.time(13))

    def test_refused_as_a_whole_below_confirmed(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        first, second, third = weekly(capacity=3)
        for _ in range(2):
            services.signup_create(shift=third, volunteer=VolunteerFactory(region=almaty), by=None)
        response = client_for(alice).post(
            f"/manage/shifts/{first.pk}/series/",
            {"place_name": "Мектеп ауласы", "start_time": "11:00", "end_time": "13:00", "capacity": "1"},
        )
        assert response.status_code == 200
        with translation.override("kk"):
            # The page's language; the refusal names the shift's date and the reason.
            reason = services.capacity_message(2)
        assert reason in " ".join(response.context["form"].non_field_errors())
        for shift in (first, second, third):
            assert local_times(shift) == (datetime.time(10), datetime.time(13))
            assert shift.capacity == 3

    def test_cancel_this_and_following(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        first, second, third = weekly()
        signup = services.signup_create(shift=third, volunteer=bob, by=None)
        client = client_for(alice)
        response = client.post(f"/manage/shifts/{second.pk}/series/cancel/", {"confirm": "yes"})
        assert response.status_code == 302
        for shift in (first, second, third):
            shift.refresh_from_db()
        signup.refresh_from_db()
        assert first.cancelled_at is None
        assert second.cancelled_at is not None and third.cancelled_at is not None
        assert signup.status == Signup.Status.CANCELLED

    def test_the_last_of_a_series_cancelled_is_one_shift(self, alice) -> None:  # type: ignore[no-untyped-def]
        _first, _second, third = weekly()
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        response = client.post(f"/manage/shifts/{third.pk}/series/cancel/", {"confirm": "yes"}, follow=True)
        said = [str(m) for m in response.context["messages"]]
        assert said == ["1 shift has been cancelled, and so have its sign-ups."]

    def test_times_changed_for_a_season_are_told_once_a_person(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        shifts = weekly(weeks=4)
        bob.preferred_language = "en"
        bob.save(update_fields=["preferred_language"])
        dana = VolunteerFactory(region=almaty, preferred_language="ru")
        held = [services.signup_create(shift=shift, volunteer=bob, by=None) for shift in shifts]
        hers = services.signup_create(shift=shifts[2], volunteer=dana, by=None)
        Message.objects.update(status=Message.Status.SENT)
        response = client_for(alice).post(
            f"/manage/shifts/{shifts[0].pk}/series/",
            {"place_name": "Мектеп ауласы", "start_time": "18:00", "end_time": "20:00", "capacity": "5"},
        )
        assert response.status_code == 302
        # Bob holds all four: one message with their new times, not four.
        [message] = Message.objects.filter(
            recipient=bob, status=Message.Status.PENDING, due_at__lte=timezone.now()
        )
        assert message.context["subject"] == f"Changed: {shifts[0].campaign.title}"
        text = message.context["text"]
        assert "4 shifts you signed up for have changed" in text and "Place: Мектеп ауласы" in text
        with translation.override("en"):
            for shift in shifts:
                shift.refresh_from_db()
                assert when_text(shift.starts_at) in text and "18:00" in when_text(shift.starts_at)
        # Each place's reminders still move with its own shift.
        for signup, shift in zip(held, shifts, strict=True):
            due = Message.objects.get(subject_id=signup.pk, kind="shift_reminder_2h", status="pending").due_at
            assert due == shift.starts_at - datetime.timedelta(hours=2)
        # Dana holds one: the shift's own "changed" note, as for a single shift.
        assert [
            m.kind
            for m in Message.objects.filter(recipient=dana, status="pending", due_at__lte=timezone.now())
        ] == ["shift_changed"]
        assert Message.objects.get(recipient=dana, kind="shift_changed").subject_id == hers.pk

    def test_cancelled_for_a_season_is_told_once_a_person(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        shifts = weekly(weeks=4)
        bob.preferred_language = "en"
        bob.save(update_fields=["preferred_language"])
        dana = VolunteerFactory(region=almaty, preferred_language="kk")
        for shift in shifts:
            services.signup_create(shift=shift, volunteer=bob, by=None)
        services.signup_create(shift=shifts[3], volunteer=dana, by=None)
        Message.objects.update(status=Message.Status.SENT)
        response = client_for(alice).post(f"/manage/shifts/{shifts[1].pk}/series/cancel/", {"confirm": "yes"})
        assert response.status_code == 302
        [message] = Message.objects.filter(recipient=bob, status=Message.Status.PENDING)
        assert message.context["subject"] == f"Cancelled: {shifts[0].campaign.title}"
        assert "3 shifts you signed up for have been cancelled" in message.context["text"]
        with translation.override("en"):
            assert all(when_text(shift.starts_at) in message.context["text"] for shift in shifts[1:])
            assert when_text(shifts[0].starts_at) not in message.context["text"]
        assert [m.kind for m in Message.objects.filter(recipient=dana, status="pending")] == [
            "shift_cancelled"
        ]
        assert Signup.objects.filter(volunteer=bob, status="cancelled").count() == 3

    def test_cancel_needs_the_box_ticked(self, alice) -> None:  # type: ignore[no-untyped-def]
        first, _second = weekly(weeks=2)
        client_for(alice).post(f"/manage/shifts/{first.pk}/series/cancel/", {})
        assert not Shift.objects.filter(cancelled_at__isnull=False).exists()

    def test_out_of_scope_is_404_and_lone_shift_has_no_series_page(self, charlie, alice) -> None:  # type: ignore[no-untyped-def]
        first, _second = weekly(weeks=2)
        client = client_for(charlie)
        assert client.get(f"/manage/shifts/{first.pk}/series/").status_code == 404
        assert client.post(f"/manage/shifts/{first.pk}/series/cancel/", {"confirm": "yes"}).status_code == 404
        assert client.post(f"/manage/shifts/{first.pk}/series/", {"capacity": "9"}).status_code == 404
        assert not Shift.objects.filter(cancelled_at__isnull=False).exists()
        lone = ShiftFactory()
        assert client_for(alice).get(f"/manage/shifts/{lone.pk}/series/").status_code == 404

    def test_roster_links_the_series_page(self, alice) -> None:  # type: ignore[no-untyped-def]
        first, _second = weekly(weeks=2)
        page = client_for(alice).get(f"/manage/shifts/{first.pk}/").content.decode()
        assert f'href="/manage/shifts/{first.pk}/series/"' in page


# Moving someone ---------------------------------------------------------------------------------


@pytest.mark.django_db
class TestMove:
    def test_coordinator_moves_a_person_and_the_waitlist_moves_up(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory()
        here = ShiftFactory(campaign=campaign, capacity=1, starts_at=in_days(3))
        there = ShiftFactory(campaign=campaign, capacity=2, starts_at=in_days(5))
        signup = services.signup_create(shift=here, volunteer=bob, by=None)
        waiting = services.signup_create(shift=here, volunteer=VolunteerFactory(region=almaty), by=None)
        client = client_for(alice)
        page = client.get(f"/manage/signups/{signup.pk}/move/").content.decode()
        assert f'value="{there.pk}"' in page and f'value="{here.pk}"' not in page
        response = client.post(f"/manage/signups/{signup.pk}/move/", {"to_shift": there.pk})
        assert response.status_code == 302
        signup.refresh_from_db()
        waiting.refresh_from_db()
        assert signup.status == Signup.Status.CANCELLED
        assert waiting.status == Signup.Status.CONFIRMED
        moved = Signup.objects.get(shift=there, volunteer=bob)
        assert moved.status == Signup.Status.CONFIRMED and moved.signed_up_by == alice

    def test_refused_as_a_whole_with_the_reason(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory()
        here = ShiftFactory(campaign=campaign, starts_at=in_days(3))
        there = ShiftFactory(campaign=campaign, capacity=1, starts_at=in_days(5), waitlist_enabled=False)
        services.signup_create(shift=there, volunteer=VolunteerFactory(region=almaty), by=None)
        signup = services.signup_create(shift=here, volunteer=bob, by=None)
        response = client_for(alice).post(f"/manage/signups/{signup.pk}/move/", {"to_shift": there.pk})
        assert response.status_code == 200
        with translation.override("kk"):
            reason = gettext("This shift is full and keeps no waitlist.")
        assert reason in response.context["form"].errors["to_shift"]
        assert reason in response.content.decode()
        signup.refresh_from_db()
        here.refresh_from_db()
        assert signup.status == Signup.Status.CONFIRMED and here.taken_places == 1
        assert not Signup.objects.filter(shift=there, volunteer=bob).exists()

    def test_other_campaign_refused(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        signup = services.signup_create(shift=ShiftFactory(starts_at=in_days(3)), volunteer=bob, by=None)
        elsewhere = ShiftFactory(starts_at=in_days(5))
        response = client_for(alice).post(f"/manage/signups/{signup.pk}/move/", {"to_shift": elsewhere.pk})
        assert response.status_code == 200
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CONFIRMED
        with pytest.raises(ValidationError) as refused:
            services.signup_move(signup=signup, to_shift=elsewhere, by=alice)
        assert refused.value.code == "other_campaign"

    def test_out_of_scope_is_404(self, charlie, bob) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory()
        signup = services.signup_create(
            shift=ShiftFactory(campaign=campaign, starts_at=in_days(3)), volunteer=bob, by=None
        )
        there = ShiftFactory(campaign=campaign, starts_at=in_days(5))
        client = client_for(charlie)
        assert client.get(f"/manage/signups/{signup.pk}/move/").status_code == 404
        assert client.post(f"/manage/signups/{signup.pk}/move/", {"to_shift": there.pk}).status_code == 404
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CONFIRMED

    def test_bad_choice_is_a_form_error(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        signup = services.signup_create(shift=ShiftFactory(starts_at=in_days(3)), volunteer=bob, by=None)
        for value in ("abc", "999999999", ""):
            assert (
                client_for(alice).post(f"/manage/signups/{signup.pk}/move/", {"to_shift": value}).status_code
                == 200
            )
