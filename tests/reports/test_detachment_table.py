"""The dashboard's detachments table: its listed rows and its Total row come from one read of
every detachment's figures, and agree with the export's correlated counts and the hours
selector, whether all detachments are listed or only the first few."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from events.models import Signup
from reports import selectors
from reports.scope import ReportScope
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import DetachmentFactory, MinorFactory, VolunteerFactory

from .conftest import PERIOD, local

pytestmark = pytest.mark.django_db


def more_detachments(world, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` more Almaty detachments, each with an adult, a minor and an anonymised member, the
    adult attended (hours) and signed up again (no hours), the minor cancelled."""
    campaign = CampaignFactory(region=world.almaty, starts_on=PERIOD[0], ends_on=PERIOD[1])
    day = datetime.date(2026, 4, 7)
    shift = ShiftFactory(campaign=campaign, starts_at=local(day), ends_at=local(day, 15), capacity=500)
    later = ShiftFactory(campaign=campaign, starts_at=local(day, 16), ends_at=local(day, 18), capacity=500)
    for n in range(count):
        detachment = DetachmentFactory(region=world.almaty, school_name=f"Мектеп {n:02d}")
        adult = VolunteerFactory(
            region=world.almaty, detachment=detachment, birth_date=datetime.date(1990, 1, 1)
        )
        minor = MinorFactory(region=world.almaty, detachment=detachment, guardian_consent_at=local(day))
        gone = VolunteerFactory(region=world.almaty, detachment=detachment)
        Signup.objects.create(shift=shift, volunteer=adult, status="attended", hours=Decimal(f"{n + 1}.25"))
        Signup.objects.create(shift=later, volunteer=adult, status="confirmed")
        Signup.objects.create(shift=shift, volunteer=minor, status="cancelled")
        Signup.objects.create(shift=later, volunteer=gone, status="attended", hours=Decimal("0.50"))
        type(gone).objects.filter(pk=gone.pk).update(anonymized_at=local(day))


def expected(scope: ReportScope) -> dict[int, tuple[int, int, int, Decimal]]:
    """Each detachment's members, minors, sign-ups and hours as the export counts them."""
    hours = selectors.hours_by(scope, "detachment")
    return {
        d.pk: (d.member_count, d.minor_count, d.signup_count, hours.get(d.pk, selectors.ZERO))
        for d in selectors.detachment_activity(scope)
    }


@pytest.mark.parametrize("user", ["nora", "alice"])
def test_rows_and_totals_agree_with_the_export_listed_or_not(world, user, request) -> None:  # type: ignore[no-untyped-def]
    more_detachments(world, 5)
    scope = ReportScope(user=request.getfixturevalue(user), start=PERIOD[0], end=PERIOD[1])
    every = expected(scope)
    assert len(every) == 6
    totals = tuple(sum(v[i] for v in every.values()) for i in range(4))
    for limit in (50, 6, 3, 1):
        rows, total = selectors.detachment_table(scope, limit=limit)
        assert len(rows) == min(limit, 6)
        for r in rows:
            assert (r.members, r.minors, r.signups, r.hours) == every[r.detachment.pk]
        assert (total.members, total.minors, total.signups, total.hours) == totals
    assert totals[0] == 1 + 5 * 2  # the anonymised members are not members
    assert totals[2] > 0 and totals[3] > 0


def test_queries_do_not_grow_with_detachments(world, nora, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    scope = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
    more_detachments(world, 3)
    with django_assert_max_num_queries(6) as few:
        selectors.detachment_table(scope, limit=2)
    more_detachments(world, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        selectors.detachment_table(ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1]), limit=2)
