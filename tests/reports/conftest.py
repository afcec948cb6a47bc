"""Two regions of report data, built row by row so that the tests can add up the rows themselves."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Campaign, Signup, TransportRequest
from front_offices.models import Visit
from regions.models import Region
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import DetachmentFactory, MinorFactory, UserFactory, VolunteerFactory
from tests.front_offices.helpers import make_office

# Inside the period every test picks; the shifts are spread over its months.
PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
ALMATY_NAMES = ("Алматыбекова", "Құпиялы")
ASTANA_NAMES = ("Астанабеков", "Ерсайын")


def local(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def kk_number(value: Decimal) -> str:
    """A figure as a Kazakh page writes it, the site's way with hours: a decimal comma and no
    needless trailing zeros (4.00 → "4", 13.50 → "13,5", 14.75 → "14,75")."""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


@dataclass
class World:
    almaty: Region
    astana: Region
    almaty_volunteers: list
    astana_volunteers: list
    signups: list[Signup]
    detachment: object
    visits: list = field(default_factory=list)

    def rows(self, region: Region | None = None) -> list[Signup]:
        return [s for s in self.signups if region is None or s.shift.campaign.region_id == region.pk]


@pytest.fixture
def world(almaty, astana) -> World:  # type: ignore[no-untyped-def]
    detachment = DetachmentFactory(region=almaty, school_name="Алматы № 7 мектеп-гимназиясы")
    almaty_volunteers = [
        VolunteerFactory(
            region=almaty,
            last_name=ALMATY_NAMES[0],
            first_name="Айгүл",
            birth_date=datetime.date(2006, 12, 11),
            iin="061211600012",
        ),
        VolunteerFactory(region=almaty, last_name='=HYPERLINK("http://evil")', first_name="+Хакер"),
        MinorFactory(
            region=almaty,
            last_name=ALMATY_NAMES[1],
            first_name="Дана",
            detachment=detachment,
            guardian_consent_at=timezone.now(),
        ),
    ]
    astana_volunteers = [
        VolunteerFactory(region=astana, last_name=ASTANA_NAMES[0], first_name="Нұрлан", locality="Астана"),
        VolunteerFactory(region=astana, last_name=ASTANA_NAMES[1], first_name="Мария", locality="Астана"),
    ]
    eco = CampaignFactory(
        region=almaty,
        kind=Campaign.Kind.ECOLOGY,
        direction=Campaign.Direction.TAZA_ALEM,
        title="Таза Алматы",
        starts_on=PERIOD[0],
        ends_on=PERIOD[1],
    )
    elderly = CampaignFactory(
        region=almaty,
        kind=Campaign.Kind.ELDERLY,
        direction=Campaign.Direction.QAMQOR,
        title="Қамқор Алматы",
        starts_on=PERIOD[0],
        ends_on=PERIOD[1],
    )
    astana_campaign = CampaignFactory(
        region=astana,
        kind=Campaign.Kind.EDUCATION,
        direction=Campaign.Direction.BILIM,
        title="Білім Астана",
        starts_on=PERIOD[0],
        ends_on=PERIOD[1],
    )
    plan = [
        # campaign, day, volunteers with (status, hours)
        (
            eco,
            datetime.date(2026, 1, 15),
            [(0, "attended", "3.50"), (1, "attended", "2.00"), (2, "no_show", None)],
        ),
        (
            eco,
            datetime.date(2026, 3, 2),
            [(0, "attended", "4.00"), (2, "attended", "1.25"), (1, "confirmed", None)],
        ),
        (elderly, datetime.date(2026, 5, 20), [(0, "attended", "6.00"), (1, "cancelled", None)]),
        # Outside the period: never counted.
        (eco, datetime.date(2025, 12, 20), [(0, "attended", "9.00")]),
    ]
    signups: list[Signup] = []
    for campaign, day, entries in plan:
        shift = ShiftFactory(campaign=campaign, starts_at=local(day), ends_at=local(day, 16), capacity=20)
        for idx, status, hours in entries:
            signups.append(
                Signup.objects.create(
                    shift=shift,
                    volunteer=almaty_volunteers[idx],
                    status=status,
                    hours=Decimal(hours) if hours else None,
                )
            )
    shift = ShiftFactory(
        campaign=astana_campaign,
        starts_at=local(datetime.date(2026, 2, 10)),
        ends_at=local(datetime.date(2026, 2, 10), 14),
        capacity=20,
    )
    for v, status, hours in [
        (astana_volunteers[0], "attended", "4.00"),
        (astana_volunteers[1], "no_show", None),
    ]:
        signups.append(
            Signup.objects.create(
                shift=shift, volunteer=v, status=status, hours=Decimal(hours) if hours else None
            )
        )
    TransportRequest.objects.create(
        signup=signups[0], pickup="Сайран", status=TransportRequest.Status.ARRANGED
    )
    TransportRequest.objects.create(
        signup=signups[3], pickup="Сайран", status=TransportRequest.Status.PENDING
    )
    for s in signups:
        s.refresh_from_db()
    visits = make_visits(almaty_volunteers, astana_volunteers)
    return World(almaty, astana, almaty_volunteers, astana_volunteers, signups, detachment, visits)


ALMATY_OFFICE = "Жетісу кеңсесі"
ASTANA_OFFICE = "Есіл кеңсесі"


def make_visits(almaty_volunteers: list, astana_volunteers: list) -> list[Visit]:
    """Visits of two offices per region, written row by row: (office, volunteer, Almaty day,
    hour, purpose, status, outcome, walk-in). 2026-01-17 is a Saturday; 19:00 is an evening."""
    almaty = make_office(region_code="75", name=ALMATY_OFFICE)
    almaty_2 = make_office(region_code="75", name="Алатау кеңсесі")
    astana = make_office(region_code="71", name=ASTANA_OFFICE)
    a, b, c = almaty_volunteers
    x, y = astana_volunteers
    plan = [
        (almaty, a, datetime.date(2026, 1, 15), 10, "consultation", "arrived", "consulted", False),
        (almaty, b, datetime.date(2026, 1, 15), 19, "registration", "arrived", "registered", True),
        (almaty, c, datetime.date(2026, 1, 17), 11, "certificate", "no_show", "", False),
        (almaty, a, datetime.date(2026, 2, 3), 19, "consultation", "cancelled", "", False),
        (almaty_2, b, datetime.date(2026, 3, 5), 12, "transport", "booked", "", False),
        (almaty_2, c, datetime.date(2026, 4, 4), 12, "project_support", "arrived", "project_helped", True),
        # Outside the period: never counted.
        (almaty, a, datetime.date(2025, 12, 1), 10, "consultation", "arrived", "consulted", False),
        (astana, x, datetime.date(2026, 2, 11), 18, "registration", "arrived", "registered", False),
        (astana, y, datetime.date(2026, 2, 12), 10, "consultation", "no_show", "", False),
    ]
    visits = []
    for office, volunteer, day, hour, purpose, status, outcome, walk_in in plan:
        visits.append(
            Visit.objects.create(
                office=office,
                volunteer=volunteer,
                starts_at=local(day, hour),
                local_date=day,
                is_evening=hour >= 18,
                is_weekend=day.weekday() >= 5,
                purpose=purpose,
                status=status,
                outcome=outcome,
                walk_in=walk_in,
            )
        )
    return visits


def in_period(signup: Signup) -> bool:
    day = timezone.localtime(signup.shift.starts_at).date()
    return PERIOD[0] <= day <= PERIOD[1]


def period_query(**extra: object) -> dict[str, object]:
    return {"start": PERIOD[0].isoformat(), "end": PERIOD[1].isoformat(), **extra}


@pytest.fixture
def holder(world):  # type: ignore[no-untyped-def]
    """Алматыбекова Айгүл, with an account and 13.50 hours in PERIOD (9.00 in 2025)."""
    volunteer = world.almaty_volunteers[0]
    volunteer.user = UserFactory(email="aigul@example.kz")
    volunteer.save(update_fields=["user"])
    return volunteer
