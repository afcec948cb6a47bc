"""Booking, its refusals (in kk too), cancel, reschedule, the staff's day and its scope, the API,
and the messages each step schedules."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.services import api_token_issue
from front_offices import services
from front_offices.models import Visit, VisitSlot
from notifications.models import Message
from tests.conftest import client_for
from tests.factories import UserFactory, VolunteerFactory

from .helpers import make_office, next_weekday, slot_at, slots_for

pytestmark = pytest.mark.django_db


def refusal(**kw):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        services.visit_book(purpose="consultation", by=None, **kw)
    return caught.value


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    return make_office(capacity=2)


@pytest.fixture
def monday() -> datetime.date:
    return next_weekday(0, after=2)


def test_booking_takes_a_place_and_schedules_confirmation_and_reminders(office, monday, bob) -> None:  # type: ignore[no-untyped-def]
    slot = slot_at(office, monday, 18)
    visit = services.visit_book(
        slot=slot, volunteer=bob, purpose="certificate", note="2 сертификат", by=bob.user
    )
    slot.refresh_from_db()
    assert slot.taken == 1 and visit.is_evening and visit.status == "booked"
    kinds = set(
        Message.objects.filter(subject_type="front_offices.visit", subject_id=visit.pk).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"visit_booked", "visit_reminder_24h", "visit_reminder_1h"}
    reminder = Message.objects.get(kind="visit_reminder_1h", subject_id=visit.pk)
    assert reminder.due_at == visit.starts_at - datetime.timedelta(hours=1)


def test_every_refusal_has_its_code(office, monday, bob) -> None:  # type: ignore[no-untyped-def]
    slot = slot_at(office, monday, 9)
    services.visit_book(slot=slot, volunteer=bob, purpose="consultation", by=None)
    assert refusal(slot=slot, volunteer=bob).code == "duplicate"
    services.visit_book(slot=slot, volunteer=VolunteerFactory(), purpose="consultation", by=None)
    assert refusal(slot=slot, volunteer=VolunteerFactory()).code == "full"
    blocked = slot_at(office, monday, 10)
    VisitSlot.objects.filter(pk=blocked.pk).update(blocked_reason="Семинар")
    assert refusal(slot=blocked, volunteer=bob).code == "blocked"
    past = slot_at(office, monday, 11)
    VisitSlot.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1), ends_at=timezone.now()
    )
    assert refusal(slot=past, volunteer=bob).code == "past"
    far_day = next_weekday(0, after=70)
    assert refusal(slot=slot_at(office, far_day, 9), volunteer=bob).code == "horizon"
    office.is_active = False
    office.save()
    assert refusal(slot=slot_at(office, monday, 15), volunteer=bob).code == "closed"
    office.is_active = True
    office.save()
    for hour in (15, 16):
        services.visit_book(
            slot=slot_at(office, monday, hour), volunteer=bob, purpose="consultation", by=None
        )
    assert refusal(slot=slot_at(office, monday, 17), volunteer=bob).code == "limit"
    with pytest.raises(ValidationError) as bad:
        services.visit_book(
            slot=slot_at(office, monday, 17), volunteer=VolunteerFactory(), purpose="nonsense", by=None
        )
    assert "purpose" in bad.value.message_dict


@override_settings(FRONT_OFFICE_MAX_FUTURE_VISITS=1, FRONT_OFFICE_BOOKING_HORIZON_DAYS=10)
def test_limit_and_horizon_are_settings(office, bob) -> None:  # type: ignore[no-untyped-def]
    near = next_weekday(1)  # within a week
    services.visit_book(slot=slot_at(office, near, 9), volunteer=bob, purpose="consultation", by=None)
    assert refusal(slot=slot_at(office, near, 10), volunteer=bob).code == "limit"
    assert (
        refusal(slot=slot_at(office, next_weekday(1, after=11), 9), volunteer=VolunteerFactory()).code
        == "horizon"
    )


def test_refusals_read_in_kazakh(office, monday, bob) -> None:  # type: ignore[no-untyped-def]
    slot = slot_at(office, monday, 9)
    for _ in range(2):
        services.visit_book(slot=slot, volunteer=VolunteerFactory(), purpose="consultation", by=None)
    with translation.override("kk"):
        message = refusal(slot=slot, volunteer=bob).messages[0]
    assert message != "This time is fully booked. Please choose another."
    assert "толық" in message.lower() or "орын" in message.lower()


def test_cancel_frees_the_place_and_drops_the_reminders(office, monday, bob) -> None:  # type: ignore[no-untyped-def]
    slot = slot_at(office, monday, 9)
    visit = services.visit_book(slot=slot, volunteer=bob, purpose="consultation", by=bob.user)
    services.visit_book(slot=slot, volunteer=VolunteerFactory(), purpose="consultation", by=None)
    services.visit_cancel(visit=visit, by=bob.user)
    slot.refresh_from_db()
    assert slot.taken == 1
    services.visit_book(slot=slot, volunteer=VolunteerFactory(), purpose="consultation", by=None)
    pending = Message.objects.filter(
        subject_id=visit.pk, subject_type="front_offices.visit", status="pending"
    )
    assert not pending.filter(kind__startswith="visit_reminder").exists()
    # Cancelled by the person: not told what they just did.
    assert not Message.objects.filter(subject_id=visit.pk, kind="visit_cancelled").exists()


def test_reschedule_moves_in_one_step_and_a_refusal_keeps_the_old_place(office, monday, bob) -> None:  # type: ignore[no-untyped-def]
    old, new, full = slot_at(office, monday, 9), slot_at(office, monday, 18), slot_at(office, monday, 19)
    visit = services.visit_book(slot=old, volunteer=bob, purpose="consultation", by=bob.user)
    for _ in range(2):
        services.visit_book(slot=full, volunteer=VolunteerFactory(), purpose="consultation", by=None)
    with pytest.raises(ValidationError) as caught:
        services.visit_reschedule(visit=visit, to_slot=full, by=bob.user)
    assert caught.value.code == "full"
    old.refresh_from_db()
    visit.refresh_from_db()
    assert old.taken == 1 and visit.slot_id == old.pk
    services.visit_reschedule(visit=visit, to_slot=new, by=bob.user)
    old.refresh_from_db()
    new.refresh_from_db()
    visit.refresh_from_db()
    assert (old.taken, new.taken, visit.slot_id, visit.starts_at) == (0, 1, new.pk, new.starts_at)
    assert Message.objects.filter(subject_id=visit.pk, kind="visit_moved").exists()
    assert Message.objects.get(subject_id=visit.pk, kind="visit_reminder_1h", status="pending").due_at == (
        new.starts_at - datetime.timedelta(hours=1)
    )


def test_blocking_cancels_booked_visits_and_tells_the_reason(office, monday, bob, alice) -> None:  # type: ignore[no-untyped-def]
    slot = slot_at(office, monday, 14)
    visit = services.visit_book(slot=slot, volunteer=bob, purpose="consultation", by=bob.user)
    tz = timezone.get_default_timezone()
    cancelled = services.slots_block(
        office=office,
        starts_at=datetime.datetime.combine(monday, datetime.time(14), tzinfo=tz),
        ends_at=datetime.datetime.combine(monday, datetime.time(16), tzinfo=tz),
        reason="Электр жоқ",
        by=alice,
    )
    assert [v.pk for v in cancelled] == [visit.pk]
    assert VisitSlot.objects.filter(office=office, local_date=monday).exclude(blocked_reason="").count() == 4
    told = Message.objects.get(subject_id=visit.pk, kind="visit_cancelled")
    assert told.context["note"] == "Электр жоқ"
    visit.refresh_from_db()
    assert visit.status == "cancelled" and visit.cancel_reason == "Электр жоқ"


def test_staff_day_is_for_the_office_staff_and_the_regions_coordinators_only(
    office, monday, bob, alice, charlie, nora
) -> None:  # type: ignore[no-untyped-def]
    visit = services.visit_book(
        slot=slot_at(office, monday, 9), volunteer=bob, purpose="transport", note="Автобус", by=None
    )
    clerk = UserFactory(email="clerk-off@example.kz")
    office.staff.add(clerk)
    other_clerk = UserFactory(email="clerk-other@example.kz")
    make_office(region_code="71").staff.add(other_clerk)
    url = f"/front-offices/{office.pk}/day/?date={monday.isoformat()}"
    for user in (clerk, alice, nora):
        page = client_for(user).get(url)
        assert page.status_code == 200
        assert bob.full_name in page.content.decode() and "Автобус" in page.content.decode()
    for user in (charlie, other_clerk, bob.user):
        assert client_for(user).get(url).status_code == 404
        assert (
            client_for(user)
            .post(f"/front-offices/staff/visits/{visit.pk}/mark/", {"status": "arrived"})
            .status_code
            == 404
        )
        assert client_for(user).post(f"/front-offices/{office.pk}/walk-in/", {}).status_code == 404
    assert Client().get(url).status_code == 302


def test_staff_check_in_outcome_and_walk_in(office, bob, alice) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    clerk = UserFactory(email="clerk-off@example.kz")
    office.staff.add(clerk)
    visit = Visit.objects.create(
        office=office, volunteer=bob, starts_at=timezone.now(), local_date=today, purpose="consultation"
    )
    client = client_for(clerk)
    client.post(f"/front-offices/staff/visits/{visit.pk}/mark/", {"status": "arrived"})
    client.post(f"/front-offices/staff/visits/{visit.pk}/mark/", {"outcome": "certificate_issued"})
    visit.refresh_from_db()
    assert (visit.status, visit.outcome) == ("arrived", "certificate_issued")
    # A known volunteer found by phone, then a new one.
    client.post(
        f"/front-offices/{office.pk}/walk-in/", {"walkin-phone": bob.phone, "walkin-purpose": "registration"}
    )
    assert Visit.objects.filter(volunteer=bob, walk_in=True, status="arrived").count() == 1
    refused = client.post(
        f"/front-offices/{office.pk}/walk-in/",
        {"walkin-phone": "+77019998877", "walkin-purpose": "registration"},
    )
    assert refused.status_code == 200 and "атын енгізіңіз" in refused.content.decode()
    client.post(
        f"/front-offices/{office.pk}/walk-in/",
        {
            "walkin-phone": "8 701 999 88 77",
            "walkin-purpose": "registration",
            "walkin-first_name": "Дана",
            "walkin-last_name": "Сейітова",
            "walkin-birth_date": "2001-04-02",
            "walkin-outcome": "registered",
            "walkin-own_document_number": "С-118",
        },
    )
    new = Visit.objects.get(walk_in=True, volunteer__phone="+77019998877")
    assert new.volunteer.first_name == "Дана" and new.outcome == "registered" and new.office == office
    # Added to the roster on the signed paper form, as the roster's own walk-in form records it.
    assert (new.volunteer.consent_method, new.volunteer.consent_document) == ("paper", "С-118")
    assert new.volunteer.consent_at is not None


def test_walk_in_does_not_find_people_of_other_regions_by_phone(office, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
    """The desk's phone search stays in the office's region: a number on file in Astana neither
    names its owner to the Almaty clerk nor opens their record through a visit. The person is
    added like a newcomer, and the shared phone flags the two records for staff."""
    from volunteers.models import PossibleDuplicate

    astana_volunteer.phone = "+77015550011"
    astana_volunteer.save()
    clerk = UserFactory(email="clerk-walkin@example.kz")
    office.staff.add(clerk)
    client = client_for(clerk)
    url = f"/front-offices/{office.pk}/walk-in/"
    asked = client.post(url, {"walkin-phone": "8 701 555 00 11", "walkin-purpose": "consultation"})
    page = asked.content.decode()
    assert asked.status_code == 200 and "атын енгізіңіз" in page
    assert astana_volunteer.last_name not in page
    assert not Visit.objects.filter(volunteer=astana_volunteer).exists()
    client.post(
        url,
        {
            "walkin-phone": "8 701 555 00 11",
            "walkin-purpose": "consultation",
            "walkin-first_name": "Алёна",
            "walkin-last_name": "Ершова",
            "walkin-birth_date": "1999-03-04",
            "walkin-own_document_number": "С-119",
        },
    )
    visit = Visit.objects.get(walk_in=True)
    assert visit.volunteer != astana_volunteer and visit.volunteer.region_id == office.region_id
    assert PossibleDuplicate.objects.filter(
        volunteer=visit.volunteer, existing=astana_volunteer, reason="phone"
    ).exists()


def test_a_line_break_in_the_office_address_adds_nothing_to_the_visit_calendar(office, monday, bob) -> None:  # type: ignore[no-untyped-def]
    """An address typed with a lone CR (or LF) stays one LOCATION value: a calendar app that takes
    a bare CR for the end of a line would otherwise read a property the coordinator wrote."""
    office.address = "Абай 1\rURL:https://evil.example/\nATTACH:https://evil.example/x.exe"
    office.save(update_fields=["address"])
    visit = services.visit_book(
        slot=slot_at(office, monday, 18), volunteer=bob, purpose="consultation", note="", by=None
    )
    text = client_for(bob.user).get(f"/front-offices/visits/{visit.pk}/visit.ics").content.decode()
    lines = text.replace("\r\n ", "").split("\r\n")  # unfolded, split only where the file ends a line
    assert "\r" not in "".join(lines) and not any("\n" in line for line in lines)
    assert not any(line.startswith(("URL:https://evil", "ATTACH:")) for line in lines)
    assert any(line.startswith("LOCATION:Абай 1\\nURL:https://evil.example/\\nATTACH:") for line in lines)


def test_booking_pages_end_to_end_with_ics(office, monday, bob) -> None:  # type: ignore[no-untyped-def]
    client = client_for(bob.user)
    slot = slot_at(office, monday, 18)
    page = client.get(f"/front-offices/{office.pk}/?date={monday.isoformat()}")
    assert page.status_code == 200 and f"/front-offices/slots/{slot.pk}/book/" in page.content.decode()
    done = client.post(f"/front-offices/slots/{slot.pk}/book/", {"purpose": "consultation", "note": "Кешке"})
    visit = Visit.objects.get(volunteer=bob)
    assert done.status_code == 302 and done["Location"] == f"/front-offices/visits/{visit.pk}/"
    ics = client.get(f"/front-offices/visits/{visit.pk}/visit.ics")
    assert ics["Content-Type"].startswith("text/calendar") and "DTSTART:" in ics.content.decode()
    assert (
        client_for(VolunteerFactory(with_account=True).user)
        .get(f"/front-offices/visits/{visit.pk}/")
        .status_code
        == 404
    )
    moved = client.post(
        f"/front-offices/visits/{visit.pk}/reschedule/?date={monday.isoformat()}",
        {"slot": slot_at(office, monday, 19).pk},
    )
    assert moved.status_code == 302
    client.post(f"/front-offices/visits/{visit.pk}/cancel/")
    visit.refresh_from_db()
    assert visit.status == "cancelled"


def test_booking_over_the_api_takes_a_fixed_handful_of_queries(
    office, monday, bob, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    """The second busiest write over HTTP (bench/over_http.py): each query is a round trip the
    request waits for. With a token, as the API's clients call it."""
    slot = slot_at(office, monday, 10)
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=bob.user)}")
    # The token and its user; the slot as it stands (a full one is refused from that read); the
    # person locked and found by the account in one query, then the office held shared (so that
    # it cannot close under the booking), then the slot locked; a visit at the same time and the
    # future visits (the limit) counted in one read; the insert; the place taken; the
    # confirmation and reminders in one INSERT that skips a due slot already there (no savepoint
    # of its own); and the booking's atomic block, a savepoint inside the test's transaction.
    with django_assert_num_queries(11):
        made = client.post(
            "/api/visits/", {"slot": slot.pk, "purpose": "consultation"}, content_type="application/json"
        )
    assert made.status_code == 201 and made.json()["status"] == "booked"
    assert set(
        Message.objects.filter(subject_type="front_offices.visit", subject_id=made.json()["id"]).values_list(
            "kind", flat=True
        )
    ) == {"visit_booked", "visit_reminder_24h", "visit_reminder_1h"}


def test_a_full_slot_is_refused_over_the_api_without_a_lock(office, monday, bob, alice) -> None:  # type: ignore[no-untyped-def]
    """In a rush for an evening's last places most requests find none: they are answered from
    the slot as read, without a transaction, so none queues on the row locks to be refused.
    The person's own reason still comes first, as under the locks."""
    slot = slot_at(office, monday, 18)
    VisitSlot.objects.filter(pk=slot.pk).update(taken=slot.capacity)
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=bob.user)}")
    body = {"slot": slot.pk, "purpose": "consultation"}
    with CaptureQueriesContext(connection) as ctx:
        refused = client.post("/api/visits/?lang=en", body, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "full"
    assert "fully booked" in refused.json()["detail"]
    sql = " ".join(q["sql"] for q in ctx.captured_queries).upper()
    assert "FOR UPDATE" not in sql and "FOR NO KEY UPDATE" not in sql and "SAVEPOINT" not in sql
    # The token, the slot, the person, a visit at the same time and the future visits (one read).
    assert len(ctx.captured_queries) == 4
    assert not Visit.objects.filter(volunteer=bob).exists()
    # Booked elsewhere at that time: that is the reason given, full or not.
    services.visit_book(
        slot=slot_at(make_office(region_code="71"), monday, 18),
        volunteer=bob,
        purpose="consultation",
        by=None,
    )
    refused = client.post("/api/visits/", body, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "duplicate"
    # A place freed is taken by the next request, through the locks.
    VisitSlot.objects.filter(pk=slot.pk).update(taken=slot.capacity - 1)
    other = VolunteerFactory(region=office.region, with_account=True)
    made = client_for(other.user).post("/api/visits/", body, content_type="application/json")
    assert made.status_code == 201
    slot.refresh_from_db()
    assert slot.taken == slot.capacity


def test_api_refuses_an_account_without_profile_and_an_unknown_slot(office, monday, bob, alice) -> None:  # type: ignore[no-untyped-def]
    slot = slot_at(office, monday, 11)
    body = {"slot": slot.pk, "purpose": "consultation"}
    refused = client_for(alice).post("/api/visits/", body, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "no_profile"
    unknown = client_for(bob.user).post(
        "/api/visits/", {**body, "slot": 999_999_999}, content_type="application/json"
    )
    assert unknown.status_code == 400 and list(unknown.json()) == ["slot"]
    assert not Visit.objects.exists()


def test_api_codes(office, monday, bob, charlie) -> None:  # type: ignore[no-untyped-def]
    client = client_for(bob.user)
    slot = slot_at(office, monday, 9)
    listing = Client().get("/api/front-offices/").json()
    assert listing[0]["opening_hours"] and "text" in listing[0]["status"]
    slots = Client().get(f"/api/front-offices/{office.pk}/slots/?date={monday.isoformat()}").json()
    assert slots[0] == {
        "id": slot.pk,
        "starts_at": slot.starts_at.astimezone(timezone.get_default_timezone()).isoformat(),
        "ends_at": slot.ends_at.astimezone(timezone.get_default_timezone()).isoformat(),
        "capacity": 2,
        "free": 2,
        "blocked": False,
    }
    assert Client().get(f"/api/front-offices/{office.pk}/slots/?date=soon").status_code == 400
    made = client.post(
        "/api/visits/", {"slot": slot.pk, "purpose": "consultation"}, content_type="application/json"
    )
    assert made.status_code == 201
    assert client.post(
        "/api/visits/", {"slot": slot.pk, "purpose": "x"}, content_type="application/json"
    ).json().keys() == {"purpose"}
    assert (
        client.post(
            "/api/visits/", {"slot": slot.pk, "purpose": "consultation"}, content_type="application/json"
        ).json()["code"]
        == "duplicate"
    )
    services.visit_book(slot=slot, volunteer=VolunteerFactory(), purpose="consultation", by=None)
    other = client_for(VolunteerFactory(with_account=True).user)
    assert (
        other.post(
            "/api/visits/", {"slot": slot.pk, "purpose": "consultation"}, content_type="application/json"
        ).status_code
        == 409
    )
    assert [v["id"] for v in client.get("/api/visits/").json()["results"]] == [made.json()["id"]]
    assert client_for(charlie).post(f"/api/visits/{made.json()['id']}/cancel/").status_code == 404
    assert other.post(f"/api/visits/{made.json()['id']}/cancel/").status_code == 404
    assert client.post(f"/api/visits/{made.json()['id']}/cancel/").json()["status"] == "cancelled"
    assert Client().post("/api/visits/", {}).status_code in (401, 403)


def test_erasing_a_profile_frees_its_upcoming_places_and_the_data_download_lists_visits(
    office, monday, bob
) -> None:  # type: ignore[no-untyped-def]
    from volunteers.extensions import PERSONAL_DATA_SECTIONS
    from volunteers.services import volunteer_anonymize

    slot = slot_at(office, monday, 9)
    services.visit_book(slot=slot, volunteer=bob, purpose="consultation", note="Жеке", by=bob.user)
    section = dict(PERSONAL_DATA_SECTIONS)["front_office_visits"](bob)
    assert section[0]["note"] == "Жеке"
    volunteer_anonymize(volunteer=bob, requested_by=bob.user)
    slot.refresh_from_db()
    assert slot.taken == 0 and Visit.objects.get(volunteer=bob).status == "cancelled"


def test_erasure_blanks_the_free_text_of_every_visit_and_keeps_the_counts(office, monday, bob, alice) -> None:  # type: ignore[no-untyped-def]
    from reports.models import VisitDaySummary
    from volunteers.services import volunteer_anonymize

    iin_note = "ЖСН 900101300123, анықтама керек"
    reason = "Бауыржан ауырып қалды"
    upcoming = services.visit_book(
        slot=slot_at(office, monday, 9),
        volunteer=bob,
        purpose="certificate",
        note="Үй телефоны 272-00-00",
        by=None,
    )
    day = timezone.localdate() - datetime.timedelta(days=7)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(11)))
    arrived = Visit.objects.create(
        office=office,
        volunteer=bob,
        starts_at=at,
        local_date=day,
        purpose="certificate",
        note=iin_note,
        status=Visit.Status.ARRIVED,
        outcome=Visit.Outcome.CERTIFICATE_ISSUED,
    )
    cancelled = Visit.objects.create(
        office=office,
        volunteer=bob,
        starts_at=at + datetime.timedelta(hours=1),
        local_date=day,
        purpose="consultation",
        status=Visit.Status.CANCELLED,
        cancel_reason=reason,
        cancelled_at=at,
    )
    staff_day = f"/front-offices/{office.pk}/day/?date={day.isoformat()}"
    assert iin_note in client_for(alice).get(staff_day).content.decode()
    summary = list(VisitDaySummary.objects.filter(office=office, day=day).values())
    assert summary and summary[0]["arrived"] == 1 and summary[0]["cancelled"] == 1

    volunteer_anonymize(volunteer=bob, requested_by=None)

    page = client_for(alice).get(staff_day).content.decode()
    assert iin_note not in page and reason not in page and "900101300123" not in page
    texts = set(Visit.objects.filter(volunteer=bob).values_list("note", "cancel_reason"))
    assert texts == {("", "")}
    arrived.refresh_from_db()
    cancelled.refresh_from_db()
    upcoming.refresh_from_db()
    assert (arrived.status, arrived.outcome, arrived.purpose) == (
        "arrived",
        "certificate_issued",
        "certificate",
    )
    assert cancelled.status == "cancelled" and upcoming.status == "cancelled"
    # What the reports count of the past day is as it was.
    assert list(VisitDaySummary.objects.filter(office=office, day=day).values()) == summary


def test_staff_keep_hours_and_closed_dates_and_the_slots_follow(office, monday, alice, charlie) -> None:  # type: ignore[no-untyped-def]
    clerk = UserFactory(email="clerk-hours@example.kz")
    office.staff.add(clerk)
    assert len(slots_for(office, monday)) == 20
    client = client_for(clerk)
    url = f"/front-offices/{office.pk}/hours/"
    assert client.get(url).status_code == 200
    client.post(
        url, {"action": "add_exception", "exception-date": monday.isoformat(), "exception-reason": "Жөндеу"}
    )
    assert VisitSlot.objects.filter(office=office, local_date=monday).count() == 0
    page = client.post(
        url, {"action": "add_hours", "hours-weekday": "6", "hours-opens": "12:00", "hours-closes": "11:00"}
    )
    assert (
        page.status_code == 200
        and VisitSlot.objects.filter(office=office, is_weekend=True, local_date__week_day=1).count() == 0
    )
    client.post(
        url, {"action": "add_hours", "hours-weekday": "6", "hours-opens": "11:00", "hours-closes": "13:00"}
    )
    assert VisitSlot.objects.filter(office=office, local_date=next_weekday(6)).count() == 4
    assert client_for(alice).get(url).status_code == 200
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(charlie).post(url, {"action": "delete_hours", "id": "1"}).status_code == 404


def test_pages_keep_their_queries_whatever_the_rows(
    office, monday, bob, alice, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    clerk = UserFactory(email="clerk-q@example.kz")
    office.staff.add(clerk)
    # Twenty visits on the day, ten busy slots: the pages below read them in fixed queries.
    for hour in (9, 10, 11, 12, 14, 15, 16, 17, 18, 19):
        for _ in range(2):
            services.visit_book(
                slot=slot_at(office, monday, hour),
                volunteer=VolunteerFactory(),
                purpose="consultation",
                by=None,
            )
    make_office(region_code="71")
    staff, public, mine = client_for(clerk), Client(), client_for(bob.user)
    services.visit_book(slot=slot_at(office, monday, 12, 30), volunteer=bob, purpose="other", by=None)
    for client, url in (
        (staff, f"/front-offices/{office.pk}/day/?date={monday.isoformat()}"),
        (public, f"/front-offices/{office.pk}/?date={monday.isoformat()}"),
        (public, "/front-offices/next/"),
        (public, "/front-offices/"),
        (mine, "/front-offices/visits/"),
        (public, "/api/front-offices/"),
    ):
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


def test_blocking_a_whole_day_from_the_block_page(office, monday, bob, alice) -> None:  # type: ignore[no-untyped-def]
    visit = services.visit_book(
        slot=slot_at(office, monday, 19), volunteer=bob, purpose="consultation", by=None
    )
    client = client_for(alice)
    url = f"/front-offices/{office.pk}/block/?date={monday.isoformat()}"
    assert client.get(url).status_code == 200
    done = client.post(url, {"block-starts": "00:00", "block-ends": "00:00", "block-reason": "Субботник"})
    assert done.status_code == 302
    assert not VisitSlot.objects.filter(office=office, local_date=monday, blocked_reason="").exists()
    visit.refresh_from_db()
    assert visit.status == "cancelled" and visit.cancel_reason == "Субботник"
    # One slot of another day, by its button.
    tuesday = monday + datetime.timedelta(days=1)
    one = slot_at(office, tuesday, 9)
    client.post(
        f"/front-offices/{office.pk}/block/?date={tuesday.isoformat()}",
        {"slot": one.pk, "slot-reason": "Кеңес"},
    )
    assert list(VisitSlot.objects.exclude(blocked_reason="").filter(local_date=tuesday)) == [one]


def test_visits_for_period_is_scoped_and_countable(office, monday, bob, alice, charlie, nora) -> None:  # type: ignore[no-untyped-def]
    from django.db.models import Count

    from front_offices import selectors

    services.visit_book(slot=slot_at(office, monday, 18), volunteer=bob, purpose="certificate", by=None)
    services.visit_book(
        slot=slot_at(office, monday, 9), volunteer=VolunteerFactory(), purpose="consultation", by=None
    )
    week = (monday - datetime.timedelta(days=1), monday + datetime.timedelta(days=6))
    mine = selectors.visits_for_period(user=alice, first=week[0], last=week[1])
    assert (
        mine.count() == 2 and selectors.visits_for_period(user=nora, first=week[0], last=week[1]).count() == 2
    )
    assert selectors.visits_for_period(user=charlie, first=week[0], last=week[1]).count() == 0
    by_purpose = dict(mine.values_list("purpose").annotate(n=Count("id")))
    assert by_purpose == {"certificate": 1, "consultation": 1}
    assert mine.filter(is_evening=True).count() == 1


def test_one_visit_at_a_time_across_offices(office, monday, bob) -> None:  # type: ignore[no-untyped-def]
    """The refusal says "you already have a visit booked at this time": so it is, whichever
    office the other visit is at; a visit right after the first one is fine."""
    other = make_office(capacity=2, name="Офис 2")
    services.visit_book(slot=slot_at(office, monday, 10), volunteer=bob, purpose="consultation", by=None)
    assert refusal(slot=slot_at(other, monday, 10), volunteer=bob).code == "duplicate"
    # Half an hour later, at the other office: allowed.
    later = services.visit_book(
        slot=slot_at(other, monday, 10, 30), volunteer=bob, purpose="consultation", by=None
    )
    assert later.status == Visit.Status.BOOKED


class TestBlockPage:
    def _url(self, office, day):  # type: ignore[no-untyped-def]
        return f"/front-offices/{office.pk}/block/?date={day.isoformat()}"

    def _form(self, html: str, form_id: str) -> str:
        return html.split(f'id="{form_id}"')[1].split("</form>")[0]

    def test_a_slot_without_a_reason_is_refused_on_the_slots_form(self, office, monday, alice) -> None:  # type: ignore[no-untyped-def]
        # The errors were shown on the range form above ("From: required…"), which nobody filled in.
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        slot = slot_at(office, monday, 9, 30)
        response = client.post(self._url(office, monday), {"slot": slot.pk, "slot-reason": " "})
        assert response.status_code == 200
        html = response.content.decode()
        slot_form, range_form = self._form(html, "block-slot"), self._form(html, "block")
        assert "Give a reason: it is sent to the people already booked." in slot_form
        assert "errorlist" not in range_form and "field-error" not in range_form
        slot.refresh_from_db()
        assert slot.blocked_reason == ""

    def test_the_range_forms_errors_stay_on_the_range_form(self, office, monday, alice) -> None:  # type: ignore[no-untyped-def]
        slots_for(office, monday)
        client = client_for(alice)
        response = client.post(
            self._url(office, monday), {"block-starts": "", "block-ends": "", "block-reason": ""}
        )
        html = response.content.decode()
        assert "errorlist" in self._form(html, "block")
        assert "errorlist" not in self._form(html, "block-slot")

    def test_each_slot_says_what_closing_it_cancels(self, office, monday, alice, bob) -> None:  # type: ignore[no-untyped-def]
        services.visit_book(slot=slot_at(office, monday, 10), volunteer=bob, purpose="consultation", by=None)
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        html = client.get(self._url(office, monday)).content.decode()
        slot_form = self._form(html, "block-slot")
        assert "the visits booked in it are cancelled, and each person is told the reason" in slot_form
        ten = slot_at(office, monday, 10)
        button = slot_form.split(f'value="{ten.pk}"')[1].split("</button>")[0]
        assert "10:00 · 1/2" in button and "cancels 1 visit" in button
        nine = slot_at(office, monday, 9)
        assert "cancels" not in slot_form.split(f'value="{nine.pk}"')[1].split("</button>")[0]
        # Enter in the reason presses the form's first button: a disabled one, not 09:00.
        first_button = re.search(r"<button[^>]*>", slot_form)
        assert first_button is not None and "disabled" in first_button.group(0)
