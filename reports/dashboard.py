"""The dashboard's sections. Each is a function(scope) -> Section registered in
registry.DASHBOARD_SECTIONS (see registry.py); the template draws any section the same way:
headline figures, then charts, each followed by its numbers as a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from events.models import Signup, TransportRequest
from regions.scoping import is_national_staff
from volunteer_net.numbers import percent_text

from . import selectors
from .charts import bar_chart
from .scope import ReportScope


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    # Drawn by reports/templatetags/report_tags.py: on a phone each cell is labelled with its
    # column's header (stacked cards).
    totals: list[Any] | None = None


@dataclass
class Chart:
    title: str
    svg: str
    table: Table


@dataclass
class Section:
    key: str
    title: str | Promise
    figures: list[tuple[str, Any]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _series_chart(title: str, series: selectors.Series, header: str, value_header: str) -> Chart:
    rows = [(label, value) for _key, label, value in series.rows]
    return Chart(
        title=title,
        svg=bar_chart(title, rows),
        table=Table(
            [header, value_header], [[label, value] for label, value in rows], [_("Total"), series.total]
        ),
    )


def volunteers_section(scope: ReportScope) -> Section:
    data = selectors.volunteers_over_time(scope)
    labels = [selectors.month_label(m) for m, _n in data["registered"]]
    registered = [(lbl, n) for lbl, (_m, n) in zip(labels, data["registered"], strict=True)]
    active = [(lbl, n) for lbl, (_m, n) in zip(labels, data["active"], strict=True)]
    title = _("Registered and active volunteers by month")
    registered_header, active_header = _("Registered (at the month's end)"), _("Active (gave hours)")
    chart = Chart(
        title=title,
        svg=bar_chart(title, registered, second=active, legend=(registered_header, active_header)),
        table=Table(
            [_("Month"), registered_header, active_header],
            [[lbl, r, a] for (lbl, r), (_l, a) in zip(registered, active, strict=True)],
        ),
    )
    figures = [
        (_("Registered volunteers"), registered[-1][1] if registered else 0),
        (_("Active in the period"), data["active_in_period"]),
    ]
    return Section("volunteers", _("Volunteers"), figures=figures, charts=[chart])


def hours_section(scope: ReportScope) -> Section:
    hours = selectors.hours_by_groups(scope, ("kind", "direction", "month"))
    by_kind, by_direction, by_month = hours["kind"], hours["direction"], hours["month"]
    total = sum(by_kind.values(), selectors.ZERO)
    charts = [
        _series_chart(
            _("Hours by campaign kind"),
            selectors.choice_series(by_kind, selectors.campaign_kind_choices()),
            _("Campaign kind"),
            _("Hours"),
        ),
        _series_chart(
            _("Hours by national direction"),
            selectors.choice_series(by_direction, selectors.direction_choices(), blank=_("No direction")),
            _("National direction"),
            _("Hours"),
        ),
        _series_chart(_("Hours by month"), selectors.month_series(by_month, scope), _("Month"), _("Hours")),
    ]
    return Section("hours", _("Hours"), figures=[(_("Hours given"), total)], charts=charts)


def attendance_section(scope: ReportScope) -> Section:
    counts = selectors.attendance_counts(scope)
    rate = selectors.no_show_rate(counts)
    rows = [(str(label), counts[value]) for value, label in Signup.Status.choices]
    title = _("Sign-ups by outcome")
    chart = Chart(
        title,
        bar_chart(title, rows),
        Table([_("Outcome"), _("Sign-ups")], [list(r) for r in rows], [_("Total"), sum(counts.values())]),
    )
    transport = selectors.transport_counts(scope)
    t_rows = [(str(label), transport[value]) for value, label in TransportRequest.Status.choices]
    t_title = _("Transport requests")
    t_chart = Chart(
        t_title,
        bar_chart(t_title, t_rows),
        Table([_("Answer"), _("Requests")], [list(r) for r in t_rows], [_("Total"), sum(transport.values())]),
    )
    figures: list[tuple[str, Any]] = [
        (_("Sign-ups"), sum(counts.values())),
        (_("Attended"), counts[Signup.Status.ATTENDED]),
        (_("No-show rate"), percent_text(rate)),
        (_("Transport requests"), sum(transport.values())),
        (_("Transport arranged"), transport[TransportRequest.Status.ARRANGED]),
    ]
    return Section(
        "attendance", _("Sign-ups, attendance and transport"), figures=figures, charts=[chart, t_chart]
    )


# The dashboard lists this many detachments; the export has them all.
DETACHMENT_ROWS = 50


def detachments_section(scope: ReportScope) -> Section:
    # The totals are every detachment's, as the export's totals row: with more detachments than
    # are listed, a sum of the listed rows would be called the total and be less.
    rows, totals = selectors.detachment_table(scope, limit=DETACHMENT_ROWS)
    table = Table(
        [_("Detachment"), _("Region"), _("Members"), _("Minors"), _("Sign-ups"), _("Hours")],
        [
            [r.detachment.name, r.detachment.region.name, r.members, r.minors, r.signups, r.hours]
            for r in rows
        ],
        [_("Total"), "", totals.members, totals.minors, totals.signups, totals.hours],
    )
    title = _("Hours by detachment")
    chart_rows = sorted(((r.detachment.name, r.hours) for r in rows), key=lambda r: -r[1])[:12]
    chart = Chart(
        title,
        bar_chart(title, chart_rows),
        Table([_("Detachment"), _("Hours")], [list(r) for r in chart_rows]),
    )
    return Section(
        "detachments", _("School detachments"), charts=[chart] if chart_rows else [], tables=[table]
    )


def regions_section(scope: ReportScope) -> Section | None:
    """National staff (and coordinators of several regions): the regions side by side."""
    rows = selectors.region_summary(scope)
    if len(rows) < 2 and not is_national_staff(scope.user):
        return None
    table = Table(
        [
            _("Region"),
            _("Volunteers"),
            _("Active in the period"),
            _("Hours"),
            _("Sign-ups"),
            _("No-show rate"),
            _("Transport requests"),
            _("Transport arranged"),
            _("Front-office visits"),
        ],
        [
            [
                r.name,
                r.volunteers,
                r.active,
                r.hours,
                r.signups,
                percent_text(r.no_show_rate),
                r.transport,
                r.arranged,
                r.visits,
            ]
            for r in rows
        ],
        [
            _("Total"),
            sum(r.volunteers for r in rows),
            # People, not a sum: whoever gave hours in two regions is one of the headline's
            # "Active in the period", and counts once here too (the same read as the headline's).
            selectors.active_volunteers(scope)[0],
            sum((r.hours for r in rows), Decimal("0")),
            sum(r.signups for r in rows),
            "",
            sum(r.transport for r in rows),
            sum(r.arranged for r in rows),
            sum(r.visits for r in rows),
        ],
    )
    title = _("Hours by region")
    chart_rows = [(r.name, r.hours) for r in rows]
    chart = Chart(
        title, bar_chart(title, chart_rows), Table([_("Region"), _("Hours")], [list(r) for r in chart_rows])
    )
    return Section("regions", _("Regions compared"), charts=[chart], tables=[table])


BUILTIN = [
    ("volunteers", volunteers_section),
    ("hours", hours_section),
    ("attendance", attendance_section),
    ("detachments", detachments_section),
    ("regions", regions_section),
]
