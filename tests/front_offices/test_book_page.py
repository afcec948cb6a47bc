"""The booking page as someone awaiting a consent meets it: a visit is not volunteering, and the
front office is where a consent form is signed and recorded, so they book, and are shown the
other way to give it."""

from __future__ import annotations

import pytest

from front_offices.models import Visit
from tests.conftest import client_for
from tests.factories import MinorFactory, VolunteerFactory, years_ago
from volunteers.models import Volunteer

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


@pytest.fixture
def slot(almaty):  # type: ignore[no-untyped-def]
    return slot_at(make_office(), next_weekday(1, after=2), 18)


def _book(person, slot):  # type: ignore[no-untyped-def]
    client = client_for(person.user)
    page = client.get(f"/front-offices/slots/{slot.pk}/book/", headers=EN).content.decode()
    response = client.post(f"/front-offices/slots/{slot.pk}/book/", {"purpose": "consultation"}, headers=EN)
    return page, response


class TestAwaitingAConsent:
    def test_a_minor_awaiting_a_guardian_books_a_visit_to_bring_the_form(self, slot, almaty) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(region=almaty, with_account=True, status=Volunteer.Status.AWAITING_GUARDIAN)
        page, response = _book(minor, slot)
        assert 'id="refusal"' not in page
        assert 'id="consent-hint"' in page and 'href="/me/#guardian-next-step"' in page
        assert response.status_code == 302
        assert Visit.objects.get(volunteer=minor).status == Visit.Status.BOOKED

    def test_someone_come_of_age_books_one_and_is_shown_where_to_consent(self, slot, almaty) -> None:  # type: ignore[no-untyped-def]
        grown = MinorFactory(
            region=almaty,
            with_account=True,
            birth_date=years_ago(18),
            status=Volunteer.Status.AWAITING_GUARDIAN,
        )
        assert grown.awaits_own_consent
        page, response = _book(grown, slot)
        assert 'href="/me/#own-consent"' in page
        assert response.status_code == 302 and Visit.objects.filter(volunteer=grown).exists()

    def test_a_paused_profile_is_still_refused(self, slot, almaty) -> None:  # type: ignore[no-untyped-def]
        paused = VolunteerFactory(region=almaty, with_account=True, status=Volunteer.Status.PAUSED)
        page, _response = _book(paused, slot)
        refusal = page.split('id="refusal"')[1].split("</p>")[0]
        assert "This volunteer profile is not active." in refusal and "consent-hint" not in page
        assert not Visit.objects.filter(volunteer=paused).exists()
