"""A shift's times corrected after attendance: the hours the check-in credited follow the shift's
new length, hours a coordinator set by hand with a reason stay. They stayed at the old length, so a
5-hour shift credited 3 hours to everyone who came."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from events import selectors, services
from events.models import Shift, Signup
from tests.events.factories import ShiftFactory
from tests.factories import VolunteerFactory
from volunteers.extensions import volunteer_total_hours

pytestmark = pytest.mark.django_db


def test_credited_hours_follow_the_corrected_times_and_set_ones_stay(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    shift = ShiftFactory()
    came, set_by_hand, absent = (VolunteerFactory(region=almaty) for _ in range(3))
    signups = {
        p.pk: services.signup_create(shift=shift, volunteer=p, by=alice) for p in (came, set_by_hand, absent)
    }
    began = timezone.now() - datetime.timedelta(hours=4)
    Shift.objects.filter(pk=shift.pk).update(starts_at=began, ends_at=began + datetime.timedelta(hours=3))
    services.signup_check_in(signup=signups[came.pk], by=alice)
    services.signup_check_in(signup=signups[set_by_hand.pk], by=alice)
    services.signup_hours_set(
        signup=signups[set_by_hand.pk], hours=Decimal(2), reason="Ушёл раньше", by=alice
    )
    services.signup_no_show(signup=signups[absent.pk], by=alice)

    shift.refresh_from_db()
    services.shift_update(shift=shift, data={"ends_at": began + datetime.timedelta(hours=5)}, by=alice)

    hours = dict(Signup.objects.filter(shift=shift).values_list("volunteer_id", "hours"))
    assert hours == {came.pk: Decimal(5), set_by_hand.pk: Decimal(2), absent.pk: None}
    assert volunteer_total_hours(came) == Decimal(5)
    assert selectors.shift_hours(shift=shift) == Decimal(7)
