"""A staff page read before the visit's person moved it to another office: what the staff then do
from it (cancel, check in, "did not come", the outcome, a move) is refused with a message saying
the visit has moved, not done to the visit at the other office. The staff here coordinate the
region, so both offices are in their scope and nothing else would stop them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from accounts.models import User
from front_offices import services
from front_offices.messages import SUBJECT_TYPE
from front_offices.models import FrontOffice, Visit, VisitSlot
from notifications.models import Message
from tests.conftest import client_for

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def day() -> datetime.date:
    return next_weekday(0, after=2)


@pytest.fixture
def offices(almaty: Any) -> tuple[FrontOffice, FrontOffice]:
    return make_office(name="Офис Абай"), make_office(name="Офис Сайран")


@pytest.fixture
def moved(offices: tuple[FrontOffice, FrontOffice], day: datetime.date, bob: Any) -> tuple[Visit, Visit]:
    """Booked at the first office at 14:00, as the staff's page read it, then moved by its person
    to the second office at 15:00: (the visit as the page read it, as it is now)."""
    first, second = offices
    booked = services.visit_book(slot=slot_at(first, day, 14), volunteer=bob, purpose="consultation", by=None)
    as_read = Visit.objects.select_related("office", "volunteer").get(pk=booked.pk)
    services.visit_reschedule(visit=booked, to_slot=slot_at(second, day, 15), by=bob.user)
    return as_read, Visit.objects.get(pk=booked.pk)


def _unchanged(visit: Visit, office: FrontOffice) -> None:
    visit.refresh_from_db()
    assert visit.status == Visit.Status.BOOKED and visit.office_id == office.pk and not visit.outcome
    assert visit.slot is not None
    assert VisitSlot.objects.get(pk=visit.slot_id).taken == 1
    assert not Message.objects.filter(subject_type=SUBJECT_TYPE, subject_id=visit.pk, kind="visit_cancelled")


@pytest.mark.parametrize(
    "action",
    [
        lambda visit, by, office: services.visit_cancel(visit=visit, by=by, reason="", at_office=office),
        lambda visit, by, office: services.visit_mark(
            visit=visit, status=Visit.Status.NO_SHOW, by=by, at_office=office
        ),
        lambda visit, by, office: services.visit_mark(
            visit=visit, status=Visit.Status.ARRIVED, by=by, at_office=office
        ),
        lambda visit, by, office: services.visit_outcome_set(
            visit=visit, outcome=Visit.Outcome.CONSULTED, by=by, at_office=office
        ),
    ],
    ids=["cancel", "no_show", "arrived", "outcome"],
)
def test_the_service_refuses_a_visit_no_longer_at_the_office_acted_for(
    offices: tuple[FrontOffice, FrontOffice],
    moved: tuple[Visit, Visit],
    alice: User,
    action: Callable[[Visit, User, FrontOffice], object],
) -> None:
    first, second = offices
    as_read, _now = moved
    with pytest.raises(ValidationError) as refused:
        action(as_read, alice, first)
    assert refused.value.code == "moved"
    assert "Офис Абай" in refused.value.messages[0]
    _unchanged(as_read, second)


def test_the_service_refuses_a_move_within_the_office_it_has_left(
    offices: tuple[FrontOffice, FrontOffice], moved: tuple[Visit, Visit], alice: User, day: datetime.date
) -> None:
    first, second = offices
    as_read, _now = moved
    with pytest.raises(ValidationError) as refused:
        services.visit_reschedule(visit=as_read, to_slot=slot_at(first, day, 16), by=alice, at_office=first)
    assert refused.value.code == "moved"
    _unchanged(as_read, second)
    assert VisitSlot.objects.get(office=first, starts_at=slot_at(first, day, 16).starts_at).taken == 0


def test_acting_for_the_office_the_visit_is_at_still_works(
    offices: tuple[FrontOffice, FrontOffice], moved: tuple[Visit, Visit], alice: User
) -> None:
    _first, second = offices
    as_read, _now = moved
    cancelled = services.visit_cancel(visit=as_read, by=alice, at_office=second)
    assert cancelled.status == Visit.Status.CANCELLED
    assert VisitSlot.objects.get(pk=cancelled.slot_id).taken == 0


def test_the_days_check_in_sent_for_the_office_left_is_refused_with_a_message(
    offices: tuple[FrontOffice, FrontOffice], day: datetime.date, bob: Any, alice: User
) -> None:
    """The day's page of the first office is read, the person moves the visit, then the staff
    press "did not come" on its card: refused, the message names the office, back to its day."""
    first, second = offices
    visit = services.visit_book(slot=slot_at(first, day, 14), volunteer=bob, purpose="consultation", by=None)
    client = client_for(alice)
    client.cookies["django_language"] = "en"
    page = client.get(f"/front-offices/{first.pk}/day/?date={day.isoformat()}")
    assert f'id="visit-{visit.pk}"' in page.content.decode()
    services.visit_reschedule(visit=visit, to_slot=slot_at(second, day, 15), by=bob.user)

    response = client.post(
        f"/front-offices/staff/visits/{visit.pk}/mark/", {"status": "arrived", "office": first.pk}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(f"/front-offices/{first.pk}/day/")
    told = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Офис Абай" in told and "moved to another office" in told
    _unchanged(visit, second)


def test_a_move_chosen_on_the_page_of_the_office_left_is_refused_with_a_message(
    offices: tuple[FrontOffice, FrontOffice], day: datetime.date, bob: Any, alice: User
) -> None:
    """The staff open the move page of a visit of the first office; its person moves it to the
    second; the staff then choose a time of the first office: refused, saying why (it used to
    say only "Choose a time.", the slot not being of the visit's office any more)."""
    first, second = offices
    visit = services.visit_book(slot=slot_at(first, day, 14), volunteer=bob, purpose="consultation", by=None)
    client = client_for(alice)
    client.cookies["django_language"] = "en"
    assert client.get(f"/front-offices/staff/visits/{visit.pk}/move/").status_code == 200
    services.visit_reschedule(visit=visit, to_slot=slot_at(second, day, 15), by=bob.user)

    response = client.post(
        f"/front-offices/staff/visits/{visit.pk}/move/", {"slot": slot_at(first, day, 16).pk}
    )

    told = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Офис Абай" in told and "moved to another office" in told
    _unchanged(visit, second)
