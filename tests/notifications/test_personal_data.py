""" "Download my data" holds the messages sent to the person (or on their behalf) and their
message preferences: their own rows only, without a guardian's address or other people's messages,
read in a fixed number of queries."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from notifications import selectors, services
from notifications.models import Message
from tests.conftest import client_for

from .conftest import schedule

pytestmark = pytest.mark.django_db

GUARDIAN_PHONE = "+77019998877"


def my_data(volunteer) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = client_for(volunteer.user).get("/me/data.json")
    assert response.status_code == 200
    return json.loads(response.content)


class TestMyDataMessages:
    def test_download_lists_own_messages_only(self, bob, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        sent = schedule(bob, subject_id=1, due_at=timezone.now() - datetime.timedelta(hours=1))
        services.messages_send_due(max_seconds=30)
        schedule(
            bob,
            kind="visit_booked",
            subject_id=2,
            context={"office": "Жетісу кеңсесі", "starts_at": timezone.now() + datetime.timedelta(days=3)},
        )
        schedule(bob, kind="signup_confirmed", subject_id=3, recipient_phone=GUARDIAN_PHONE)
        schedule(
            astana_volunteer, subject_id=4, context={"title": "Бөтен акция", "starts_at": timezone.now()}
        )
        data = my_data(bob)
        rows = data["messages"]
        assert len(rows) == 3
        by_kind = {row["kind"]: row for row in rows}
        sent.refresh_from_db()
        assert sent.status == Message.Status.SENT
        assert by_kind["shift_reminder_24h"] == {
            "kind": "shift_reminder_24h",
            "channel": sent.channel,
            "about": "Тал егу",
            "on_behalf": False,
            "status": "sent",
            "due_at": timezone.localtime(sent.due_at).isoformat(),
            "sent_at": timezone.localtime(sent.sent_at).isoformat(),
        }
        assert by_kind["visit_booked"]["about"] == "Жетісу кеңсесі"
        assert by_kind["visit_booked"]["status"] == "pending" and by_kind["visit_booked"]["sent_at"] is None
        assert by_kind["signup_confirmed"]["on_behalf"] is True
        text = json.dumps(data, ensure_ascii=False)
        # Another volunteer's message, and the address of whoever was reached on bob's behalf.
        assert "Бөтен акция" not in text
        assert GUARDIAN_PHONE not in text and GUARDIAN_PHONE[2:] not in text

    def test_preferences_as_chosen(self, bob) -> None:  # type: ignore[no-untyped-def]
        assert my_data(bob)["message_preferences"] == {
            "email_opt_out": False,
            "sms_opt_out": False,
            "announcements_opt_out": False,
            "updated_at": None,
        }
        services.preference_update(
            volunteer=bob, email_opt_out=False, sms_opt_out=True, announcements_opt_out=True
        )
        preferences = my_data(bob)["message_preferences"]
        assert preferences["sms_opt_out"] is True and preferences["email_opt_out"] is False
        assert preferences["announcements_opt_out"] is True
        assert preferences["updated_at"] is not None

    def test_sections_read_in_fixed_queries(self, bob, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
        for n in range(5):
            schedule(bob, subject_id=10 + n)
        with django_assert_num_queries(1):
            rows = selectors.personal_data_messages(bob)
        with django_assert_num_queries(1):
            preferences = selectors.personal_data_message_preferences(bob)
        assert len(rows) == 5
        json.dumps([rows, preferences])
