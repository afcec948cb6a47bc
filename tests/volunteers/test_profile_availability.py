"""The times a volunteer is free, as their profile page and the roster card list them."""

import pytest

from tests.conftest import client_for
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


class TestAvailabilityOnTheProfile:
    def _page(self, bob, **free) -> str:  # type: ignore[no-untyped-def]
        Volunteer.objects.filter(pk=bob.pk).update(**free)
        client = client_for(bob.user)
        client.cookies["django_language"] = "kk"
        html = client.get("/me/").content.decode()
        return " ".join(html.split("Бос уақыты</dt><dd>", 1)[1].split("</dd>", 1)[0].split())

    def test_times_are_separated_by_commas(self, bob) -> None:  # type: ignore[no-untyped-def]
        shown = self._page(bob, available_weekdays=False, available_evenings=True, available_weekends=True)
        assert shown == "Кешкі уақыт, Демалыс күндері"

    def test_no_comma_after_the_last_time(self, bob) -> None:  # type: ignore[no-untyped-def]
        shown = self._page(bob, available_weekdays=True, available_evenings=True, available_weekends=False)
        assert shown.endswith("Кешкі уақыт")
        assert shown.count(",") == 1

    def test_none_is_a_dash(self, bob) -> None:  # type: ignore[no-untyped-def]
        shown = self._page(bob, available_weekdays=False, available_evenings=False, available_weekends=False)
        assert shown == "—"
