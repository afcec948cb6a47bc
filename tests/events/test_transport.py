"""Transport requests: the volunteer asks, the coordinator answers on a board, the answer is sent."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from events import selectors, services, services_extra
from events.models import Shift, Signup, TransportRequest
from notifications.models import Message
from notifications.services import messages_send_due
from tests.conftest import client_for
from tests.factories import VolunteerFactory

from .factories import CampaignFactory, ShiftFactory, in_days, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift(almaty):  # type: ignore[no-untyped-def]
    return ShiftFactory(campaign=CampaignFactory(region=almaty, title="Тал егу"), capacity=5)


@pytest.fixture
def signup(shift, bob):  # type: ignore[no-untyped-def]
    return services.signup_create(shift=shift, volunteer=bob, by=None)


def _ask(client, signup, **data):  # type: ignore[no-untyped-def]
    return client.post(
        f"/my-shifts/{signup.pk}/transport/", {"pickup": "Сайран аялдамасы", "seats": "2", **data}
    )


class TestVolunteer:
    def test_ask_edit_cancel_and_ask_again(self, bob, signup) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        assert client.get(f"/my-shifts/{signup.pk}/transport/").status_code == 200
        response = _ask(client, signup, note="Балалар орындығы керек")
        assert response.status_code == 302
        request = TransportRequest.objects.get(signup=signup)
        assert (request.pickup, request.seats, request.status) == ("Сайран аялдамасы", 2, "pending")
        _ask(client, signup, seats="3")
        request.refresh_from_db()
        assert request.seats == 3 and TransportRequest.objects.count() == 1  # one per sign-up
        page = client.get("/my-shifts/").content.decode()
        assert f"/my-shifts/{signup.pk}/transport/" in page
        client.post(f"/my-shifts/{signup.pk}/transport/", {"action": "cancel"})
        request.refresh_from_db()
        assert request.status == "cancelled"
        _ask(client, signup)
        request.refresh_from_db()
        assert request.status == "pending"

    def test_bad_seats_and_empty_pickup_are_form_errors(self, bob, signup) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        for data in ({"seats": "5"}, {"seats": "0"}, {"seats": "x"}, {"pickup": " "}):
            response = _ask(client, signup, **data)
            assert response.status_code == 200
        assert not TransportRequest.objects.exists()

    def test_waitlisted_may_ask_cancelled_may_not(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        full = ShiftFactory(campaign=CampaignFactory(region=almaty), capacity=1)
        services.signup_create(shift=full, volunteer=VolunteerFactory(region=almaty), by=None)
        waiting = services.signup_create(shift=full, volunteer=bob, by=None)
        assert waiting.status == Signup.Status.WAITLISTED
        assert _ask(client_for(bob.user), waiting).status_code == 302
        services.signup_cancel(signup=waiting, by=bob.user)
        with pytest.raises(ValidationError):
            services_extra.transport_request_save(signup=waiting, pickup="x", seats=1)

    def test_someone_elses_sign_up_is_404(self, almaty, signup) -> None:  # type: ignore[no-untyped-def]
        other = VolunteerFactory(region=almaty, with_account=True)
        assert client_for(other.user).get(f"/my-shifts/{signup.pk}/transport/").status_code == 404
        assert _ask(client_for(other.user), signup).status_code == 404
        assert not TransportRequest.objects.exists()

    def test_answered_request_can_no_longer_change(self, alice, bob, signup) -> None:  # type: ignore[no-untyped-def]
        request = services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=1)
        services_extra.transport_decline(request=request, by=alice, reason="Көлік жоқ")
        client = client_for(bob.user)
        _ask(client, signup, seats="4")
        client.post(f"/my-shifts/{signup.pk}/transport/", {"action": "cancel"})
        request.refresh_from_db()
        assert (request.seats, request.status) == (1, "declined")
        assert "Көлік жоқ" in client.get("/my-shifts/").content.decode()


class TestCoordinator:
    def test_arrange_shows_on_my_shifts_and_is_sent(self, alice, bob, shift, signup) -> None:  # type: ignore[no-untyped-def]
        bob.preferred_language = "ru"
        bob.save()
        request = services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=2)
        coordinator = client_for(alice)
        board = coordinator.get(f"/manage/shifts/{shift.pk}/transport/").content.decode()
        assert "Қасымов" in board and f"tel:{bob.phone}" in board and "Сайран" in board
        response = coordinator.post(
            f"/manage/transport/{request.pk}/answer/",
            {
                "action": "arrange",
                "driver_name": "Серік",
                "driver_phone": "8 (701) 555-00-00",  # as coordinators type it
                "departure_at": in_days(2, 8).strftime("%Y-%m-%dT%H:%M"),
                "departure_place": "Сайран",
                "group": "1",
            },
        )
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.status == "arranged" and request.driver_name == "Серік" and request.group == "1"
        assert request.answered_by == alice and request.driver_phone == "+77015550000"
        page = client_for(bob.user).get("/my-shifts/").content.decode()
        assert "Серік" in page and 'href="tel:+77015550000"' in page and "+7 701 555 00 00" in page
        message = Message.objects.get(
            kind="transport_answer", subject_type="events.transport", subject_id=request.pk
        )
        assert "Серік" in message.context["text"] and "Водитель" in message.context["text"]
        assert "+7 701 555 00 00" in message.context["text"]
        messages_send_due(max_seconds=30)
        message.refresh_from_db()
        assert message.status == "sent"
        # The sign-up's own confirmation goes out in the same sweep; the answer is one mail of its own.
        answers = [m for m in mail.outbox if "Серік" in m.body]
        assert len(answers) == 1 and answers[0].to == [bob.email]

    @pytest.mark.parametrize(
        ("hour", "place", "told"),
        [
            (8, "Сайран", "Отправление: {day} 08:00, Сайран."),
            (8, "", "Отправление: {day} 08:00. Водитель"),
            (None, "Сайран", "Отправление: Сайран. Водитель"),
            (None, "", "Транспорт организован. Водитель"),
        ],
    )
    def test_the_answer_tells_the_departure_it_has(self, alice, bob, signup, hour, place, told) -> None:  # type: ignore[no-untyped-def]
        bob.preferred_language = "ru"
        bob.save()
        request = services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=2)
        departure_at = in_days(2, 8) if hour is not None else None
        services_extra.transport_arrange(
            request=request,
            by=alice,
            driver_name="Серік",
            driver_phone="+77015550000",
            departure_at=departure_at,
            departure_place=place,
        )
        text = Message.objects.get(kind="transport_answer", subject_id=request.pk).context["text"]
        day = timezone.localtime(departure_at).strftime("%d.%m.%Y") if departure_at else ""
        assert told.format(day=day) in text, text
        assert ", ." not in text

    def test_decline_needs_a_reason(self, alice, signup) -> None:  # type: ignore[no-untyped-def]
        request = services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=1)
        coordinator = client_for(alice)
        coordinator.post(
            f"/manage/transport/{request.pk}/answer/", {"action": "decline", "decline_reason": ""}
        )
        request.refresh_from_db()
        assert request.status == "pending" and not Message.objects.filter(kind="transport_answer").exists()
        coordinator.post(
            f"/manage/transport/{request.pk}/answer/", {"action": "decline", "decline_reason": "Жоқ"}
        )
        request.refresh_from_db()
        assert request.status == "declined" and request.decline_reason == "Жоқ"
        assert Message.objects.filter(kind="transport_answer").count() == 1

    def test_cancelled_request_cannot_be_answered(self, alice, signup) -> None:  # type: ignore[no-untyped-def]
        request = services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=1)
        services_extra.transport_request_cancel(request=request)
        with pytest.raises(ValidationError):
            services_extra.transport_decline(request=request, by=alice, reason="x")

    def test_cancelled_sign_up_leaves_the_board(self, alice, bob, shift, signup) -> None:  # type: ignore[no-untyped-def]
        request = services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=1)
        services.signup_cancel(signup=signup, by=bob.user)
        board = client_for(alice).get(f"/manage/shifts/{shift.pk}/transport/").content.decode()
        assert f'id="transport-{request.pk}"' not in board
        with pytest.raises(ValidationError):
            services_extra.transport_arrange(
                request=request,
                by=alice,
                driver_name="Серік",
                driver_phone="+77015550000",
                departure_at=None,
                departure_place="",
            )
        assert not Message.objects.filter(kind="transport_answer").exists()

    def test_charlie_gets_404_everywhere(self, charlie, shift, signup) -> None:  # type: ignore[no-untyped-def]
        request = services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=1)
        client = client_for(charlie)
        assert client.get(f"/manage/shifts/{shift.pk}/transport/").status_code == 404
        assert client.get(f"/manage/campaigns/{shift.campaign_id}/transport/").status_code == 404
        response = client.post(
            f"/manage/transport/{request.pk}/answer/", {"action": "decline", "decline_reason": "x"}
        )
        assert response.status_code == 404
        request.refresh_from_db()
        assert request.status == "pending"

    def test_volunteer_is_not_let_onto_the_board(self, bob, shift) -> None:  # type: ignore[no-untyped-def]
        assert client_for(bob.user).get(f"/manage/shifts/{shift.pk}/transport/").status_code in {403, 404}

    def test_board_queries_do_not_grow_with_requests(self, alice, almaty, shift) -> None:  # type: ignore[no-untyped-def]
        coordinator = client_for(alice)

        def add(n: int) -> None:
            for _ in range(n):
                person = VolunteerFactory(region=almaty)
                signup = services.signup_create(shift=shift, volunteer=person, by=None)
                services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=1)

        add(1)
        counts = []
        for _ in range(2):
            for url in (
                f"/manage/shifts/{shift.pk}/transport/",
                f"/manage/campaigns/{shift.campaign_id}/transport/",
            ):
                with CaptureQueriesContext(connection) as queries:
                    assert coordinator.get(url).status_code == 200
                counts.append(len(queries))
            add(3)
        assert counts[0] == counts[2] and counts[1] == counts[3]


def _asked(signup: Signup, pickup: str = "Сайран") -> TransportRequest:
    return services_extra.transport_request_save(signup=signup, pickup=pickup, seats=1)


def _statuses(*requests: TransportRequest) -> list[str]:
    for request in requests:
        request.refresh_from_db()
    return [request.status for request in requests]


class TestCancelledSignUpTakesItsTransportRequest:
    """However a place is given up, the lift asked for it is called off in the same step: it
    no longer reads "waiting for an answer" in the person's data, and no car is kept for them."""

    def test_the_person_cancels_on_the_page(self, bob, signup) -> None:  # type: ignore[no-untyped-def]
        request = _asked(signup)
        assert client_for(bob.user).post(f"/my-shifts/{signup.pk}/cancel/").status_code == 302
        assert _statuses(request) == ["cancelled"]
        assert [r["status"] for r in selectors.personal_data_transport(bob)] == ["cancelled"]

    def test_the_person_cancels_over_the_api(self, bob, signup) -> None:  # type: ignore[no-untyped-def]
        request = _asked(signup)
        client = APIClient()
        client.force_authenticate(bob.user)
        assert client.post(f"/api/signups/{signup.pk}/cancel/").status_code == 200
        assert _statuses(request) == ["cancelled"]

    def test_the_coordinator_removes_them_from_the_roster(self, alice, almaty, shift, signup) -> None:  # type: ignore[no-untyped-def]
        request = _asked(signup)
        # An arranged lift is called off too; someone else's request on the shift stays.
        services_extra.transport_arrange(
            request=request,
            by=alice,
            driver_name="Серік",
            driver_phone="+77015550000",
            departure_at=None,
            departure_place="",
        )
        other = _asked(
            services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        )
        response = client_for(alice).post(f"/manage/signups/{signup.pk}/cancel/")
        assert response.status_code == 302
        assert _statuses(request, other) == ["cancelled", "pending"]

    def test_the_coordinator_removes_them_from_the_waitlist(self, alice, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        full = ShiftFactory(campaign=CampaignFactory(region=almaty), capacity=1)
        services.signup_create(shift=full, volunteer=VolunteerFactory(region=almaty), by=None)
        waiting = services.signup_create(shift=full, volunteer=bob, by=None)
        request = _asked(waiting)
        client_for(alice).post(f"/manage/signups/{waiting.pk}/cancel/")
        waiting.refresh_from_db()
        assert waiting.status == "cancelled" and _statuses(request) == ["cancelled"]

    def test_the_coordinator_moves_them_to_another_shift(self, alice, shift, signup) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        url = f"/manage/signups/{signup.pk}/move/"
        assert 'id="move-transport"' not in client.get(url).content.decode()
        request = _asked(signup)
        other = ShiftFactory(campaign=shift.campaign, starts_at=in_days(4))
        # The move page says first that the lift does not follow the person.
        assert 'id="move-transport"' in client.get(url).content.decode()
        response = client_for(alice).post(f"/manage/signups/{signup.pk}/move/", {"to_shift": other.pk})
        assert response.status_code == 302
        assert Signup.objects.get(shift=other).volunteer_id == signup.volunteer_id
        # Asked for the old shift's time and place: the person asks again for the new one.
        assert _statuses(request) == ["cancelled"]

    def test_the_shift_is_cancelled(self, alice, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(region=almaty), capacity=1)
        mine = services.signup_create(shift=shift, volunteer=bob, by=None)
        waiting = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        declined_signup = services.signup_create(
            shift=shift, volunteer=VolunteerFactory(region=almaty), by=None
        )
        pending, waiting_request, declined = _asked(mine), _asked(waiting), _asked(declined_signup)
        services_extra.transport_decline(request=declined, by=alice, reason="Көлік жоқ")
        response = client_for(alice).post(f"/manage/shifts/{shift.pk}/cancel/", {"confirm": "yes"})
        assert response.status_code == 302
        # The answer given stays what it was.
        assert _statuses(pending, waiting_request, declined) == ["cancelled", "cancelled", "declined"]

    def test_the_campaign_is_cancelled(self, alice, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory(region=almaty)
        first = services.signup_create(shift=ShiftFactory(campaign=campaign), volunteer=bob, by=None)
        second = services.signup_create(
            shift=ShiftFactory(campaign=campaign, starts_at=in_days(6)), volunteer=bob, by=None
        )
        requests = [_asked(first), _asked(second)]
        elsewhere = _asked(
            services.signup_create(
                shift=ShiftFactory(campaign=CampaignFactory(region=almaty), starts_at=in_days(8)),
                volunteer=bob,
                by=None,
            )
        )
        response = client_for(alice).post(
            f"/manage/campaigns/{campaign.pk}/status/", {"status": "cancelled", "confirm": "yes"}
        )
        assert response.status_code == 302
        assert _statuses(*requests, elsewhere) == ["cancelled", "cancelled", "pending"]

    def test_the_rest_of_a_series_is_cancelled(self, alice, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        first_date = timezone.localdate() + datetime.timedelta(days=3)
        series = services.shift_series_create(
            campaign=CampaignFactory(region=almaty),
            first_date=first_date,
            weekdays=[first_date.isoweekday()],
            start_time=datetime.time(10),
            end_time=datetime.time(13),
            weeks=2,
            data={"place_name": "Мектеп ауласы", "capacity": 5, "waitlist_enabled": True},
            by=alice,
        )
        request = _asked(services.signup_create(shift=series[1], volunteer=bob, by=None))
        response = client_for(alice).post(f"/manage/shifts/{series[0].pk}/series/cancel/", {"confirm": "yes"})
        assert response.status_code == 302
        assert _statuses(request) == ["cancelled"]

    def test_a_refused_cancellation_leaves_the_request(self, bob, shift, signup) -> None:  # type: ignore[no-untyped-def]
        request = _asked(signup)
        Shift.objects.filter(pk=shift.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
        with pytest.raises(ValidationError):
            services.signup_cancel(signup=signup, by=bob.user)
        assert _statuses(request) == ["pending"]


class TestBoardHeading:
    def test_names_the_shift_in_the_pages_language_and_almaty_time(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        day = timezone.localdate() + datetime.timedelta(days=20)
        # 01:00 in Almaty is the evening before in UTC: the Almaty date is the one shown.
        shift = ShiftFactory(
            campaign=CampaignFactory(region=almaty),
            place_name="Городская библиотека",
            starts_at=local(day, 1),
            ends_at=local(day, 4),
        )
        client = client_for(alice)
        for lang, when in (
            ("kk", f"{day:%d.%m.%Y} 01:00"),
            ("ru", f"{day:%d.%m.%Y} 01:00"),
            ("en", f"{day:%d.%m.%Y} 01:00"),
        ):
            client.cookies["django_language"] = lang
            page = client.get(f"/manage/shifts/{shift.pk}/transport/").content.decode()
            heading = f"Городская библиотека · {when}"
            assert f"<p>{heading}</p>" in page, (lang, page)
            assert page.split("<title>")[1].split("</title>")[0].count(heading) == 1, lang
            assert (
                f"{day:%Y-%m-%d}" not in page and f"{day - datetime.timedelta(days=1):%d.%m.%Y}" not in page
            )
        with translation.override("ru"):
            assert str(shift) == f"Городская библиотека · {day:%d.%m.%Y} 01:00"


def _arranged(signup: Signup, alice, departure_at: datetime.datetime | None = None) -> TransportRequest:  # type: ignore[no-untyped-def]
    return services_extra.transport_arrange(
        request=_asked(signup),
        by=alice,
        driver_name="Серік",
        driver_phone="+77015550000",
        departure_at=departure_at,
        departure_place="Сайран аялдамасы",
    )


class TestShiftChangedAfterALiftWasArranged:
    """A lift arranged for 17:15 to an 18:00 shift no longer fits once the shift starts at 17:00:
    it is flagged for the coordinator to confirm or change, and the volunteer is told it will be."""

    def _edit_times(self, alice, shift: Shift, start: str, end: str):  # type: ignore[no-untyped-def]
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        initial = client.get(f"/manage/shifts/{shift.pk}/edit/").context["form"].initial
        data = {
            "place_name": initial["place_name"],
            "address": initial["address"],
            "date": initial["date"].isoformat(),
            "start_time": start,
            "end_time": end,
            "capacity": str(initial["capacity"]),
            "waitlist_enabled": "on",
        }
        return client.post(f"/manage/shifts/{shift.pk}/edit/", data, follow=True)

    def test_an_earlier_start_flags_the_arranged_lift_on_the_board(self, alice, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        day = timezone.localdate() + datetime.timedelta(days=4)
        shift = ShiftFactory(
            campaign=CampaignFactory(region=almaty), starts_at=local(day, 18), ends_at=local(day, 21)
        )
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        arranged = _arranged(signup, alice, departure_at=local(day, 17, 15))
        other = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        pending = _asked(other)

        response = self._edit_times(alice, shift, "17:00", "20:00")

        texts = [str(m) for m in response.context["messages"]]
        assert "The shift has been saved." in texts
        assert any(
            t.startswith("1 lift arranged for this shift needs its departure confirmed") for t in texts
        )
        arranged.refresh_from_db()
        pending.refresh_from_db()
        # Still arranged (the driver and departure stay known), flagged to be confirmed again.
        assert arranged.status == "arranged" and arranged.recheck_since is not None
        assert pending.recheck_since is None
        roster = response.content.decode()
        assert 'id="transport-recheck"' in roster

        client = client_for(alice)
        client.cookies["django_language"] = "en"
        board = client.get(f"/manage/shifts/{shift.pk}/transport/").content.decode()
        card = board.split(f'id="transport-{arranged.pk}"')[1].split("</li>")[0]
        assert "The shift's time or place changed after this lift was arranged" in card
        assert "17:00" in card and "Confirm the departure" in card
        assert "Confirm the departure" not in board.split(f'id="transport-{pending.pk}"')[1]

        # The volunteer's "my shifts" says the lift will be confirmed again.
        mine = client_for(bob.user)
        mine.cookies["django_language"] = "en"
        assert "the coordinator will confirm it again" in mine.get("/my-shifts/").content.decode()

        # Confirmed (here with a new departure): the flag goes, and the volunteer is told the answer.
        services_extra.transport_arrange(
            request=arranged,
            by=alice,
            driver_name="Серік",
            driver_phone="+77015550000",
            departure_at=local(day, 16, 15),
            departure_place="Сайран аялдамасы",
        )
        arranged.refresh_from_db()
        assert arranged.recheck_since is None
        assert 'id="transport-recheck"' not in client.get(f"/manage/shifts/{shift.pk}/").content.decode()

    def test_a_new_place_flags_it_too_and_notes_do_not(self, alice, shift, signup) -> None:  # type: ignore[no-untyped-def]
        arranged = _arranged(signup, alice)
        services.shift_update(shift=shift, data={"notes": "Қолғап әкеліңіз."}, by=alice)
        arranged.refresh_from_db()
        assert arranged.recheck_since is None
        services.shift_update(shift=shift, data={"place_name": "Сайран көлі"}, by=alice)
        arranged.refresh_from_db()
        assert arranged.recheck_since is not None

    def test_declining_instead_clears_the_flag(self, alice, shift, signup) -> None:  # type: ignore[no-untyped-def]
        arranged = _arranged(signup, alice)
        later = shift.starts_at + datetime.timedelta(hours=1)
        services.shift_update(
            shift=shift, data={"starts_at": later, "ends_at": later + datetime.timedelta(hours=3)}, by=alice
        )
        services_extra.transport_decline(request=arranged, by=alice, reason="Жүргізуші бос емес")
        arranged.refresh_from_db()
        assert (arranged.status, arranged.recheck_since) == ("declined", None)
