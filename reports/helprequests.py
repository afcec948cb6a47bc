"""Targeted help (care/) in reports: its hours join every hours figure, a dashboard section and an
export with no beneficiary's personal data.

Hours: a done assignment's `hours` count on the day it was marked done, in the request's region,
for the volunteer who went (or the detachment that went). They belong to no campaign: grouped by
campaign kind, direction or campaign they are one line of their own, "Targeted help" (CARE_KEY).
A scope narrowed to a campaign has no help-request hours. On PostgreSQL they are added up from the
day summary kept by triggers (care_summary.py), one person's hours excepted.

Requests: counted in the period they were taken (created_at), like care's own summary. The
dashboard's counts add up the maintained summary of requests by region, day and kind
(requestsummary.py) where the scope allows; "overdue" and the median read the requests.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from care.models import Assignment, HelpRequest
from care.selectors import done_assignments_for_period, intake_region_ids, requests_for_period
from regions.scoping import is_national_staff
from volunteer_net.numbers import number_text

from . import selectors
from .charts import bar_chart
from .dashboard import Chart, Section, Table
from .exports import CHUNK, _labels, _lang, safe_text
from .models import CareDaySummary, HelpRequestDaySummary
from .registry import Column, Export
from .scope import ReportScope, local_midnight
from .summary import summary_available

CARE_KEY = "care"
CARE_LABEL = gettext_lazy("Targeted help")

_GROUPS: dict[str, Any] = {
    "month": TruncMonth("done_at", tzinfo=timezone.get_default_timezone()),
    "kind": Value(CARE_KEY),
    "direction": Value(CARE_KEY),
    "campaign": Value(CARE_KEY),
    "region": F("request__region_id"),
    "volunteer": F("volunteer_id"),
    "detachment": Coalesce(F("detachment_id"), F("volunteer__detachment_id")),
}


def assignments_in_scope(scope: ReportScope) -> QuerySet[Assignment]:
    qs = done_assignments_for_period(user=scope.user, since=scope.start_at, until=scope.end_before)
    if scope.campaign:
        return qs.none()
    if scope.region:
        qs = qs.filter(request__region_id=scope.region)
    if scope.detachment:
        qs = qs.filter(Q(detachment_id=scope.detachment) | Q(volunteer__detachment_id=scope.detachment))
    if scope.volunteer:
        qs = qs.filter(volunteer_id=scope.volunteer)
    return qs


# The maintained summary (models.CareDaySummary, kept by triggers; see care_summary.py) -----------


def care_summary_serves(scope: ReportScope) -> bool:
    """The summary holds region × day × detachment sums: it answers any period, region and
    detachment (an assignment's detachment or its volunteer's, as assignments_in_scope picks), not
    one person's hours (those read the assignments, a handful)."""
    return summary_available() and not scope.volunteer


def care_summary_in_scope(scope: ReportScope) -> QuerySet[CareDaySummary]:
    """The summary rows matching assignments_in_scope(scope): the same staff regions as
    done_assignments_for_period, the days of the period, keys with done assignments."""
    qs = CareDaySummary.objects.filter(day__gte=scope.start, day__lte=scope.end, assignments__gt=0)
    regions = intake_region_ids(scope.user)
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    if scope.region:
        qs = qs.filter(region_id=scope.region)
    if scope.detachment:
        qs = qs.filter(detachment_id=scope.detachment)
    return qs


_SUMMARY_GROUPS = {"month": TruncMonth("day"), "region": F("region_id"), "detachment": F("detachment_id")}


def care_summary_hours(scope: ReportScope, group: str) -> dict[Any, Decimal]:
    """care_hours from the summary, for the groups it keys (and those of one CARE_KEY line)."""
    summary = care_summary_in_scope(scope)
    if group in _SUMMARY_GROUPS:
        rows = (
            summary.annotate(g=_SUMMARY_GROUPS[group]).order_by().values("g").annotate(h=selectors.HOURS_SUM)
        )
        if group == "month":
            # The start of the Almaty month, as TruncMonth over done_at gives it.
            return {local_midnight(r["g"]): r["h"] for r in rows}
        return {r["g"]: r["h"] for r in rows}
    found = summary.aggregate(h=selectors.HOURS_SUM, n=Sum("assignments"))
    if group == "total":
        return {None: found["h"]}
    # kind, direction, campaign: one line of their own, present when any help was given.
    return {CARE_KEY: found["h"]} if found["n"] else {}


def care_hours(scope: ReportScope, group: str) -> dict[Any, Decimal]:
    """The hours source of targeted help (see selectors.HOURS_SOURCES)."""
    if scope.campaign:
        return {}
    if care_summary_serves(scope) and group != "volunteer":
        return care_summary_hours(scope, group)
    qs = assignments_in_scope(scope)
    if group == "total":
        return {None: qs.aggregate(h=selectors.HOURS_SUM)["h"]}
    if group == "volunteer":
        # A detachment's assignment has no volunteer: its hours are the detachment's own.
        people: dict[Any, Decimal] = {}
        for r in qs.order_by().values("volunteer_id", "detachment_id").annotate(h=selectors.HOURS_SUM):
            key = (
                r["volunteer_id"]
                if r["volunteer_id"] is not None
                else selectors.WholeDetachment(r["detachment_id"])
            )
            people[key] = people.get(key, selectors.ZERO) + r["h"]
        return people
    rows = qs.annotate(g=_GROUPS[group]).order_by().values("g").annotate(h=selectors.HOURS_SUM)
    return {r["g"]: r["h"] for r in rows}


# Requests ----------------------------------------------------------------------------------------


def requests_in_scope(scope: ReportScope) -> QuerySet[HelpRequest]:
    qs = requests_for_period(user=scope.user, since=scope.start_at, until=scope.end_before)
    if scope.campaign:
        return qs.none()
    if scope.region:
        qs = qs.filter(region_id=scope.region)
    if scope.detachment:
        # The requests the detachment went on, or one of its members on their own: the same rule
        # as its hours of targeted help (_GROUPS["detachment"]), so that the section's requests
        # are those its hours come from.
        went = Assignment.objects.filter(
            Q(detachment_id=scope.detachment) | Q(volunteer__detachment_id=scope.detachment)
        )
        qs = qs.filter(pk__in=went.values("request_id"))
    return qs


TIME_TO_HELP = ExpressionWrapper(F("done_at") - F("created_at"), output_field=DurationField())
# In seconds, a double: PostgreSQL sorts 100 000 of them in memory where the same intervals (twice
# the size, by reference) spill the sort to disk. Every value and the median stay exact to the
# microsecond, the precision of the timestamps.
SECONDS_TO_HELP = Func(
    TIME_TO_HELP, template="date_part('epoch', %(expressions)s)", output_field=FloatField()
)


class Median(Aggregate):
    """PostgreSQL's ordered-set median; other databases get it in Python (median_time_to_help)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


_COUNTED = ("total", "done", "open", "cannot_help", "cancelled")
_LIVE_COUNTS: dict[str, Any] = {
    "total": Count("id"),
    "done": Count("id", filter=Q(status=HelpRequest.Status.DONE)),
    "open": Count("id", filter=Q(status__in=HelpRequest.OPEN)),
    "cannot_help": Count("id", filter=Q(status=HelpRequest.Status.CANNOT_HELP)),
    "cancelled": Count("id", filter=Q(status=HelpRequest.Status.CANCELLED)),
}
_SUMMARY_COUNTS: dict[str, Any] = {
    "total": Sum("requests"),
    "done": Sum("done"),
    "open": Sum("open"),
    "cannot_help": Sum("cannot_help"),
    "cancelled": Sum("cancelled"),
}
_BY = ("total", "done", "open")


# The maintained summary (models.HelpRequestDaySummary, kept by triggers; see requestsummary.py) --


def request_summary_serves(scope: ReportScope) -> bool:
    """The summary holds region × day × kind counts: it answers any period and region, not a
    detachment's requests (found through its assignments: those read the requests)."""
    return summary_available() and not scope.detachment


def request_summary_in_scope(scope: ReportScope) -> QuerySet[HelpRequestDaySummary]:
    """The summary rows matching requests_in_scope(scope): the same regions rule (the regions
    whose requests the user handles), the Almaty days of the period."""
    qs = HelpRequestDaySummary.objects.filter(day__gte=scope.start, day__lte=scope.end)
    if scope.campaign:
        return qs.none()
    ids = intake_region_ids(scope.user)
    if ids is not None:
        qs = qs.filter(region_id__in=ids)
    if scope.region:
        qs = qs.filter(region_id=scope.region)
    return qs


def overdue_count(scope: ReportScope, now: datetime.datetime | None = None) -> int:
    """Open requests past their window: it depends on the hour, so it is counted live, over the
    open requests only (the partial index care_open_by_region)."""
    return (
        requests_in_scope(scope)
        .filter(status__in=HelpRequest.OPEN, due_until__lt=now or timezone.now())
        .count()
    )


def request_counts(scope: ReportScope, now: datetime.datetime | None = None) -> dict[str, int]:
    if request_summary_serves(scope):
        sums = request_summary_in_scope(scope).aggregate(**_SUMMARY_COUNTS)
        return {k: sums[k] or 0 for k in _COUNTED} | {"overdue": overdue_count(scope, now)}
    now = now or timezone.now()
    return requests_in_scope(scope).aggregate(
        **_LIVE_COUNTS, overdue=Count("id", filter=Q(status__in=HelpRequest.OPEN, due_until__lt=now))
    )


def request_counts_by(scope: ReportScope, field: str) -> dict[Any, dict[str, int]]:
    """Requests, done and open per kind ("kind") or region ("region_id"); groups with requests."""
    rows: Any
    if request_summary_serves(scope):
        rows = (
            request_summary_in_scope(scope)
            .order_by()
            .values(field)
            .annotate(**{k: _SUMMARY_COUNTS[k] for k in _BY})
            .filter(total__gt=0)
        )
    else:
        rows = requests_in_scope(scope).order_by().values(field).annotate(**{k: _LIVE_COUNTS[k] for k in _BY})
    return {r.pop(field): r for r in rows}


def request_figures(
    scope: ReportScope, *, by_region: bool, now: datetime.datetime | None = None
) -> tuple[dict[str, int], dict[Any, dict[str, int]], dict[Any, dict[str, int]]]:
    """request_counts, request_counts_by kind and (if asked) by region, for the dashboard. From
    the summary in one read of its rows grouped by region and kind (a few hundred sums) instead
    of three passes over the period's rows; with the live overdue count, two queries in all."""
    if not request_summary_serves(scope):
        regions = request_counts_by(scope, "region_id") if by_region else {}
        return request_counts(scope, now), request_counts_by(scope, "kind"), regions
    counts = dict.fromkeys(_COUNTED, 0)
    groups: dict[str, dict[Any, dict[str, int]]] = {"kind": {}, "region_id": {}}
    rows = request_summary_in_scope(scope).order_by().values("region_id", "kind").annotate(**_SUMMARY_COUNTS)
    for row in rows:
        if not row["total"]:
            continue
        for key in _COUNTED:
            counts[key] += row[key]
        for field, grouped in groups.items():
            into = grouped.setdefault(row[field], dict.fromkeys(_BY, 0))
            for key in _BY:
                into[key] += row[key]
    counts["overdue"] = overdue_count(scope, now)
    return counts, groups["kind"], groups["region_id"] if by_region else {}


def median_time_to_help(scope: ReportScope) -> datetime.timedelta | None:
    """Median time from a request being taken to it being done, over the done requests."""
    done = requests_in_scope(scope).filter(status=HelpRequest.Status.DONE, done_at__isnull=False)
    if connection.vendor == "postgresql":
        # Both timestamps from the index care_time_to_help alone (an index-only scan).
        seconds = done.aggregate(m=Median(SECONDS_TO_HELP, output_field=FloatField()))["m"]
        return None if seconds is None else datetime.timedelta(seconds=seconds)
    spans = [b - a for a, b in done.values_list("created_at", "done_at") if b is not None]
    return statistics.median_low(sorted(spans)) if spans else None


def duration_text(span: datetime.timedelta | None) -> str:
    if span is None:
        return "—"
    hours = Decimal(span.total_seconds() / 3600).quantize(Decimal("0.1"))
    if hours < 48:
        return _("%(hours)s h") % {"hours": number_text(hours)}
    return _("%(days)s days") % {"days": number_text((hours / 24).quantize(Decimal("0.1")))}


def help_requests_section(scope: ReportScope) -> Section:
    regions = selectors.region_summary_regions(scope)
    many_regions = len(regions) > 1 or is_national_staff(scope.user)
    counts, by_kind, by_region = request_figures(scope, by_region=many_regions)
    kind_rows = [
        (str(label), by_kind.get(value, {}).get("total", 0)) for value, label in HelpRequest.Kind.choices
    ]
    title = _("Help requests by kind")
    kind_chart = Chart(
        title,
        bar_chart(title, kind_rows),
        Table(
            [_("Kind of help"), _("Requests"), pgettext("number of help requests", "Done"), _("Open")],
            [
                [
                    str(label),
                    by_kind.get(v, {}).get("total", 0),
                    by_kind.get(v, {}).get("done", 0),
                    by_kind.get(v, {}).get("open", 0),
                ]
                for v, label in HelpRequest.Kind.choices
            ],
            [_("Total"), counts["total"], counts["done"], counts["open"]],
        ),
    )
    hours = care_hours(scope, "total").get(None, selectors.ZERO)
    figures: list[tuple[str, Any]] = [
        (_("Help requests"), counts["total"]),
        (pgettext("number of help requests", "Done"), counts["done"]),
        (_("Open"), counts["open"]),
        (_("Overdue"), counts["overdue"]),
        (_("Median time from request to done"), duration_text(median_time_to_help(scope))),
        (_("Hours of targeted help"), hours),
    ]
    charts = [kind_chart]
    if many_regions:
        region_rows = [(r.name, by_region.get(r.pk, {}).get("total", 0)) for r in regions]
        r_title = _("Help requests by region")
        charts.append(
            Chart(
                r_title,
                bar_chart(r_title, region_rows),
                Table(
                    [_("Region"), _("Requests"), pgettext("number of help requests", "Done"), _("Open")],
                    [
                        [
                            r.name,
                            by_region.get(r.pk, {}).get("total", 0),
                            by_region.get(r.pk, {}).get("done", 0),
                            by_region.get(r.pk, {}).get("open", 0),
                        ]
                        for r in regions
                    ],
                    [_("Total"), counts["total"], counts["done"], counts["open"]],
                ),
            )
        )
    return Section("help_requests", _("Help requests"), figures=figures, charts=charts)


# Export: nothing of the beneficiary but the locality ----------------------------------------------


def help_request_columns(scope: ReportScope) -> list[Column]:
    return [
        Column(gettext_lazy("Taken"), "datetime", width=17),
        Column(gettext_lazy("Kind of help"), width=22, neutralised=True),
        Column(gettext_lazy("Region"), width=24, neutralised=True),
        Column(gettext_lazy("Locality"), width=18, neutralised=True),
        Column(gettext_lazy("Due from"), "datetime", width=17),
        Column(gettext_lazy("Due until"), "datetime", width=17),
        Column(pgettext_lazy("date a help request was done", "Done"), "datetime", width=17),
        Column(gettext_lazy("Status"), width=14, neutralised=True),
        Column(gettext_lazy("People needed"), "int", total=True, width=9),
        Column(gettext_lazy("People going"), "int", total=True, width=9),
        Column(gettext_lazy("Hours"), "decimal", total=True, width=9),
    ]


def help_request_rows(scope: ReportScope) -> tuple[Callable[[], int], Iterator[tuple[Any, ...]]]:
    done = Assignment.objects.filter(request_id=OuterRef("pk"), status=Assignment.Status.DONE)
    if scope.detachment:
        # The detachment's hours only, as the dashboard's "Hours of targeted help" counts them for
        # it (assignments_in_scope): a request it went on with others counted theirs too.
        done = done.filter(Q(detachment_id=scope.detachment) | Q(volunteer__detachment_id=scope.detachment))
    hours = done.order_by().values("request_id").annotate(h=Sum("hours")).values("h")
    qs = (
        requests_in_scope(scope)
        .annotate(
            kind_label=_labels("kind", HelpRequest.Kind.choices),
            x_region=safe_text(f"region__name_{_lang()}"),
            # An erased beneficiary keeps no locality: the row stays, the column is empty.
            x_locality=Case(
                When(beneficiary__erased_at__isnull=False, then=Value("")),
                default=safe_text("beneficiary__locality"),
                output_field=CharField(),
            ),
            status_label=_labels("status", HelpRequest.Status.choices),
            x_hours=Coalesce(
                Subquery(hours, output_field=DecimalField(max_digits=12, decimal_places=2)),
                Value(selectors.ZERO),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
        .order_by("created_at", "id")
    )
    rows = qs.values_list(
        "created_at",
        "kind_label",
        "x_region",
        "x_locality",
        "due_from",
        "due_until",
        "done_at",
        "status_label",
        "needed_hands",
        "taken_hands",
        "x_hours",
    ).iterator(chunk_size=CHUNK)
    return (lambda: qs.count()), rows


EXPORT = Export(
    key="help_requests",
    title=gettext_lazy("Help requests"),
    columns=help_request_columns,
    rows=help_request_rows,
    uses=frozenset({"period", "region", "detachment"}),
)
