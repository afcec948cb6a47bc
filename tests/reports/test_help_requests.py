"""Targeted help in reports: its hours join every hours figure (dashboard, exports, summary,
certificates, the Year page); the help-requests section and export equal counts taken by the test
from the rows, and carry nothing personal of the beneficiaries; an Astana coordinator sees nothing
of Almaty's."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from care.models import Assignment, HelpRequest
from reports import helprequests, selectors
from reports.scope import ReportScope
from tests.care.factories import BeneficiaryFactory, HelpRequestFactory
from tests.conftest import client_for

from .conftest import PERIOD, in_period, kk_number, local, period_query
from .test_dashboard import attended_hours
from .test_exports import export, read_csv, read_xlsx
from .test_scoping import all_bytes

pytestmark = pytest.mark.django_db

SECRET_NAME = "Құпиябаева Күләш"
SECRET_PHONE = "+77029998877"
SECRET_ADDRESS = "Тайна көшесі, 13"


@pytest.fixture
def care_world(world):  # type: ignore[no-untyped-def]
    """(request, created, done_at, status, [(volunteer, hours)]), Almaty and Astana."""
    a, b, _c = world.almaty_volunteers
    x, _y = world.astana_volunteers
    almaty_person = BeneficiaryFactory(
        region=world.almaty,
        full_name=SECRET_NAME,
        phone=SECRET_PHONE,
        address=SECRET_ADDRESS,
        locality="Алматы",
    )
    astana_person = BeneficiaryFactory(region=world.astana, full_name="Астанаева Роза", locality="Астана")
    plan = [
        (almaty_person, "groceries", datetime.date(2026, 1, 10), 26, "done", [(a, "2.00"), (b, "1.50")]),
        (almaty_person, "fuel", datetime.date(2026, 2, 1), 2, "done", [(a, "3.00")]),
        (almaty_person, "medicine", datetime.date(2026, 3, 1), None, "assigned", []),
        (almaty_person, "snow", datetime.date(2026, 4, 1), None, "new", []),
        (
            almaty_person,
            "groceries",
            datetime.date(2025, 12, 1),
            5,
            "done",
            [(a, "7.00")],
        ),  # before the period
        (astana_person, "visit", datetime.date(2026, 2, 5), 48, "done", [(x, "1.25")]),
    ]
    rows = []
    for person, kind, day, hours_to_done, status, goers in plan:
        created = local(day, 9)
        done_at = created + datetime.timedelta(hours=hours_to_done) if hours_to_done is not None else None
        request = HelpRequestFactory(
            beneficiary=person,
            kind=kind,
            created_at=created,
            due_from=created,
            due_until=created + datetime.timedelta(days=1),
            status=status,
            done_at=done_at,
            needed_hands=max(1, len(goers)),
            taken_hands=len(goers),
        )
        for volunteer, hours in goers:
            Assignment.objects.create(
                request=request,
                volunteer=volunteer,
                status=Assignment.Status.DONE,
                hours=Decimal(hours),
                done_at=done_at,
            )
        rows.append(request)
    return rows


def care_hours_of(requests, region=None) -> Decimal:  # type: ignore[no-untyped-def]
    total = Decimal(0)
    for r in requests:
        for a in r.assignments.all():
            day = a.done_at.astimezone(local(PERIOD[0]).tzinfo).date()
            if PERIOD[0] <= day <= PERIOD[1] and (region is None or r.region_id == region.pk):
                total += a.hours
    return total


def test_care_hours_join_every_hours_figure(world, care_world, nora, alice) -> None:  # type: ignore[no-untyped-def]
    signups = [s for s in world.signups if in_period(s)]
    national = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
    assert selectors.total_hours(national) == attended_hours(signups) + care_hours_of(care_world)
    assert care_hours_of(care_world) == Decimal("7.75")
    by_kind = selectors.hours_by(national, "kind")
    assert by_kind[helprequests.CARE_KEY] == Decimal("7.75")
    by_region = selectors.hours_by(national, "region")
    almaty_signups = [s for s in signups if s.shift.campaign.region_id == world.almaty.pk]
    assert by_region[world.almaty.pk] == attended_hours(almaty_signups) + Decimal("6.50")
    regional = ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1])
    assert selectors.total_hours(regional) == attended_hours(almaty_signups) + care_hours_of(
        care_world, world.almaty
    )
    # A campaign picked: help requests belong to none.
    campaign = ReportScope(
        user=alice, start=PERIOD[0], end=PERIOD[1], campaign=almaty_signups[0].shift.campaign_id
    )
    assert helprequests.care_hours(campaign, "total") == {}
    # The certificate's lines: shifts by campaign, targeted help on a line of its own.
    lines = dict(
        selectors.volunteer_hours_by_campaign(
            volunteer=world.almaty_volunteers[0], start=PERIOD[0], end=PERIOD[1]
        )
    )
    assert lines[str(helprequests.CARE_LABEL)] == Decimal("5.00")


def test_exports_and_pages_count_care_hours(world, care_world, nora, alice) -> None:  # type: ignore[no-untyped-def]
    signups = [s for s in world.signups if in_period(s)]
    rows = read_xlsx(export(client_for(alice), report="hours", file_format="xlsx"))
    almaty_signups = [s for s in signups if s.shift.campaign.region_id == world.almaty.pk]
    assert Decimal(str(rows[-1][5])) == attended_hours(almaty_signups) + Decimal("6.50")
    summary = read_csv(export(client_for(nora), report="summary", file_format="csv"))
    assert Decimal(summary[-1][3]) == attended_hours(signups) + Decimal("7.75")
    page = client_for(nora).get("/reports/", period_query()).content.decode()
    assert "section-help_requests" in page
    year = client_for(nora).get("/year-of-volunteers/", {"year": 2026}).content.decode()
    year_hours = attended_hours([s for s in world.signups if s.shift.starts_at.year == 2026]) + Decimal(
        "7.75"
    )
    assert f'data-figure="hours">{kk_number(year_hours)}<' in year


def test_request_counts_and_median(world, care_world, nora, alice) -> None:  # type: ignore[no-untyped-def]
    scope = ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1])
    mine = [
        r
        for r in care_world
        if r.region_id == world.almaty.pk and PERIOD[0] <= r.created_at.date() <= PERIOD[1]
    ]
    counts = helprequests.request_counts(scope)
    assert counts["total"] == len(mine) == 4
    assert counts["done"] == sum(r.status == "done" for r in mine)
    assert counts["open"] == sum(r.status in HelpRequest.OPEN for r in mine)
    assert counts["overdue"] == counts["open"]  # their windows closed in 2026's spring
    by_kind = helprequests.request_counts_by(scope, "kind")
    assert by_kind["groceries"]["total"] == sum(r.kind == "groceries" for r in mine)
    # Done after 26 h and 2 h: the median of two is their mean, 14 h.
    assert helprequests.median_time_to_help(scope) == datetime.timedelta(hours=14)
    national = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
    assert helprequests.median_time_to_help(national) == datetime.timedelta(hours=26)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_help_requests_export_has_no_personal_data(world, care_world, alice, charlie, file_format) -> None:  # type: ignore[no-untyped-def]
    content = export(client_for(alice), report="help_requests", file_format=file_format)
    rows = read_csv(content) if file_format == "csv" else read_xlsx(content)
    body, totals = rows[1:-1], rows[-1]
    assert len(body) == 4
    assert Decimal(str(totals[-1])) == Decimal("6.50")
    assert int(totals[-3]) == sum(r.needed_hands for r in care_world[:4])
    assert {r[3] for r in body} == {"Алматы"}
    text = all_bytes(content)
    for secret in (SECRET_NAME, SECRET_PHONE, SECRET_ADDRESS, "7029998877"):
        assert secret not in text
    astana = all_bytes(export(client_for(charlie), report="help_requests", file_format=file_format))
    assert "Алматы" not in astana and "Астана" in astana
    page = client_for(charlie).get("/reports/", period_query()).content.decode()
    assert SECRET_NAME not in page and 'data-figure="help_requests-1">1<' in page


class TestDurationText:
    """The dashboard's median time to help, in the page's language and without a needless ".0"."""

    @pytest.mark.parametrize(
        ("language", "hours", "text"),
        [
            ("kk", 14.5, "14,5 сағ"),
            ("kk", 14, "14 сағ"),
            ("kk", 60, "2,5 күн"),
            ("en", 14.5, "14.5 h"),
        ],
        ids=["kk-hours", "kk-whole-hours", "kk-days", "en-hours"],
    )
    def test_written_as_the_language_writes_numbers(self, language, hours, text) -> None:  # type: ignore[no-untyped-def]
        with translation.override(language):
            assert helprequests.duration_text(datetime.timedelta(hours=hours)) == text
