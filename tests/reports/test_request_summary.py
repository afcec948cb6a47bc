"""The help requests' summary (reports_helprequestdaysummary, kept by triggers) equals the requests
recounted per region, Almaty day of intake and kind after every kind of write: intake, assignment,
done, cannot help, cancel, a reopening, region, kind and intake-time corrections, bulk inserts,
erasure, deletion and the demo seed. The dashboard's help-requests section read from it shows what
the requests themselves give, for a coordinator (nothing of another region) and national staff,
with as many queries for many requests as for a few; the median time to help is exact."""

from __future__ import annotations

import datetime
import statistics
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from care import services
from care.models import Assignment, HelpRequest
from reports import helprequests, requestsummary
from reports.dashboard import Section
from reports.models import HelpRequestDaySummary
from reports.scope import ReportScope
from tests.care.factories import BeneficiaryFactory, HelpRequestFactory, in_days
from tests.care.test_services import intake_data
from tests.factories import DetachmentFactory, UserFactory, VolunteerFactory
from tests.front_offices.helpers import make_office

from .conftest import local

pytestmark = pytest.mark.django_db

COLUMNS = ("requests", "done", "open", "cannot_help", "cancelled")


def recount() -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The requests counted live, GROUP BY region, Almaty day of intake and kind."""
    rows = (
        HelpRequest.objects.annotate(day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
        .order_by()
        .values("region_id", "day", "kind")
        .annotate(
            requests=Count("id"),
            done=Count("id", filter=Q(status="done")),
            open=Count("id", filter=Q(status__in=["new", "assigned", "in_progress"])),
            cannot_help=Count("id", filter=Q(status="cannot_help")),
            cancelled=Count("id", filter=Q(status="cancelled")),
        )
    )
    return {(r["region_id"], r["day"], r["kind"]): tuple(r[c] for c in COLUMNS) for r in rows}


def stored() -> dict[tuple[Any, ...], tuple[int, ...]]:
    return {
        (s.region_id, s.day, s.kind): tuple(getattr(s, c) for c in COLUMNS)
        for s in HelpRequestDaySummary.objects.all()
        if any(getattr(s, c) for c in COLUMNS)
    }


def assert_exact() -> None:
    assert stored() == recount()


def live(monkeypatch: pytest.MonkeyPatch, read: Any, *args: Any) -> Any:
    """What `read` gives counting the requests themselves."""
    with monkeypatch.context() as m:
        m.setattr(helprequests, "request_summary_serves", lambda _scope: False)
        return read(*args)


def test_summary_follows_every_write(almaty, astana, alice, nora) -> None:  # type: ignore[no-untyped-def]
    volunteer = VolunteerFactory(region=almaty)
    today = dict(due_from=in_days(0), due_until=in_days(0, hour=14))
    taken = [services.request_intake(data=intake_data(almaty, **today), by=alice) for _ in range(4)]
    HelpRequestFactory(beneficiary=BeneficiaryFactory(region=astana), kind=HelpRequest.Kind.FUEL)
    assert_exact()
    assert stored() != {}
    # Assigned: still open, nothing changes in the summary; then done.
    assignment = services.assignment_volunteer(request=taken[0], volunteer=volunteer, by=alice)
    assert HelpRequest.objects.get(pk=taken[0].pk).status == HelpRequest.Status.ASSIGNED
    assert_exact()
    services.assignment_done(assignment=assignment, hours="2", note="", by=alice)
    assert HelpRequest.objects.get(pk=taken[0].pk).status == HelpRequest.Status.DONE
    assert_exact()
    services.request_close(request=taken[1], status=HelpRequest.Status.CANNOT_HELP, outcome_note="", by=alice)
    services.request_close(request=taken[2], status=HelpRequest.Status.CANCELLED, outcome_note="", by=nora)
    assert_exact()
    assert sum(s.cancelled for s in HelpRequestDaySummary.objects.all()) == 1
    # Reopened by a correction (care/ has no reopening of its own): open again.
    HelpRequest.objects.filter(pk=taken[2].pk).update(status=HelpRequest.Status.NEW, closed_at=None)
    assert_exact()
    # Region, kind and intake time corrected, one by one and by a queryset update.
    request = HelpRequest.objects.get(pk=taken[3].pk)
    request.kind = HelpRequest.Kind.MEDICINE
    request.save()
    assert_exact()
    request.region = astana
    request.save(update_fields=["region"])
    assert_exact()
    HelpRequest.objects.filter(pk=taken[1].pk).update(created_at=local(datetime.date(2026, 3, 31), 23))
    assert_exact()
    # A bulk insert (weekly occurrences, the demo): one statement, many rows, several keys.
    person = BeneficiaryFactory(region=almaty)
    HelpRequest.objects.bulk_create(
        [
            HelpRequest(
                beneficiary=person,
                region=almaty if i % 3 else astana,
                kind=HelpRequest.Kind.SNOW if i % 2 else HelpRequest.Kind.VISIT,
                due_from=in_days(i),
                due_until=in_days(i, hour=13),
                status=HelpRequest.Status.DONE if i % 4 == 0 else HelpRequest.Status.NEW,
                created_at=local(datetime.date(2026, 5, 1 + i % 2), 9),
            )
            for i in range(8)
        ]
    )
    assert_exact()
    # Erasure cancels the person's open requests.
    services.beneficiary_erase(beneficiary=person, by=alice)
    assert HelpRequest.objects.filter(beneficiary=person, status=HelpRequest.Status.CANCELLED).exists()
    assert_exact()
    # Deleted one by one and by a queryset delete.
    HelpRequest.objects.get(pk=taken[0].pk).delete()
    assert_exact()
    HelpRequest.objects.filter(beneficiary=person).delete()
    assert_exact()
    assert stored() != {}


def test_rebuild_gives_the_same_rows(almaty, astana) -> None:  # type: ignore[no-untyped-def]
    for i, status in enumerate(["new", "done", "cancelled", "cannot_help", "in_progress"]):
        HelpRequestFactory(beneficiary=BeneficiaryFactory(region=almaty if i % 2 else astana), status=status)
    before = stored()
    HelpRequestDaySummary.objects.all().delete()
    requestsummary.rebuild()
    assert stored() == before == recount() != {}


def test_seed_demo_loads_without_the_triggers_and_recounts(almaty, alice) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_demo", volunteers=300, detachments=20, shifts=50, signups=100)
    assert HelpRequest.objects.count() > 300
    assert_exact()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'care_helprequest'::regclass "
            "AND tgname LIKE 'reports_help_request_%%'"
        )
        assert dict(cursor.fetchall()) == dict.fromkeys(requestsummary.TRIGGERS, "O")
    # The triggers are back on: the next write is counted.
    request = HelpRequest.objects.filter(status=HelpRequest.Status.NEW, region=almaty).first()
    services.request_close(request=request, status=HelpRequest.Status.CANCELLED, outcome_note="", by=alice)
    assert_exact()


def make_requests(almaty, astana, n: int) -> list[HelpRequest]:  # type: ignore[no-untyped-def]
    """n requests a region, spread over kinds, statuses and days of the first half of 2026; the
    open ones' windows closed long ago (overdue) or are still ahead."""
    kinds, statuses = HelpRequest.Kind.values, HelpRequest.Status.values
    made = []
    for region in (almaty, astana):
        person = BeneficiaryFactory(region=region)
        for i in range(n):
            created = local(datetime.date(2026, 1 + i % 6, 1 + (i * 7) % 28), 8 + i % 15)
            status = statuses[(i + region.pk) % len(statuses)]
            due_from = created + datetime.timedelta(days=1) if i % 4 else in_days(3)
            made.append(
                HelpRequestFactory(
                    beneficiary=person,
                    kind=kinds[(i * 3 + region.pk) % len(kinds)],
                    status=status,
                    created_at=created,
                    due_from=due_from,
                    due_until=due_from + datetime.timedelta(hours=3),
                    done_at=created + datetime.timedelta(hours=5 + i, seconds=i / 7)
                    if status == "done"
                    else None,
                )
            )
    return made


PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))


def shown(scope: ReportScope) -> tuple[Any, ...]:
    """The section's figures and its charts' titles and tables (the SVGs number their ids)."""
    section = helprequests.help_requests_section(scope)
    return section.figures, [(c.title, c.table) for c in section.charts]


def test_section_from_the_summary_equals_the_live_one(  # type: ignore[no-untyped-def]
    almaty, astana, alice, nora, monkeypatch
) -> None:
    made = make_requests(almaty, astana, 40)
    detachment = DetachmentFactory(region=almaty)
    Assignment.objects.create(
        request=made[0], detachment=detachment, curator_going=True, status=Assignment.Status.CONFIRMED
    )
    # Front-office staff take (and count) the requests of their office's region.
    clerk = UserFactory(email="clerk@example.kz")
    make_office(region_code="71").staff.add(clerk)
    scopes = [
        ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1]),
        ReportScope(user=clerk, start=PERIOD[0], end=PERIOD[1]),
        ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1]),
        ReportScope(user=nora, start=datetime.date(2026, 2, 8), end=datetime.date(2026, 4, 15)),
        ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1], region=astana.pk),
    ]
    for scope in scopes:
        assert helprequests.request_summary_serves(scope)
        assert shown(scope) == live(monkeypatch, shown, scope), scope
        counts = helprequests.request_counts(scope)
        assert counts == live(monkeypatch, helprequests.request_counts, scope)
        for field in ("kind", "region_id"):
            by = helprequests.request_counts_by(scope, field)
            assert by == live(monkeypatch, helprequests.request_counts_by, scope, field)
    # What a user reads: Almaty's coordinator gets Almaty's requests and nothing of Astana's.
    mine = [r for r in made if r.region_id == almaty.pk]
    counts = helprequests.request_counts(scopes[0])
    now = timezone.now()
    assert counts == {
        "total": len(mine),
        "done": sum(r.status == "done" for r in mine),
        "open": sum(r.is_open for r in mine),
        "overdue": sum(r.is_overdue(now) for r in mine),
        "cannot_help": sum(r.status == "cannot_help" for r in mine),
        "cancelled": sum(r.status == "cancelled" for r in mine),
    }
    assert 0 < counts["overdue"] < counts["open"]
    assert set(helprequests.request_counts_by(scopes[0], "region_id")) == {almaty.pk}
    assert helprequests.request_counts(scopes[1])["total"] == len(made) - len(mine)
    # The section's first figure, "Help requests".
    assert helprequests.help_requests_section(scopes[0]).figures[0][1] == len(mine)
    assert helprequests.help_requests_section(scopes[2]).figures[0][1] == len(made)
    # A detachment's requests are found through its assignments: counted live.
    picked = ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1], detachment=detachment.pk)
    assert not helprequests.request_summary_serves(picked)
    assert helprequests.request_counts(picked)["total"] == 1


def section_queries(scope: ReportScope) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        section = helprequests.help_requests_section(scope)
    assert isinstance(section, Section)
    return [q["sql"] for q in queries.captured_queries]


def test_section_queries_do_not_grow_with_the_requests(almaty, astana, alice, nora) -> None:  # type: ignore[no-untyped-def]
    make_requests(almaty, astana, 3)
    scopes = [ReportScope(user=user, start=PERIOD[0], end=PERIOD[1]) for user in (alice, nora)]
    for scope in scopes:
        section_queries(scope)  # the user's regions, read once and kept on the user
    few = [section_queries(scope) for scope in scopes]
    make_requests(almaty, astana, 60)
    many = [section_queries(scope) for scope in scopes]
    assert [len(q) for q in many] == [len(q) for q in few]
    for queries in many:
        # The requests themselves are read twice: the open ones past their window (overdue)
        # and the done ones' two timestamps (the median); every count comes from the summary.
        reading = [q for q in queries if 'FROM "care_helprequest"' in q]
        assert len(reading) == 2
        assert sum('FROM "reports_helprequestdaysummary"' in q for q in queries) == 1


def test_median_time_to_help_is_exact(almaty, astana, alice, nora) -> None:  # type: ignore[no-untyped-def]
    made = make_requests(almaty, astana, 36)
    for user, region in ((alice, almaty), (nora, None)):
        scope = ReportScope(user=user, start=PERIOD[0], end=PERIOD[1])
        spans = sorted(
            r.done_at - r.created_at
            for r in made
            if r.status == "done" and (region is None or r.region_id == region.pk)
        )
        assert len(spans) % 2 == 0 and any(s.microseconds for s in spans)
        # Even counts: the mean of the middle two, to the microsecond.
        assert helprequests.median_time_to_help(scope) == statistics.median(spans)
    HelpRequestFactory(
        beneficiary=BeneficiaryFactory(region=almaty),
        status="done",
        created_at=local(datetime.date(2026, 3, 3), 9),
        done_at=local(datetime.date(2026, 3, 3), 9) + datetime.timedelta(hours=1, microseconds=3),
    )
    odd = ReportScope(user=nora, start=datetime.date(2026, 3, 3), end=datetime.date(2026, 3, 3))
    assert helprequests.median_time_to_help(odd) == datetime.timedelta(hours=1, microseconds=3)
