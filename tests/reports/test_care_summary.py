"""The day summary of targeted help (reports_caredaysummary, kept by triggers) equals the done
assignments recounted with a GROUP BY after an assignment marked done through the service, hours
corrected, an assignment reopened, its day moved, a request moved to another region, a volunteer
changing detachment, a detachment going, bulk inserts, deletions and seed_demo; the dashboard's
hours read from it equal the same figures read from the assignments, for a coordinator of Almaty
(none of Astana's hours) and for national staff; the dashboard no longer reads the assignments."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from care import services as care
from care.models import Assignment, HelpRequest
from reports import care_summary, helprequests, selectors
from reports.models import CareDaySummary
from reports.registry import DASHBOARD_SECTIONS
from reports.scope import ReportScope
from tests.care.factories import BeneficiaryFactory, HelpRequestFactory
from tests.factories import DetachmentFactory, VolunteerFactory
from volunteers.models import Volunteer

from .conftest import PERIOD, local
from .test_help_requests import care_world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

Key = tuple[int, datetime.date, int | None]


def recount() -> dict[Key, tuple[int, Decimal]]:
    """The done assignments grouped as the live figures group them: request region, Almaty day
    of done_at, the assignment's detachment or else its volunteer's."""
    rows = (
        Assignment.objects.filter(status=Assignment.Status.DONE, done_at__isnull=False)
        .annotate(
            day=TruncDate("done_at", tzinfo=timezone.get_default_timezone()),
            det=Coalesce("detachment_id", "volunteer__detachment_id"),
        )
        .order_by()
        .values("request__region_id", "day", "det")
        .annotate(
            n=Count("id"),
            h=Coalesce(Sum("hours"), Value(Decimal(0)), output_field=DecimalField()),
        )
    )
    return {(r["request__region_id"], r["day"], r["det"]): (r["n"], r["h"]) for r in rows}


def stored() -> dict[Key, tuple[int, Decimal]]:
    return {
        (r.region_id, r.day, r.detachment_id): (r.assignments, r.hours)
        for r in CareDaySummary.objects.all()
        if r.assignments or r.hours
    }


def figures(scope: ReportScope) -> dict[str, Any]:
    """Every hours figure of the dashboard that targeted help joins, and care's own by group."""
    return {
        "care": {g: helprequests.care_hours(scope, g) for g in selectors.HOUR_GROUPS},
        "total": selectors.total_hours(scope),
        "groups": selectors.hours_by_groups(scope, ("kind", "direction", "month")),
        "region": selectors.hours_by(scope, "region"),
        "detachment": selectors.hours_by(scope, "detachment"),
        "regions": [(r.region.pk, r.hours) for r in selectors.region_summary(scope)],
        "detachments": [(r.detachment.pk, r.hours) for r in selectors.detachment_rows(scope)],
    }


def live(scope: ReportScope, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    with monkeypatch.context() as m:
        m.setattr(helprequests, "care_summary_serves", lambda _scope: False)
        return figures(scope)


def done(
    request: HelpRequest, volunteer: Volunteer | None, hours: str, at: datetime.datetime, **kw: Any
) -> Assignment:
    return Assignment.objects.create(
        request=request,
        volunteer=volunteer,
        status=Assignment.Status.DONE,
        hours=Decimal(hours),
        done_at=at,
        **kw,
    )


@pytest.mark.usefixtures("care_world")
def test_summary_follows_every_write_and_matches_the_live_figures(  # type: ignore[no-untyped-def]
    world,
    nora,
    alice,
    monkeypatch,
) -> None:
    assert stored() == recount() != {}
    a, b, minor = world.almaty_volunteers
    x, _y = world.astana_volunteers

    # Marked done through the service, by the Almaty coordinator, with hours.
    request = HelpRequestFactory(
        beneficiary=BeneficiaryFactory(region=world.almaty),
        due_from=timezone.now() - datetime.timedelta(hours=1),
        due_until=timezone.now() + datetime.timedelta(hours=2),
    )
    assignment = care.assignment_volunteer(request=request, volunteer=b, by=alice)
    assert stored() == recount()
    care.assignment_done(assignment=assignment, hours="2.5", note="", by=alice)
    assert stored() == recount()
    assert recount()[(world.almaty.pk, timezone.localdate(), None)][0] >= 1

    # Help given in the period, late on an Almaty day (the UTC day before), and by a detachment.
    spring = HelpRequestFactory(beneficiary=BeneficiaryFactory(region=world.almaty))
    late = done(spring, a, "1.75", local(datetime.date(2026, 4, 30), 23))
    by_pupils = done(
        spring,
        None,
        "3.00",
        local(datetime.date(2026, 4, 2)),
        detachment=world.detachment,
        curator_going=True,
    )
    by_minor = done(spring, minor, "1.00", local(datetime.date(2026, 4, 2)))  # minor is in the detachment
    assert stored() == recount()

    # Hours corrected, the day of completion moved, reopened and done again.
    Assignment.objects.filter(pk=late.pk).update(hours=Decimal("2.25"))
    assert stored() == recount()
    Assignment.objects.filter(pk=late.pk).update(done_at=local(datetime.date(2026, 5, 1), 1))
    assert stored() == recount()
    Assignment.objects.filter(pk=by_pupils.pk).update(status=Assignment.Status.CONFIRMED, done_at=None)
    assert stored() == recount()
    Assignment.objects.filter(pk=by_pupils.pk).update(status=Assignment.Status.DONE, done_at=local(PERIOD[1]))
    Assignment.objects.filter(pk=late.pk).update(note="Дүкенге барды")  # nothing that counts
    assert stored() == recount()

    # The request moves to Astana with its done hours; a volunteer joins, then leaves a detachment.
    HelpRequest.objects.filter(pk=spring.pk).update(region=world.astana)
    assert stored() == recount()
    HelpRequest.objects.filter(pk=spring.pk).update(region=world.almaty)
    Volunteer.objects.filter(pk=a.pk).update(detachment=world.detachment)
    assert stored() == recount()
    other = DetachmentFactory(region=world.almaty)
    Volunteer.objects.filter(pk=minor.pk).update(detachment=other)
    assert stored() == recount()
    Volunteer.objects.filter(pk=a.pk).update(detachment=None)
    other.delete()  # its member is left without a detachment (SET_NULL), their hours with them
    assert Volunteer.objects.get(pk=minor.pk).detachment_id is None
    assert stored() == recount()

    # A bulk insert (imports, seed_demo), deletions one by one and by request.
    astana_request = HelpRequestFactory(beneficiary=BeneficiaryFactory(region=world.astana))
    Assignment.objects.bulk_create(
        [
            Assignment(
                request=astana_request,
                volunteer=v,
                status=Assignment.Status.DONE,
                hours=Decimal("1.50"),
                done_at=local(datetime.date(2026, 3, 3), 9 + i),
            )
            for i, v in enumerate([x, VolunteerFactory(region=world.astana)])
        ]
        + [Assignment(request=astana_request, volunteer=_y, status=Assignment.Status.CONFIRMED)]
    )
    assert stored() == recount()
    by_minor.delete()
    assert stored() == recount()
    assert HelpRequest.objects.filter(kind="fuel", assignments__status="done").delete()[0]  # and its help
    assert stored() == recount()

    scopes = []
    for user in (nora, alice):
        scopes += [
            ReportScope(user=user, start=PERIOD[0], end=PERIOD[1]),
            # Days, not months, bound the period: the hours done late on 30 April fall out.
            ReportScope(user=user, start=datetime.date(2026, 5, 1), end=timezone.localdate()),
            ReportScope(user=user, start=PERIOD[0], end=timezone.localdate(), region=world.almaty.pk),
            ReportScope(user=user, start=PERIOD[0], end=PERIOD[1], detachment=world.detachment.pk),
        ]
    for scope in scopes:
        assert helprequests.care_summary_serves(scope)
        assert figures(scope) == live(scope, monkeypatch), scope

    # The figures compare something: Almaty's coordinator gets Almaty's help only.
    national = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
    regional = ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1])
    in_period = {k: v for k, v in recount().items() if PERIOD[0] <= k[1] <= PERIOD[1]}
    almaty_hours = sum(h for (r, _d, _t), (_n, h) in in_period.items() if r == world.almaty.pk)
    astana_hours = sum(h for (r, _d, _t), (_n, h) in in_period.items() if r == world.astana.pk)
    assert astana_hours > 0 and almaty_hours > 0
    assert helprequests.care_hours(regional, "total") == {None: almaty_hours}
    assert helprequests.care_hours(national, "total") == {None: almaty_hours + astana_hours}
    assert world.astana.pk not in helprequests.care_hours(regional, "region")
    assert helprequests.care_hours(regional, "detachment")[world.detachment.pk] == Decimal("3.00")
    # One person's hours (certificates) still come from the assignments.
    assert not helprequests.care_summary_serves(
        ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1], volunteer=a.pk)
    )


@pytest.mark.usefixtures("world", "care_world")
def test_rebuild_gives_the_same_rows() -> None:
    before = stored()
    assert before
    CareDaySummary.objects.all().delete()
    care_summary.rebuild()
    assert stored() == before == recount()


def dashboard_queries(scope: ReportScope) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        for _key, section in DASHBOARD_SECTIONS:
            section(scope)
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.usefixtures("care_world")
def test_dashboard_reads_no_assignment_and_its_queries_do_not_grow(  # type: ignore[no-untyped-def]
    world,
    nora,
    alice,
) -> None:
    for user in (nora, alice):
        scope = ReportScope(user=user, start=PERIOD[0], end=PERIOD[1])
        dashboard_queries(scope)  # the user's regions, read once and kept
        before = dashboard_queries(scope)
        requests = [HelpRequestFactory(beneficiary=BeneficiaryFactory(region=world.almaty)) for _ in range(5)]
        Assignment.objects.bulk_create(
            Assignment(
                request=r,
                volunteer=v,
                status=Assignment.Status.DONE,
                hours=Decimal("2.00"),
                done_at=local(datetime.date(2026, 2, 1 + i)),
            )
            for i, r in enumerate(requests)
            for v in world.almaty_volunteers[:2]
        )
        after = dashboard_queries(scope)
        assert len(after) == len(before)
        # The help-requests section counts requests; no hours figure reads the assignments.
        assert not [q for q in after if "care_assignment" in q]


def test_seed_demo_leaves_the_summary_exact() -> None:
    call_command("seed_demo", volunteers=200, detachments=20, shifts=20, signups=50, visits=0, care=3)
    assert Assignment.objects.filter(status=Assignment.Status.DONE).exists()
    seeded = stored()
    assert seeded == recount() != {}
    care_summary.rebuild()
    assert stored() == seeded
