"""What hangs off a shift when something stops: the person erased, the campaign cancelled.
Places freed go to the waitlist, nothing is left to remind anyone of, and each person affected
is told once."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone, translation

from events import services, services_extra
from events.models import CallOutAnswer, Campaign, Signup, TransportRequest
from events.services_extra import transport_arrange, transport_request_save
from notifications.models import Message
from tests.factories import VolunteerFactory
from volunteer_net.dates import when_text
from volunteers.services import volunteer_erase_on_request

from .factories import CampaignFactory, ShiftFactory


def pending_kinds(volunteer) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(
        Message.objects.filter(recipient=volunteer, status=Message.Status.PENDING).values_list(
            "kind", flat=True
        )
    )


@pytest.mark.django_db
class TestErasedByStaff:
    def test_nothing_is_written_to_the_erased_person_and_the_waitlist_moves_up(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1)
        person, waiting = VolunteerFactory(region=almaty), VolunteerFactory(region=almaty)
        mine = services.signup_create(shift=shift, volunteer=person, by=None)
        behind = services.signup_create(shift=shift, volunteer=waiting, by=None)

        volunteer_erase_on_request(volunteer=person, by=alice, basis="Өтініш № 12")

        assert Signup.objects.get(pk=mine.pk).status == Signup.Status.CANCELLED
        assert Signup.objects.get(pk=behind.pk).status == Signup.Status.CONFIRMED
        shift.refresh_from_db()
        assert shift.taken_places == 1
        # Not "your sign-up was cancelled by the organisers": the person asked for the erasure.
        assert pending_kinds(person) == []
        assert "waitlist_promoted" in pending_kinds(waiting)


@pytest.mark.django_db
class TestLiftAnsweredThenCancelled:
    def arranged(self, alice, bob):  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        request = transport_request_save(signup=signup, pickup="Абай 10", seats=1)
        transport_arrange(
            request=request,
            by=alice,
            driver_name="Ерлан",
            driver_phone="+77011234567",
            departure_at=None,
            departure_place="Әкімдік",
        )
        assert "transport_answer" in pending_kinds(bob)
        return shift, signup

    def test_campaign_cancelled_sends_the_cancellation_not_the_driver(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift, signup = self.arranged(alice, bob)
        services.campaign_set_status(campaign=shift.campaign, status="cancelled", by=alice)
        assert TransportRequest.objects.get(signup=signup).status == TransportRequest.Status.CANCELLED
        assert pending_kinds(bob) == ["shift_cancelled"]

    def test_own_cancellation_leaves_nothing_to_send(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        _shift, signup = self.arranged(alice, bob)
        services.signup_cancel(signup=signup, by=bob.user)
        assert pending_kinds(bob) == []


@pytest.mark.django_db
class TestCallOutOfACampaignThatStops:
    @pytest.mark.parametrize("status", ["cancelled", "closed"])
    def test_the_call_out_closes_and_its_unsent_links_are_dropped(self, alice, bob, almaty, status) -> None:  # type: ignore[no-untyped-def]
        flood = CampaignFactory(region=almaty, kind=Campaign.Kind.EMERGENCY, title="Су тасқыны")
        callout = services_extra.callout_create(campaign=flood, text="Қапшық толтыру керек.", by=alice)
        answer = callout.answers.get(volunteer=bob)
        assert pending_kinds(bob) == ["callout"]

        services.campaign_set_status(campaign=flood, status=status, by=alice)

        callout.refresh_from_db()
        assert not callout.is_open
        assert pending_kinds(bob) == []
        # A link already received can no longer say "yes, I can come".
        link = f"/callout/{services_extra.callout_token(answer)}/"
        response = Client().post(link, {"answer": "yes"}, follow=True)
        assert response.status_code == 200
        answer.refresh_from_db()
        assert answer.answer == CallOutAnswer.Answer.NONE

    def test_a_call_out_closed_by_hand_drops_its_unsent_links_too(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        flood = CampaignFactory(region=almaty, kind=Campaign.Kind.EMERGENCY, title="Су тасқыны")
        first = services_extra.callout_create(campaign=flood, text="Қапшық толтыру керек.", by=alice)
        assert pending_kinds(bob) == ["callout"]
        services_extra.callout_close(callout=first)
        assert not first.is_open
        # The link waiting for the morning (quiet hours) or for a worker is not sent after all.
        assert pending_kinds(bob) == []
        # Closing it again, or a campaign's end after it, touches nothing of a later call-out.
        second = services_extra.callout_create(campaign=flood, text="Тағы адам керек.", by=alice)
        services_extra.callout_close(callout=first)
        assert pending_kinds(bob) == ["callout"] and second.answers.get(volunteer=bob)


@pytest.mark.django_db
class TestCampaignCancelledTellsEachPersonOnce:
    """A month of daily shifts cancelled with its campaign was one text a shift."""

    def cancel_with(self, alice, almaty, days: int, **people_shifts):  # type: ignore[no-untyped-def]
        campaign = CampaignFactory(region=almaty, title="Таза өзен")
        start = timezone.localtime(timezone.now()).replace(hour=10, minute=0, second=0, microsecond=0)
        shifts = [
            ShiftFactory(campaign=campaign, starts_at=start + datetime.timedelta(days=2 + n))
            for n in range(days)
        ]
        for person, count in people_shifts.values():
            for shift in shifts[:count]:
                services.signup_create(shift=shift, volunteer=person, by=None)
        Message.objects.filter(kind__in=["signup_confirmed", "waitlist_promoted"]).update(
            status=Message.Status.SENT
        )
        services.campaign_set_status(campaign=campaign, status="cancelled", by=alice)
        return campaign, shifts

    def told(self, volunteer) -> list[Message]:  # type: ignore[no-untyped-def]
        return list(Message.objects.filter(recipient=volunteer, status=Message.Status.PENDING))

    def test_several_shifts_one_message_naming_their_dates(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        bob.preferred_language = "en"
        bob.save(update_fields=["preferred_language"])
        dana = VolunteerFactory(region=almaty, preferred_language="ru")
        campaign, shifts = self.cancel_with(alice, almaty, 3, bob=(bob, 3), dana=(dana, 1))
        # Bob: one message for his three shifts, their reminders gone; the dates in his language.
        [message] = self.told(bob)
        assert message.kind == "generic"
        assert message.context["subject"] == "Cancelled: Таза өзен"
        text = message.context["text"]
        assert text.startswith("The campaign “Таза өзен” has been cancelled, and with it your 3 shifts: ")
        with translation.override("en"):
            assert all(when_text(shift.starts_at) in text for shift in shifts)
        assert message.context["url"].endswith(f"/campaigns/{campaign.pk}/")
        # Dana held one: the shift's own cancellation, as before.
        assert [m.kind for m in self.told(dana)] == ["shift_cancelled"]
        assert Signup.objects.filter(volunteer=bob, status="cancelled").count() == 3

    def test_a_long_list_is_cut_and_counted(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        bob.preferred_language = "ru"
        bob.save(update_fields=["preferred_language"])
        self.cancel_with(alice, almaty, 12, bob=(bob, 12))
        [message] = self.told(bob)
        assert "12 смен" in message.context["text"]
        assert "и ещё 4" in message.context["text"]
