"""Scoped, aggregated reads for dashboards, exports and certificates.

reports/ only reads. Every query here starts from `regions.scoping` (scope_queryset), so a
coordinator's figures hold only their regions' rows, and groups in the database (one aggregate
query per figure, never a loop over rows).

Hours have ONE entry point, `hours_by(scope, group)`: it adds up every registered source in
HOURS_SOURCES. Campaign shifts (events/) are the first; another source (targeted help) appends a
function with the same signature in its AppConfig.ready() — see `register_hours_source`.
"""

from __future__ import annotations

import datetime
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, JSONObject, TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

from detachments.models import Detachment
from events.models import Campaign, Signup, TransportRequest
from regions.models import Region
from regions.scoping import region_queryset_for, scope_queryset, scoped_region_ids, staffed_office_ids
from volunteer_net.dates import iso_local
from volunteers.models import ADULT_AGE, Volunteer, years_before

from . import activity, registrations
from .models import Certificate, ExportJob, RegistrationDaySummary, SignupDaySummary, SignupMonthSummary
from .scope import ALL_REGIONS, ReportScope, local_midnight
from .summary import month_sql, summary_available

ZERO = Decimal("0.00")
HOURS_SUM = Coalesce(Sum("hours"), Value(ZERO), output_field=DecimalField(max_digits=12, decimal_places=2))

# Groups every hours source answers: key -> hours.
HOUR_GROUPS = ("total", "month", "kind", "direction", "region", "volunteer", "detachment", "campaign")


@dataclass(frozen=True)
class WholeDetachment:
    """The "volunteer" key of hours given by a detachment as a whole (targeted help a detachment
    went on: no one person's), so that grouped by person they are not lost from the total."""

    detachment_id: int


HoursSource = Callable[[ReportScope, str], dict[Any, Decimal]]
HOURS_SOURCES: list[HoursSource] = []
# Hours outside campaigns answer "kind", "direction" and "campaign" with a key of their own
# (targeted help: "care"); its label, for charts, tables and certificates.
HOURS_LABELS: dict[str, Any] = {}


def register_hours_source(source: HoursSource) -> None:
    if source not in HOURS_SOURCES:
        HOURS_SOURCES.append(source)


# Sign-ups (events/) -------------------------------------------------------------------------


def signups_in_scope(scope: ReportScope) -> QuerySet[Signup]:
    """Sign-ups for shifts starting within the period, of campaigns in the user's regions
    (national campaigns, with no region, count for national staff only)."""
    qs = scope_queryset(Signup.objects.all(), scope.user, region_field="shift__campaign__region")
    qs = qs.filter(shift__starts_at__gte=scope.start_at, shift__starts_at__lt=scope.end_before)
    if scope.region:
        qs = qs.filter(shift__campaign__region_id=scope.region)
    if scope.campaign:
        qs = qs.filter(shift__campaign_id=scope.campaign)
    if scope.detachment:
        qs = qs.filter(volunteer__detachment_id=scope.detachment)
    if scope.volunteer:
        qs = qs.filter(volunteer_id=scope.volunteer)
    return qs


_SIGNUP_GROUPS = {
    "month": TruncMonth("shift__starts_at", tzinfo=timezone.get_default_timezone()),
    "kind": F("shift__campaign__kind"),
    "direction": F("shift__campaign__direction"),
    "region": F("shift__campaign__region_id"),
    "volunteer": F("volunteer_id"),
    "detachment": F("volunteer__detachment_id"),
    "campaign": F("shift__campaign_id"),
}


# The maintained summary (models.SignupDaySummary, kept by triggers; see summary.py) -------------


def summary_serves(scope: ReportScope) -> bool:
    """The summary holds campaign × day sums: it answers any period, region and campaign, not a
    detachment's or one person's figures (those read the sign-ups, a small share of them)."""
    return summary_available() and not scope.detachment and not scope.volunteer


def _summary_scoped(qs: QuerySet[Any], scope: ReportScope) -> QuerySet[Any]:
    """A summary's rows (day or month) of the campaigns signups_in_scope(scope) counts: the same
    regions rule, the region and the campaign picked."""
    qs = scope_queryset(qs, scope.user, region_field="campaign__region")
    if scope.region:
        qs = qs.filter(campaign__region_id=scope.region)
    if scope.campaign:
        qs = qs.filter(campaign_id=scope.campaign)
    return qs


def summary_in_scope(scope: ReportScope) -> QuerySet[SignupDaySummary]:
    """The summary rows matching signups_in_scope(scope): same regions rule, days of the period."""
    return _summary_scoped(SignupDaySummary.objects.filter(day__gte=scope.start, day__lte=scope.end), scope)


def _next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after day's."""
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def whole_months(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The first days of the first and the last calendar month lying wholly between start and
    end (both included); None when no month does."""
    first = start if start.day == 1 else _next_month(start)
    after_end = end + datetime.timedelta(days=1)
    last = (after_end if after_end.day == 1 else end.replace(day=1)) - datetime.timedelta(days=1)
    last = last.replace(day=1)
    return (first, last) if first <= last else None


# The groups the rollup below answers; "campaign" reads the summary by campaign.
_ROLLUP_GROUPS = ("region", "kind", "direction", "month", "total")
_ROLLUP_SUMS = ("signups", *Signup.Status.values, "hours")
Rollup = dict[str, dict[Any, dict[str, Any]]]


def summary_rollup(scope: ReportScope) -> Rollup:
    """The day summary of the scope summed by campaign region, by kind, by direction, by month
    and in all — {group: {key: {"signups": …, "attended": …, "hours": …}}} — in one scan (SQL
    GROUPING SETS: some forty rows at national scale), from which the dashboard's hours,
    attendance and regions sections all take their sums. Read once per scope object (a
    request's, or an export job's): those sections used to scan the same summary rows four
    times, a quarter of a national first view. PostgreSQL only, as the summary is."""
    return _once_per_scope(scope, "_summary_rollup", _read_summary_rollup)


_T = TypeVar("_T")


def _once_per_scope(scope: ReportScope, name: str, read: Callable[[ReportScope], _T]) -> _T:
    """read(scope), read once per scope object and kept on it under `name`."""
    cached = scope.__dict__.get(name)
    if cached is not None:
        return cached
    # The dashboard's sections may ask at once from threads of their own (sections.py): the
    # first reads it, the others wait for it. setdefault is atomic: one lock per scope object.
    with scope.__dict__.setdefault(f"{name}_lock", threading.Lock()):
        cached = scope.__dict__.get(name)
        if cached is None:
            cached = read(scope)
            # Frozen dataclass: the memo is not one of its fields (dataclasses.replace leaves it out).
            object.__setattr__(scope, name, cached)
    return cached


def _rollup_rows(qs: QuerySet[Any], day: str) -> tuple[str, tuple[Any, ...]]:
    """SQL of a summary's rows for the rollup: campaign region, kind, direction, day or month."""
    rows = qs.annotate(
        r=F("campaign__region_id"), k=F("campaign__kind"), d=F("campaign__direction"), m=F(day)
    ).values("r", "k", "d", "m", *_ROLLUP_SUMS)
    return rows.query.sql_with_params()


def _read_summary_rollup(scope: ReportScope) -> Rollup:
    # The scope's rows, as the ORM scopes them (regions, region and campaign picked): the whole
    # months of the period from the month summary, the days before and after them (a partial
    # first or last month) from the day summary.
    months = whole_months(scope.start, scope.end)
    parts: list[tuple[str, tuple[Any, ...]]] = []
    if months is None:
        parts.append(_rollup_rows(summary_in_scope(scope), "day"))
    else:
        first, last = months
        in_months = SignupMonthSummary.objects.filter(month__gte=first, month__lte=last)
        parts.append(_rollup_rows(_summary_scoped(in_months, scope), "month"))
        next_month = _next_month(last)
        if scope.start < first or scope.end >= next_month:
            edges = summary_in_scope(scope).exclude(day__gte=first, day__lt=next_month)
            parts.append(_rollup_rows(edges, "day"))
    sql = " UNION ALL ".join(f"({part})" for part, _params in parts)
    params = tuple(p for _part, part_params in parts for p in part_params)
    sums = ", ".join(f"SUM(s.{f})" for f in _ROLLUP_SUMS)
    month = month_sql("s.m")
    rollup: Rollup = {group: {} for group in _ROLLUP_GROUPS}
    # GROUPING() has a bit set for each column a row is NOT grouped by: 0b0111 is "by region".
    sets = {0b0111: "region", 0b1011: "kind", 0b1101: "direction", 0b1110: "month", 0b1111: "total"}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT GROUPING(s.r, s.k, s.d, {month}), s.r, s.k, s.d, {month}, {sums} FROM ({sql}) s "  # noqa: S608 (our own SQL and column names)
            f"GROUP BY GROUPING SETS ((s.r), (s.k), (s.d), ({month}), ())",
            params,
        )
        for grouping, region, kind, direction, first_day, *values in cursor.fetchall():
            group = sets[grouping]
            key = {"region": region, "kind": kind, "direction": direction, "month": first_day}.get(group)
            rollup[group][key] = {
                f: v or (ZERO if f == "hours" else 0) for f, v in zip(_ROLLUP_SUMS, values, strict=True)
            }
    return rollup


def signup_hours(scope: ReportScope, group: str) -> dict[Any, Decimal]:
    if summary_serves(scope) and group in _ROLLUP_GROUPS:
        sums_by_key = summary_rollup(scope)[group]
        if group == "total":
            return {None: sums_by_key[None]["hours"] if None in sums_by_key else ZERO}
        # Keys with attended sign-ups only, as the sign-ups' own grouping gives; a month as the
        # start of the Almaty month, as TruncMonth over a time gives it.
        return {
            (local_midnight(key) if group == "month" else key): sums["hours"]
            for key, sums in sums_by_key.items()
            if sums["attended"]
        }
    if summary_serves(scope) and group == "campaign":
        # Keys with attended sign-ups only, as above.
        sums = (
            summary_in_scope(scope)
            .filter(attended__gt=0)
            .order_by()
            .values("campaign_id")
            .annotate(h=HOURS_SUM)
        )
        return {r["campaign_id"]: r["h"] for r in sums}
    qs = signups_in_scope(scope).filter(status=Signup.Status.ATTENDED)
    if group == "detachment":
        # Most people belong to no detachment: their rows would only make the None key.
        qs = qs.filter(volunteer__detachment_id__isnull=False)
    if group == "total":
        return {None: qs.aggregate(h=HOURS_SUM)["h"]}
    rows = qs.annotate(g=_SIGNUP_GROUPS[group]).order_by().values("g").annotate(h=HOURS_SUM)
    return {r["g"]: r["h"] for r in rows}


register_hours_source(signup_hours)


def hours_by(scope: ReportScope, group: str) -> dict[Any, Decimal]:
    """Hours in the scope grouped by `group` (one of HOUR_GROUPS), every source added up."""
    if group not in HOUR_GROUPS:
        raise ValueError(group)
    total: dict[Any, Decimal] = defaultdict(lambda: ZERO)
    for source in HOURS_SOURCES:
        for key, hours in source(scope, group).items():
            total[key] += hours or ZERO
    return dict(total)


def hours_by_groups(scope: ReportScope, groups: tuple[str, ...]) -> dict[str, dict[Any, Decimal]]:
    """hours_by(scope, group) for each of `groups`; the day summary's share comes from one read
    (summary_rollup), whatever the number of groups."""
    return {group: hours_by(scope, group) for group in groups}


def total_hours(scope: ReportScope) -> Decimal:
    return hours_by(scope, "total").get(None, ZERO)


# Volunteers ---------------------------------------------------------------------------------


def volunteers_in_scope(scope: ReportScope) -> QuerySet[Volunteer]:
    qs = scope_queryset(Volunteer.objects.filter(anonymized_at__isnull=True), scope.user)
    if scope.region:
        qs = qs.filter(region_id=scope.region)
    if scope.detachment:
        qs = qs.filter(detachment_id=scope.detachment)
    return qs


def registrations_serve(scope: ReportScope) -> bool:
    """The registrations summary (registrations.py) holds live volunteers per region and day: it
    answers any period and region, not a detachment's members (those read the volunteers)."""
    return registrations.available() and not scope.detachment


def registrations_in_scope(scope: ReportScope) -> QuerySet[RegistrationDaySummary]:
    """The summary rows matching volunteers_in_scope(scope): the same regions rule, every day."""
    qs = scope_queryset(RegistrationDaySummary.objects.all(), scope.user)
    if scope.region:
        qs = qs.filter(region_id=scope.region)
    return qs


def live_volunteers_by_region(
    scope: ReportScope, *, registered_by: datetime.date | None = None
) -> dict[Any, int]:
    """Volunteers on file per region (registered by that Almaty day, if given)."""
    rows: Iterable[dict[str, Any]]
    if registrations_serve(scope):
        summary = registrations_in_scope(scope)
        if registered_by is not None:
            summary = summary.filter(day__lte=registered_by)
        rows = summary.order_by().values("region_id").annotate(n=Sum("volunteers"))
    else:
        volunteers = volunteers_in_scope(scope)
        if registered_by is not None:
            volunteers = volunteers.filter(
                created_at__lt=local_midnight(registered_by + datetime.timedelta(days=1))
            )
        rows = volunteers.order_by().values("region_id").annotate(n=Count("id"))
    return {r["region_id"]: r["n"] for r in rows if r["n"]}


def detachments_in_scope(scope: ReportScope) -> QuerySet[Detachment]:
    qs = scope_queryset(Detachment.objects.all(), scope.user)
    if scope.region:
        qs = qs.filter(region_id=scope.region)
    if scope.detachment:
        qs = qs.filter(pk=scope.detachment)
    return qs


def adult_birth_limit(today: datetime.date | None = None) -> datetime.date:
    """Born after this day: a minor today."""
    return years_before(today or timezone.localdate(), ADULT_AGE)


# Dashboard ----------------------------------------------------------------------------------


@dataclass
class Series:
    """One chart's numbers: (key, label, value) rows, in display order."""

    rows: list[tuple[Any, str, Decimal | int]]

    @property
    def total(self) -> Decimal | int:
        return sum((r[2] for r in self.rows), 0)


def months_of(scope: ReportScope) -> list[datetime.date]:
    months: list[datetime.date] = []
    day = scope.start.replace(day=1)
    while day <= scope.end and len(months) < 120:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def _month_key(value: Any) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def month_label(day: datetime.date) -> str:
    """A month as the page's language names it ("Наурыз 2026 ж.", "Март 2026 г.", "March 2026")."""
    return formats.date_format(day, "YEAR_MONTH_FORMAT")


def activity_serves(scope: ReportScope) -> bool:
    """The activity table (activity.py) holds each person's days of attended shifts and of
    targeted help per region: it answers any period and region, not one campaign's, a
    detachment's or one person's figures (those read the sign-ups and assignments, a small share
    of them)."""
    return activity.available() and not scope.campaign and not scope.detachment and not scope.volunteer


def active_region_ids(scope: ReportScope) -> frozenset[int] | None:
    """The campaign regions whose sign-ups the scope counts (None: every campaign, national
    ones included), the same rule as signups_in_scope."""
    ids = scoped_region_ids(scope.user)
    if scope.region:
        return frozenset({scope.region}) if ids is None or scope.region in ids else frozenset()
    return ids


def _month_bounds(
    scope: ReportScope, months: list[datetime.date]
) -> list[tuple[datetime.date, datetime.date]]:
    """Each month of the period as its first and last day inside the period."""
    bounds = []
    for month in months:
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        bounds.append((max(month, scope.start), min(following - datetime.timedelta(days=1), scope.end)))
    return bounds


def _given_hours(scope: ReportScope, *, signups: dict[str, Any], helped: dict[str, Any]) -> QuerySet[Any]:
    """Who gave hours in the scope and period ("who"), as distinct rows with the same further
    columns over the sign-up (`signups`) and over the assignment (`helped`): attended sign-ups
    and targeted help done by a volunteer (a detachment as a whole is no one person), the rows
    the hours sources add up. One UNION query, for the scopes the activity table does not answer
    (activity_serves) and on SQLite."""
    from .helprequests import assignments_in_scope

    attended = signups_in_scope(scope).filter(status=Signup.Status.ATTENDED).order_by()
    done = assignments_in_scope(scope).filter(volunteer__isnull=False).order_by()
    return attended.values(who=F("volunteer_id"), **signups).union(
        done.values(who=F("volunteer_id"), **helped)
    )


def active_volunteers(scope: ReportScope) -> tuple[int, dict[datetime.date, int]]:
    """Distinct volunteers who gave hours in the period (an attended shift, targeted help), and
    per month of the period. Read once per scope object: the dashboard's volunteers section and
    its regions' Total row both show the period's figure (at national scale a scan of every
    active person's row)."""
    return _once_per_scope(scope, "_active_volunteers", _read_active_volunteers)


def _read_active_volunteers(scope: ReportScope) -> tuple[int, dict[datetime.date, int]]:
    months = months_of(scope)
    if activity_serves(scope):
        total, counts = activity.active_counts(
            active_region_ids(scope), scope.start, scope.end, _month_bounds(scope, months)
        )
        return total, dict(zip(months, counts, strict=True))
    # Distinct (person, month) pairs: a person counts once a month however they gave hours.
    pairs = _given_hours(
        scope,
        signups={"m": _SIGNUP_GROUPS["month"]},
        helped={"m": TruncMonth("done_at", tzinfo=timezone.get_default_timezone())},
    )
    people: set[int] = set()
    by_month: dict[datetime.date, int] = defaultdict(int)
    for r in pairs:
        people.add(r["who"])
        month = _month_key(r["m"])
        if month is not None:
            by_month[month] += 1
    return len(people), dict(by_month)


def active_in_period(scope: ReportScope) -> int:
    """Distinct volunteers who gave hours in the period (an attended shift, targeted help)."""
    if activity_serves(scope):
        return activity.active_counts(active_region_ids(scope), scope.start, scope.end)[0]
    return _given_hours(scope, signups={}, helped={}).count()


def volunteers_over_time(scope: ReportScope) -> dict[str, Any]:
    """Registered (cumulative, at each month's end) and active (with attended hours in the
    month) volunteers per month of the period, and those active in the whole period."""
    months = months_of(scope)
    if registrations_serve(scope):
        summary = registrations_in_scope(scope)
        before = summary.filter(day__lt=scope.start).aggregate(n=Sum("volunteers"))["n"] or 0
        new = {
            _month_key(r["m"]): r["n"]
            for r in summary.filter(day__gte=scope.start, day__lte=scope.end)
            .annotate(m=TruncMonth("day"))
            .order_by()
            .values("m")
            .annotate(n=Sum("volunteers"))
        }
    else:
        volunteers = volunteers_in_scope(scope)
        before = volunteers.filter(created_at__lt=scope.start_at).count()
        new = {
            _month_key(r["m"]): r["n"]
            for r in volunteers.filter(created_at__gte=scope.start_at, created_at__lt=scope.end_before)
            .annotate(m=TruncMonth("created_at", tzinfo=timezone.get_default_timezone()))
            .order_by()
            .values("m")
            .annotate(n=Count("id"))
        }
    active_total, active = active_volunteers(scope)
    registered: list[tuple[datetime.date, int]] = []
    running = before
    for month in months:
        running += new.get(month, 0)
        registered.append((month, running))
    return {
        "registered": registered,
        "active": [(m, active.get(m, 0)) for m in months],
        "active_in_period": active_total,
    }


def attendance_counts(scope: ReportScope) -> dict[str, int]:
    counts = {s: 0 for s in Signup.Status.values}
    if summary_serves(scope):
        total = summary_rollup(scope)["total"].get(None, {})
        return {s: total.get(s, 0) for s in counts}
    for row in signups_in_scope(scope).order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def no_show_rate(counts: dict[str, int]) -> Decimal | None:
    """No-shows among the sign-ups whose attendance was marked, in per cent."""
    marked = counts.get(Signup.Status.ATTENDED, 0) + counts.get(Signup.Status.NO_SHOW, 0)
    if not marked:
        return None
    return (Decimal(counts.get(Signup.Status.NO_SHOW, 0)) * 100 / marked).quantize(Decimal("0.1"))


def transport_counts(scope: ReportScope) -> dict[str, int]:
    counts = {s: 0 for s in TransportRequest.Status.values}
    qs = TransportRequest.objects.filter(signup__in=signups_in_scope(scope).values("pk"))
    for row in qs.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


@dataclass
class DetachmentRow:
    detachment: Detachment
    members: int
    minors: int
    hours: Decimal
    signups: int


def _detachment_signups(scope: ReportScope) -> Any:
    """Sign-ups of the detachment's members within the scope (period, and campaigns of the
    user's regions, as their hours are counted): a correlated count, which PostgreSQL runs per
    detachment through the members' sign-up index (grouping every member's sign-ups at once, it
    reads the whole sign-ups table instead)."""
    signups = signups_in_scope(scope).filter(volunteer__detachment_id=OuterRef("pk"))
    return _correlated_count(signups, "volunteer__detachment_id")


def _correlated_count(qs: QuerySet[Any], key: str) -> Any:
    return Coalesce(Subquery(qs.order_by().values(key).annotate(n=Count("pk")).values("n")), 0)


def detachment_activity(scope: ReportScope) -> QuerySet[Detachment]:
    """Detachments in scope with their members, minors and sign-ups in the period, each a
    correlated count per detachment (joining members to their sign-ups and counting distinct
    rows multiplied them: seconds at full scale); hours come from `hours_by(scope, "detachment")`."""
    members = Volunteer.objects.filter(detachment_id=OuterRef("pk"), anonymized_at__isnull=True)
    return _detachments_listed(scope).annotate(
        member_count=_correlated_count(members, "detachment_id"),
        minor_count=_correlated_count(members.filter(birth_date__gt=adult_birth_limit()), "detachment_id"),
        signup_count=_detachment_signups(scope),
    )


def _detachments_listed(scope: ReportScope) -> QuerySet[Detachment]:
    return detachments_in_scope(scope).select_related("region").order_by("region__code", "school_name", "pk")


class _ExactDecoder(json.JSONDecoder):
    """JSON numbers with a fraction as Decimal: hours are summed exactly, as the rows hold them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, parse_float=Decimal, **kwargs)


def _member_signups(scope: ReportScope) -> Subquery:
    """Per person: their sign-ups in the scope and the hours of those attended, as one JSON
    object from one walk of that person's sign-ups (the volunteer's index), not one each."""
    theirs = signups_in_scope(scope).filter(volunteer_id=OuterRef("pk")).order_by().values("volunteer_id")
    figures = JSONObject(n=Count("pk"), h=Sum("hours", filter=Q(status=Signup.Status.ATTENDED)))
    return Subquery(theirs.annotate(v=figures).values("v"), output_field=JSONField(decoder=_ExactDecoder))


def _signups_person_by_person(scope: ReportScope, ids: list[int]) -> dict[int, dict[str, Any]]:
    """_detachment_figures' sign-ups and hours by detachment, walking each member's sign-ups
    through the volunteer's index: for a few detachments' people (a coordinator's) far less
    than the grouped join's read of every sign-up."""
    theirs: dict[int, dict[str, Any]] = {}
    people = (
        Volunteer.objects.filter(detachment_id__in=ids)
        .order_by()
        .values_list("detachment_id", _member_signups(scope))
    )
    for detachment_id, figures in people:
        if figures:
            sums = theirs.setdefault(detachment_id, {"n": 0, "h": None})
            sums["n"] += figures["n"]
            if figures["h"] is not None:
                sums["h"] = (sums["h"] or ZERO) + figures["h"]
    return theirs


def _detachment_figures(
    scope: ReportScope, ids: list[int], *, few: bool
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, Any]], dict[int, Decimal]]:
    """For the detachments `ids`: members and minors, their members' sign-ups in the scope and
    the hours of those attended, and the hours of every other source (targeted help), each
    grouped by detachment in one read. Two grouped joins over every member at once: per person
    (a correlated walk of each one's sign-ups, then a count, and a grouping by detachment again
    for the hours of every detachment the Total needs) the same sign-ups were read three times,
    and at national scale the per-person walk was the slowest read of the dashboard. The people
    are read from their index alone (migration 0018: reports_detachment_members). `few`: the
    detachments are few (all of them listed), their sign-ups are walked person by person."""
    people = {
        r["detachment_id"]: r
        for r in Volunteer.objects.filter(detachment_id__in=ids, anonymized_at__isnull=True)
        .order_by()
        .values("detachment_id")
        .annotate(members=Count("pk"), minors=Count("pk", filter=Q(birth_date__gt=adult_birth_limit())))
    }
    theirs = (
        _signups_person_by_person(scope, ids)
        if few
        else {
            r["d"]: r
            for r in signups_in_scope(scope)
            .filter(volunteer__detachment_id__in=ids)
            .order_by()
            .values(d=F("volunteer__detachment_id"))
            .annotate(n=Count("pk"), h=Sum("hours", filter=Q(status=Signup.Status.ATTENDED)))
        }
    )
    wanted = set(ids)
    other: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for source in HOURS_SOURCES:
        if source is not signup_hours:
            for key, found in source(scope, "detachment").items():
                if key in wanted:
                    other[key] += found or ZERO
    return people, theirs, other


@dataclass
class DetachmentTotals:
    members: int
    minors: int
    hours: Decimal
    signups: int


def detachment_table(scope: ReportScope, *, limit: int = 50) -> tuple[list[DetachmentRow], DetachmentTotals]:
    """The first `limit` detachments of detachment_activity with the same figures, and the
    totals of every detachment in the scope, as the "Detachments' activity" export adds them up
    (the dashboard lists the first `limit` only, and a Total of those would not be the total).
    Both from one read of the figures (_detachment_figures): of the listed detachments when
    they are all of them, else of all."""
    listed = list(_detachments_listed(scope)[:limit])
    ids = [d.pk for d in listed]
    if len(listed) >= limit:
        ids = list(detachments_in_scope(scope).order_by().values_list("pk", flat=True))
    people, theirs, other = _detachment_figures(scope, ids, few=len(listed) < limit)

    def hours(pk: int) -> Decimal:
        return (theirs.get(pk, {}).get("h") or ZERO) + other.get(pk, ZERO)

    rows = [
        DetachmentRow(
            d,
            people.get(d.pk, {}).get("members", 0),
            people.get(d.pk, {}).get("minors", 0),
            hours(d.pk),
            theirs.get(d.pk, {}).get("n", 0),
        )
        for d in listed
    ]
    totals = DetachmentTotals(
        sum(p["members"] for p in people.values()),
        sum(p["minors"] for p in people.values()),
        sum((hours(pk) for pk in ids), ZERO),
        sum(t["n"] for t in theirs.values()),
    )
    return rows, totals


def detachment_rows(scope: ReportScope, *, limit: int = 50) -> list[DetachmentRow]:
    """The first `limit` detachments of detachment_activity with the same figures."""
    return detachment_table(scope, limit=limit)[0]


# The row of the national campaigns (no region) in the summary by region: their hours, sign-ups
# and transport count in national staff's headline figures, so the table's Total row holds them.
NATIONAL_CAMPAIGNS = gettext_lazy("National campaigns")


@dataclass
class RegionRow:
    region: Region | None  # None: the national campaigns, which have no region
    volunteers: int
    active: int
    hours: Decimal
    signups: int
    attended: int
    no_shows: int
    transport: int
    arranged: int
    visits: int = 0

    @property
    def name(self) -> str:
        return self.region.name if self.region is not None else str(NATIONAL_CAMPAIGNS)

    @property
    def no_show_rate(self) -> Decimal | None:
        marked = self.attended + self.no_shows
        return (Decimal(self.no_shows) * 100 / marked).quantize(Decimal("0.1")) if marked else None


def active_by_region(scope: ReportScope) -> dict[Any, int]:
    """Volunteers who gave hours per region (of the campaign, of the help request; None: national
    campaigns): distinct people, so not a sum."""
    if activity_serves(scope):
        return activity.active_by_region_key(active_region_ids(scope), scope.start, scope.end)
    pairs = _given_hours(
        scope, signups={"region": F("shift__campaign__region_id")}, helped={"region": F("request__region_id")}
    )
    counts: dict[Any, int] = defaultdict(int)
    for r in pairs:
        counts[r["region"]] += 1
    return dict(counts)


def region_summary_regions(scope: ReportScope) -> list[Region]:
    """The regions of the summary: the user's (all for national staff), or the one picked."""
    regions = list(region_queryset_for(scope.user).order_by("code"))
    if scope.region:
        regions = [r for r in regions if r.pk == scope.region]
    return regions


def region_summary(scope: ReportScope) -> list[RegionRow]:
    """The national summary: one row per region in the user's scope (all for national staff),
    and for national staff a last row of the national campaigns when they have any figure, so
    that the rows add up to the dashboard's headline figures. Volunteers are those on file at
    the end of the period, as the dashboard's "Registered volunteers" counts them."""
    from .visits import visits_by_region

    regions: list[Region | None] = list(region_summary_regions(scope))
    if not scope.region and scoped_region_ids(scope.user) is None:
        regions.append(None)
    visits = visits_by_region(scope)
    volunteers = live_volunteers_by_region(scope, registered_by=scope.end)
    signups = signups_in_scope(scope)
    per_region: dict[Any, dict[str, Any]]
    if summary_serves(scope):
        per_region = {
            key: {"n": sums["signups"], "attended": sums["attended"], "no_shows": sums["no_show"]}
            for key, sums in summary_rollup(scope)["region"].items()
        }
    else:
        per_region = {
            r["shift__campaign__region_id"]: r
            for r in signups.order_by()
            .values("shift__campaign__region_id")
            .annotate(
                n=Count("id"),
                attended=Count("id", filter=Q(status=Signup.Status.ATTENDED)),
                no_shows=Count("id", filter=Q(status=Signup.Status.NO_SHOW)),
            )
        }
    # Those who gave targeted help too, each once per region: not a figure of the sign-ups.
    for key, n in active_by_region(scope).items():
        per_region.setdefault(key, {})["active"] = n
    transport = {
        r["signup__shift__campaign__region_id"]: r
        for r in TransportRequest.objects.filter(signup__in=signups.values("pk"))
        .order_by()
        .values("signup__shift__campaign__region_id")
        .annotate(n=Count("id"), arranged=Count("id", filter=Q(status=TransportRequest.Status.ARRANGED)))
    }
    hours = hours_by(scope, "region")
    rows = []
    for region in regions:
        key = region.pk if region is not None else None
        s = per_region.get(key, {})
        t = transport.get(key, {})
        row = RegionRow(
            region=region,
            volunteers=volunteers.get(key, 0),
            active=s.get("active", 0),
            hours=hours.get(key, ZERO),
            signups=s.get("n", 0),
            attended=s.get("attended", 0),
            no_shows=s.get("no_shows", 0),
            transport=t.get("n", 0),
            arranged=t.get("arranged", 0),
            visits=visits[key].total if key in visits else 0,
        )
        if region is not None or row.signups or row.hours or row.transport:
            rows.append(row)
    return rows


def choice_series(totals: dict[Any, Decimal], choices: list[tuple[str, str]], *, blank: str = "") -> Series:
    rows: list[tuple[Any, str, Decimal | int]] = [
        (k, str(label), totals.get(k, ZERO)) for k, label in choices
    ]
    if blank and totals.get("", ZERO):
        rows.append(("", blank, totals[""]))
    for key, label in HOURS_LABELS.items():
        if key in totals:
            rows.append((key, str(label), totals[key]))
    return Series(rows)


def month_series(totals: dict[Any, Any], scope: ReportScope) -> Series:
    by_month: dict[datetime.date | None, Any] = defaultdict(lambda: ZERO)
    for key, value in totals.items():
        by_month[_month_key(key)] += value
    return Series([(m, month_label(m), by_month.get(m, ZERO)) for m in months_of(scope)])


def campaign_kind_choices() -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in Campaign.Kind.choices]


def direction_choices() -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in Campaign.Direction.choices]


# Public totals (the Year of Volunteers page) ------------------------------------------------


def _whole_year(year: int) -> ReportScope:
    return ReportScope(user=ALL_REGIONS, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31))


def hours_by_region_in_year(year: int) -> dict[int | None, Decimal]:
    """Hours per region id in an Almaty calendar year, every source (shifts, targeted help) read
    across all regions (None: national campaigns): the Year of Volunteers page's figures, which
    the map's regions layer shows too."""
    return hours_by(_whole_year(year), "region")


def year_totals(year: int) -> dict[str, Any]:
    """National and per-region totals for a calendar year: counts only, nothing personal.
    Hours by campaign region; national campaigns count in the national total only."""
    whole_year = _whole_year(year)
    hours = hours_by_region_in_year(year)
    active = active_by_region(whole_year)
    volunteers = live_volunteers_by_region(whole_year, registered_by=whole_year.end)
    campaigns = dict(
        Campaign.objects.filter(
            status__in=[Campaign.Status.PUBLISHED, Campaign.Status.CLOSED],
            starts_on__lt=datetime.date(year + 1, 1, 1),
            ends_on__gte=datetime.date(year, 1, 1),
        )
        .order_by()
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    from .visits import visits_by_region

    visits = {region: c.total for region, c in visits_by_region(whole_year).items()}
    regions = []
    for region in Region.objects.order_by("code"):
        regions.append(
            {
                "code": region.code,
                "name_kk": region.name_kk,
                "name_ru": region.name_ru,
                "name_en": region.name_en,
                "volunteers": volunteers.get(region.pk, 0),
                "active": active.get(region.pk, 0),
                "hours": hours.get(region.pk, ZERO),
                "campaigns": campaigns.get(region.pk, 0),
                "visits": visits.get(region.pk, 0),
            }
        )
    return {
        "year": year,
        "regions": regions,
        "total": {
            "volunteers": sum(volunteers.values()),
            "active": active_in_period(whole_year),
            "hours": sum(hours.values(), ZERO),
            "campaigns": sum(campaigns.values()),
            "visits": sum(visits.values()),
        },
    }


# Certificates -------------------------------------------------------------------------------


def volunteer_hours_by_campaign(
    *, volunteer: Volunteer, start: datetime.date, end: datetime.date
) -> list[tuple[str, Decimal]]:
    """A volunteer's hours per campaign within a period (the certificate's lines), through the
    one hours selector, read across every region: the person's hours are theirs wherever given."""
    scope = ReportScope(user=ALL_REGIONS, start=start, end=end, volunteer=volunteer.pk)
    hours = {k: h for k, h in hours_by(scope, "campaign").items() if h}
    titles: dict[Any, str] = {k: str(label) for k, label in HOURS_LABELS.items()}
    titles.update(
        Campaign.objects.filter(pk__in=[k for k in hours if isinstance(k, int)]).values_list("pk", "title")
    )
    return sorted(((titles.get(k, ""), h) for k, h in hours.items()), key=lambda r: r[0])


def personal_data_certificates(volunteer: Volunteer) -> list[dict[str, Any]]:
    """The "certificates" section of "download my data": every certificate issued to the person,
    as it was printed, in one query. Who issued or revoked it (staff accounts) is left out: that
    is the staff's data, not the holder's."""
    rows = Certificate.objects.filter(volunteer=volunteer).order_by("issued_at", "id")
    return [
        {
            "code": c.code,
            "name": c.holder_name,
            "period_start": c.period_start.isoformat(),
            "period_end": c.period_end.isoformat(),
            "hours": str(c.hours),
            "campaigns": c.campaigns,
            "language": c.language,
            "issuer": c.issuer,
            "issued_at": iso_local(c.issued_at),
            "revoked": c.is_revoked,
            "revoked_at": iso_local(c.revoked_at),
            "revoke_reason": c.revoke_reason,
        }
        for c in rows
    ]


# Export jobs --------------------------------------------------------------------------------

# The regions a job's file was built from, recorded by services.export_job_run (None: every region),
# and the front offices its requester worked in then.
COVERED_REGIONS = "covered_regions"
COVERED_OFFICES = "covered_offices"


def export_job_still_theirs(*, job: ExportJob, user: Any) -> bool:
    """Whether the requester may still fetch the job's file. It holds the data of the regions
    they managed when it was built, and stays theirs only while they still manage every one of
    them, and work in every front office they worked in then (whose visits and help requests it
    may hold): a coordinator moved to another region or office, or no longer a coordinator, loses
    the file with the access (and may run the export again over what they have now)."""
    now = scoped_region_ids(user)
    if now is None:
        return True
    if COVERED_REGIONS not in job.params:
        # Built before the regions were recorded (they expire within a day): any coordinator.
        return bool(now)
    covered = job.params[COVERED_REGIONS]
    offices = set(job.params.get(COVERED_OFFICES) or [])
    return covered is not None and set(covered) <= now and offices <= staffed_office_ids(user)
