"""Parallel clients on PostgreSQL: the unique IIN holds, and the loser gets a field error."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from regions.models import Region
from tests.factories import UserFactory, VolunteerFactory
from volunteers import services
from volunteers.models import Volunteer

IIN = "061211600012"
BIRTH = datetime.date(2006, 12, 11)


@pytest.mark.django_db(transaction=True)
def test_same_iin_entered_twice_at_once_keeps_one(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    almaty = Region.objects.get(code="75")
    coordinator = UserFactory()
    twins = [VolunteerFactory(region=almaty, birth_date=BIRTH) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enter(volunteer: Volunteer) -> None:
        try:
            barrier.wait(timeout=10)
            services.volunteer_update(volunteer=volunteer, changed_by=coordinator, data={"iin": IIN})
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append("refused:" + ",".join(exc.message_dict))
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(v,)) for v in twins]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["refused:iin", "saved"]
    assert Volunteer.objects.filter(iin=IIN).count() == 1
