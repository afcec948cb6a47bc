"""Front-office visits in reports: the dashboard's figures and the export equal counts taken by
the test from the visit rows; an Astana coordinator sees nothing of Almaty's offices or visitors."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from front_offices.models import Visit
from reports import visits as report_visits
from reports.scope import ReportScope
from tests.conftest import client_for

from .conftest import ALMATY_NAMES, ALMATY_OFFICE, PERIOD, period_query
from .test_exports import export, read_csv, read_xlsx
from .test_scoping import all_bytes

pytestmark = pytest.mark.django_db


def in_period(visit) -> bool:  # type: ignore[no-untyped-def]
    return PERIOD[0] <= visit.local_date <= PERIOD[1]


def took_place(visit) -> bool:  # type: ignore[no-untyped-def]
    return visit.status != "cancelled"


def rows_of(world, region=None):  # type: ignore[no-untyped-def]
    return [v for v in world.visits if in_period(v) and (region is None or v.office.region_id == region.pk)]


def test_counts_equal_the_rows(world, nora, alice) -> None:  # type: ignore[no-untyped-def]
    for user, region in ((nora, None), (alice, world.almaty)):
        rows = rows_of(world, region)
        active = [v for v in rows if took_place(v)]
        counts = report_visits.visit_counts(ReportScope(user=user, start=PERIOD[0], end=PERIOD[1]))
        assert counts.total == len(active)
        assert counts.arrived == sum(v.status == "arrived" for v in rows)
        assert counts.no_show == sum(v.status == "no_show" for v in rows)
        assert counts.cancelled == sum(v.status == "cancelled" for v in rows)
        assert counts.walk_in == sum(v.walk_in for v in active)
        flexible = sum(v.is_evening or v.is_weekend for v in active)
        assert counts.flexible == flexible
        assert counts.flexible_share == (Decimal(flexible) * 100 / len(active)).quantize(Decimal("0.1"))
    almaty = report_visits.visit_counts(ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1]))
    # Almaty: 5 visits took place; evening (19:00 on the 15th), Saturday the 17th and Saturday 4 April.
    assert (almaty.total, almaty.flexible, almaty.flexible_share) == (5, 3, Decimal("60.0"))


def test_counts_by_office_purpose_outcome(world, alice) -> None:  # type: ignore[no-untyped-def]
    scope = ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1])
    rows = [v for v in rows_of(world, world.almaty) if took_place(v)]
    by_office = report_visits.visit_counts_by(scope, "office_id")
    assert {k: c.total for k, c in by_office.items()} == {
        o: sum(v.office_id == o for v in rows) for o in {v.office_id for v in rows}
    }
    by_purpose = report_visits.visit_counts_by(scope, "purpose")
    assert {k: c.total for k, c in by_purpose.items()} == {
        p: sum(v.purpose == p for v in rows) for p in {v.purpose for v in rows}
    }
    one_office = ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1], office=world.visits[0].office_id)
    assert report_visits.visit_counts(one_office).total == sum(
        v.office_id == world.visits[0].office_id for v in rows
    )


def test_dashboard_section_and_national_breakdown(world, nora, charlie) -> None:  # type: ignore[no-untyped-def]
    page = client_for(nora).get("/reports/", period_query()).content.decode()
    assert 'id="section-visits"' in page
    assert ALMATY_OFFICE in page and "Есіл кеңсесі" in page
    total = sum(took_place(v) for v in rows_of(world))
    assert f'data-figure="visits-1">{total}<' in page
    astana_page = client_for(charlie).get("/reports/", period_query()).content.decode()
    assert 'id="section-visits"' in astana_page
    for secret in (ALMATY_OFFICE, "Алатау кеңсесі", *ALMATY_NAMES):
        assert secret not in astana_page
    assert 'data-figure="visits-1">2<' in astana_page


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_rows_and_totals(world, alice, file_format) -> None:  # type: ignore[no-untyped-def]
    content = export(client_for(alice), report="visits", file_format=file_format)
    rows = read_csv(content) if file_format == "csv" else read_xlsx(content)
    body, totals = rows[1:-1], rows[-1]
    expected = rows_of(world, world.almaty)
    assert len(body) == len(expected)
    # Cancelled visits are listed with their status, but the file's number of visits is the
    # dashboard's for the same period and scope (5 in Almaty, 6 rows listed).
    visits = sum(took_place(v) for v in expected)
    assert int(totals[-1]) == visits == 5
    page = client_for(alice).get("/reports/", period_query()).content.decode()
    assert f'data-figure="visits-1">{visits}<' in page
    with translation.override("kk"):
        cancelled = str(Visit.Status.CANCELLED.label)
    assert [int(r[-1]) for r in body if r[4] == cancelled] == [0]
    assert {r[1] for r in body} == {ALMATY_OFFICE, "Алатау кеңсесі"}
    if file_format == "xlsx":
        assert body[0][0] == datetime.datetime(2026, 1, 15, 10, 0)
    text = all_bytes(content)
    assert "Есіл кеңсесі" not in text and "Астанабеков" not in text
    only = read_csv(
        export(client_for(alice), report="visits", file_format="csv", office=world.visits[4].office_id)
    )
    assert len(only) - 2 == sum(v.office_id == world.visits[4].office_id for v in expected)


def test_national_summary_and_year_page_count_visits(world, nora) -> None:  # type: ignore[no-untyped-def]
    rows = read_csv(export(client_for(nora), report="summary", file_format="csv"))
    total = sum(took_place(v) for v in rows_of(world))
    assert int(rows[-1][-1]) == total
    page = client_for(nora).get("/year-of-volunteers/", {"year": 2026}).content.decode()
    year_total = sum(took_place(v) and v.local_date.year == 2026 for v in world.visits)
    assert f'data-figure="visits">{year_total}<' in page
    assert ALMATY_NAMES[0] not in page
