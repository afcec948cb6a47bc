"""The block page's times: one blocked opened again (the meeting called off, the repair done
early), and one begun, which can be neither blocked nor opened."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from front_offices import services
from front_offices.models import Visit, VisitSlot
from tests.conftest import client_for
from tests.factories import VolunteerFactory

from .helpers import make_office, next_weekday, office_clerk, slot_at

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    return make_office(capacity=2)


@pytest.fixture
def clerk(office):  # type: ignore[no-untyped-def]
    user = office_clerk(office, "clerk-unblock@example.kz")
    return user


def _block_one(clerk, office, slot):  # type: ignore[no-untyped-def]
    day = slot.local_date.isoformat()
    response = client_for(clerk).post(
        f"/front-offices/{office.pk}/block/?date={day}", {"slot": slot.pk, "slot-reason": "Жиналыс"}
    )
    assert response.status_code == 302


def test_a_blocked_time_opens_again_and_can_be_booked(office, clerk, bob, almaty) -> None:  # type: ignore[no-untyped-def]
    day = next_weekday(1, after=2)
    slot = slot_at(office, day, 15)
    first = services.visit_book(
        slot=slot, volunteer=VolunteerFactory(region=almaty), purpose="consultation", by=None
    )
    _block_one(clerk, office, slot)
    url = f"/front-offices/{office.pk}/block/?date={day.isoformat()}"
    page = client_for(clerk).get(url).content.decode()
    assert f'name="unblock" value="{slot.pk}"' in page

    response = client_for(clerk).post(url, {"unblock": slot.pk, "slot-reason": ""}, follow=True, headers=EN)
    assert "15:00 is open for booking again." in response.content.decode()
    slot.refresh_from_db()
    assert slot.blocked_reason == "" and slot.free == 2
    # The visit its block cancelled stays cancelled (its person was told); the time is offered.
    first.refresh_from_db()
    assert first.status == Visit.Status.CANCELLED
    office_page = client_for(bob.user).get(f"/front-offices/{office.pk}/?date={day.isoformat()}")
    assert f"/front-offices/slots/{slot.pk}/book/" in office_page.content.decode()
    services.visit_book(slot=slot, volunteer=bob, purpose="consultation", by=bob.user)


def test_a_time_the_office_no_longer_opens_opens_with_no_free_place(office, clerk, almaty) -> None:  # type: ignore[no-untyped-def]
    day = next_weekday(1, after=2)
    slot = slot_at(office, day, 15)
    services.visit_book(slot=slot, volunteer=VolunteerFactory(region=almaty), purpose="consultation", by=None)
    services.schedule_exception_add(office=office, date=day, reason="Жөндеу", by=clerk)
    _block_one(clerk, office, slot)
    client_for(clerk).post(f"/front-offices/{office.pk}/block/?date={day.isoformat()}", {"unblock": slot.pk})
    slot.refresh_from_db()
    assert slot.blocked_reason == "" and slot.free == 0
    assert not VisitSlot.objects.filter(office=office, local_date=day, capacity__gt=0).exists()


def test_a_time_begun_is_not_offered_to_block_nor_said_to_cancel_its_visit(office, clerk, almaty) -> None:  # type: ignore[no-untyped-def]
    """Blocking leaves the visits of a time begun alone (the desk marks them): its button said
    that closing it cancels them, and pressing it was refused as past."""
    day = next_weekday(1, after=2)
    slot = slot_at(office, day, 9)
    services.visit_book(slot=slot, volunteer=VolunteerFactory(region=almaty), purpose="consultation", by=None)
    start = timezone.now() - datetime.timedelta(minutes=10)
    VisitSlot.objects.filter(pk=slot.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(minutes=30), local_date=timezone.localdate()
    )
    page = (
        client_for(clerk)
        .get(f"/front-offices/{office.pk}/block/?date={timezone.localdate().isoformat()}", headers=EN)
        .content.decode()
    )
    assert f'value="{slot.pk}"' not in page and "cancels 1 visit" not in page
    assert f"{timezone.localtime(start):%H:%M} · passed" in page
