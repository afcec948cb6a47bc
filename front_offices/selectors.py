"""Reads for front offices. The public pages show every active office, its hours and free slots;
the staff pages are scoped (regions/scoping.py): coordinators see their regions' offices,
national staff all of them, front-office staff the offices they work in — others get a 404.

Stable for other apps (the map, reports): `opening_status(office, now)` and `visits_for_period`.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from regions.scoping import (
    get_object_or_404,
    get_scoped_object_or_404,
    is_office_staff,
    manages_regions,
    office_scope_q,
    staffed_office_ids,
)
from volunteer_net.dates import iso_local

from .models import FrontOffice, OpeningHours, ScheduleException, Visit, VisitSlot
from .schedule import EVENING_FROM, Interval, day_intervals, slot_times_between, tz


def may_see_front_offices(user: Any) -> bool:
    """Who has the offices' staff pages: coordinators, national staff and office staff."""
    return manages_regions(user) or is_office_staff(user)


def front_office_public_list(
    *, evenings: bool = False, weekends: bool = False, region: str = ""
) -> QuerySet[FrontOffice]:
    """Every active office with its contacts and hours, as anybody may look them up.
    `evenings`: open after 18:00 on some day of the regular week; `weekends`: on Saturday or Sunday."""
    qs = (
        FrontOffice.objects.filter(is_active=True)
        .select_related("region")
        .prefetch_related(Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens")))
        .order_by("region__code", "name")
    )
    regular = OpeningHours.objects.filter(valid_from__isnull=True)
    if evenings:
        qs = qs.filter(
            pk__in=regular.filter(Q(closes__gt=EVENING_FROM) | Q(closes=datetime.time(0))).values("office_id")
        )
    if weekends:
        qs = qs.filter(pk__in=regular.filter(weekday__gte=5).values("office_id"))
    if region:
        qs = qs.filter(region__code=region)
    return qs


def front_office_list(*, user: Any) -> QuerySet[FrontOffice]:
    """The offices in the user's scope, with their staff."""
    condition = office_scope_q(user)
    qs = (
        FrontOffice.objects.select_related("region")
        .prefetch_related(Prefetch("staff", queryset=User.objects.order_by("full_name", "email")))
        .order_by("region__code", "name")
    )
    return qs if condition is None else qs.filter(condition)


def front_office_get_for_edit(*, user: Any, pk: Any) -> FrontOffice:
    """An office the user may edit: in their regions (office staff keep hours, not details)."""
    return get_scoped_object_or_404(FrontOffice.objects.select_related("region"), user, pk=pk)


def front_offices_of_staff(*, user: Any) -> QuerySet[FrontOffice]:
    """The offices a front-office staff member works in (their scope in the visits module)."""
    return FrontOffice.objects.filter(pk__in=staffed_office_ids(user)).select_related("region")


def front_office_public_get(*, pk: Any) -> FrontOffice:
    return get_object_or_404(
        FrontOffice.objects.filter(is_active=True)
        .select_related("region")
        .prefetch_related(Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))),
        pk=pk,
    )


def office_for_staff(*, user: Any, pk: Any) -> FrontOffice:
    """An office whose day the user may see: its own staff, its region's coordinators, national
    staff. Anybody else: 404."""
    condition = office_scope_q(user)
    qs = FrontOffice.objects.select_related("region")
    if condition is not None:
        qs = qs.filter(condition)
    return get_object_or_404(qs, pk=pk)


def visits_off_schedule(*, office: FrontOffice, now: datetime.datetime | None = None) -> list[Visit]:
    """Upcoming visits booked at a time the office's schedule no longer has (hours removed, a
    closed date or shorter visits added since): they stay booked for the staff to move or cancel
    (services.slots_sync keeps their slots and takes nobody new there), and the hours page lists
    them, earliest first. Two queries for the schedule, one for the visits."""
    now = now or timezone.now()
    upcoming = list(
        Visit.objects.filter(office=office, status=Visit.Status.BOOKED, starts_at__gt=now, slot__isnull=False)
        .select_related("volunteer")
        .order_by("starts_at", "pk")
    )
    if not upcoming:
        return []
    first, last = upcoming[0].local_date, upcoming[-1].local_date
    hours = list(OpeningHours.objects.filter(office=office))
    exceptions = ScheduleException.objects.filter(date__range=(first, last)).filter(
        Q(office__isnull=True) | Q(office=office)
    )
    # By start, as slots_sync keeps a slot: a time the schedule still has keeps its slot even
    # if the visits' length has changed since.
    open_times = {t.starts_at for _day, t in slot_times_between(office, first, last, hours, exceptions)}
    return [v for v in upcoming if v.starts_at not in open_times]


# Opening status --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool
    closes_at: datetime.datetime | None  # when open: the end of the current interval
    opens_at: datetime.datetime | None  # when closed: the start of the next interval (within 14 days)
    text: str  # "Open now, closes at 20:00" / "Opens Saturday at 10:00", in the active language

    def as_dict(self) -> dict[str, Any]:
        return {
            "is_open": self.is_open,
            "closes_at": self.closes_at.isoformat() if self.closes_at else None,
            "opens_at": self.opens_at.isoformat() if self.opens_at else None,
            "text": self.text,
        }


LOOKAHEAD_DAYS = 14


def _hhmm(dt: datetime.datetime) -> str:
    return formats.time_format(dt.astimezone(tz()), "H:i")


# One sentence per weekday: Russian and Kazakh inflect the day ("в понедельник", "во вторник"),
# which a weekday name put into one sentence cannot do ("Откроется: Понедельник в 09:00").
_OPENS_ON_WEEKDAY = (
    gettext_lazy("Opens Monday at %(time)s"),
    gettext_lazy("Opens Tuesday at %(time)s"),
    gettext_lazy("Opens Wednesday at %(time)s"),
    gettext_lazy("Opens Thursday at %(time)s"),
    gettext_lazy("Opens Friday at %(time)s"),
    gettext_lazy("Opens Saturday at %(time)s"),
    gettext_lazy("Opens Sunday at %(time)s"),
)


def _exceptions_for(
    office_ids: Iterable[int], first: datetime.date, last: datetime.date
) -> list[ScheduleException]:
    return list(
        ScheduleException.objects.filter(date__range=(first, last)).filter(
            Q(office__isnull=True) | Q(office_id__in=list(office_ids))
        )
    )


def opening_status(
    office: FrontOffice,
    now: datetime.datetime | None = None,
    *,
    exceptions: Sequence[ScheduleException] | None = None,
) -> OpeningStatus:
    """Open now (until when) or the next opening, as data and a translated line.

    Reads `office.hours` (prefetch it for lists) and the exceptions of the next two weeks
    (pass them, loaded once for many offices with `opening_statuses`)."""
    now = now or timezone.now()
    today = now.astimezone(tz()).date()
    last = today + datetime.timedelta(days=LOOKAHEAD_DAYS)
    if exceptions is None:
        exceptions = _exceptions_for([office.pk], today - datetime.timedelta(days=1), last)
    hours = list(office.hours.all())
    day = today - datetime.timedelta(days=1)  # an interval closing at midnight reaches past it
    while day <= last:
        for interval in day_intervals(office, day, hours, exceptions):
            if interval.starts_at <= now < interval.ends_at:
                closes = _merged_end(office, interval, hours, exceptions)
                return OpeningStatus(
                    True, closes, None, _("Open now, closes at %(time)s") % {"time": _hhmm(closes)}
                )
            if interval.starts_at > now:
                return OpeningStatus(False, None, interval.starts_at, _next_text(interval.starts_at, today))
        day += datetime.timedelta(days=1)
    return OpeningStatus(False, None, None, _("Closed"))


def _merged_end(
    office: FrontOffice,
    interval: Interval,
    hours: Sequence[OpeningHours],
    exceptions: Sequence[ScheduleException],
) -> datetime.datetime:
    """An interval running to midnight followed by one from midnight reads as one."""
    end = interval.ends_at
    following = day_intervals(office, end.astimezone(tz()).date(), hours, exceptions)
    for nxt in following:
        if nxt.starts_at == end:
            end = nxt.ends_at
    return end


def _next_text(opens_at: datetime.datetime, today: datetime.date) -> str:
    local = opens_at.astimezone(tz())
    params = {"time": _hhmm(opens_at)}
    if local.date() == today:
        return _("Closed now, opens today at %(time)s") % params
    if local.date() == today + datetime.timedelta(days=1):
        return _("Opens tomorrow at %(time)s") % params
    if local.date() < today + datetime.timedelta(days=7):
        return str(_OPENS_ON_WEEKDAY[local.weekday()]) % params
    return _("Opens %(date)s at %(time)s") % {
        **params,
        "date": formats.date_format(local.date(), "SHORT_DATE_FORMAT"),
    }


def opening_statuses(
    offices: Sequence[FrontOffice], now: datetime.datetime | None = None
) -> dict[int, OpeningStatus]:
    """`opening_status` of many offices (hours prefetched) with one query for the exceptions."""
    now = now or timezone.now()
    today = now.astimezone(tz()).date()
    exceptions = _exceptions_for(
        [o.pk for o in offices],
        today - datetime.timedelta(days=1),
        today + datetime.timedelta(days=LOOKAHEAD_DAYS),
    )
    return {o.pk: opening_status(o, now, exceptions=exceptions) for o in offices}


def weekly_hours(
    office: FrontOffice,
    today: datetime.date | None = None,
    *,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> list[tuple[str, str]]:
    """(weekday, "09:00–13:00, 14:00–20:00") of the regular week, or of the temporary schedule of
    `period` (its first and last dates), Monday first, from prefetched hours."""
    names = dict(OpeningHours._meta.get_field("weekday").choices or [])
    by_day: dict[int, list[str]] = {d: [] for d in range(7)}
    for h in office.hours.all():
        if (period is None and h.valid_from is None) or (
            period is not None and (h.valid_from, h.valid_until) == period
        ):
            by_day[h.weekday].append(f"{h.opens:%H:%M}–{h.closes:%H:%M}")
    return [(str(names[d]), ", ".join(by_day[d]) or _("closed")) for d in range(7)]


def temporary_schedules(
    office: FrontOffice, today: datetime.date
) -> list[tuple[datetime.date, datetime.date, list[tuple[str, str]]]]:
    """The temporary schedules not yet over, earliest first, each with its week as
    `weekly_hours` gives it: a period's dates alone told nobody when the office opens in it."""
    periods: set[tuple[datetime.date, datetime.date]] = {
        (h.valid_from, h.valid_until)
        for h in office.hours.all()
        if h.valid_from is not None and h.valid_until is not None and h.valid_until >= today
    }
    return [(first, last, weekly_hours(office, period=(first, last))) for first, last in sorted(periods)]


def closed_dates(office: FrontOffice, first: datetime.date, days: int = 30) -> list[ScheduleException]:
    return list(
        ScheduleException.objects.filter(date__range=(first, first + datetime.timedelta(days=days)))
        .filter(Q(office__isnull=True) | Q(office=office))
        .order_by("date", "opens")
    )


# Slots and visits ------------------------------------------------------------------------------


def slots_of_day(*, office: FrontOffice, day: datetime.date) -> list[VisitSlot]:
    return list(VisitSlot.objects.filter(office=office, local_date=day).order_by("starts_at"))


def slots_to_block(*, office: FrontOffice, day: datetime.date) -> list[VisitSlot]:
    """The day's slots, each with `booked`: the visits that closing it would cancel (only booked
    ones are: a person who came, or did not, keeps their visit)."""
    return list(
        VisitSlot.objects.filter(office=office, local_date=day)
        .annotate(booked=Count("visits", filter=Q(visits__status=Visit.Status.BOOKED)))
        .order_by("starts_at")
    )


def slot_get(*, pk: Any) -> VisitSlot:
    return get_object_or_404(VisitSlot.objects.select_related("office__region"), pk=pk)


def booking_window(now: datetime.datetime | None = None) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate(now)
    return today, today + datetime.timedelta(days=int(settings.FRONT_OFFICE_BOOKING_HORIZON_DAYS))


def visits_of_person(*, volunteer: Any, upcoming: bool = True) -> QuerySet[Visit]:
    now = timezone.now()
    qs = Visit.objects.filter(volunteer=volunteer).select_related("office", "slot")
    if upcoming:
        return qs.filter(starts_at__gte=now - datetime.timedelta(hours=1)).order_by("starts_at")
    return qs.filter(starts_at__lt=now - datetime.timedelta(hours=1)).order_by("-starts_at")


def visit_of_person(*, volunteer: Any, pk: Any) -> Visit:
    return get_object_or_404(
        Visit.objects.filter(volunteer=volunteer).select_related("office__region", "slot", "volunteer"), pk=pk
    )


def staff_visit_get(*, user: Any, pk: Any) -> Visit:
    """A visit of an office in the user's scope (404 otherwise)."""
    condition = office_scope_q(user, office_field="office_id", region_field="office__region")
    qs = Visit.objects.select_related("office__region", "slot", "volunteer")
    if condition is not None:
        qs = qs.filter(condition)
    return get_object_or_404(qs, pk=pk)


def staff_slot_get(*, user: Any, pk: Any) -> VisitSlot | None:
    """A slot of an office in the user's scope, with its office; None if there is none such (or
    the id is malformed)."""
    condition = office_scope_q(user, office_field="office_id", region_field="office__region")
    qs = VisitSlot.objects.select_related("office")
    if condition is not None:
        qs = qs.filter(condition)
    try:
        return qs.filter(pk=int(pk)).first()
    except (ValueError, TypeError):
        return None


def staff_day(*, office: FrontOffice, day: datetime.date) -> list[Visit]:
    """The day's visits with each person, booked ones first by time, cancelled ones last."""
    return list(
        Visit.objects.filter(office=office, local_date=day)
        .select_related("volunteer")
        .order_by(F("cancelled_at").asc(nulls_first=True), "starts_at", "pk")
    )


def visit_own_booked_at_time_of(*, user: Any, slot_id: int) -> Visit | None:
    """The account's own booked visit at the time of the slot (in this office or another): the
    one a booking refused as "duplicate" found, which a client repeating a timed-out request made
    the first time. Overlap as `booking_refusal` reads it."""
    slot = VisitSlot.objects.filter(pk=slot_id).only("starts_at", "ends_at").first()
    if slot is None:
        return None
    return (
        Visit.objects.filter(
            volunteer__user=user,
            status=Visit.Status.BOOKED,
            starts_at__lt=slot.ends_at,
            slot__ends_at__gt=slot.starts_at,
        )
        .only("id")
        .order_by("pk")
        .first()
    )


def visits_for_staff_api(*, user: Any) -> QuerySet[Visit]:
    """GET /api/visits/ for staff: the visits of the offices in their scope."""
    condition = office_scope_q(user, office_field="office_id", region_field="office__region")
    qs = Visit.objects.select_related("office", "volunteer").order_by("-starts_at", "-pk")
    return qs if condition is None else qs.filter(condition)


def visits_for_period(
    *,
    user: Any,
    first: datetime.date,
    last: datetime.date,
    office_ids: Iterable[int] | None = None,
    region_codes: Iterable[str] | None = None,
) -> QuerySet[Visit]:
    """Visits from `first` to `last` (Almaty dates) in the user's scope, for reports: count them
    by `office_id`, `purpose`, `outcome`, `status`, `is_evening`/`is_weekend`, `walk_in`.
    Cancelled visits are included (filter on status to leave them out)."""
    qs = Visit.objects.filter(local_date__range=(first, last))
    condition = office_scope_q(user, office_field="office_id", region_field="office__region")
    if condition is not None:
        qs = qs.filter(condition)
    if office_ids is not None:
        qs = qs.filter(office_id__in=list(office_ids))
    if region_codes is not None:
        qs = qs.filter(office__region__code__in=list(region_codes))
    return qs


# Next free visit -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FreeVisit:
    office: FrontOffice
    slot: VisitSlot
    distance_km: float | None


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


def next_free_visits(
    *,
    region: str = "",
    point: tuple[float, float] | None = None,
    evenings: bool = False,
    weekends: bool = False,
    now: datetime.datetime | None = None,
    limit: int = 20,
) -> list[FreeVisit]:
    """The earliest free slot of each office (of a region, or all), soonest first — or nearest
    first when a point (lat, lon) is given. One subquery per office on the partial index of free
    slots, then one query for those slots: two queries whatever the number of slots."""
    now = now or timezone.now()
    _first, last_day = booking_window(now)
    free = VisitSlot.objects.filter(
        office=OuterRef("pk"),
        blocked_reason="",
        capacity__gt=F("taken"),
        starts_at__gt=now,
        local_date__lte=last_day,
    )
    if evenings and weekends:
        free = free.filter(Q(is_evening=True) | Q(is_weekend=True))
    elif evenings:
        free = free.filter(is_evening=True)
    elif weekends:
        free = free.filter(is_weekend=True)
    offices = FrontOffice.objects.filter(is_active=True).select_related("region")
    if region:
        offices = offices.filter(region__code=region)
    rows = list(
        offices.annotate(first_free=Subquery(free.order_by("starts_at").values("pk")[:1])).filter(
            first_free__isnull=False
        )
    )
    slots = VisitSlot.objects.in_bulk([o.first_free for o in rows])
    found = []
    for office in rows:
        distance = None
        if point is not None and office.latitude is not None and office.longitude is not None:
            distance = _km(point[0], point[1], float(office.latitude), float(office.longitude))
        found.append(FreeVisit(office, slots[office.first_free], distance))
    if point is not None:
        found.sort(key=lambda f: (f.distance_km if f.distance_km is not None else math.inf, f.slot.starts_at))
    else:
        found.sort(key=lambda f: (f.slot.starts_at, f.office.pk))
    return found[:limit]


def parse_point(lat: str, lon: str) -> tuple[float, float] | None:
    try:
        point = (float(Decimal(lat)), float(Decimal(lon)))
    except (ArithmeticError, ValueError, TypeError):
        return None
    if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        return None
    return point


def personal_data_visits(volunteer: Any) -> list[dict[str, Any]]:
    """The person's front-office visits, for "download my data"."""
    return [
        {
            "office": visit.office.name,
            "starts_at": iso_local(visit.starts_at),
            "purpose": visit.purpose,
            "note": visit.note,
            "status": visit.status,
            "outcome": visit.outcome,
            "walk_in": visit.walk_in,
        }
        for visit in Visit.objects.filter(volunteer=volunteer).select_related("office").order_by("starts_at")
    ]
