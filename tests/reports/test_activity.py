"""The maintained activity table (reports_volunteeractivity, kept by triggers) equals each person's
attended days recounted from the sign-ups after every kind of write — services (check-in, no-show,
hours, cancellation), bulk updates and inserts, shifts moved to another day or campaign, campaigns
moved to another region or made national, merges of duplicate records, deletions, anonymisation
— and the dashboard's distinct counts read from it equal the same counts read from the raw
sign-ups, for national staff, one region and several regions, whole and partial months.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from events import services as events
from events.models import Shift, Signup
from regions.models import CoordinatorAssignment
from reports import activity, selectors
from reports.scope import ReportScope
from tests.concurrency import run_at_once
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import UserFactory, VolunteerFactory
from volunteers import services as volunteers

from .conftest import PERIOD, local

pytestmark = pytest.mark.django_db


def recount() -> dict[tuple[int, int], set[datetime.date]]:
    """Each (volunteer, region key)'s attended days, computed in Python from every sign-up."""
    rows: dict[tuple[int, int], set[datetime.date]] = defaultdict(set)
    for s in Signup.objects.select_related("shift__campaign").filter(status=Signup.Status.ATTENDED):
        day = timezone.localtime(s.shift.starts_at).date()
        rows[(s.volunteer_id, s.shift.campaign.region_id or activity.NO_REGION)].add(day)
        rows[(s.volunteer_id, activity.EVERYWHERE)].add(day)
    return dict(rows)


def stored() -> dict[tuple[int, int], set[datetime.date]]:
    rows: dict[tuple[int, int], set[datetime.date]] = defaultdict(set)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT volunteer_id, region_key, d::date FROM {activity.TABLE}, unnest(days) r,"
            " generate_series(lower(r), upper(r) - 1, interval '1 day') d"
        )
        for volunteer, key, day in cursor.fetchall():
            rows[(volunteer, key)].add(day)
        cursor.execute(f"SELECT COUNT(*) FROM {activity.TABLE} WHERE isempty(days)")
        assert cursor.fetchone()[0] == 0
    return dict(rows)


def figures(scope: ReportScope) -> dict[str, object]:
    data = selectors.volunteers_over_time(scope)
    return {
        "period": data["active_in_period"],
        "months": data["active"],
        "alone": selectors.active_in_period(scope),
        "regions": selectors.active_by_region(scope),
    }


def assert_same_as_raw(scopes: list[ReportScope], monkeypatch: pytest.MonkeyPatch) -> None:
    for scope in scopes:
        assert selectors.activity_serves(scope)
        from_table = figures(scope)
        with monkeypatch.context() as m:
            m.setattr(selectors, "activity_serves", lambda _scope: False)
            raw = figures(scope)
        assert from_table == raw, scope


def test_activity_follows_every_write_and_matches_the_raw_counts(  # type: ignore[no-untyped-def]
    world, nora, alice, monkeypatch
) -> None:
    assert stored() == recount() != {}
    eco = world.signups[0].shift.campaign
    astana_campaign = world.signups[-1].shift.campaign
    day = datetime.date(2026, 4, 14)
    # Sign-ups open for shifts to come: the shift is made ahead, then moved into the period.
    ahead = timezone.localdate() + datetime.timedelta(days=10)
    shift = ShiftFactory(campaign=eco, starts_at=local(ahead), ends_at=local(ahead, 13), capacity=5)
    people = [VolunteerFactory(region=world.almaty) for _ in range(3)]
    made = [events.signup_create(shift=shift, volunteer=p, by=None) for p in people]
    assert stored() == recount()
    Shift.objects.filter(pk=shift.pk).update(starts_at=local(day), ends_at=local(day, 13))
    events.signup_check_in(signup=made[0], by=alice)
    events.signup_check_in(signup=made[1], by=alice)
    events.signup_no_show(signup=made[2], by=alice)
    assert stored() == recount()
    events.signup_hours_set(signup=made[0], hours=Decimal("1.50"), reason="Ерте кетті", by=alice)
    events.signup_no_show(signup=made[1], by=alice)  # attendance undone
    events.signup_check_in(signup=made[2], by=alice)  # absence undone
    assert stored() == recount()

    # A second attended shift on the same day and one on the next: then one of them goes.
    other = ShiftFactory(campaign=eco, starts_at=local(day, 15), ends_at=local(day, 17), capacity=5)
    following = ShiftFactory(
        campaign=astana_campaign,
        starts_at=local(day + datetime.timedelta(days=1)),
        ends_at=local(day + datetime.timedelta(days=1), 12),
    )
    same_day = Signup.objects.create(shift=other, volunteer=people[0], status="attended", hours=2)
    Signup.objects.bulk_create(
        [Signup(shift=following, volunteer=p, status="attended", hours=2) for p in people]
    )
    assert stored() == recount()
    same_day.delete()  # the day stays: the first shift of that day still counts
    assert stored() == recount()
    Signup.objects.filter(shift=following).update(status=Signup.Status.NO_SHOW)  # a bulk update
    assert stored() == recount()
    Signup.objects.filter(shift=following).update(status=Signup.Status.ATTENDED)
    assert stored() == recount()

    # A shift moved to another month, then to another region's campaign.
    june = datetime.date(2026, 6, 3)
    Shift.objects.filter(pk=shift.pk).update(starts_at=local(june), ends_at=local(june, 13))
    assert stored() == recount()
    Shift.objects.filter(pk=shift.pk).update(campaign=astana_campaign)
    assert stored() == recount()
    # A campaign moved to another region, then made national (no region), then back.
    national = CampaignFactory(region=world.astana, starts_on=PERIOD[0], ends_on=PERIOD[1])
    nshift = ShiftFactory(campaign=national, starts_at=local(day), ends_at=local(day, 12))
    Signup.objects.create(shift=nshift, volunteer=people[1], status="attended", hours=2)
    Signup.objects.create(shift=nshift, volunteer=world.almaty_volunteers[0], status="attended", hours=2)
    for region in (world.almaty, None, world.astana):
        national.region = region
        national.save()
        assert stored() == recount()
    national.region = None
    national.save()

    # A sign-up handed to another person, then duplicate records merged (the sign-ups move).
    Signup.objects.filter(pk=made[2].pk).update(volunteer=people[1])
    assert stored() == recount()
    volunteers.volunteer_merge(keep=people[0], drop=people[1], by=nora)
    assert stored() == recount()
    volunteers.volunteer_anonymize(volunteer=people[2], requested_by=None)
    assert stored() == recount()
    Signup.objects.filter(volunteer=people[2]).delete()  # sign-ups protect their person
    people[2].delete()
    Signup.objects.filter(pk=world.signups[0].pk).delete()
    assert stored() == recount()
    assert not any(v == people[2].pk for v, _k in stored())

    two_regions = UserFactory(email="two@example.kz")
    for region in (world.almaty, world.astana):
        CoordinatorAssignment.objects.create(user=two_regions, region=region)
    scopes = []
    for user in (nora, alice, two_regions):
        scopes += [
            ReportScope(user=user, start=PERIOD[0], end=PERIOD[1]),
            # Half a month at each end: days, not months, bound the period.
            ReportScope(user=user, start=datetime.date(2026, 1, 16), end=datetime.date(2026, 4, 14)),
            ReportScope(user=user, start=day, end=day),
            ReportScope(user=user, start=PERIOD[0], end=PERIOD[1], region=world.almaty.pk),
        ]
    scopes.append(ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1], region=world.astana.pk))
    assert_same_as_raw(scopes, monkeypatch)
    # The figures are not all zero: the comparison compares something.
    assert figures(scopes[0])["period"] >= 3 and len(figures(scopes[0])["regions"]) == 3  # type: ignore[arg-type]
    assert figures(scopes[-1])["period"] == 0


def test_rebuild_gives_the_same_rows(world) -> None:  # type: ignore[no-untyped-def]
    before = stored()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {activity.TABLE}")
    activity.rebuild()
    assert stored() == before == recount()


@pytest.mark.django_db(transaction=True)
def test_attendance_of_one_person_marked_at_once_on_two_shifts_stays_exact(  # type: ignore[no-untyped-def]
    regions_in_transactional_db, almaty, alice
) -> None:
    """Two coordinators mark the same person at the same moment, on two shifts: one present, the
    other's presence undone. Each change waits for the other's on the person's row, so neither
    writes a recount made before the other committed."""
    campaign = CampaignFactory(region=almaty, starts_on=PERIOD[0], ends_on=PERIOD[1])
    person = VolunteerFactory(region=almaty)
    days = [datetime.date(2026, 2, 2), datetime.date(2026, 2, 3)]
    shifts = [
        ShiftFactory(campaign=campaign, starts_at=local(d), ends_at=local(d, 12), taken_places=1)
        for d in days
    ]
    first = Signup.objects.create(shift=shifts[0], volunteer=person, status="confirmed")
    second = Signup.objects.create(shift=shifts[1], volunteer=person, status="attended", hours=2)
    for _round in range(3):
        outcomes = run_at_once(
            [
                lambda: events.signup_check_in(signup=first, by=alice),
                lambda: events.signup_no_show(signup=second, by=alice),
            ]
        )
        assert outcomes == ["ok", "ok"]
        assert stored() == recount() == {(person.pk, almaty.pk): {days[0]}, (person.pk, -1): {days[0]}}
        outcomes = run_at_once(
            [
                lambda: events.signup_no_show(signup=first, by=alice),
                lambda: events.signup_check_in(signup=second, by=alice),
            ]
        )
        assert outcomes == ["ok", "ok"]
        assert stored() == recount() == {(person.pk, almaty.pk): {days[1]}, (person.pk, -1): {days[1]}}


def test_listed_detachments_hours_equal_every_source_added_up(world, nora, alice) -> None:  # type: ignore[no-untyped-def]
    """The dashboard reads its listed detachments' hours alone; they equal the full grouping."""
    for user in (nora, alice):
        scope = ReportScope(user=user, start=PERIOD[0], end=PERIOD[1])
        rows = selectors.detachment_rows(scope)
        full = selectors.hours_by(scope, "detachment")
        assert [r.hours for r in rows] == [full.get(r.detachment.pk, selectors.ZERO) for r in rows]
        assert any(r.hours for r in rows)


def test_listed_detachments_figures_equal_the_export_of_every_detachment(world, nora, alice) -> None:  # type: ignore[no-untyped-def]
    """The dashboard reads its listed detachments' members, minors and sign-ups for those alone;
    they are the figures the detachment-activity export counts for every detachment."""
    for user in (nora, alice):
        scope = ReportScope(user=user, start=PERIOD[0], end=PERIOD[1])
        rows = selectors.detachment_rows(scope)
        full = {
            d.pk: (d.member_count, d.minor_count, d.signup_count)
            for d in selectors.detachment_activity(scope)
        }
        assert rows
        assert [(r.members, r.minors, r.signups) for r in rows] == [full[r.detachment.pk] for r in rows]
        assert any(r.members and r.signups for r in rows)
        assert any(r.minors for r in rows)
