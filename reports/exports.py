"""The exports of reports/: each a list of typed columns and a server-side cursor over its rows.

Rows come from `values_list(...).iterator(chunk_size=…)`, which on PostgreSQL is a named
(server-side) cursor: the process holds one chunk, never the whole result. Labels of choices are
mapped in SQL (CASE) so that the writers see plain values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from django.conf import settings
from django.db.models import Case, CharField, Count, F, Func, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Concat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from detachments.models import Detachment
from events.models import Campaign, Signup
from volunteers.models import Volunteer
from volunteers.selectors import RosterFilters, volunteer_list

from . import selectors
from .registry import Column, CopyQuery, Export
from .scope import ReportScope
from .writers import FORMULA_PREFIXES

CHUNK = 5000
Rows = tuple[Callable[[], int], Iterator[tuple[Any, ...]]]


def _lang() -> str:
    lang = (get_language() or "kk")[:2]
    return lang if lang in ("kk", "ru", "en") else "kk"


def _labels(field: str, choices: Any) -> Case:
    """A choice's label in the active language, in SQL."""
    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=F(field),
        output_field=CharField(),
    )


# Whether the queries built now neutralise their text against formula injection: yes for CSV,
# where a spreadsheet evaluates any cell that begins like a formula; no for XLSX, whose text goes
# into string cells, never formulas, so that a phone "+7701…" or a name "=…" reads as typed there.
# services.export_write builds an XLSX export's queries inside `text_as_typed()`, the way their
# labels' language is set around them; a query built outside is neutralised: the safe default.
_neutralise_text: ContextVar[bool] = ContextVar("neutralise_text", default=True)


@contextmanager
def text_as_typed() -> Iterator[None]:
    """Build export queries whose text columns are the stored text, for XLSX only."""
    token = _neutralise_text.set(False)
    try:
        yield
    finally:
        _neutralise_text.reset(token)


def safe_text(field: str) -> Case | F:
    """The field's text neutralised against formula injection in SQL (a leading apostrophe
    when it begins with = + - @ tab or CR, as writers.neutralise does): the database does it in
    C for every row instead of Python doing it per cell. Inside `text_as_typed()`, the text."""
    if not _neutralise_text.get():
        return F(field)
    starts = Q()
    for prefix in FORMULA_PREFIXES:
        starts |= Q(**{f"{field}__startswith": prefix})
    return Case(
        When(starts, then=Concat(Value("'"), F(field), output_field=CharField())),
        default=F(field),
        output_field=CharField(),
    )


# What the pages call a person whose data was erased at their request (Volunteer.full_name).
ERASED = _("Anonymised volunteer")


def person_name(field: str) -> Case:
    """A volunteer's last name (`field`, through the row's volunteer) as safe_text gives it, or
    for a person erased the label their pages show: their hours and visits still count, and a row
    without a name read as data lost."""
    erased = f"{field.rsplit('__', 1)[0]}__anonymized_at__isnull"
    return Case(
        When(**{erased: False}, then=Value(str(ERASED))),
        default=safe_text(field),
        output_field=CharField(),
    )


def _stream(qs: QuerySet[Any], *fields: Any) -> Rows:
    values = qs.values_list(*fields)
    # A server-side cursor on PostgreSQL: CHUNK rows in memory at a time.
    return (lambda: qs.count()), values.iterator(chunk_size=CHUNK)


# Roster ---------------------------------------------------------------------------------------


def roster_filters(scope: ReportScope) -> RosterFilters:
    """The roster page's own filters when the export came from its button, else the pickers."""
    if scope.roster:
        known = {f.name for f in dataclasses.fields(RosterFilters)}
        return RosterFilters(**{k: v for k, v in scope.roster.items() if k in known})
    return RosterFilters(region=scope.region, detachment=scope.detachment)


def roster_columns(scope: ReportScope) -> list[Column]:
    columns = [
        Column(_("Last name"), width=20),
        Column(_("First name"), width=16),
        Column(_("Patronymic"), width=18),
        Column(_("Region"), width=24),
        Column(_("Locality"), width=18),
        Column(_("Phone"), width=16),
        Column(_("E-mail"), width=26),
        Column(_("Date of birth"), "date", width=12),
        Column(_("Status"), width=12),
        Column(_("Detachment"), width=24),
        Column(_("Registered"), "datetime", width=17),
    ]
    if scope.include_iin:
        columns.append(Column(_("IIN"), width=14, digits=True))
    return columns


def roster_rows(scope: ReportScope) -> Rows:
    # The roster's own selector, so the file holds exactly what the page lists (scope included).
    qs = volunteer_list(user=scope.user, filters=roster_filters(scope)).prefetch_related(None)
    qs = qs.annotate(status_label=_labels("status", Volunteer.Status.choices))
    fields: list[Any] = [
        "last_name",
        "first_name",
        "middle_name",
        f"region__name_{_lang()}",
        "locality",
        "phone",
        "email",
        "birth_date",
        "status_label",
        "detachment__school_name",
        "created_at",
    ]
    if scope.include_iin:
        fields.append("iin")
    return _stream(qs, *fields)


# Hours per volunteer ------------------------------------------------------------------------


def hours_columns(scope: ReportScope) -> list[Column]:
    return [
        Column(_("Last name"), width=20),
        Column(_("First name"), width=16),
        Column(_("Region"), width=24),
        Column(_("Detachment"), width=24),
        Column(_("Shifts attended"), "int", total=True, width=10),
        Column(_("Hours"), "decimal", total=True, width=10),
    ]


def hours_rows(scope: ReportScope) -> Rows:
    """One row per volunteer with hours: shifts from the sign-ups (streamed, grouped in SQL), the
    other hours sources (targeted help) added per person; people with only those hours follow,
    by name."""
    qs = (
        selectors.signups_in_scope(scope)
        .filter(status=Signup.Status.ATTENDED)
        .order_by()
        .values(
            "volunteer_id",
            "volunteer__last_name",
            "volunteer__first_name",
            f"volunteer__region__name_{_lang()}",
            "volunteer__detachment__school_name",
            "volunteer__anonymized_at",
        )
        .annotate(shifts=Count("id"), h=selectors.HOURS_SUM)
        .order_by("volunteer__last_name", "volunteer__first_name", "volunteer_id")
    )
    rows = qs.values_list(
        "volunteer_id",
        "volunteer__anonymized_at",
        "volunteer__last_name",
        "volunteer__first_name",
        f"volunteer__region__name_{_lang()}",
        "volunteer__detachment__school_name",
        "shifts",
        "h",
    )
    other: dict[Any, Any] = {}
    for source in selectors.HOURS_SOURCES:
        if source is not selectors.signup_hours:
            for key, hours in source(scope, "volunteer").items():
                if key is not None and hours:
                    other[key] = other.get(key, selectors.ZERO) + hours

    erased = str(ERASED)

    def named(anonymized_at: Any, last: str, first: str) -> tuple[str, str]:
        return (erased, "") if anonymized_at is not None else (last, first)

    def merged() -> Iterator[tuple[Any, ...]]:
        for pk, anonymized_at, last, first, *cells, shifts, hours in rows.iterator(chunk_size=CHUNK):
            yield (*named(anonymized_at, last, first), *cells, shifts, hours + other.pop(pk, selectors.ZERO))
        people = [k for k in other if not isinstance(k, selectors.WholeDetachment)]
        rest = Volunteer.objects.filter(pk__in=people).order_by("last_name", "first_name", "pk")
        for pk, anonymized_at, last, first, *cells in rest.values_list(
            "pk",
            "anonymized_at",
            "last_name",
            "first_name",
            f"region__name_{_lang()}",
            "detachment__school_name",
        ):
            yield (*named(anonymized_at, last, first), *cells, 0, other[pk])
        # Hours a detachment gave as a whole (no one person's) last, one row each with no name,
        # so that the file adds up to the dashboard's "Hours given".
        wholes = {k.detachment_id: h for k, h in other.items() if isinstance(k, selectors.WholeDetachment)}
        detachments = Detachment.objects.filter(pk__in=list(wholes)).order_by("school_name", "pk")
        for pk, region, school in detachments.values_list("pk", f"region__name_{_lang()}", "school_name"):
            yield ("", "", region, school, 0, wholes[pk])

    def count() -> int:
        shown = set(qs.values_list("volunteer_id", flat=True)) if other else set()
        return (qs.count() if not other else len(shown)) + len(set(other) - shown)

    return count, merged()


# Sign-ups and attendance --------------------------------------------------------------------


def signup_columns(scope: ReportScope) -> list[Column]:
    return [
        Column(_("Shift starts"), "datetime", width=17),
        Column(_("Campaign"), width=30, neutralised=True),
        Column(_("Kind"), width=18, neutralised=True),
        Column(_("Region"), width=24, neutralised=True),
        Column(_("Place"), width=24, neutralised=True),
        Column(_("Last name"), width=20, neutralised=True),
        Column(_("First name"), width=16, neutralised=True),
        Column(_("Status"), width=14, neutralised=True),
        Column(_("Hours"), "decimal", total=True, width=8),
    ]


def _signup_queryset(scope: ReportScope) -> QuerySet[Signup]:
    # Labels are ours (translated choices); every other text is neutralised by the query.
    return (
        selectors.signups_in_scope(scope)
        .annotate(
            status_label=_labels("status", Signup.Status.choices),
            kind_label=_labels("shift__campaign__kind", Campaign.Kind.choices),
            x_title=safe_text("shift__campaign__title"),
            x_region=safe_text(f"shift__campaign__region__name_{_lang()}"),
            x_place=safe_text("shift__place_name"),
            x_last=person_name("volunteer__last_name"),
            x_first=safe_text("volunteer__first_name"),
        )
        .order_by("shift__starts_at", "id")
    )


_SIGNUP_FIELDS = (
    "x_title",
    "kind_label",
    "x_region",
    "x_place",
    "x_last",
    "x_first",
    "status_label",
    "hours",
)


def signup_rows(scope: ReportScope) -> Rows:
    return _stream(_signup_queryset(scope), "shift__starts_at", *_SIGNUP_FIELDS)


def signup_copy(scope: ReportScope) -> CopyQuery:
    """The same rows as CSV-ready values for PostgreSQL's COPY (the start as Almaty wall time
    text), and the totals row's sums."""
    qs = _signup_queryset(scope).annotate(
        x_start=Func(
            F("shift__starts_at"),
            template=f"to_char(%(expressions)s AT TIME ZONE '{settings.TIME_ZONE}', 'YYYY-MM-DD HH24:MI')",
            output_field=CharField(),
        )
    )
    return qs.values_list("x_start", *_SIGNUP_FIELDS), {8: Sum("hours")}


# Detachments' activity -----------------------------------------------------------------------


def detachment_columns(scope: ReportScope) -> list[Column]:
    return [
        Column(_("Detachment"), width=30),
        Column(_("Region"), width=24),
        Column(_("Locality"), width=18),
        Column(_("Members"), "int", total=True, width=10),
        Column(_("Minors"), "int", total=True, width=10),
        Column(_("Sign-ups"), "int", total=True, width=10),
        Column(_("Hours"), "decimal", total=True, width=10),
    ]


def detachment_rows(scope: ReportScope) -> Rows:
    qs = selectors.detachment_activity(scope)
    hours = selectors.hours_by(scope, "detachment")

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in qs.iterator(chunk_size=CHUNK):
            d = cast(Any, row)  # the counts are annotations
            yield (
                d.name,
                d.region.name,
                d.locality,
                d.member_count,
                d.minor_count,
                d.signup_count,
                hours.get(d.pk, selectors.ZERO),
            )

    return (lambda: selectors.detachments_in_scope(scope).count()), rows()


# The national summary by region --------------------------------------------------------------


def summary_columns(scope: ReportScope) -> list[Column]:
    return [
        Column(_("Region"), width=28),
        Column(_("Volunteers"), "int", total=True, width=11),
        # No total: the same person may be active in several regions, and a sum would count
        # them once in each (the dashboard gives the number of people).
        Column(_("Active in the period"), "int", width=11),
        Column(_("Hours"), "decimal", total=True, width=11),
        Column(_("Sign-ups"), "int", total=True, width=11),
        Column(_("Attended"), "int", total=True, width=11),
        Column(_("No-shows"), "int", total=True, width=11),
        Column(_("Transport requests"), "int", total=True, width=11),
        Column(_("Transport arranged"), "int", total=True, width=11),
        Column(_("Front-office visits"), "int", total=True, width=11),
    ]


def summary_rows(scope: ReportScope) -> Rows:
    rows = selectors.region_summary(scope)
    tuples = [
        (
            r.name,
            r.volunteers,
            r.active,
            r.hours,
            r.signups,
            r.attended,
            r.no_shows,
            r.transport,
            r.arranged,
            r.visits,
        )
        for r in rows
    ]
    return (lambda: len(tuples)), iter(tuples)


BUILTIN = [
    Export(
        key="roster",
        title=_("Volunteer roster"),
        columns=roster_columns,
        rows=roster_rows,
        uses=frozenset({"region", "detachment"}),
        iin=True,
    ),
    Export(key="hours", title=_("Hours per volunteer"), columns=hours_columns, rows=hours_rows),
    Export(
        key="signups",
        title=_("Sign-ups and attendance"),
        columns=signup_columns,
        rows=signup_rows,
        csv_copy=signup_copy,
    ),
    Export(
        key="detachments",
        title=_("Detachments' activity"),
        columns=detachment_columns,
        rows=detachment_rows,
        uses=frozenset({"period", "region", "detachment"}),
    ),
    Export(
        key="summary",
        title=_("Summary by region"),
        columns=summary_columns,
        rows=summary_rows,
        uses=frozenset({"period", "region", "campaign", "detachment"}),
    ),
]
