"""The booking page as someone whose profile is not yet active meets it."""

from __future__ import annotations

import pytest

from tests.conftest import client_for
from tests.factories import MinorFactory, VolunteerFactory, years_ago
from volunteers.models import Volunteer

from .helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


@pytest.fixture
def slot(almaty):  # type: ignore[no-untyped-def]
    return slot_at(make_office(), next_weekday(1, after=2), 18)


def _refusal(person, slot) -> str:  # type: ignore[no-untyped-def]
    page = client_for(person.user).get(f"/front-offices/slots/{slot.pk}/book/", headers=EN).content.decode()
    return page.split('id="refusal"')[1].split("</p>")[0]


class TestWhatToDoAboutAnInactiveProfile:
    def test_a_minor_awaiting_a_guardian_is_led_to_where_the_guardian_consents(self, slot, almaty) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(region=almaty, with_account=True, status=Volunteer.Status.AWAITING_GUARDIAN)
        refusal = _refusal(minor, slot)
        assert "This volunteer profile is not active." in refusal
        assert 'href="/me/#guardian-next-step"' in refusal

    def test_someone_come_of_age_is_led_to_give_their_own_consent(self, slot, almaty) -> None:  # type: ignore[no-untyped-def]
        grown = MinorFactory(
            region=almaty,
            with_account=True,
            birth_date=years_ago(18),
            status=Volunteer.Status.AWAITING_GUARDIAN,
        )
        assert grown.awaits_own_consent
        assert 'href="/me/#own-consent"' in _refusal(grown, slot)

    def test_a_paused_profile_is_not_sent_anywhere(self, slot, almaty) -> None:  # type: ignore[no-untyped-def]
        paused = VolunteerFactory(region=almaty, with_account=True, status=Volunteer.Status.PAUSED)
        refusal = _refusal(paused, slot)
        assert "This volunteer profile is not active." in refusal and "refusal-next-step" not in refusal
