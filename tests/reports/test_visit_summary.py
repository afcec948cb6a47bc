"""The visits summary (reports_visitdaysummary, kept by triggers) equals the front-office visits
recounted per office and Almaty day after every kind of write: booking, moving
to another slot and day, cancelling, blocking slots, marking arrived or no-show, recording the
outcome, a walk-in, bulk inserts (seed_demo), deleting visits one by one, in bulk and with their
volunteer. The dashboard's visits section read from it equals the section counted from the
visits, for national staff, a coordinator (their region only), a two-region coordinator and an
office's staff, and its queries do not grow with the visits."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from front_offices import services
from front_offices.models import FrontOffice, Purpose, Visit, VisitSlot
from regions.models import CoordinatorAssignment, Region
from reports import visit_summary
from reports import visits as report_visits
from reports.models import VisitDaySummary
from reports.scope import ReportScope
from tests.concurrency import run_at_once
from tests.factories import UserFactory, VolunteerFactory
from tests.front_offices.helpers import make_office, next_weekday, slot_at

from .conftest import ALMATY_OFFICE, ASTANA_OFFICE, PERIOD, local

pytestmark = pytest.mark.django_db

COLUMNS = [f.name for f in VisitDaySummary._meta.fields if f.name not in ("id", "office", "day")]


def recount() -> dict[tuple[Any, ...], dict[str, int]]:
    """The summary's rows counted in Python from every visit."""
    rows: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for v in Visit.objects.all():
        row = rows[(v.office_id, v.local_date)]
        row[v.status] += 1
        if v.status != Visit.Status.CANCELLED:
            row["walk_in"] += v.walk_in
            row["evening"] += v.is_evening
            row["weekend"] += v.is_weekend
            row["flexible"] += v.is_evening or v.is_weekend
            row[f"purpose_{v.purpose}"] += 1
            row[f"outcome_{v.outcome or 'none'}"] += 1
    return dict(rows)


def stored() -> dict[tuple[Any, ...], dict[str, int]]:
    """The summary's rows with visits (an office and day whose visits all went keep zeros)."""
    rows = {(r.office_id, r.day): {c: getattr(r, c) for c in COLUMNS} for r in VisitDaySummary.objects.all()}
    return {k: v for k, v in rows.items() if any(v.values())}


def test_every_purpose_and_outcome_has_its_column() -> None:
    """A purpose or outcome added to front_offices without its column here would go uncounted."""
    assert set(COLUMNS) == set(visit_summary.COLUMNS)
    for purpose in Purpose.values:
        assert f"purpose_{purpose}" in COLUMNS
    for outcome in (*Visit.Outcome.values, "none"):
        assert f"outcome_{outcome}" in COLUMNS


def shown(section: Any) -> Any:
    """What the section shows: its figures, each chart's title, drawing and table, its tables
    (the drawings numbered apart: every chart drawn takes the next id)."""
    charts = [(c.title, re.sub(r"chart-\d+", "chart", c.svg), c.table) for c in section.charts]
    return section.figures, charts, section.tables


def section(scope: ReportScope) -> Any:
    return shown(report_visits.visits_section(scope))


def live_section(scope: ReportScope, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as m:
        m.setattr(report_visits, "visit_summary_serves", lambda _scope: False)
        return section(scope)


def test_summary_follows_every_write(world, nora, alice, bob) -> None:  # type: ignore[no-untyped-def]
    assert stored() == recount() != {}
    office = FrontOffice.objects.get(name=ALMATY_OFFICE)
    make_office(region_code="75", name="Медеу кеңсесі")
    other = FrontOffice.objects.get(name="Медеу кеңсесі")
    monday, saturday = next_weekday(0, after=2), next_weekday(5, after=2)
    booked = services.visit_book(
        slot=slot_at(office, monday, 18), volunteer=bob, purpose="consultation", by=None
    )
    second = services.visit_book(
        slot=slot_at(office, monday, 9),
        volunteer=VolunteerFactory(region=world.almaty),
        purpose="transport",
        by=None,
    )
    assert stored() == recount()
    # Moved to a Saturday (a weekend, not an evening), then to another office.
    services.visit_reschedule(visit=booked, to_slot=slot_at(office, saturday, 11), by=None)
    assert stored() == recount()
    services.visit_reschedule(visit=booked, to_slot=slot_at(other, saturday, 12), by=bob.user)
    assert stored() == recount()
    services.visit_cancel(visit=second, by=None)
    assert stored() == recount()
    # Blocking the slot cancels the visit booked in it.
    services.slots_block(
        office=other,
        starts_at=local(saturday, 12),
        ends_at=local(saturday, 13),
        reason="Ремонт",
        by=nora,
    )
    assert Visit.objects.get(pk=booked.pk).status == Visit.Status.CANCELLED
    assert stored() == recount()

    # The staff's day, on visits of the past: arrived, did not come, back to booked, an outcome.
    waiting = next(v for v in world.visits if v.status == Visit.Status.BOOKED)
    services.visit_mark(visit=waiting, status=Visit.Status.ARRIVED, by=nora)
    assert stored() == recount()
    services.visit_mark(visit=waiting, status=Visit.Status.NO_SHOW, by=nora)
    assert stored() == recount()
    services.visit_mark(visit=waiting, status=Visit.Status.BOOKED, by=nora)
    services.visit_outcome_set(visit=waiting, outcome=Visit.Outcome.CONSULTED, by=nora)
    assert Visit.objects.get(pk=waiting.pk).status == Visit.Status.ARRIVED
    assert stored() == recount()
    walk_in = services.walk_in_register(
        office=office, phone=bob.phone, purpose="certificate", outcome="certificate_issued", by=nora
    )
    assert walk_in.walk_in and stored() == recount()

    # A bulk insert (seed_demo's and imports' path): one statement of many rows.
    Visit.objects.bulk_create(
        Visit(
            office=office if i % 3 else other,
            volunteer=bob,
            starts_at=local(datetime.date(2026, 2, 14 + i % 3), 18 + i % 2),
            local_date=datetime.date(2026, 2, 14 + i % 3),
            is_evening=bool(i % 2),
            is_weekend=14 + i % 3 in (14, 15),
            purpose=("consultation", "registration")[i % 2],
            status=("arrived", "no_show", "cancelled", "booked")[i % 4],
            outcome="consulted" if i % 4 == 0 else "",
            walk_in=i % 5 == 0,
        )
        for i in range(40)
    )
    assert stored() == recount()
    # Deleted one by one, in bulk, and with their volunteer.
    Visit.objects.get(pk=walk_in.pk).delete()
    assert stored() == recount()
    Visit.objects.filter(local_date=datetime.date(2026, 2, 15)).delete()
    assert stored() == recount()
    assert Visit.objects.filter(volunteer=bob).exists()
    bob.delete()
    assert stored() == recount()
    assert not Visit.objects.filter(volunteer_id=bob.pk).exists()

    before = stored()
    VisitDaySummary.objects.all().delete()
    visit_summary.rebuild()
    assert stored() == before == recount()


def test_section_from_the_summary_equals_the_live_count(  # type: ignore[no-untyped-def]
    world, nora, alice, charlie, monkeypatch
) -> None:
    office = FrontOffice.objects.get(name=ALMATY_OFFICE)
    clerk = UserFactory(email="clerk@example.kz")
    office.staff.add(clerk)
    two_regions = UserFactory(email="two@example.kz")
    for region in (world.almaty, world.astana):
        CoordinatorAssignment.objects.create(user=two_regions, region=region)
    # A visit cancelled, a walk-in and one with a recorded outcome make every column count.
    services.visit_outcome_set(visit=world.visits[4], outcome="other", by=nora)
    scopes = []
    for user in (nora, alice, charlie, clerk, two_regions):
        scopes += [
            ReportScope(user=user, start=PERIOD[0], end=PERIOD[1]),
            ReportScope(user=user, start=datetime.date(2026, 1, 16), end=datetime.date(2026, 2, 11)),
            ReportScope(user=user, start=PERIOD[0], end=PERIOD[1], region=world.almaty.pk),
            ReportScope(user=user, start=PERIOD[0], end=PERIOD[1], office=office.pk),
        ]
    for scope in scopes:
        assert report_visits.visit_summary_serves(scope)
        assert section(scope) == live_section(scope, monkeypatch), scope

        # The counts for the national summary, by office and in all, with every column.
        def counts(scope: ReportScope = scope) -> Any:
            return (
                report_visits.visits_by_region(scope),
                report_visits.visit_counts_by(scope, "office_id"),
                report_visits.visit_counts(scope),
            )

        with monkeypatch.context() as m:
            m.setattr(report_visits, "visit_summary_serves", lambda _scope: False)
            live = counts()
        assert counts() == live

    # What each reader is shown, from the summary: Almaty's coordinator and the office's staff
    # see no Astana visit; national staff see both regions' offices and their region table.
    def offices_shown(user: Any) -> set[str]:
        section = report_visits.visits_section(ReportScope(user=user, start=PERIOD[0], end=PERIOD[1]))
        return {row[0] for row in section.charts[0].table.rows}

    assert offices_shown(alice) == {ALMATY_OFFICE, "Алатау кеңсесі"}
    assert offices_shown(clerk) == {ALMATY_OFFICE}
    assert offices_shown(charlie) == {ASTANA_OFFICE}
    assert offices_shown(nora) == {ALMATY_OFFICE, "Алатау кеңсесі", ASTANA_OFFICE}
    national = report_visits.visits_section(ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1]))
    by_region = {row[0]: row[1] for row in national.tables[0].rows}
    assert (by_region[world.almaty.name], by_region[world.astana.name]) == (5, 2)
    alice_counts = report_visits.visit_counts(ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1]))
    assert (alice_counts.total, alice_counts.cancelled, alice_counts.walk_in, alice_counts.flexible) == (
        5,
        1,
        2,
        3,
    )

    # An office moved to another region counts there at once, in both readings.
    FrontOffice.objects.filter(name="Алатау кеңсесі").update(region=Region.objects.get(code="71"))
    for user in (nora, alice, charlie):
        scope = ReportScope(user=user, start=PERIOD[0], end=PERIOD[1])
        assert section(scope) == live_section(scope, monkeypatch)
    assert offices_shown(charlie) == {ASTANA_OFFICE, "Алатау кеңсесі"}


def test_section_queries_do_not_grow_with_the_visits(world, nora, alice) -> None:  # type: ignore[no-untyped-def]
    def queries(user: Any) -> int:
        with CaptureQueriesContext(connection) as captured:
            report_visits.visits_section(ReportScope(user=user, start=PERIOD[0], end=PERIOD[1]))
        return len(captured)

    for user in (nora, alice):
        queries(user)  # the user's regions and offices, read once and kept on the user
    before = {user.pk: queries(user) for user in (nora, alice)}
    offices = [make_office(region_code=code, name=f"Кеңсе {code}") for code in ("75", "71")]
    Visit.objects.bulk_create(
        Visit(
            office=offices[i % 2],
            volunteer=world.almaty_volunteers[i % 3],
            starts_at=local(PERIOD[0] + datetime.timedelta(days=i % 60)),
            local_date=PERIOD[0] + datetime.timedelta(days=i % 60),
            purpose=("consultation", "registration", "other")[i % 3],
            status=("arrived", "no_show", "booked")[i % 3],
            outcome=("consulted", "")[i % 2],
        )
        for i in range(300)
    )
    assert {user.pk: queries(user) for user in (nora, alice)} == before
    # One summary read and the offices' names; national staff also read the regions list.
    assert (before[alice.pk], before[nora.pk]) == (2, 3)


def test_seed_demo_bulk_load_leaves_the_summary_exact(db) -> None:  # type: ignore[no-untyped-def]
    call_command(
        "seed_demo", volunteers=60, detachments=20, shifts=10, signups=20, visits=400, care=1, messages=0
    )
    assert Visit.objects.count() > 300
    assert stored() == recount()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname LIKE 'reports_visit_%%'")
        assert [r[0] for r in cursor.fetchall()] == ["O", "O", "O"]


@pytest.mark.django_db(transaction=True)
def test_moves_between_two_days_at_once_leave_the_summary_exact(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """People moving their visits from Monday to Tuesday and others from Tuesday to Monday, all
    at once: each move writes both days' rows; none waits on another forever, none is lost."""
    office = make_office(capacity=3)
    monday = next_weekday(0, after=2)
    tuesday = monday + datetime.timedelta(days=1)
    moves = []
    for source, target in ((monday, tuesday), (tuesday, monday)):
        to_slot = slot_at(office, target, 10)
        for _ in range(3):
            visit = services.visit_book(
                slot=slot_at(office, source, 9), volunteer=VolunteerFactory(), purpose="consultation", by=None
            )
            moves.append((visit.pk, to_slot.pk))
    assert stored() == recount()

    def move(visit_pk: int, slot_pk: int) -> Any:
        return lambda: services.visit_reschedule(
            visit=Visit.objects.select_related("volunteer").get(pk=visit_pk),
            to_slot=VisitSlot.objects.get(pk=slot_pk),
            by=None,
        )

    assert run_at_once([move(*m) for m in moves]) == ["ok"] * 6
    assert stored() == recount()
    assert {day: row["booked"] for (_o, day), row in stored().items()} == {monday: 3, tuesday: 3}
