"""Checking visitors in on the staff's day: arrival from an hour before the visit, "did not come"
once its time has begun, never for a walk-in (the person is at the desk) — in the service, and
no button on the page that the service would refuse."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.models import User
from front_offices import services
from front_offices.models import FrontOffice, Visit
from tests.conftest import client_for

from .helpers import T, make_office, next_weekday, office_clerk, slot_at

pytestmark = pytest.mark.django_db
ALMATY = timezone.get_default_timezone()


@pytest.fixture
def office(almaty: Any) -> FrontOffice:
    return make_office()


@pytest.fixture
def day() -> datetime.date:
    return next_weekday(0, after=2)


@pytest.fixture
def clerk(office: FrontOffice) -> User:
    user = office_clerk(office, "clerk-day@example.kz")
    return user


@pytest.fixture
def visit(office: FrontOffice, day: datetime.date, bob: Any) -> Visit:
    """Booked at 14:00 on `day`."""
    return services.visit_book(slot=slot_at(office, day, 14), volunteer=bob, purpose="consultation", by=None)


def _at(monkeypatch: pytest.MonkeyPatch, day: datetime.date, hour: int, minute: int = 0) -> None:
    """Set the clock to that Almaty time of `day`."""
    moment = datetime.datetime.combine(day, T(hour, minute), tzinfo=ALMATY)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _card(client: Client, office: FrontOffice, day: datetime.date, visit: Visit) -> str:
    page = client.get(f"/front-offices/{office.pk}/day/?date={day.isoformat()}").content.decode()
    match = re.search(rf'<li class="visit-card" id="visit-{visit.pk}">.*?</li>', page, re.S)
    assert match is not None
    return match.group(0)


def _mark(client: Client, visit: Visit, **data: str) -> str:
    response = client.post(f"/front-offices/staff/visits/{visit.pk}/mark/", data)
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


class TestArrival:
    def test_arrival_hours_before_the_visit_is_refused(
        self,
        monkeypatch: pytest.MonkeyPatch,
        office: FrontOffice,
        day: datetime.date,
        clerk: User,
        visit: Visit,
    ) -> None:
        _at(monkeypatch, day, 5, 48)
        told = _mark(client_for(clerk), visit, status="arrived")
        assert "13:00" in told
        visit.refresh_from_db()
        assert visit.status == "booked"
        with pytest.raises(ValidationError) as caught:
            services.visit_mark(visit=visit, status="arrived", by=clerk)
        assert caught.value.code == "early"

    def test_an_outcome_hours_before_the_visit_does_not_check_it_in(
        self, monkeypatch: pytest.MonkeyPatch, day: datetime.date, clerk: User, visit: Visit
    ) -> None:
        _at(monkeypatch, day, 5, 48)
        _mark(client_for(clerk), visit, outcome="consulted")
        visit.refresh_from_db()
        assert (visit.status, visit.outcome) == ("booked", "")

    def test_arrival_is_marked_from_an_hour_before(
        self, monkeypatch: pytest.MonkeyPatch, day: datetime.date, clerk: User, visit: Visit
    ) -> None:
        _at(monkeypatch, day, 13, 0)
        _mark(client_for(clerk), visit, status="arrived")
        visit.refresh_from_db()
        assert visit.status == "arrived"

    def test_the_card_offers_no_button_before_check_in_opens(
        self,
        monkeypatch: pytest.MonkeyPatch,
        office: FrontOffice,
        day: datetime.date,
        clerk: User,
        visit: Visit,
    ) -> None:
        client = client_for(clerk)
        _at(monkeypatch, day, 5, 48)
        card = _card(client, office, day, visit)
        assert 'value="arrived"' not in card and 'value="no_show"' not in card
        assert 'name="outcome"' not in card and "13:00" in card
        _at(monkeypatch, day, 13, 30)
        card = _card(client, office, day, visit)
        assert 'value="arrived"' in card and 'value="no_show"' not in card and 'name="outcome"' in card
        # The card says which office's day it is sent from: a visit the person has moved to
        # another office since the page was read is then refused (test_stale_staff_page.py).
        assert f'<input type="hidden" name="office" value="{office.pk}">' in card
        _at(monkeypatch, day, 14, 5)
        card = _card(client, office, day, visit)
        assert 'value="arrived"' in card and 'value="no_show"' in card


class TestNoShow:
    def test_no_show_waits_for_the_visits_time(
        self, monkeypatch: pytest.MonkeyPatch, day: datetime.date, clerk: User, visit: Visit
    ) -> None:
        _at(monkeypatch, day, 13, 59)
        with pytest.raises(ValidationError) as caught:
            services.visit_mark(visit=visit, status="no_show", by=clerk)
        assert caught.value.code == "not_started"
        _at(monkeypatch, day, 14, 0)
        assert services.visit_mark(visit=visit, status="no_show", by=clerk).status == "no_show"

    def test_a_walk_in_is_never_marked_as_not_come(
        self, monkeypatch: pytest.MonkeyPatch, office: FrontOffice, clerk: User, bob: Any
    ) -> None:
        # Sunday evening: the office is closed, and the desk still checks the person in.
        sunday = next_weekday(6)
        _at(monkeypatch, sunday, 21, 0)
        client = client_for(clerk)
        response = client.post(
            f"/front-offices/{office.pk}/walk-in/",
            {"walkin-phone": bob.phone, "walkin-purpose": "consultation"},
        )
        assert response.status_code == 302
        walk_in = Visit.objects.get(walk_in=True, volunteer=bob)
        assert walk_in.status == "arrived" and walk_in.local_date == sunday
        card = _card(client, office, sunday, walk_in)
        assert 'value="no_show"' not in card and 'name="outcome"' in card
        with pytest.raises(ValidationError) as caught:
            services.visit_mark(visit=walk_in, status="no_show", by=clerk)
        assert caught.value.code == "walk_in"
        walk_in.refresh_from_db()
        assert walk_in.status == "arrived"


class TestTheDaysCards:
    def test_the_outcome_saved_is_the_one_selected(
        self,
        monkeypatch: pytest.MonkeyPatch,
        office: FrontOffice,
        day: datetime.date,
        clerk: User,
        visit: Visit,
    ) -> None:
        # A select back at "—" after saving would clear the outcome on the next save.
        client = client_for(clerk)
        _at(monkeypatch, day, 14, 10)
        _mark(client, visit, outcome="certificate_issued", save_outcome="1")
        visit.refresh_from_db()
        assert visit.outcome == "certificate_issued"
        select = re.search(
            r"<select[^>]*name=\"outcome\".*?</select>", _card(client, office, day, visit), re.S
        )
        assert select is not None
        selected = re.findall(r'<option value="([^"]*)" selected>', select.group(0))
        assert selected == ["certificate_issued"]
        # Without an outcome, "—" is the one chosen.
        _mark(client, visit, outcome="", save_outcome="1")
        select = re.search(
            r"<select[^>]*name=\"outcome\".*?</select>", _card(client, office, day, visit), re.S
        )
        assert select is not None
        assert re.findall(r'<option value="([^"]*)" selected>', select.group(0)) == [""]

    def test_the_phone_is_grouped_and_dials(
        self, office: FrontOffice, day: datetime.date, clerk: User, visit: Visit, bob: Any
    ) -> None:
        bob.phone = "+77788620781"
        bob.save(update_fields=["phone"])
        card = _card(client_for(clerk), office, day, visit)
        assert '<a href="tel:+77788620781" class="nowrap">+7 778 862 07 81</a>' in card

    def test_a_paused_visitors_card_says_so(
        self, office: FrontOffice, day: datetime.date, clerk: User, visit: Visit, bob: Any
    ) -> None:
        client = client_for(clerk)
        client.cookies["django_language"] = "en"
        assert "Profile:" not in _card(client, office, day, visit)
        bob.status = "paused"
        bob.save(update_fields=["status"])
        assert '<span class="status-badge status-profile-paused">Profile: Paused</span>' in _card(
            client, office, day, visit
        )


class TestTheDaysMessage:
    """After a mark the day's page says whom it marked and how: a bare "Сақталды" over a list of
    visitors did not show a clerk that the wrong card was pressed."""

    def _told(self, client: Client, visit: Visit, **data: str) -> str:
        client.cookies["django_language"] = "kk"
        return _mark(client, visit, **data)

    def test_arrival_names_the_person(
        self, monkeypatch: pytest.MonkeyPatch, day: datetime.date, clerk: User, visit: Visit, bob: Any
    ) -> None:
        _at(monkeypatch, day, 13, 30)
        told = self._told(client_for(clerk), visit, status="arrived")
        assert told == f"{bob.full_name}: келді деп белгіленді."
        visit.refresh_from_db()
        assert visit.status == "arrived"

    def test_no_show_names_the_person(
        self, monkeypatch: pytest.MonkeyPatch, day: datetime.date, clerk: User, visit: Visit, bob: Any
    ) -> None:
        _at(monkeypatch, day, 14, 30)
        told = self._told(client_for(clerk), visit, status="no_show")
        assert told == f"{bob.full_name}: келмеді деп белгіленді."
        visit.refresh_from_db()
        assert visit.status == "no_show"

    def test_an_outcome_names_the_person(
        self, monkeypatch: pytest.MonkeyPatch, day: datetime.date, clerk: User, visit: Visit, bob: Any
    ) -> None:
        _at(monkeypatch, day, 14, 10)
        told = self._told(client_for(clerk), visit, outcome="consulted")
        assert told == f"{bob.full_name}: сақталды."
        visit.refresh_from_db()
        assert (visit.status, visit.outcome) == ("arrived", "consulted")
