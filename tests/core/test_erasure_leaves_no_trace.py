"""Erasure (law 94-V) across the whole database: a person who took part in everything — shifts
with a car asked for, a call-out, a front-office visit, a help request done, a certificate, a
roster export and an import that found them, failed log-ins — asks to be forgotten, and
afterwards no text column of any table holds their name, phone, e-mail, IIN or the words they
typed. Each app's own tests say what its hook does; this one looks where nobody thought to."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from care import services as care_services
from events import services as event_services
from events import services_extra
from events.models import Campaign, Signup, TransportRequest
from front_offices.models import Visit
from notifications.services import messages_forget_erased
from reports import services as report_services
from tests.care.factories import HelpRequestFactory
from tests.conftest import client_for
from tests.events.factories import CampaignFactory, ShiftFactory, in_days, local
from tests.factories import VolunteerFactory, iin_for
from tests.front_offices.helpers import make_office
from tests.volunteers.imports.files import csv_bytes
from tests.volunteers.imports.files import upload as import_upload
from volunteers.imports import services as import_services
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

LAST, FIRST = "Ұмытылғанова", "Тестгүл"
EMAIL = "forget.me.please@example.kz"
PHONE = "+77019990123"
BIRTH = datetime.date(1994, 4, 4)
IIN = iin_for(BIRTH, serial=77)
LOCALITY = "Ұмытауыл ауылы"
PICKUP = "Ұмыт көшесі 7, пәтер 5"
TRANSPORT_NOTE = "Подъезд 3 Ұмытбекпен"
VISIT_NOTE = "Ұмытсын жазбасы"
CARE_NOTE = "Ұмытқан кілт көршіде"

# What must be found nowhere: each typed value, and the phone's digits as a search column keeps
# them. The IIN is stored encrypted and hashed, so its plain digits are looked for too.
MARKERS = (LAST, FIRST, EMAIL, PHONE, PHONE[2:], IIN, LOCALITY, PICKUP, TRANSPORT_NOTE, VISIT_NOTE, CARE_NOTE)

# Django's own bookkeeping: no person's data, and (content types) names that are not values.
SKIPPED_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY', 'tsvector')
            ORDER BY table_name, column_name
            """
        )
        return [(t, c) for t, c in cursor.fetchall() if t not in SKIPPED_TABLES]


def _where_found() -> dict[str, list[str]]:
    """Each marker, with the table.column holding it (case-insensitively, anywhere in the text)."""
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            for marker in MARKERS:
                cursor.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',
                    [f"%{marker}%"],
                )
                if cursor.fetchone():
                    found.setdefault(marker, []).append(f"{table}.{column}")
    return found


@pytest.fixture
def person(almaty):  # type: ignore[no-untyped-def]
    return VolunteerFactory(
        region=almaty,
        with_account=True,
        last_name=LAST,
        first_name=FIRST,
        email=EMAIL,
        phone=PHONE,
        birth_date=BIRTH,
        iin=IIN,
        locality=LOCALITY,
    )


def _take_part_in_everything(person: Volunteer, alice, almaty) -> None:  # type: ignore[no-untyped-def]
    # Shifts: one attended last month with a car arranged, one ahead with a car asked for.
    campaign = CampaignFactory(region=almaty, starts_on=timezone.localdate() - datetime.timedelta(days=60))
    day = timezone.localdate() - datetime.timedelta(days=20)
    past = ShiftFactory(campaign=campaign, starts_at=local(day, 10), ends_at=local(day, 14))
    attended = Signup.objects.create(
        shift=past, volunteer=person, status=Signup.Status.ATTENDED, hours=Decimal("4.00")
    )
    TransportRequest.objects.create(
        signup=attended,
        pickup=PICKUP,
        note=TRANSPORT_NOTE,
        status=TransportRequest.Status.ARRANGED,
        driver_name="Жүргізуші",
        departure_place=PICKUP,
    )
    ahead = event_services.signup_create(
        shift=ShiftFactory(campaign=campaign, starts_at=in_days(3)), volunteer=person, by=None
    )
    services_extra.transport_request_save(signup=ahead, pickup=PICKUP, seats=1, note=TRANSPORT_NOTE)
    # An emergency call-out of the region's adults.
    flood = CampaignFactory(region=almaty, kind=Campaign.Kind.EMERGENCY)
    services_extra.callout_create(campaign=flood, text="Қапшық толтыру керек.", by=alice)
    # A front-office visit, with a note.
    office = make_office()
    Visit.objects.create(
        office=office,
        volunteer=person,
        starts_at=timezone.now() - datetime.timedelta(days=2),
        local_date=timezone.localdate() - datetime.timedelta(days=2),
        purpose="consultation",
        note=VISIT_NOTE,
        status=Visit.Status.ARRIVED,
    )
    # A help request done, with the person's note (also copied as its outcome).
    request = HelpRequestFactory()
    assignment = care_services.assignment_volunteer(request=request, volunteer=person, by=alice)
    type(request).objects.filter(pk=request.pk).update(due_from=timezone.now())
    care_services.assignment_done(assignment=assignment, hours="2", note=CARE_NOTE, by=person.user)
    # A certificate of the hours.
    report_services.certificate_issue(
        volunteer=person,
        start=day - datetime.timedelta(days=1),
        end=timezone.localdate(),
        language="kk",
        by=alice,
    )
    # The coordinator looks the person up by phone and exports what the search found.
    coordinator = client_for(alice)
    assert coordinator.get("/roster/", {"q": PHONE}).status_code == 200
    exported = coordinator.post("/reports/export/roster/", {"query": f"q={PHONE}", "file_format": "csv"})
    assert exported.status_code == 200
    # A spreadsheet of the region with the person on a row the preview refuses (no date of
    # birth), so that nothing links it to the record but their phone and e-mail.
    batch = import_services.batch_upload(
        by=alice,
        region=almaty,
        upload=import_upload(
            "тізім.csv",
            csv_bytes([["ФИО", "Телефон", "Email"], [f"{LAST} {FIRST}", PHONE, EMAIL]], encoding="utf-8"),
        ),
    )
    import_services.batch_map(batch=batch, by=alice, mapping=batch.mapping)
    import_services.batch_check(batch=batch, by=alice)
    # Someone tried the person's e-mail with a wrong password.
    Client(REMOTE_ADDR="10.0.0.9").post("/accounts/login/", {"username": EMAIL, "password": "wrong"})


def test_after_delete_my_account_no_table_holds_the_person(person, alice, almaty) -> None:  # type: ignore[no-untyped-def]
    _take_part_in_everything(person, alice, almaty)
    # The set-up reached every place looked at: each marker is on file somewhere before.
    before = _where_found()
    assert set(before) == set(MARKERS) - {IIN}, before  # the IIN is kept encrypted from the start
    client = client_for(person.user, password_confirmed=True)
    assert client.post("/me/delete/", {"confirm": "yes"}).status_code == 302
    # Messages to the person lose their context in the notifications sweep, not in the request.
    messages_forget_erased()
    assert _where_found() == {}


def test_after_staff_erase_on_request_no_table_holds_the_person(person, alice, almaty) -> None:  # type: ignore[no-untyped-def]
    _take_part_in_everything(person, alice, almaty)
    client = client_for(alice, password_confirmed=True)
    response = client.post(f"/roster/{person.pk}/erase/", {"basis": "Жазбаша өтініш № 12", "confirm": "on"})
    assert response.status_code == 302
    messages_forget_erased()
    assert _where_found() == {}
