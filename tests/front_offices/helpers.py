"""Offices with hours and slots, as the tests need them."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from front_offices import services
from front_offices.models import FrontOffice, OpeningHours, VisitSlot
from regions.models import Region
from tests.factories import UserFactory

T = datetime.time


def make_office(*, region_code: str = "75", capacity: int = 2, minutes: int = 30, **kw: Any) -> FrontOffice:
    region = Region.objects.get(code=region_code)
    office = FrontOffice.objects.create(
        name=kw.pop("name", f"Офис {region_code}"),
        region=region,
        address="Абай даңғылы, 1",
        latitude=region.latitude,
        longitude=region.longitude,
        visitors_at_once=capacity,
        visit_minutes=minutes,
        **kw,
    )
    for day in range(5):
        OpeningHours.objects.create(office=office, weekday=day, opens=T(9), closes=T(13))
        OpeningHours.objects.create(office=office, weekday=day, opens=T(14), closes=T(20))
    OpeningHours.objects.create(office=office, weekday=5, opens=T(10), closes=T(16))
    return office


def next_weekday(weekday: int, *, after: int = 1) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=after)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day


def slots_for(office: FrontOffice, day: datetime.date) -> list[VisitSlot]:
    services.slots_sync(office=office, first=day, last=day)
    return list(VisitSlot.objects.filter(office=office, local_date=day).order_by("starts_at"))


def slot_at(office: FrontOffice, day: datetime.date, hour: int, minute: int = 0) -> VisitSlot:
    wanted = datetime.datetime.combine(day, T(hour, minute), tzinfo=timezone.get_default_timezone())
    return next(s for s in slots_for(office, day) if s.starts_at == wanted)


def office_clerk(office: FrontOffice, email: str) -> Any:
    """A member of the office's staff: its desk."""
    user = UserFactory(email=email)
    office.staff.add(user)
    return user
