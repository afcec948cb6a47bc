"""Front-office visits in reports: a dashboard section and an export.

Rows come from `front_offices.selectors.visits_for_period`, scoped to the caller (their regions'
offices, or the office they staff), then narrowed by the pickers (region, office). A visit counts
on its Almaty date. Cancelled visits are counted apart: they never took place, so the shares
(evening/weekend, no-show) are of the visits that did (booked, arrived or did not come).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from front_offices.models import FrontOffice, Purpose, Visit
from front_offices.selectors import visits_for_period
from regions.scoping import is_national_staff, office_scope_q
from volunteer_net.numbers import percent_text

from . import selectors, visit_summary
from .charts import bar_chart
from .dashboard import Chart, Section, Table
from .exports import CHUNK, _labels, _lang, person_name, safe_text
from .models import VisitDaySummary
from .registry import Column, Export
from .scope import ReportScope
from .summary import summary_available

ACTIVE = Q(status__in=Visit.ACTIVE)


def visits_in_scope(scope: ReportScope) -> QuerySet[Visit]:
    qs = visits_for_period(
        user=scope.user,
        first=scope.start,
        last=scope.end,
        office_ids=[scope.office] if scope.office else None,
    )
    if scope.region:
        qs = qs.filter(office__region_id=scope.region)
    return qs


def visit_summary_serves(scope: ReportScope) -> bool:
    """The visits summary (visit_summary.py) holds counts per office and day: it answers any
    period, region and office the section is asked for."""
    return summary_available()


def visit_summary_in_scope(scope: ReportScope) -> QuerySet[VisitDaySummary]:
    """The summary rows matching visits_in_scope(scope): visits_for_period's rule (the user's
    regions' offices and the offices they staff), days of the period, the pickers."""
    qs = VisitDaySummary.objects.filter(day__range=(scope.start, scope.end))
    condition = office_scope_q(scope.user, office_field="office_id", region_field="office__region")
    if condition is not None:
        qs = qs.filter(condition)
    if scope.office:
        qs = qs.filter(office_id=scope.office)
    if scope.region:
        qs = qs.filter(office__region_id=scope.region)
    return qs


_COUNTS: dict[str, Any] = {
    "total": Count("id", filter=ACTIVE),
    "arrived": Count("id", filter=Q(status=Visit.Status.ARRIVED)),
    "no_show": Count("id", filter=Q(status=Visit.Status.NO_SHOW)),
    "booked": Count("id", filter=Q(status=Visit.Status.BOOKED)),
    "cancelled": Count("id", filter=Q(status=Visit.Status.CANCELLED)),
    "walk_in": Count("id", filter=ACTIVE & Q(walk_in=True)),
    "flexible": Count("id", filter=ACTIVE & (Q(is_evening=True) | Q(is_weekend=True))),
    "evening": Count("id", filter=ACTIVE & Q(is_evening=True)),
    "weekend": Count("id", filter=ACTIVE & Q(is_weekend=True)),
}
# The same figures added up from the summary's rows (the visits that took place or are booked:
# booked, arrived or did not come).
_SUMS: dict[str, Any] = {
    "total": Coalesce(Sum(F("booked") + F("arrived") + F("no_show")), 0),
    **{column: Coalesce(Sum(column), 0) for column in visit_summary.COUNTS},
}


@dataclass
class VisitCounts:
    total: int = 0
    arrived: int = 0
    no_show: int = 0
    booked: int = 0
    cancelled: int = 0
    walk_in: int = 0
    flexible: int = 0
    evening: int = 0
    weekend: int = 0

    def __add__(self, other: VisitCounts) -> VisitCounts:
        return VisitCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def flexible_share(self) -> Decimal | None:
        """Evening or weekend visits among those that took place or are booked, in per cent."""
        if not self.total:
            return None
        return (Decimal(self.flexible) * 100 / self.total).quantize(Decimal("0.1"))


# Groupings the summary answers with every count (its rows are per office and day); grouped by
# purpose or outcome, only the visits hold every count (the summary: their totals, for the charts).
SUMMARY_KEYS = frozenset({"office_id", "office__region_id"})


def _rows(
    qs: QuerySet[Any], keys: tuple[str, ...], aggregates: dict[str, Any]
) -> Iterator[tuple[tuple[Any, ...], VisitCounts, dict[str, Any]]]:
    """Each group's key, counts and any other aggregate, for the groups having visits."""
    for row in qs.order_by().values(*keys).annotate(**aggregates):
        key = tuple(row.pop(k) for k in keys)
        rest = {k: row.pop(k) for k in list(row) if k not in _COUNTS}
        counts = VisitCounts(**row)
        # A summary row whose visits all went (deleted, moved away) holds zeros: no visits.
        if counts.total or counts.cancelled:
            yield key, counts, rest


def _grouped(scope: ReportScope, keys: tuple[str, ...]) -> dict[tuple[Any, ...], VisitCounts]:
    """Counts per combination of `keys` (visit fields: office_id, office__region_id, purpose,
    outcome), in one aggregate query: from the summary when it serves the scope and the keys."""
    qs: QuerySet[Any]
    if visit_summary_serves(scope) and SUMMARY_KEYS.issuperset(keys):
        qs, counts = visit_summary_in_scope(scope), _SUMS
    else:
        qs, counts = visits_in_scope(scope), _COUNTS
    if not keys:
        return {(): VisitCounts(**qs.aggregate(**counts))}
    return {key: c for key, c, _rest in _rows(qs, keys, counts)}


def visit_counts(scope: ReportScope) -> VisitCounts:
    return _grouped(scope, ())[()]


def visit_counts_by(scope: ReportScope, field: str) -> dict[Any, VisitCounts]:
    """One aggregate query grouped by a visit field (office_id, office__region_id, purpose, outcome)."""
    return {key: c for (key,), c in _grouped(scope, (field,)).items()}


def visits_by_region(scope: ReportScope) -> dict[int, VisitCounts]:
    """For the national summary: counts per region of the office."""
    return visit_counts_by(scope, "office__region_id")


def _add(totals: dict[Any, VisitCounts], key: Any, counts: VisitCounts) -> None:
    totals[key] = totals.get(key, VisitCounts()) + counts


def _section_counts(scope: ReportScope) -> tuple[dict[int, VisitCounts], dict[str, int], dict[str, int]]:
    """Counts per office, and the visits that took place or are booked per purpose and per
    outcome ("" not recorded yet), in one query: the summary grouped by office (a row per
    office), or the visits grouped by office, purpose and outcome."""
    by_office: dict[int, VisitCounts] = {}
    by_purpose: dict[str, int] = defaultdict(int)
    by_outcome: dict[str, int] = defaultdict(int)
    if visit_summary_serves(scope):
        breakdown = {column: Sum(column) for column in visit_summary.BREAKDOWN}
        for (office_id,), c, rest in _rows(visit_summary_in_scope(scope), ("office_id",), _SUMS | breakdown):
            by_office[office_id] = c
            for purpose in Purpose.values:
                by_purpose[purpose] += rest[visit_summary.purpose_column(purpose)]
            for outcome in (*Visit.Outcome.values, ""):
                by_outcome[outcome] += rest[visit_summary.outcome_column(outcome)]
    else:
        for (office_id, purpose, outcome), c in _grouped(scope, ("office_id", "purpose", "outcome")).items():
            _add(by_office, office_id, c)
            by_purpose[purpose] += c.total
            by_outcome[outcome] += c.total
    return by_office, by_purpose, by_outcome


def _chart(title: str, header: str, rows: list[tuple[str, int]]) -> Chart:
    return Chart(
        title,
        bar_chart(title, rows),
        Table(
            [header, _("Visits")], [[label, n] for label, n in rows], [_("Total"), sum(n for _l, n in rows)]
        ),
    )


def visits_section(scope: ReportScope) -> Section:
    # One read, added up here into every figure, chart and table of the section.
    by_office, by_purpose, by_outcome = _section_counts(scope)
    counts = sum(by_office.values(), VisitCounts())
    known = list(FrontOffice.objects.filter(pk__in=list(by_office)).values_list("pk", "name", "region_id"))
    offices = {pk: name for pk, name, _region in known}
    region_of = {pk: region for pk, _name, region in known}
    figures: list[tuple[str, Any]] = [
        (_("Visits"), counts.total),
        (_("Arrived"), counts.arrived),
        (_("Did not come"), counts.no_show),
        (_("Walk-ins"), counts.walk_in),
        (_("Evening or weekend visits"), percent_text(counts.flexible_share)),
        (_("Cancelled"), counts.cancelled),
    ]
    purpose_rows = [(str(label), by_purpose[value]) for value, label in Purpose.choices]
    outcome_rows = [(str(label), by_outcome[value]) for value, label in Visit.Outcome.choices]
    outcome_rows.append((_("Not recorded yet"), by_outcome[""]))
    office_rows = sorted(by_office.items(), key=lambda kv: (-kv[1].total, offices.get(kv[0], "")))
    office_table = Table(
        [
            _("Front office"),
            _("Visits"),
            _("Arrived"),
            _("Did not come"),
            _("Walk-ins"),
            _("Evening or weekend visits"),
        ],
        [
            [offices.get(pk, ""), c.total, c.arrived, c.no_show, c.walk_in, percent_text(c.flexible_share)]
            for pk, c in office_rows
        ],
        [
            _("Total"),
            counts.total,
            counts.arrived,
            counts.no_show,
            counts.walk_in,
            percent_text(counts.flexible_share),
        ],
    )
    title = _("Visits by front office")
    office_chart = Chart(
        title,
        bar_chart(title, [(offices.get(pk, ""), c.total) for pk, c in office_rows[:12]]),
        office_table,
    )
    hours_title = _("When visitors come")
    hours_rows = [
        (_("Evenings (from 18:00)"), counts.evening),
        (_("Weekends"), counts.weekend),
        (_("Working hours on weekdays"), counts.total - counts.flexible),
    ]
    hours_chart = Chart(
        hours_title,
        bar_chart(hours_title, hours_rows),
        Table([_("Time"), _("Visits")], [list(r) for r in hours_rows]),
    )
    charts = [
        office_chart,
        _chart(_("Visits by purpose"), _("Purpose"), purpose_rows),
        _chart(_("Visits by outcome"), _("Outcome"), outcome_rows),
        hours_chart,
    ]
    tables: list[Table] = []
    if is_national_staff(scope.user):
        regions = selectors.region_summary_regions(scope)
        per_region: dict[int, VisitCounts] = {}
        for office_id, c in by_office.items():
            _add(per_region, region_of[office_id], c)
        rows = [(r, per_region.get(r.pk, VisitCounts())) for r in regions]
        tables.append(
            Table(
                [
                    _("Region"),
                    _("Visits"),
                    _("Arrived"),
                    _("Did not come"),
                    _("Walk-ins"),
                    _("Evening or weekend visits"),
                ],
                [
                    [r.name, c.total, c.arrived, c.no_show, c.walk_in, percent_text(c.flexible_share)]
                    for r, c in rows
                ],
                [
                    _("Total"),
                    counts.total,
                    counts.arrived,
                    counts.no_show,
                    counts.walk_in,
                    percent_text(counts.flexible_share),
                ],
            )
        )
    return Section("visits", _("Front-office visits"), figures=figures, charts=charts, tables=tables)


# Export -----------------------------------------------------------------------------------------


def visit_columns(scope: ReportScope) -> list[Column]:
    return [
        Column(gettext_lazy("Time"), "datetime", width=17),
        Column(gettext_lazy("Front office"), width=28, neutralised=True),
        Column(gettext_lazy("Region"), width=24, neutralised=True),
        Column(gettext_lazy("Purpose"), width=22, neutralised=True),
        Column(gettext_lazy("Status"), width=14, neutralised=True),
        Column(gettext_lazy("Outcome"), width=22, neutralised=True),
        Column(gettext_lazy("Walk-in"), width=8, neutralised=True),
        Column(gettext_lazy("Evening"), width=8, neutralised=True),
        Column(gettext_lazy("Weekend"), width=8, neutralised=True),
        Column(gettext_lazy("Last name"), width=20, neutralised=True),
        Column(gettext_lazy("First name"), width=16, neutralised=True),
        Column(gettext_lazy("Visits"), "int", total=True, width=8),
    ]


def _yes_no(field: str) -> Case:
    return Case(When(**{field: True}, then=Value(_("yes"))), default=Value(_("no")), output_field=CharField())


def visit_rows(scope: ReportScope) -> tuple[Callable[[], int], Iterator[tuple[Any, ...]]]:
    qs = (
        visits_in_scope(scope)
        .annotate(
            x_office=safe_text("office__name"),
            x_region=safe_text(f"office__region__name_{_lang()}"),
            purpose_label=_labels("purpose", Purpose.choices),
            status_label=_labels("status", Visit.Status.choices),
            outcome_label=_labels("outcome", Visit.Outcome.choices),
            walk_in_label=_yes_no("walk_in"),
            evening_label=_yes_no("is_evening"),
            weekend_label=_yes_no("is_weekend"),
            x_last=person_name("volunteer__last_name"),
            x_first=safe_text("volunteer__first_name"),
            # A cancelled visit is listed, with its status, but is no visit: the column adds up
            # to the dashboard's "Visits" for the same period and scope.
            x_counted=Case(When(ACTIVE, then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
        .order_by("starts_at", "id")
    )
    rows = qs.values_list(
        "starts_at",
        "x_office",
        "x_region",
        "purpose_label",
        "status_label",
        "outcome_label",
        "walk_in_label",
        "evening_label",
        "weekend_label",
        "x_last",
        "x_first",
        "x_counted",
    ).iterator(chunk_size=CHUNK)
    return (lambda: qs.count()), rows


EXPORT = Export(
    key="visits",
    title=gettext_lazy("Front-office visits"),
    columns=visit_columns,
    rows=visit_rows,
    uses=frozenset({"period", "region", "office"}),
)
