"""Shift times as a volunteer in Almaty checks them: a night shift over midnight, a shift at 00:30
on the first of a month, late sign-ups and their reminders, a shift re-timed there and back."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from events import services
from events.models import Shift, Signup
from events.selectors import CampaignFilters, shift_conditions
from notifications.models import Message
from notifications.services import messages_send_due
from tests.factories import VolunteerFactory
from tests.notifications.conftest import clock

from .factories import CampaignFactory, ShiftFactory

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
H = datetime.timedelta(hours=1)


def kz(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ALMATY)  # type: ignore[misc]


def first_of_next_month() -> datetime.date:
    today = timezone.localdate()
    return (today.replace(day=1) + datetime.timedelta(days=40)).replace(day=1)


def reminders(signup: Signup, status: str = "pending") -> dict[str, datetime.datetime]:
    return {
        m.kind: m.due_at
        for m in Message.objects.filter(
            subject_type="events.signup",
            subject_id=signup.pk,
            status=status,
            kind__startswith="shift_reminder",
        )
    }


def send_due() -> int:
    return messages_send_due(max_seconds=30).sent


def test_a_night_shift_belongs_to_the_evening_it_starts_and_lasts_four_hours() -> None:
    day = first_of_next_month() - datetime.timedelta(days=1)  # the last day of a month
    starts_at, ends_at = services.shift_window(day, datetime.time(22), datetime.time(2))
    assert (starts_at, ends_at) == (kz(day.year, day.month, day.day, 22), starts_at + 4 * H)
    shift = ShiftFactory(starts_at=starts_at, ends_at=ends_at)
    assert shift.local_date == day
    assert shift.duration_hours == 4


def test_a_shift_at_half_past_midnight_on_the_first_is_found_on_the_first() -> None:
    first = first_of_next_month()
    shift = ShiftFactory(starts_at=kz(first.year, first.month, first.day, 0, 30))
    assert shift.local_date == first
    on_the_first = CampaignFilters(date_from=first, date_to=first)
    the_day_before = CampaignFilters(date_to=first - datetime.timedelta(days=1))
    now = timezone.now()
    assert list(Shift.objects.filter(shift_conditions(on_the_first, now=now))) == [shift]
    assert not Shift.objects.filter(shift_conditions(the_day_before, now=now)).exists()


def test_sign_up_thirty_minutes_before_the_start_schedules_no_reminder(bob) -> None:  # type: ignore[no-untyped-def]
    shift = ShiftFactory(starts_at=timezone.now() + 30 * datetime.timedelta(minutes=1))
    signup = services.signup_create(shift=shift, volunteer=bob, by=None)
    assert reminders(signup) == {}
    assert send_due() == 1
    assert len(mail.outbox) == 1 and not mail.outbox[0].subject.startswith(("Ертең", "Завтра", "Tomorrow"))


def test_the_day_before_reminder_is_never_sent_on_the_day_itself(almaty) -> None:  # type: ignore[no-untyped-def]
    """Held up (a worker down for the night): "Tomorrow" at 07:00 of the shift's own day would be
    wrong; it is dropped, and the two-hours reminder goes out at its time."""
    day = timezone.localdate() + datetime.timedelta(days=5)
    shift = ShiftFactory(
        starts_at=kz(day.year, day.month, day.day, 10), campaign=CampaignFactory(title="Тал егу")
    )
    person = VolunteerFactory(region=almaty, preferred_language="en")
    signup = services.signup_create(shift=shift, volunteer=person, by=None)
    send_due()
    mail.outbox.clear()
    with clock(kz(day.year, day.month, day.day, 7)):
        assert send_due() == 0
    assert reminders(signup, status="expired") == {"shift_reminder_24h": shift.starts_at - 24 * H}
    with clock(shift.starts_at - 2 * H + datetime.timedelta(seconds=5)):
        assert send_due() == 1
    assert [m.subject for m in mail.outbox] == ["In two hours: Тал егу"]


def test_the_day_before_reminder_of_a_shift_at_half_past_midnight_goes_the_day_before(almaty) -> None:  # type: ignore[no-untyped-def]
    first = first_of_next_month()
    shift = ShiftFactory(
        starts_at=kz(first.year, first.month, first.day, 0, 30), campaign=CampaignFactory(title="Түнгі рейд")
    )
    person = VolunteerFactory(region=almaty, preferred_language="en")
    signup = services.signup_create(shift=shift, volunteer=person, by=None)
    eve = first - datetime.timedelta(days=1)
    assert reminders(signup) == {
        "shift_reminder_24h": kz(eve.year, eve.month, eve.day, 0, 30),
        "shift_reminder_2h": kz(eve.year, eve.month, eve.day, 22, 30),
    }
    send_due()
    mail.outbox.clear()
    with clock(kz(eve.year, eve.month, eve.day, 0, 30, 5)):
        assert send_due() == 1
    assert mail.outbox[0].subject == "Tomorrow: Түнгі рейд"
    assert "00:30" in mail.outbox[0].body


def test_a_shift_moved_away_and_back_is_reminded_at_its_time(alice, bob) -> None:  # type: ignore[no-untyped-def]
    """Moved to an hour from now (the two-hours reminder is then too late and dropped), then back:
    its reminders are those of the original start again."""
    start = timezone.now() + 10 * H
    shift = ShiftFactory(starts_at=start, ends_at=start + 2 * H)
    signup = services.signup_create(shift=shift, volunteer=bob, by=None)
    assert reminders(signup) == {"shift_reminder_2h": start - 2 * H}
    soon = timezone.now() + H
    services.shift_update(shift=shift, data={"starts_at": soon, "ends_at": soon + 2 * H}, by=alice)
    assert reminders(signup) == {}
    services.shift_update(shift=shift, data={"starts_at": start, "ends_at": start + 2 * H}, by=alice)
    assert reminders(signup) == {"shift_reminder_2h": start - 2 * H}


def test_a_shift_moved_back_onto_a_called_off_reminder_time_is_saved(alice, bob) -> None:  # type: ignore[no-untyped-def]
    """Start A, then an hour from now (A's reminder called off), then B, then A again: the edit goes
    through and the one reminder waiting is A's."""
    a = timezone.now() + 10 * H
    b = timezone.now() + 12 * H
    shift = ShiftFactory(starts_at=a, ends_at=a + 2 * H)
    signup = services.signup_create(shift=shift, volunteer=bob, by=None)
    for start in (timezone.now() + H, b, a):
        services.shift_update(shift=shift, data={"starts_at": start, "ends_at": start + 2 * H}, by=alice)
    assert reminders(signup) == {"shift_reminder_2h": a - 2 * H}


def test_download_my_data_gives_shift_times_in_almaty(bob) -> None:  # type: ignore[no-untyped-def]
    from events.selectors import personal_data_shifts
    from front_offices.selectors import personal_data_visits
    from notifications.selectors import personal_data_messages

    first = first_of_next_month()
    shift = ShiftFactory(starts_at=kz(first.year, first.month, first.day, 0, 30))
    services.signup_create(shift=shift, volunteer=bob, by=None)
    row = personal_data_shifts(bob)["signups"][0]
    assert row["starts_at"] == f"{first.isoformat()}T00:30:00+05:00"
    assert row["signed_up_at"].endswith("+05:00")
    assert personal_data_visits(bob) == []
    due = {m["due_at"] for m in personal_data_messages(bob)}
    eve = first - datetime.timedelta(days=1)
    assert f"{eve.isoformat()}T22:30:00+05:00" in due


def test_eighteen_on_the_shifts_almaty_date_even_at_half_past_midnight(almaty) -> None:  # type: ignore[no-untyped-def]
    """A shift for adults at 00:30 on the 1st (still the 30th/31st in UTC): someone whose 18th
    birthday is the 1st may sign up; someone born a day later may not."""
    from tests.factories import MinorFactory

    first = first_of_next_month()
    shift = ShiftFactory(starts_at=kz(first.year, first.month, first.day, 0, 30), adults_only=True)
    born = first.replace(year=first.year - 18)
    of_age = MinorFactory(region=almaty, birth_date=born, guardian_consent_at=timezone.now())
    day_late = MinorFactory(
        region=almaty, birth_date=born + datetime.timedelta(days=1), guardian_consent_at=timezone.now()
    )
    assert services.signup_refusal(shift=shift, volunteer=of_age) is None
    refusal = services.signup_refusal(shift=shift, volunteer=day_late)
    assert refusal is not None and refusal.code == "adults_only"


def test_sign_up_after_the_deadline_names_it_in_almaty_time(bob) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    first = first_of_next_month()
    shift = ShiftFactory(
        starts_at=kz(first.year, first.month, first.day, 0, 30),
        signup_deadline=kz(first.year, first.month, first.day, 0, 0) - datetime.timedelta(minutes=1),
    )
    with clock(kz(first.year, first.month, first.day, 0, 5)), translation.override("en"):
        refusal = services.signup_refusal(shift=shift, volunteer=bob)
    assert refusal is not None and refusal.code == "deadline"
    eve = first - datetime.timedelta(days=1)
    assert refusal.messages == [f"Sign-up for this shift closed at {eve:%d.%m.%Y} 23:59."]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize(
    "typed", ["01.12.2026 00:30", "01.12.26 00:30", "2026-12-01T00:30", "2026-12-01 00:30"]
)
def test_a_deadline_is_read_as_typed_in_almaty_time(language: str, typed: str) -> None:
    from django.utils import translation

    from events.forms import ShiftForm

    with translation.override(language):
        value = ShiftForm.base_fields["signup_deadline"].clean(typed)
    assert value == kz(2026, 12, 1, 0, 30)


def test_english_reads_a_deadline_written_with_slashes_day_first() -> None:
    from django.utils import translation

    from events.forms import ShiftForm

    with translation.override("en"):
        assert ShiftForm.base_fields["date"].clean("01/12/2026") == datetime.date(2026, 12, 1)
        assert ShiftForm.base_fields["signup_deadline"].clean("01/12/2026 00:30") == kz(2026, 12, 1, 0, 30)


def test_calendar_file_of_a_night_shift_and_of_one_at_half_past_midnight() -> None:
    from events.ics import shift_calendar

    first = first_of_next_month()
    eve = first - datetime.timedelta(days=1)
    night = ShiftFactory(
        starts_at=kz(eve.year, eve.month, eve.day, 22), ends_at=kz(first.year, first.month, first.day, 2)
    )
    body = shift_calendar(night, url="https://example.kz/shifts/1/")
    assert f"DTSTART:{eve:%Y%m%d}T170000Z\r\n" in body
    assert f"DTEND:{eve:%Y%m%d}T210000Z\r\n" in body
    early = ShiftFactory(starts_at=kz(first.year, first.month, first.day, 0, 30))
    body = shift_calendar(early, url="https://example.kz/shifts/2/")
    # 00:30 on the 1st in Almaty is 19:30 UTC on the evening before: a calendar shows it on the 1st.
    assert f"DTSTART:{eve:%Y%m%d}T193000Z\r\n" in body


def test_a_place_opened_up_is_not_announced_after_the_shift_has_started(almaty) -> None:  # type: ignore[no-untyped-def]
    """Moved up from the waitlist 30 minutes before the start, with the workers down until after
    it: "A place opened up" an hour later would send the person to a shift under way."""
    start = timezone.now() + 30 * datetime.timedelta(minutes=1)
    shift = ShiftFactory(starts_at=start, ends_at=start + 3 * H, capacity=1)
    first = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
    second = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
    send_due()
    mail.outbox.clear()
    services.signup_cancel(signup=first, by=None)
    with clock(start + H):
        send_due()
    assert [m for m in mail.outbox if m.to == [second.volunteer.email]] == []
    promoted = Message.objects.get(subject_id=second.pk, kind="waitlist_promoted")
    assert promoted.status == "expired"


def test_an_upcoming_shift_cannot_be_moved_into_the_past(alice, bob) -> None:  # type: ignore[no-untyped-def]
    """A date mistyped on the edit form (the 1st of this month for the next): refused, and the
    person signed up hears nothing and keeps their reminders."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    start = timezone.now() + 30 * H
    shift = ShiftFactory(starts_at=start, ends_at=start + 2 * H)
    signup = services.signup_create(shift=shift, volunteer=bob, by=None)
    before = reminders(signup)
    past = start - 3 * 24 * H
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.shift_update(shift=shift, data={"starts_at": past, "ends_at": past + 2 * H}, by=alice)
    day = timezone.localtime(past).date()
    assert caught.value.message_dict == {
        "starts_at": [f"The shift of {day:%d.%m.%Y} would start in the past."]
    }
    shift.refresh_from_db()
    assert shift.starts_at == start
    assert reminders(signup) == before
    assert not Message.objects.filter(kind="shift_changed").exists()


def test_a_shift_under_way_may_have_its_times_corrected(alice) -> None:  # type: ignore[no-untyped-def]
    start = timezone.now() - H
    shift = ShiftFactory(starts_at=start, ends_at=start + 2 * H)
    services.shift_update(shift=shift, data={"starts_at": start - H, "ends_at": start + 2 * H}, by=alice)
    shift.refresh_from_db()
    assert shift.duration_hours == 3
