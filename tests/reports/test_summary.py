"""The maintained summaries (reports_signupdaysummary and its month rollup, kept by triggers)
equal the sign-ups recounted from the rows after sign-ups, waitlisting, cancellations, attendance
and hours edits, a shift moved to another day and month and rows deleted; the dashboard's figures
read from them — whole months from the month rows, partial ones from the day rows — equal the
same figures read from the raw sign-ups."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Signup
from reports import selectors, summary
from reports.models import SignupDaySummary, SignupMonthSummary
from reports.scope import ReportScope
from tests.events.factories import ShiftFactory
from tests.factories import VolunteerFactory

from .conftest import PERIOD, local

pytestmark = pytest.mark.django_db


def recount() -> dict[tuple[int, datetime.date], dict[str, object]]:
    """The summary's rows computed in Python from every sign-up."""
    rows: dict[tuple[int, datetime.date], dict[str, object]] = defaultdict(
        lambda: {"signups": 0, **{s: 0 for s in summary.STATUSES}, "hours": Decimal("0")}
    )
    for s in Signup.objects.select_related("shift"):
        row = rows[(s.shift.campaign_id, timezone.localtime(s.shift.starts_at).date())]
        row["signups"] += 1  # type: ignore[operator]
        row[s.status] += 1  # type: ignore[operator]
        if s.status == "attended":
            row["hours"] += s.hours or Decimal("0")  # type: ignore[operator]
    return {k: v for k, v in rows.items() if v["signups"]}


def stored() -> dict[tuple[int, datetime.date], dict[str, object]]:
    fields = ("signups", *summary.STATUSES, "hours")
    return {
        (r.campaign_id, r.day): {f: getattr(r, f) for f in fields}
        for r in SignupDaySummary.objects.all()
        if r.signups
    }


def stored_months() -> dict[tuple[int, datetime.date], dict[str, object]]:
    fields = ("signups", *summary.STATUSES, "hours")
    return {
        (r.campaign_id, r.month): {f: getattr(r, f) for f in fields}
        for r in SignupMonthSummary.objects.all()
        if r.signups
    }


def by_month(
    days: dict[tuple[int, datetime.date], dict[str, object]],
) -> dict[tuple[int, datetime.date], dict[str, object]]:
    months: dict[tuple[int, datetime.date], dict[str, object]] = defaultdict(
        lambda: {"signups": 0, **{s: 0 for s in summary.STATUSES}, "hours": Decimal("0")}
    )
    for (campaign, day), row in days.items():
        into = months[(campaign, day.replace(day=1))]
        for field, value in row.items():
            into[field] += value  # type: ignore[operator]
    return dict(months)


def assert_exact() -> None:
    counted = recount()
    assert stored() == counted
    assert stored_months() == by_month(counted)


def figures(scope: ReportScope) -> dict[str, object]:
    return {
        "total": selectors.total_hours(scope),
        **{g: selectors.hours_by(scope, g) for g in ("month", "kind", "direction", "region", "campaign")},
        "attendance": selectors.attendance_counts(scope),
        "regions": [
            (r.region.pk, r.hours, r.signups, r.attended, r.no_shows, r.active)
            for r in selectors.region_summary(scope)
        ],
    }


def test_summary_follows_every_change_and_matches_the_raw_figures(world, nora, alice, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert_exact()
    from events import services

    coordinator = alice
    eco = world.signups[0].shift.campaign
    # Sign-ups open for shifts to come: the shift is made ahead, then moved into the period.
    ahead = timezone.localdate() + datetime.timedelta(days=10)
    shift = ShiftFactory(campaign=eco, starts_at=local(ahead), ends_at=local(ahead, 13), capacity=2)
    people = [VolunteerFactory(region=world.almaty) for _ in range(4)]
    made = [
        services.signup_create(shift=shift, volunteer=p, by=None) for p in people
    ]  # 2 confirmed, 2 waitlisted
    assert_exact()
    services.signup_cancel(signup=made[0], by=None)  # a waitlisted person moves up
    assert_exact()
    shift.starts_at, shift.ends_at = local(datetime.date(2026, 4, 8)), local(datetime.date(2026, 4, 8), 13)
    shift.save()
    assert_exact()
    for s in Signup.objects.filter(pk__in=[m.pk for m in made[1:3]]):
        s.status, s.hours = Signup.Status.ATTENDED, Decimal("2.50")
        s.save()
    Signup.objects.filter(pk=made[3].pk).update(status=Signup.Status.NO_SHOW)
    assert_exact()
    Signup.objects.filter(pk=made[1].pk).update(hours=Decimal("4.75"))  # an hours edit
    Signup.objects.filter(pk=made[2].pk).update(status=Signup.Status.NO_SHOW, hours=None)  # attendance undone
    assert_exact()
    # The shift moves to another day (and month): its figures move along.
    shift.starts_at, shift.ends_at = local(datetime.date(2026, 5, 2)), local(datetime.date(2026, 5, 2), 13)
    shift.save()
    assert_exact()
    Signup.objects.filter(pk=world.signups[0].pk).delete()
    assert_exact()
    del coordinator

    for user in (nora, alice):
        scope = ReportScope(user=user, start=PERIOD[0], end=PERIOD[1])
        # Half a month at each end: days, not months, bound the period.
        narrow = ReportScope(user=user, start=datetime.date(2026, 1, 16), end=datetime.date(2026, 5, 10))
        # Within one month (no whole month), and from a month's middle to another's end.
        inside = ReportScope(user=user, start=datetime.date(2026, 3, 2), end=datetime.date(2026, 3, 20))
        to_end = ReportScope(user=user, start=datetime.date(2026, 2, 15), end=datetime.date(2026, 5, 31))
        for s in (
            scope,
            narrow,
            inside,
            to_end,
            ReportScope(user=user, start=PERIOD[0], end=PERIOD[1], campaign=eco.pk),
        ):
            from_summary = figures(s)
            with monkeypatch.context() as m:
                m.setattr(selectors, "summary_serves", lambda _scope: False)
                raw = figures(s)
            assert from_summary == raw, s


def test_rebuild_gives_the_same_rows(world) -> None:  # type: ignore[no-untyped-def]
    before, before_months = stored(), stored_months()
    SignupDaySummary.objects.all().delete()
    assert not stored_months()  # the day rows' deletion went through the month trigger
    summary.rebuild()
    assert stored() == before == recount()
    assert stored_months() == before_months == by_month(before)
    # Months whose day rows are gone keep no row of zeros.
    assert SignupMonthSummary.objects.filter(signups=0).count() == 0


def test_whole_months_of_a_period() -> None:
    d = datetime.date
    assert selectors.whole_months(d(2026, 1, 1), d(2026, 12, 31)) == (d(2026, 1, 1), d(2026, 12, 1))
    assert selectors.whole_months(d(2026, 1, 16), d(2026, 5, 10)) == (d(2026, 2, 1), d(2026, 4, 1))
    assert selectors.whole_months(d(2026, 2, 1), d(2026, 2, 28)) == (d(2026, 2, 1), d(2026, 2, 1))
    assert selectors.whole_months(d(2024, 2, 1), d(2024, 2, 28)) is None  # a leap year's February
    assert selectors.whole_months(d(2026, 3, 2), d(2026, 3, 31)) is None
    assert selectors.whole_months(d(2026, 12, 31), d(2027, 1, 31)) == (d(2027, 1, 1), d(2027, 1, 1))


def test_hours_of_several_groups_read_at_once_equal_each_group(world, nora, alice) -> None:  # type: ignore[no-untyped-def]
    groups = ("kind", "direction", "month")
    for user in (nora, alice):
        for scope in (
            ReportScope(user=user, start=PERIOD[0], end=PERIOD[1]),
            ReportScope(user=user, start=datetime.date(2026, 1, 16), end=datetime.date(2026, 5, 10)),
            ReportScope(user=user, start=PERIOD[0], end=PERIOD[1], region=world.almaty.pk),
        ):
            together = selectors.hours_by_groups(scope, groups)
            assert together == {g: selectors.hours_by(scope, g) for g in groups}, scope
            assert all(together[g] for g in groups)
