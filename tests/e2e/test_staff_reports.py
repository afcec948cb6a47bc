"""National staff open the dashboard, pick a period, export the sign-ups as XLSX; the file holds
that period's rows and its totals row adds up their hours."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import formats, translation
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.reports.conftest import in_period, world  # noqa: F401 — the fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_pick_a_period_and_export_xlsx(
    page: Page,
    live_server: Any,
    login: Callable[[Any], None],
    nora: Any,
    world: Any,  # noqa: F811
) -> None:
    login(nora)
    page.goto(f"{live_server.url}/overview/")
    page.locator("a[href='/reports/']").first.click()
    expect(page.locator("h1")).to_be_visible()
    page.locator("#report-scope [name=start]").fill("2026-01-01")
    page.locator("#report-scope [name=end]").fill("2026-03-31")
    page.locator("#report-scope button[type=submit]").click()
    rows = [s for s in world.signups if in_period(s) and s.shift.starts_at.month <= 3]
    hours = sum((s.hours or Decimal(0) for s in rows if s.status == "attended"), Decimal(0))
    with translation.override("kk"):
        shown = str(formats.number_format(hours))
    expect(page.locator("[data-figure='hours-1']")).to_have_text(shown)
    # The charts are drawn on the server, each with its numbers as a table.
    expect(page.locator("#section-hours svg[role=img]").first).to_be_visible()

    page.locator("#export-link").click()
    expect(page.locator("#export-form [name=start]")).to_have_value("2026-01-01")
    expect(page.locator("#export-form [name=end]")).to_have_value("2026-03-31")
    page.locator("#export-form [name=report]").select_option("signups")
    page.locator("#export-form input[name=file_format][value=xlsx]").check()
    with page.expect_download() as info:
        page.locator("#export-form button[type=submit]").click()
    download = info.value
    assert download.suggested_filename == "signups_20260101-20260331.xlsx"
    with open(download.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    values = list(sheet.iter_rows(values_only=True))
    body, totals = values[1:-1], values[-1]
    assert len(body) == len(rows)
    assert Decimal(str(totals[-1])) == hours


def test_an_export_whose_worker_stopped_shows_why_and_offers_to_run_it_again(
    page: Page,
    live_server: Any,
    login: Callable[[Any], None],
    nora: Any,
    settings: Any,
) -> None:
    """The progress page is open while the job's worker dies: the page's polling turns into the
    failure message and a link back to the filled-in export form."""
    from django.db.models.functions import Now

    from reports.models import ExportJob

    settings.REPORTS_EXPORT_STALL_SECONDS = 4
    job = ExportJob.objects.create(
        requested_by=nora,
        kind="signups",
        file_format="xlsx",
        params={"start": "2026-01-01", "end": "2026-03-31", "region": None},
        status=ExportJob.Status.RUNNING,
        rows_total=50_000,
        file_name="signups_20260101-20260331.xlsx",
    )
    login(nora)
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=Now())  # its last sign of life
    page.goto(f"{live_server.url}/reports/exports/{job.pk}/")
    expect(page.locator("#export-failed")).to_be_hidden()
    expect(page.locator("#export-failure")).to_have_text(
        "Экспорт аяқталмай тоқтап қалды. Оны қайта іске қосыңыз.", timeout=15_000
    )
    expect(page.locator("#export-failed")).to_be_visible()
    expect(page.locator("#export-download")).to_be_hidden()
    page.locator("#export-again").click()
    expect(page.locator("#export-form [name=start]")).to_have_value("2026-01-01")
    expect(page.locator("#export-form [name=report]")).to_have_value("signups")


def test_the_two_bar_charts_legend_is_read_whole_in_kazakh(
    page: Page,
    live_server: Any,
    login: Callable[[Any], None],
    nora: Any,
    world: Any,  # noqa: F811
) -> None:
    """Side by side, the first series' name ran over the second's swatch and the second's was cut
    at the chart's edge."""
    page.set_viewport_size({"width": 1366, "height": 768})
    login(nora)
    page.goto(f"{live_server.url}/reports/")
    legend = page.locator("#section-volunteers svg g.chart-legend")
    expect(legend).to_be_visible()
    boxes = legend.evaluate(
        "g => [...g.children].map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
    )
    svg = legend.evaluate(
        "g => { const r = g.ownerSVGElement.getBoundingClientRect(); return [r.left, r.right]; }"
    )
    for i, (left, top, right, bottom) in enumerate(boxes):
        assert svg[0] - 1 <= left and right <= svg[1] + 1, (i, boxes[i], svg)
        for other in boxes[i + 1 :]:
            apart = right <= other[0] or other[2] <= left or bottom <= other[1] or other[3] <= top
            assert apart, (boxes[i], other)
