"""Demo data: one front office per region in its centre (regions.csv), with realistic hours
(evening hours on weekdays in some, Saturdays in others), the public holidays, a temporary
schedule, slots and visits in the past and the future. `visits` scales to the benchmark's size."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from regions.models import Region
from volunteers.models import Volunteer

from .models import FrontOffice, OpeningHours, Purpose, ScheduleException, Service, Visit, VisitSlot
from .schedule import is_evening, is_weekend
from .services import public_holidays_ensure, slots_sync

T = datetime.time
WEEKDAYS = range(5)


def _hours(office: FrontOffice, index: int) -> list[OpeningHours]:
    rows = []
    if index % 2 == 0:
        # Weekdays with a lunch break and evening hours for those who work or study.
        for day in WEEKDAYS:
            rows += [OpeningHours(office=office, weekday=day, opens=T(9), closes=T(13))]
            rows += [OpeningHours(office=office, weekday=day, opens=T(14), closes=T(20))]
    else:
        for day in WEEKDAYS:
            rows += [OpeningHours(office=office, weekday=day, opens=T(9), closes=T(18))]
        rows += [OpeningHours(office=office, weekday=5, opens=T(10), closes=T(16))]
    return rows


def seed_front_offices(
    *, visits: int = 300, seed: int = 2026, past_days: int = 30, future_days: int | None = None
) -> int:
    """Offices, their hours and slots (from `past_days` ago to the horizon), and `visits` visits."""
    from django.conf import settings

    future_days = future_days if future_days is not None else settings.FRONT_OFFICE_BOOKING_HORIZON_DAYS + 7
    today = timezone.localdate()
    for index, region in enumerate(Region.objects.order_by("code")):
        office, created = FrontOffice.objects.get_or_create(
            region=region,
            defaults={
                "name": f"{region.center_kk} — еріктілер фронт-офисі",
                "address": f"{region.center_ru}, ул. Абая, 1",
                "latitude": region.latitude + Decimal("0.002"),
                "longitude": region.longitude + Decimal("0.002"),
                "phone": "+77172000000",
                "email": f"office{region.code}@volunteer.kz",
                "services": list(Service.values),
                "visit_minutes": 30,
                "visitors_at_once": 2,
                "languages": "kk,ru" if index % 3 else "kk,ru,en",
                "accessibility": "Пандус у входа, первый этаж." if index % 2 == 0 else "",
            },
        )
        if created or not office.hours.exists():
            OpeningHours.objects.bulk_create(_hours(office, index))
    public_holidays_ensure(years=[today.year - 1, today.year, today.year + 1])
    offices = list(FrontOffice.objects.order_by("region__code"))
    first_office = offices[0]
    # A temporary schedule: summer hours of the first office, mornings only, for two weeks.
    if not OpeningHours.objects.filter(office=first_office, valid_from__isnull=False).exists():
        start = today + datetime.timedelta(days=21)
        OpeningHours.objects.bulk_create(
            OpeningHours(
                office=first_office,
                weekday=d,
                opens=T(9),
                closes=T(14),
                valid_from=start,
                valid_until=start + datetime.timedelta(days=13),
            )
            for d in WEEKDAYS
        )
        ScheduleException.objects.get_or_create(
            office=first_office,
            date=today + datetime.timedelta(days=10),
            opens=None,
            defaults={"reason": "Санитарный день"},
        )
    _staff(offices)
    origin = timezone.now() - datetime.timedelta(days=past_days)
    for office in offices:
        slots_sync(
            office=office,
            first=today - datetime.timedelta(days=past_days),
            last=today + datetime.timedelta(days=future_days),
            now=origin,
        )
    _visits(offices, count=visits, seed=seed)
    return len(offices)


def _staff(offices: list[FrontOffice]) -> None:
    """A clerk for each office: office<code>@volunteer.kz."""
    password = make_password("volunteer2026")
    for office in offices:
        user, _made = User.objects.get_or_create(
            email=f"office{office.region.code}@volunteer.kz",
            defaults={"full_name": f"Фронт-офис {office.region.center_ru}", "password": password},
        )
        office.staff.add(user)


@transaction.atomic
def _visits(offices: list[FrontOffice], *, count: int, seed: int) -> None:
    if count <= 0 or Visit.objects.exists():
        return
    rng = random.Random(seed)
    volunteers = list(Volunteer.objects.filter(anonymized_at__isnull=True).values_list("pk", "region_id"))
    if not volunteers:
        return
    by_region: dict[int, list[int]] = {}
    for pk, region_id in volunteers:
        by_region.setdefault(region_id, []).append(pk)
    slots = list(
        VisitSlot.objects.filter(blocked_reason="").values_list(
            "pk", "office_id", "starts_at", "local_date", "capacity"
        )
    )
    rng.shuffle(slots)
    # Each place is taken with the chance that spreads `count` visits over all the places.
    places = sum(slot[4] for slot in slots) or 1
    chance = min(1.0, 1.15 * count / places)
    now = timezone.now()
    region_of = {o.pk: o.region_id for o in offices}
    future_of: dict[int, int] = {}
    taken: dict[int, int] = {}
    rows: list[Visit] = []
    purposes = list(Purpose.values)
    outcomes = list(Visit.Outcome.values)
    for slot_pk, office_id, starts_at, local_date, capacity in slots:
        if len(rows) >= count:
            break
        people = by_region.get(region_of[office_id]) or [v[0] for v in volunteers]
        used: set[int] = set()
        for _place in range(capacity):
            if rng.random() >= chance:
                continue
            person = rng.choice(people)
            if person in used or (starts_at > now and future_of.get(person, 0) >= 3):
                continue
            used.add(person)
            past = starts_at < now
            if not past:
                future_of[person] = future_of.get(person, 0) + 1
            status = Visit.Status.BOOKED
            outcome = ""
            if past:
                status = rng.choices([Visit.Status.ARRIVED, Visit.Status.NO_SHOW], weights=[85, 15])[0]
                outcome = rng.choice(outcomes) if status == Visit.Status.ARRIVED else ""
            rows.append(
                Visit(
                    office_id=office_id,
                    slot_id=slot_pk,
                    volunteer_id=person,
                    starts_at=starts_at,
                    local_date=local_date,
                    is_evening=is_evening(starts_at),
                    is_weekend=is_weekend(local_date),
                    purpose=rng.choice(purposes),
                    status=status,
                    outcome=outcome,
                    created_at=min(now, starts_at) - datetime.timedelta(days=rng.randint(1, 10)),
                )
            )
            taken[slot_pk] = taken.get(slot_pk, 0) + 1
            if len(rows) >= count:
                break
    Visit.objects.bulk_create(rows, batch_size=5000)
    by_count: dict[int, list[int]] = {}
    for slot_pk, n in taken.items():
        by_count.setdefault(n, []).append(slot_pk)
    for n, pks in by_count.items():
        for i in range(0, len(pks), 5000):
            VisitSlot.objects.filter(pk__in=pks[i : i + 5000]).update(taken=F("taken") + n)
