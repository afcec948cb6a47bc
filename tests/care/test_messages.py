"""What care tells people (care/messages.py): the request's window is written as a range of local
times, never as "from <date> until <date>", which Kazakh would have to inflect (-нан, -ға)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from care import messages, services
from care.models import HelpRequest
from notifications.models import Message
from tests.factories import VolunteerFactory

from .factories import HelpRequestFactory, in_days

pytestmark = pytest.mark.django_db

# What "from … until …" became in the Kazakh of the old messages: words placed after a date,
# whose case ending a placeholder cannot carry.
INFLECTING = ("бастап", "дейін")


def window_kk(request: HelpRequest) -> str:
    """The window as a Kazakh text writes it: "29.11.2026 10:00–13:00" (Almaty time)."""
    start, end = timezone.localtime(request.due_from), timezone.localtime(request.due_until)
    return f"{start:%d.%m.%Y %H:%M}–{end:%H:%M}"


def texts(subject_type: str) -> list[str]:
    return [m.context["text"] for m in Message.objects.filter(subject_type=subject_type).order_by("id")]


@pytest.fixture
def request_later(almaty):  # type: ignore[no-untyped-def]
    """A window two days ahead (room for the day-before reminder), adults not required."""
    return HelpRequestFactory(
        due_from=in_days(2), due_until=in_days(2, hour=13), needed_hands=5, adults_only=False
    )


class TestWindowWording:
    def test_volunteer_is_told_and_reminded_with_the_window_as_a_range(
        self, alice, bob, request_later
    ) -> None:  # type: ignore[no-untyped-def]
        bob.preferred_language = "kk"
        bob.save(update_fields=["preferred_language"])
        services.assignment_volunteer(request=request_later, volunteer=bob, by=alice)
        told = texts("care.assignment")
        assert len(told) == 2  # at once, and the day before
        for text in told:
            assert window_kk(request_later) in text
            assert not any(word in text for word in INFLECTING), text

    def test_urgent_alert_to_coordinators_has_the_window_as_a_range(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        request = HelpRequestFactory(urgency=HelpRequest.Urgency.URGENT)
        messages.urgent_request(request)
        (text,) = texts("care.request")  # in the site's language: Kazakh
        assert window_kk(request) in text
        assert not any(word in text for word in INFLECTING), text

    def test_curator_is_told_with_the_window_as_a_range(self, alice, detachment, request_later) -> None:  # type: ignore[no-untyped-def]
        services.assignment_detachment(
            request=request_later, detachment=detachment, hands=3, curator_going=True, by=alice
        )
        (text,) = texts("care.assignment")
        assert window_kk(request_later) in text
        assert not any(word in text for word in INFLECTING), text

    def test_a_window_past_midnight_gives_both_ends_in_full(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        bob.preferred_language = "en"
        bob.save(update_fields=["preferred_language"])
        start = in_days(2, hour=20)
        request = HelpRequestFactory(due_from=start, due_until=start + datetime.timedelta(hours=6))
        services.assignment_volunteer(request=request, volunteer=bob, by=alice)
        text = texts("care.assignment")[0]
        end = timezone.localtime(request.due_until)
        assert f" – {end:%d.%m.%Y}" in text
        assert " from " not in text and " to " not in text and " until " not in text

    def test_a_russian_window_writes_both_ends_as_the_pages_do(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        # Russian's TIME_FORMAT is "G:i": "08:00–9:30" read the two ends two ways.
        bob.preferred_language = "ru"
        bob.save(update_fields=["preferred_language"])
        request = HelpRequestFactory(due_from=in_days(2, hour=8), due_until=in_days(2, hour=9))
        services.assignment_volunteer(request=request, volunteer=bob, by=alice)
        start = timezone.localtime(request.due_from)
        assert f"{start:%d.%m.%Y} 08:00–09:00" in texts("care.assignment")[0]


class TestCuratorsLanguage:
    def test_a_curator_with_a_russian_profile_is_told_in_russian(
        self, alice, detachment, request_later
    ) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(user=detachment.curator, preferred_language="ru")
        services.assignment_detachment(
            request=request_later, detachment=detachment, hands=3, curator_going=True, by=alice
        )
        [message] = Message.objects.filter(
            subject_type="care.assignment", recipient_email="teacher@example.kz"
        )
        assert message.language == "ru"
        assert message.context["subject"].startswith("Ваш отряд идёт")

    def test_a_curator_without_a_profile_is_told_in_the_sites_language(
        self, alice, detachment, request_later
    ) -> None:  # type: ignore[no-untyped-def]
        services.assignment_detachment(
            request=request_later, detachment=detachment, hands=3, curator_going=True, by=alice
        )
        [message] = Message.objects.filter(
            subject_type="care.assignment", recipient_email="teacher@example.kz"
        )
        assert message.language == "kk"


class TestWithoutAnAccount:
    def test_a_walk_in_is_told_the_coordinator_gives_the_address_not_the_page(
        self, alice, almaty, bob, request_later
    ) -> None:  # type: ignore[no-untyped-def]
        walk_in = VolunteerFactory(region=almaty, preferred_language="ru")
        assert walk_in.user_id is None
        services.assignment_volunteer(request=request_later, volunteer=walk_in, by=alice)
        told, reminded = texts("care.assignment")
        assert "Адрес и телефон вам сообщит координатор." in told
        assert "сообщите координатору" in reminded
        assert not any("странице заявки" in text for text in (told, reminded))

    def test_a_volunteer_with_an_account_is_sent_to_the_page(self, alice, bob, request_later) -> None:  # type: ignore[no-untyped-def]
        bob.preferred_language = "ru"
        bob.save(update_fields=["preferred_language"])
        services.assignment_volunteer(request=request_later, volunteer=bob, by=alice)
        told, reminded = texts("care.assignment")
        assert "Адрес и телефон — на странице заявки." in told
        assert "откажитесь на странице заявки" in reminded


def test_an_sms_held_by_the_night_past_the_window_expires_instead_of_sending_them(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """Confirmed at 23:00 for help until 23:30 the same night: the SMS waits for 08:00 (quiet
    hours), when the visit is long over; it is not sent to someone who would then set out."""
    from notifications.services import messages_send_due
    from tests.notifications.conftest import clock

    zone = timezone.get_default_timezone()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    night = datetime.datetime.combine(tomorrow, datetime.time(23, 0), tzinfo=zone)
    texter = VolunteerFactory(region=almaty, preferred_channel="sms", with_account=True)
    with clock(night - datetime.timedelta(hours=1)):
        request = HelpRequestFactory(
            due_from=night - datetime.timedelta(minutes=30),
            due_until=night + datetime.timedelta(minutes=30),
            needed_hands=1,
            adults_only=False,
        )
    with clock(night):
        services.assignment_volunteer(request=request, volunteer=texter, by=alice)
    [told] = Message.objects.filter(subject_type="care.assignment", recipient=texter)
    assert told.valid_until == request.due_until
    with clock(
        datetime.datetime.combine(tomorrow + datetime.timedelta(days=1), datetime.time(8, 5), tzinfo=zone)
    ):
        messages_send_due(max_seconds=30)
    told.refresh_from_db()
    assert told.status == Message.Status.EXPIRED
