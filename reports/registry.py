"""The two registries of reports/: exports and dashboard sections.

Each export is one `Export` in EXPORTS, each dashboard section one callable in DASHBOARD_SECTIONS.
The forms, views, the Celery task, the audit trail and the tests read these lists, so a new report
(the front offices' visits, say) plugs in with ONE call each from its module:

    registry.register_export(Export(key="visits", title=_("Visits"), columns=[...], rows=visit_rows))
    registry.register_dashboard_section("visits", visits_section)

`register_builtin()` (called from ReportsConfig.ready) registers the reports on volunteers,
campaigns, sign-ups, transport and detachments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from .dashboard import Section
    from .scope import ReportScope


@dataclass(frozen=True)
class Column:
    header: str | Promise
    # text | int | decimal | date | datetime: how the XLSX cell is typed
    kind: str = "text"
    total: bool = False
    width: int = 16
    # Text already neutralised against formula injection by the query (exports.safe_text): the
    # CSV writer skips its own pass over it. (XLSX neutralises nothing: its queries are built
    # inside exports.text_as_typed() and its text goes into string cells.)
    neutralised: bool = False
    # Text of digits that a spreadsheet must not read as a number (an IIN: "061211600012" became
    # 6,12116E+10 without its leading zero): in CSV it gets the apostrophe a phone gets.
    digits: bool = False


# A values_list queryset whose every column is CSV-ready text or a number (already neutralised,
# unless built inside exports.text_as_typed() for XLSX; times as Almaty text), and the totals
# row's aggregates by column index.
CopyQuery = tuple[Any, dict[int, Any]]


@dataclass(frozen=True)
class Export:
    key: str
    title: str | Promise
    columns: Callable[[ReportScope], list[Column]]
    # (number of rows, an iterator over the row tuples from a server-side cursor)
    rows: Callable[[ReportScope], tuple[Callable[[], int], Iterator[tuple[Any, ...]]]]
    # Which of the scope pickers apply (the others are ignored for this export).
    uses: frozenset[str] = field(
        default_factory=lambda: frozenset({"period", "region", "campaign", "detachment"})
    )
    iin: bool = False
    # Optional: the same rows for PostgreSQL's COPY … TO STDOUT WITH CSV, which writes a large
    # CSV export at the database's own speed (see writers.write_csv_copy).
    csv_copy: Callable[[ReportScope], CopyQuery] | None = None


EXPORTS: dict[str, Export] = {}
# A section function may return None: nothing to show to this user (e.g. one region only).
DASHBOARD_SECTIONS: list[tuple[str, Callable[[ReportScope], Section | None]]] = []


def register_export(export: Export) -> None:
    EXPORTS[export.key] = export


def register_dashboard_section(key: str, section: Callable[[ReportScope], Section | None]) -> None:
    if all(existing != key for existing, _ in DASHBOARD_SECTIONS):
        DASHBOARD_SECTIONS.append((key, section))


def register_builtin() -> None:
    from . import dashboard, exports, helprequests, selectors, visits

    for export in exports.BUILTIN:
        register_export(export)
    for key, section in dashboard.BUILTIN:
        register_dashboard_section(key, section)
    # Front-office visits: their own module, plugged in like any other app's report.
    register_export(visits.EXPORT)
    register_dashboard_section("visits", visits.visits_section)
    # Targeted help: its hours join every hours figure through the one aggregation.
    selectors.register_hours_source(helprequests.care_hours)
    selectors.HOURS_LABELS[helprequests.CARE_KEY] = helprequests.CARE_LABEL
    register_export(helprequests.EXPORT)
    register_dashboard_section("help_requests", helprequests.help_requests_section)
