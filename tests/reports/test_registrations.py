"""The registrations summary (reports_registrationdaysummary, kept by a trigger) equals the volunteers
on file recounted per region and Almaty day after registrations, bulk inserts (imports), region
changes, a registration time moved, anonymisation, a merge (the dropped record is deleted) and a
deletion; the dashboard's registered-by-month and the regions' volunteer counts read from it equal
the same figures read from the volunteers."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from regions.models import CoordinatorAssignment
from reports import registrations, selectors
from reports.models import RegistrationDaySummary
from reports.scope import ReportScope
from tests.factories import UserFactory, VolunteerFactory
from volunteers import services as volunteers
from volunteers.models import Volunteer

from .conftest import PERIOD, local

pytestmark = pytest.mark.django_db


def recount() -> dict[tuple[int, datetime.date], int]:
    return dict(
        Counter(
            (v.region_id, timezone.localtime(v.created_at).date())
            for v in Volunteer.objects.filter(anonymized_at__isnull=True)
        )
    )


def stored() -> dict[tuple[int, datetime.date], int]:
    return {(r.region_id, r.day): r.volunteers for r in RegistrationDaySummary.objects.all() if r.volunteers}


def figures(scope: ReportScope) -> dict[str, object]:
    data = selectors.volunteers_over_time(scope)
    return {
        "registered": data["registered"],
        "regions": [(r.region.pk, r.volunteers) for r in selectors.region_summary(scope)],
        "by_region": selectors.live_volunteers_by_region(scope, registered_by=scope.end),
    }


def test_summary_follows_every_write_and_matches_the_raw_figures(  # type: ignore[no-untyped-def]
    world, nora, alice, monkeypatch
) -> None:
    assert stored() == recount() != {}
    people = [VolunteerFactory(region=world.almaty) for _ in range(4)]
    # Registered on days of the period, one at the very end of an Almaty day (UTC's next day).
    days = [datetime.date(2026, 1, 10), datetime.date(2026, 3, 31), datetime.date(2026, 5, 1)]
    for person, day in zip(people, days, strict=False):
        Volunteer.objects.filter(pk=person.pk).update(created_at=local(day, 23))
    assert stored() == recount()
    # An import's path: one bulk INSERT.
    Volunteer.objects.bulk_create(
        [
            Volunteer(
                last_name=f"Импорт{i}",
                first_name="Әлия",
                birth_date=datetime.date(1990, 1, 1),
                phone=f"+770255500{i:02d}",
                region=world.astana if i % 2 else world.almaty,
                locality="Астана",
                consent_at=timezone.now(),
            )
            for i in range(5)
        ]
    )
    assert stored() == recount()
    Volunteer.objects.filter(pk=people[0].pk).update(region=world.astana)  # moved to another region
    volunteers.volunteer_anonymize(volunteer=people[1], requested_by=None)
    assert stored() == recount()
    volunteers.volunteer_merge(keep=people[2], drop=people[3], by=nora)  # the dropped record goes
    assert stored() == recount()
    Volunteer.objects.filter(pk=people[0].pk).delete()
    assert stored() == recount()

    two_regions = UserFactory(email="two@example.kz")
    for region in (world.almaty, world.astana):
        CoordinatorAssignment.objects.create(user=two_regions, region=region)
    scopes = []
    for user in (nora, alice, two_regions):
        scopes += [
            ReportScope(user=user, start=PERIOD[0], end=PERIOD[1]),
            ReportScope(user=user, start=datetime.date(2026, 3, 31), end=datetime.date(2026, 5, 1)),
            ReportScope(user=user, start=PERIOD[0], end=timezone.localdate(), region=world.astana.pk),
        ]
    for scope in scopes:
        assert selectors.registrations_serve(scope)
        from_summary = figures(scope)
        with monkeypatch.context() as m:
            m.setattr(selectors, "registrations_serve", lambda _scope: False)
            raw = figures(scope)
        assert from_summary == raw, scope
    # The figures compare something: people registered within the period and before it.
    assert [n for _m, n in figures(scopes[0])["registered"]] == [0, 0, 0, 0, 1, 1]  # type: ignore[attr-defined]


def test_rebuild_gives_the_same_rows(world) -> None:  # type: ignore[no-untyped-def]
    before = stored()
    RegistrationDaySummary.objects.all().delete()
    registrations.rebuild()
    assert stored() == before == recount()
