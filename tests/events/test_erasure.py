"""Erasure (law 94-V) of a volunteer in events: their transport requests, past ones too, hold no
free text and leave the coordinators' boards; their call-out links are dead; and, before, the
"download my data" file holds both."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import selectors, services, services_extra
from events.models import CallOutAnswer, Campaign, Shift, Signup, TransportRequest
from tests.conftest import client_for
from tests.factories import VolunteerFactory
from volunteers.models import Volunteer
from volunteers.services import account_delete, volunteer_anonymize

from .factories import CampaignFactory, ShiftFactory, in_days

pytestmark = pytest.mark.django_db

HOME = "Абай даңғылы 150, 45-пәтер"
PAST_HOME = "Сейфуллин 410, 7-пәтер"
DECLINED_HOME = "Төле би 73, 2-подъезд"
NOTE = "Арбамен жүремін"
DRIVER = "Серік Ахметов"
DRIVER_PHONE = "+77015550000"
DEPARTURE = "Сайран аялдамасы"
REASON = "Бауыржанның үйіне көлік жоқ"
EVERYTHING = (HOME, PAST_HOME, DECLINED_HOME, NOTE, DRIVER, DRIVER_PHONE, DEPARTURE, REASON)


def attended(volunteer: Volunteer, campaign: Campaign, *, hours_ago: int = 72) -> Signup:
    """A shift the person checked in to, which started `hours_ago` and lasts three hours
    (signed up while upcoming, then moved into the past)."""
    shift = ShiftFactory(campaign=campaign, starts_at=in_days(5))
    signup = services.signup_create(shift=shift, volunteer=volunteer, by=None)
    start = timezone.now() - datetime.timedelta(hours=hours_ago)
    Shift.objects.filter(pk=shift.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=3))
    signup.refresh_from_db()
    return services.signup_check_in(signup=signup, by=None)  # type: ignore[arg-type]


def past_request(signup: Signup, *, pickup: str, note: str = NOTE, **answer: object) -> TransportRequest:
    """A request asked and answered before the shift (which has passed since)."""
    return TransportRequest.objects.create(
        signup=signup, pickup=pickup, seats=2, note=note, answered_at=timezone.now(), **answer
    )


@pytest.fixture
def campaign(almaty) -> Campaign:  # type: ignore[no-untyped-def]
    return CampaignFactory(region=almaty, title="Тал егу")


class TestTransportErasure:
    def test_erasure_blanks_every_request_and_clears_the_boards(self, alice, bob, campaign) -> None:  # type: ignore[no-untyped-def]
        upcoming = services.signup_create(shift=ShiftFactory(campaign=campaign), volunteer=bob, by=None)
        pending = services_extra.transport_request_save(signup=upcoming, pickup=HOME, seats=1, note=NOTE)
        past = attended(bob, campaign)
        arranged = past_request(
            past,
            pickup=PAST_HOME,
            status=TransportRequest.Status.ARRANGED,
            driver_name=DRIVER,
            driver_phone=DRIVER_PHONE,
            departure_at=past.shift.starts_at - datetime.timedelta(hours=1),
            departure_place=DEPARTURE,
            group="1",
        )
        declined = past_request(
            attended(bob, campaign),
            pickup=DECLINED_HOME,
            status=TransportRequest.Status.DECLINED,
            decline_reason=REASON,
        )
        # Someone else on the same past shift keeps their car.
        other = VolunteerFactory(region=campaign.region, last_name="Омарова")
        other_signup = Signup.objects.create(shift=past.shift, volunteer=other, status=Signup.Status.ATTENDED)
        other_request = past_request(other_signup, pickup="Жандосов 58", note="Балдақпен", status="pending")
        coordinator = client_for(alice)
        boards = [
            f"/manage/shifts/{upcoming.shift_id}/transport/",
            f"/manage/shifts/{past.shift_id}/transport/",
            f"/manage/shifts/{declined.signup.shift_id}/transport/",
            f"/manage/campaigns/{campaign.pk}/transport/",
        ]
        before = coordinator.get(boards[3]).content.decode()
        assert HOME in before and PAST_HOME in before and DECLINED_HOME in before

        account_delete(user=bob.user)

        for url in boards:
            response = coordinator.get(url)
            page = response.content.decode()
            assert response.status_code == 200
            assert not [text for text in EVERYTHING if text in page], url
            assert f'id="transport-{pending.pk}"' not in page
            assert f'id="transport-{arranged.pk}"' not in page
            assert f'id="transport-{declined.pk}"' not in page
        campaign_board = coordinator.get(boards[3]).content.decode()
        assert "Жандосов 58" in campaign_board and f'id="transport-{other_request.pk}"' in campaign_board
        rows = TransportRequest.objects.filter(signup__volunteer=bob)
        assert rows.count() == 3
        stored = json.dumps(list(rows.values()), default=str, ensure_ascii=False)
        assert not [text for text in EVERYTHING if text in stored]
        statuses = dict(rows.values_list("pk", "status"))
        # Open requests are off the board; a refusal stays what it was.
        assert statuses == {pending.pk: "cancelled", arranged.pk: "cancelled", declined.pk: "declined"}
        other_request.refresh_from_db()
        assert (other_request.pickup, other_request.note, other_request.status) == (
            "Жандосов 58",
            "Балдақпен",
            "pending",
        )

    def test_a_stale_board_cannot_answer_an_erased_persons_request(self, alice, bob, campaign) -> None:  # type: ignore[no-untyped-def]
        # A shift under way: the sign-up stays (attended), and a car could still be arranged.
        declined = past_request(
            attended(bob, campaign, hours_ago=1),
            pickup=DECLINED_HOME,
            status=TransportRequest.Status.DECLINED,
            decline_reason=REASON,
        )
        volunteer_anonymize(volunteer=bob, requested_by=None)
        response = client_for(alice).post(
            f"/manage/transport/{declined.pk}/answer/",
            {
                "action": "arrange",
                "driver_name": DRIVER,
                "driver_phone": DRIVER_PHONE,
                "departure_place": DEPARTURE,
            },
        )
        assert response.status_code == 302
        declined.refresh_from_db()
        assert (declined.status, declined.driver_name, declined.driver_phone) == ("declined", "", "")


@pytest.fixture
def flood(almaty) -> Campaign:  # type: ignore[no-untyped-def]
    return CampaignFactory(region=almaty, kind=Campaign.Kind.EMERGENCY, title="Су тасқыны")


def _link(answer: CallOutAnswer) -> str:
    return f"/callout/{services_extra.callout_token(answer)}/"


class TestCallOutErasure:
    def test_an_erased_persons_link_answers_404_and_records_nothing(self, flood, alice, bob) -> None:  # type: ignore[no-untyped-def]
        callout = services_extra.callout_create(campaign=flood, text="Қапшық толтыру керек.", by=alice)
        answer = callout.answers.get(volunteer=bob)
        link = _link(answer)
        anonymous = Client()
        assert anonymous.get(link).status_code == 200

        account_delete(user=bob.user)

        assert anonymous.get(link).status_code == 404
        assert anonymous.post(link, {"answer": "yes"}).status_code == 404
        assert not CallOutAnswer.objects.filter(volunteer=bob).exclude(answer="none").exists()
        # The unanswered row is gone: the page's counts are of people who can still answer.
        assert not CallOutAnswer.objects.filter(volunteer=bob).exists()
        counts = selectors.callout_counts(callout=callout)
        assert counts == {"none": 0, "yes": 0, "no": 0, "total": 0}
        page = client_for(alice).get(f"/manage/callouts/{callout.pk}/")
        assert page.status_code == 200

    def test_a_given_answer_stays_but_its_link_is_dead(self, flood, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        dana = VolunteerFactory(region=almaty, last_name="Омарова")
        callout = services_extra.callout_create(campaign=flood, text="Қапшық толтыру керек.", by=alice)
        mine = callout.answers.get(volunteer=bob)
        link = _link(mine)
        Client().post(link, {"answer": "yes"})
        mine.refresh_from_db()
        assert mine.answer == "yes"

        volunteer_anonymize(volunteer=bob, requested_by=None)

        assert Client().post(link, {"answer": "no"}).status_code == 404
        # A page read before the erasure and submitted after: the service refuses it too.
        with pytest.raises(CallOutAnswer.DoesNotExist):
            services_extra.callout_answer_set(answer=mine, value="no")
        kept = CallOutAnswer.objects.get(pk=mine.pk)
        assert (kept.answer, kept.token) == ("yes", "")
        counts = selectors.callout_counts(callout=callout)
        assert counts == {"none": 1, "yes": 1, "no": 0, "total": 2}
        assert CallOutAnswer.objects.get(volunteer=dana).token != ""

    def test_a_profile_marked_anonymised_is_refused_whatever_the_token(self, flood, alice, bob) -> None:  # type: ignore[no-untyped-def]
        callout = services_extra.callout_create(campaign=flood, text="Қапшық толтыру керек.", by=alice)
        answer = callout.answers.get(volunteer=bob)
        # Only the mark, as if a hook had not run: the link itself still checks the profile.
        Volunteer.objects.filter(pk=bob.pk).update(anonymized_at=timezone.now())
        assert Client().post(_link(answer), {"answer": "yes"}).status_code == 404
        answer.refresh_from_db()
        assert answer.answer == "none" and answer.answered_at is None


class TestMyDataDownload:
    def test_the_file_holds_transport_requests_and_call_out_answers(
        self, alice, bob, campaign, flood
    ) -> None:  # type: ignore[no-untyped-def]
        signup = services.signup_create(shift=ShiftFactory(campaign=campaign), volunteer=bob, by=None)
        request = services_extra.transport_request_save(signup=signup, pickup=HOME, seats=2, note=NOTE)
        services_extra.transport_arrange(
            request=request,
            by=alice,
            driver_name=DRIVER,
            driver_phone=DRIVER_PHONE,
            departure_at=in_days(2, 8),
            departure_place=DEPARTURE,
        )
        callout = services_extra.callout_create(campaign=flood, text="Қапшық толтыру керек.", by=alice)
        Client().post(_link(callout.answers.get(volunteer=bob)), {"answer": "yes"})

        response = client_for(bob.user).get("/me/data.json")

        assert response.status_code == 200
        data = json.loads(response.content)
        [transport] = data["transport"]
        assert transport["campaign"] == "Тал егу"
        assert (transport["pickup"], transport["seats"], transport["note"]) == (HOME, 2, NOTE)
        assert transport["status"] == "arranged"
        assert (transport["driver_name"], transport["driver_phone"]) == (DRIVER, DRIVER_PHONE)
        assert transport["departure_place"] == DEPARTURE and transport["departure_at"] is not None
        [called] = data["callouts"]
        assert called["campaign"] == "Су тасқыны" and called["message"] == "Қапшық толтыру керек."
        assert called["answer"] == "yes" and called["answered_at"] is not None
        assert "token" not in called

    def test_each_section_is_one_query_whatever_the_rows(self, alice, bob, campaign) -> None:  # type: ignore[no-untyped-def]
        for days in (2, 3, 4):
            shift = ShiftFactory(campaign=campaign, starts_at=in_days(days))
            signup = services.signup_create(shift=shift, volunteer=bob, by=None)
            services_extra.transport_request_save(signup=signup, pickup=HOME, seats=1)
        with CaptureQueriesContext(connection) as transport:
            assert len(selectors.personal_data_transport(bob)) == 3
        with CaptureQueriesContext(connection) as callouts:
            assert selectors.personal_data_callouts(bob) == []
        assert len(transport.captured_queries) == len(callouts.captured_queries) == 1
