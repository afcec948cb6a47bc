"""Help-request dates as a coordinator in Almaty reads them: who is of age on 29 February."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from care import selectors
from tests.factories import MinorFactory
from tests.notifications.conftest import clock

from .factories import HelpRequestFactory

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


def test_suggestions_on_29_february_count_those_of_age_that_day(almaty) -> None:  # type: ignore[no-untyped-def]
    """29 February 2028 (00:30 in Almaty, still the 28th in UTC): the request's page suggests those
    18 today — born on 28 February 2010 — and not someone born on 1 March 2010."""
    now = datetime.datetime(2028, 2, 29, 0, 30, tzinfo=ALMATY)
    request = HelpRequestFactory(
        due_from=now + datetime.timedelta(hours=10), due_until=now + datetime.timedelta(hours=13)
    )
    of_age = MinorFactory(region=almaty, birth_date=datetime.date(2010, 2, 28))
    not_yet = MinorFactory(region=almaty, birth_date=datetime.date(2010, 3, 1))
    with clock(now):
        suggested = {v.pk for v in selectors.suggested_volunteers(request=request, limit=50)}
    assert of_age.pk in suggested
    assert not_yet.pk not in suggested
