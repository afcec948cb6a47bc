"""Cancelling one's own visit takes a confirmation, as a shift's sign-up does: the visit's page links
to a page that says what will be cancelled, and only its button (a POST) cancels."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from front_offices import services
from front_offices.models import FrontOffice, Visit
from notifications.services import messages_send_due
from tests.conftest import client_for, mailed_link
from tests.factories import VolunteerFactory

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(almaty: Any) -> FrontOffice:
    return make_office(name="Алматы фронт-офисі")


@pytest.fixture
def visit(office: FrontOffice, bob: Any) -> Visit:
    day = next_weekday(1, after=2)
    return services.visit_book(
        slot=slot_at(office, day, 18, 30), volunteer=bob, purpose="certificate", by=bob.user
    )


def _url(visit: Visit) -> str:
    return f"/front-offices/visits/{visit.pk}/cancel/"


class TestVisitCancelConfirmation:
    def test_the_visits_page_links_to_the_confirmation_instead_of_cancelling(
        self, bob: Any, visit: Visit
    ) -> None:
        page = client_for(bob.user).get(f"/front-offices/visits/{visit.pk}/").content.decode()
        assert f'href="{_url(visit)}"' in page
        assert f'action="{_url(visit)}"' not in page

    def test_the_confirmation_says_what_is_cancelled_and_cancels_nothing(
        self, bob: Any, visit: Visit
    ) -> None:
        response = client_for(bob.user).get(_url(visit))
        assert response.status_code == 200
        page = response.content.decode()
        assert "18:30" in page and "Алматы фронт-офисі" in page
        assert '<form method="post" id="cancel-form">' in page
        assert f'href="/front-offices/visits/{visit.pk}/"' in page  # keep it
        visit.refresh_from_db()
        assert visit.status == "booked" and visit.slot is not None and visit.slot.taken == 1

    def test_its_button_cancels_and_frees_the_place(self, bob: Any, visit: Visit) -> None:
        response = client_for(bob.user).post(_url(visit))
        assert response.status_code == 302 and response["Location"] == "/front-offices/visits/"
        visit.refresh_from_db()
        assert visit.status == "cancelled" and visit.slot is not None and visit.slot.taken == 0

    def test_a_visit_that_can_no_longer_be_cancelled_has_no_button(self, bob: Any, visit: Visit) -> None:
        services.visit_cancel(visit=visit, by=bob.user)
        page = client_for(bob.user).get(_url(visit)).content.decode()
        assert 'id="cancel-form"' not in page and "status-cancelled" in page

    def test_somebody_elses_visit_does_not_exist(self, visit: Visit) -> None:
        other = VolunteerFactory(with_account=True)
        assert client_for(other.user).get(_url(visit)).status_code == 404
        assert client_for(other.user).post(_url(visit)).status_code == 404
        assert Client().get(_url(visit)).status_code == 302  # to the login page
        visit.refresh_from_db()
        assert visit.status == "booked"


class TestCancelledVisitMessage:
    @pytest.mark.parametrize(
        ("language", "label"), [("kk", "Себебі: Электр жоқ"), ("ru", "Причина: Электр жоқ")]
    )
    def test_the_offices_reason_is_told_as_the_reason(self, office, alice, language, label) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(preferred_language=language)
        visit = services.visit_book(
            slot=slot_at(office, next_weekday(1), 10), volunteer=person, purpose="consultation", by=None
        )
        messages_send_due(max_seconds=30)
        mail.outbox.clear()
        services.visit_cancel(visit=visit, by=alice, reason="Электр жоқ")
        messages_send_due(max_seconds=30)
        [email] = mail.outbox
        # Not a bare line under the address, where it read as part of the place.
        assert label in email.body
        assert label in email.alternatives[0].content  # type: ignore[union-attr]


class TestVisitMessageLink:
    def test_someone_with_an_account_is_sent_to_their_visit(self, office, bob) -> None:  # type: ignore[no-untyped-def]
        visit = services.visit_book(
            slot=slot_at(office, next_weekday(1), 10), volunteer=bob, purpose="consultation", by=None
        )
        messages_send_due(max_seconds=30)
        link = mailed_link(mail.outbox[0], "/front-offices/")
        assert link == f"/front-offices/visits/{visit.pk}/"
        assert client_for(bob.user).get(link).status_code == 200

    def test_someone_without_an_account_is_sent_to_the_offices_page(self, office, alice) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory()
        assert person.user_id is None
        services.visit_book(
            slot=slot_at(office, next_weekday(1), 10), volunteer=person, purpose="consultation", by=alice
        )
        messages_send_due(max_seconds=30)
        link = mailed_link(mail.outbox[0], "/front-offices/")
        # Not the visit's page, which asks to log in with an account they do not have.
        assert link == f"/front-offices/{office.pk}/"
        page = Client().get(link)
        assert page.status_code == 200 and office.name in page.content.decode()

    def test_when_the_office_closes_someone_without_an_account_is_sent_to_the_open_offices(
        self, office, alice
    ) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory()
        services.visit_book(
            slot=slot_at(office, next_weekday(1), 10), volunteer=person, purpose="consultation", by=alice
        )
        messages_send_due(max_seconds=30)
        mail.outbox.clear()
        services.front_office_update(office=office, data={"is_active": False}, by=alice)
        messages_send_due(max_seconds=30)
        [told] = mail.outbox
        link = mailed_link(told, "/front-offices/")
        # The closed office's own page is "not found": the list shows where else to go.
        assert link == "/front-offices/"
        assert Client().get(link).status_code == 200
