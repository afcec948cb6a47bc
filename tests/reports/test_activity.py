"""The maintained activity table (reports_volunteeractivity, kept by triggers) equals each person's
days of given hours recounted from the sign-ups and the done care assignments after every kind of
write — services (check-in, no-show, hours, cancellation, help marked done), bulk updates and
inserts, shifts moved to another day or campaign, campaigns moved to another region or made
national, help requests moved to another region, a done assignment's day moved or undone,
detachments' help (nobody's), merges of duplicate records, deletions, anonymisation — and the
dashboard's distinct counts read from it equal the same counts read from the raw sign-ups and
assignments, for national staff, one region and several regions, whole and partial months. A
person whose only hours were targeted help is active in the headline, the regions compared and on
the Year of Volunteers page, and once only with a shift on the same day.
"""

from __future__ import annotations

import datetime
import importlib
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from accounts.models import User
from care import services as care
from care.models import Assignment, HelpRequest
from events import services as events
from events.models import Shift, Signup
from regions.models import CoordinatorAssignment, Region
from reports import activity, dashboard, selectors
from reports.scope import ReportScope
from tests.care.factories import BeneficiaryFactory, HelpRequestFactory
from tests.concurrency import run_at_once
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import DetachmentFactory, UserFactory, VolunteerFactory
from volunteers import services as volunteers
from volunteers.models import Volunteer

from .conftest import PERIOD, local

pytestmark = pytest.mark.django_db


def recount() -> dict[tuple[int, int], set[datetime.date]]:
    """Each (volunteer, region key)'s days of given hours, computed in Python from every sign-up
    and every done assignment: attended shifts in their campaign's region, targeted help on the
    Almaty day it was marked done in the request's region (where its hours count); a detachment's
    assignment is no one person's."""
    rows: dict[tuple[int, int], set[datetime.date]] = defaultdict(set)
    for s in Signup.objects.select_related("shift__campaign").filter(status=Signup.Status.ATTENDED):
        day = timezone.localtime(s.shift.starts_at).date()
        rows[(s.volunteer_id, s.shift.campaign.region_id or activity.NO_REGION)].add(day)
        rows[(s.volunteer_id, activity.EVERYWHERE)].add(day)
    helped = Assignment.objects.select_related("request").filter(
        status=Assignment.Status.DONE, volunteer__isnull=False, done_at__isnull=False
    )
    for a in helped:
        day = timezone.localtime(a.done_at).date()
        rows[(a.volunteer_id, a.request.region_id)].add(day)
        rows[(a.volunteer_id, activity.EVERYWHERE)].add(day)
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
        # The places the bulk-made sign-ups below hold: a merge frees one of them.
        taken_places=len(people),
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

    # Targeted help marked done through the service: the day it was marked done, in the
    # request's region, for each volunteer who went (confirmed alone adds nobody).
    now = timezone.now()
    request = HelpRequestFactory(
        beneficiary=BeneficiaryFactory(region=world.almaty),
        due_from=now - datetime.timedelta(hours=1),
        due_until=now + datetime.timedelta(hours=2),
        needed_hands=2,
    )
    going = [care.assignment_volunteer(request=request, volunteer=p, by=alice) for p in people[:2]]
    assert stored() == recount()
    care.assignment_done(assignment=going[0], hours="2", note="", by=alice)
    care.assignment_done(assignment=going[1], hours="1.5", note="", by=alice)
    assert stored() == recount()
    assert timezone.localdate() in stored()[(people[0].pk, world.almaty.pk)]
    # Its day moved into the period, onto a day with a shift of theirs (one day), then elsewhere.
    helped_day = datetime.date(2026, 3, 9)
    for at in (local(day + datetime.timedelta(days=1), 18), local(helped_day, 18)):
        Assignment.objects.filter(request=request).update(done_at=at)
        assert stored() == recount()
    # The request moved to Astana and back: its helpers' days change region.
    for region in (world.astana, world.almaty):
        HelpRequest.objects.filter(pk=request.pk).update(region=region)
        assert stored() == recount()
    # A bulk insert: two people's help in Astana, and a detachment's, which adds nobody.
    astana_request = HelpRequestFactory(beneficiary=BeneficiaryFactory(region=world.astana))
    Assignment.objects.bulk_create(
        [
            Assignment(request=astana_request, volunteer=p, status="done", hours=1, done_at=local(june, 15))
            for p in people[1:]
        ]
        + [
            Assignment(
                request=astana_request,
                detachment=world.detachment,
                curator_going=True,
                status="done",
                hours=3,
                done_at=local(datetime.date(2026, 5, 20)),
            )
        ]
    )
    assert stored() == recount()
    # Done undone, then done again (a correction in bulk); a done assignment handed to another
    # person.
    Assignment.objects.filter(pk=going[1].pk).update(status=Assignment.Status.CONFIRMED, done_at=None)
    assert stored() == recount()
    Assignment.objects.filter(pk=going[1].pk).update(status=Assignment.Status.DONE, done_at=local(helped_day))
    assert stored() == recount()
    Assignment.objects.filter(request=astana_request, volunteer=people[2]).update(volunteer=people[0])
    assert stored() == recount()
    Assignment.objects.filter(request=astana_request, volunteer=people[0]).update(volunteer=people[2])

    # A sign-up handed to another person, then duplicate records merged (the sign-ups move; of
    # the two done assignments to one request one is withdrawn, the other moves).
    Signup.objects.filter(pk=made[2].pk).update(volunteer=people[1])
    assert stored() == recount()
    volunteers.volunteer_merge(keep=people[0], drop=people[1], by=nora)
    assert stored() == recount()
    assert Assignment.objects.filter(volunteer=people[0], status=Assignment.Status.DONE).count() == 2
    helped_before = stored()[(people[2].pk, world.astana.pk)]
    volunteers.volunteer_anonymize(volunteer=people[2], requested_by=None)
    assert stored() == recount()
    assert stored()[(people[2].pk, world.astana.pk)] == helped_before  # erased, still counted
    # Sign-ups and assignments protect their person.
    Signup.objects.filter(volunteer=people[2]).delete()
    Assignment.objects.filter(volunteer=people[2]).delete()
    assert stored() == recount()
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


def test_the_migration_counts_the_help_on_file_and_steps_back_to_the_sign_ups(world, alice, nora) -> None:  # type: ignore[no-untyped-def]
    """reports/0017 on a filled database: back, the table holds the sign-ups' days alone (and
    help marked done meanwhile adds nothing); forwards, every day of help on file is counted and
    the triggers follow again."""
    migration = importlib.import_module("reports.migrations.0017_volunteer_activity_care")
    editor = SimpleNamespace(connection=connection)
    helper = VolunteerFactory(region=world.almaty)
    _help_given(helper, world.almaty, alice)
    signups_only = {k: v for k, v in recount().items() if k[0] != helper.pk}
    assert stored() == recount() != signups_only
    migration.backwards(None, editor)
    assert stored() == signups_only
    _help_given(VolunteerFactory(region=world.almaty), world.almaty, alice)
    assert stored() == signups_only
    migration.forwards(None, editor)
    assert stored() == recount()
    _help_given(VolunteerFactory(region=world.astana), world.astana, nora)
    assert stored() == recount()


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


def _help_given(volunteer: Volunteer, region: Region, by: User) -> Assignment:
    """An assignment of `volunteer` to a request of `region`, marked done now through the service."""
    now = timezone.now()
    request = HelpRequestFactory(
        beneficiary=BeneficiaryFactory(region=region),
        due_from=now - datetime.timedelta(hours=1),
        due_until=now + datetime.timedelta(hours=2),
    )
    assignment = care.assignment_volunteer(request=request, volunteer=volunteer, by=by)
    return care.assignment_done(assignment=assignment, hours="2", note="", by=by)


@pytest.mark.parametrize("from_table", [True, False], ids=["activity-table", "sign-ups-and-assignments"])
def test_a_volunteer_whose_only_hours_were_targeted_help_is_active(  # type: ignore[no-untyped-def]
    almaty, astana, nora, alice, bob, monkeypatch, from_table
) -> None:
    """Two people helped in Almaty today, one of them also on a shift today, and one in Astana;
    a detachment went on a request as a whole (hours, but no one person's). Hours and active
    people agree: three people gave hours, two of them in Almaty. Read from the activity table,
    and as the scopes it does not serve (and SQLite) read from the rows."""
    if not from_table:
        monkeypatch.setattr(selectors, "activity_serves", lambda _scope: False)
    today = timezone.localdate()
    helper, far = VolunteerFactory(region=almaty), VolunteerFactory(region=astana)
    _help_given(helper, almaty, alice)
    _help_given(bob, almaty, alice)
    _help_given(far, astana, nora)
    shift = ShiftFactory(
        campaign=CampaignFactory(region=almaty, starts_on=today, ends_on=today),
        starts_at=local(today, 8),
        ends_at=local(today, 9),
        taken_places=1,
    )
    Signup.objects.create(shift=shift, volunteer=bob, status=Signup.Status.ATTENDED, hours=1)
    Assignment.objects.create(
        request=HelpRequestFactory(beneficiary=BeneficiaryFactory(region=almaty)),
        detachment=DetachmentFactory(region=almaty),
        curator_going=True,
        status=Assignment.Status.DONE,
        hours=4,
        done_at=timezone.now(),
    )
    national = ReportScope(user=nora, start=today, end=today)
    regional = ReportScope(user=alice, start=today, end=today)
    assert selectors.activity_serves(national) is from_table

    with translation.override("en"):
        section = dashboard.volunteers_section(national)
        assert dict((str(k), v) for k, v in section.figures)["Active in the period"] == 3
        assert selectors.volunteers_over_time(national)["active"] == [(today.replace(day=1), 3)]
        assert selectors.active_in_period(regional) == 2
        assert selectors.volunteers_over_time(regional)["active"] == [(today.replace(day=1), 2)]
        regions = dashboard.regions_section(national)
        assert regions is not None
        table = regions.tables[0]
        index = [str(h) for h in table.headers].index("Active in the period")
        by_region = {row[0]: row[index] for row in table.rows}
        assert by_region[almaty.name_en] == 2 and by_region[astana.name_en] == 1
        assert table.totals is not None and table.totals[index] == 3
        assert selectors.active_by_region(regional) == {almaty.pk: 2}

    totals = selectors.year_totals(today.year)
    assert totals["total"]["active"] == 3
    active = {r["code"]: r["active"] for r in totals["regions"]}
    assert active[almaty.code] == 2 and active[astana.code] == 1
    cache.clear()
    page = Client().get("/year-of-volunteers/", {"year": today.year}).content.decode()
    assert 'data-figure="active">3<' in page
