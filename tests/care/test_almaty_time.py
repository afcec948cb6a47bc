"""Help-request dates as a coordinator in Almaty reads them: who is of age on 29 February."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from care import selectors
from tests.factories import MinorFactory
from tests.notifications.conftest import clock

from .factories import HelpRequestFactory

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


def test_suggestions_on_29_february_count_those_of_age_that_day(almaty) -> None:  # type: ignore[no-untyped-def]
    """29 February 2028 (00:30 in Almaty, still the 28th in UTC): the request's page suggests those
    18 today — born on 28 February 2010 — and not someone born on 1 March 2010."""
    now = datetime.datetime(2028, 2, 29, 0, 30, tzinfo=ALMATY)
    request = HelpRequestFactory(
        due_from=now + datetime.timedelta(hours=10), due_until=now + datetime.timedelta(hours=13)
    )
    of_age = MinorFactory(region=almaty, birth_date=datetime.date(2010, 2, 28))
    not_yet = MinorFactory(region=almaty, birth_date=datetime.date(2010, 3, 1))
    with clock(now):
        suggested = {v.pk for v in selectors.suggested_volunteers(request=request, limit=50)}
    assert of_age.pk in suggested
    assert not_yet.pk not in suggested


def test_no_reminder_to_go_once_staff_closed_the_request_as_done(alice, bob) -> None:  # type: ignore[no-untyped-def]
    """Confirmed for a request in three days (reminded CARE_REMINDER_HOURS before); the family
    helped already and the coordinator closes it as done: the reminder to go is not sent."""
    from django.core import mail

    from care import services
    from notifications.services import messages_send_due

    from .factories import in_days

    request = HelpRequestFactory(due_from=in_days(3), due_until=in_days(3) + datetime.timedelta(hours=3))
    services.assignment_volunteer(request=request, volunteer=bob, by=alice)
    messages_send_due(max_seconds=30)
    mail.outbox.clear()
    services.request_close(request=request, status="done", outcome_note="Көршілері көмектесті", by=alice)
    with clock(request.due_from - datetime.timedelta(minutes=1)):
        assert messages_send_due(max_seconds=30).sent == 0
    assert mail.outbox == []


def test_the_demo_data_can_be_made_on_29_february() -> None:
    from care.demo import seed_care

    with clock(datetime.datetime(2028, 2, 29, 9, tzinfo=ALMATY)):
        counts = seed_care(per_region=0)
    assert counts["help_requests"] == 0


class TestTheWindowAsShown:
    """A request's time window on its page and in the list, in Almaty time: the date once when the
    window is within a day, and both dates when it runs past midnight."""

    def _pages(self, user, request) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        from tests.conftest import client_for

        client = client_for(user)
        client.cookies["django_language"] = "kk"
        detail = client.get(f"/care/requests/{request.pk}/").content.decode()
        listed = client.get("/care/requests/").content.decode()
        return " ".join(detail.split()), " ".join(listed.split())

    def test_a_window_within_a_day_names_the_date_once(self, alice) -> None:  # type: ignore[no-untyped-def]
        # 18:00–20:00 in Almaty is 13:00–15:00 UTC: the times shown are Almaty's.
        start = datetime.datetime(2027, 3, 23, 18, 0, tzinfo=ALMATY)
        request = HelpRequestFactory(due_from=start, due_until=start + datetime.timedelta(hours=2))
        for page in self._pages(alice, request):
            assert "23.03.2027 18:00–20:00" in page
            assert "23.03.2027 20:00" not in page

    def test_a_window_past_midnight_names_both_dates(self, alice) -> None:  # type: ignore[no-untyped-def]
        start = datetime.datetime(2027, 3, 23, 22, 0, tzinfo=ALMATY)
        request = HelpRequestFactory(due_from=start, due_until=start + datetime.timedelta(hours=3))
        for page in self._pages(alice, request):
            assert "23.03.2027 22:00 – 24.03.2027 01:00" in page
