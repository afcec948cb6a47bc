"""The iCalendar text: escaping and folding by the RFC 5545 rules, and a changed shift read again
as a newer version of its event."""

import datetime

import pytest
from django.db.models import F
from django.utils import timezone

from events import services
from events.models import Campaign, Shift
from tests.conftest import client_for
from volunteer_net.ics import CRLF, escape_text, fold

from .factories import ShiftFactory, in_days


def test_text_escaping() -> None:
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_long_lines_fold_at_75_octets_without_splitting_a_letter() -> None:
    line = "SUMMARY:" + "Қарттарға көмек, Өскемен қаласы — " * 6
    folded = fold(line)
    parts = folded.split(CRLF)
    assert len(parts) > 1
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert folded.replace(CRLF + " ", "") == line


def test_short_line_is_left_alone() -> None:
    assert fold("UID:shift-1@volunteer.kz") == "UID:shift-1@volunteer.kz"


@pytest.mark.django_db
def test_a_shift_moved_then_cancelled_comes_again_as_a_newer_version(alice, bob) -> None:  # type: ignore[no-untyped-def]
    """Opened again after a move (or read again by a subscribed calendar), the event must say it is
    a newer version of the one the calendar holds: Outlook and Google keep their first copy of a
    UID unless its SEQUENCE is higher."""
    shift = ShiftFactory(starts_at=in_days(5))
    services.signup_create(shift=shift, volunteer=bob, by=None)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Shift.objects.filter(pk=shift.pk).update(created_at=yesterday, updated_at=yesterday)
    Campaign.objects.filter(pk=shift.campaign_id).update(updated_at=yesterday)
    client = client_for(bob.user)

    def event() -> dict[str, str]:
        body = client.get(f"/shifts/{shift.pk}/calendar.ics").content.decode().replace("\r\n ", "")
        return dict(line.split(":", 1) for line in body.split("\r\n") if ":" in line)

    first = event()
    shift.refresh_from_db()
    new_start = shift.starts_at + datetime.timedelta(hours=2)
    services.shift_update(
        shift=shift,
        data={"starts_at": new_start, "ends_at": new_start + datetime.timedelta(hours=3)},
        by=alice,
    )
    moved = event()
    assert moved["DTSTART"] != first["DTSTART"]
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"]) >= 0
    assert moved["LAST-MODIFIED"] > first["LAST-MODIFIED"]
    # The cancellation comes an hour after the move.
    hour = datetime.timedelta(hours=1)
    Shift.objects.filter(pk=shift.pk).update(
        created_at=F("created_at") - hour, updated_at=F("updated_at") - hour
    )
    shift.refresh_from_db()
    services.shift_cancel(shift=shift, by=alice)
    cancelled = event()
    assert cancelled["STATUS"] == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > int(moved["SEQUENCE"])
