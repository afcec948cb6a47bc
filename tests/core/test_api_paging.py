"""Every paginated list of the API reads `page` and `page_size` like any other query parameter:
a value it cannot use is a 400 naming it (DRF's own paginator answered "Invalid page." with a 404
for `page=abc`, and served 50 rows for `page_size=abc` or `-1` without a word). A well-formed
page past the end stays a 404."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.events.factories import CampaignFactory, ShiftFactory

LISTS = [
    "/api/campaigns/",
    "/api/shifts/",
    "/api/signups/",
    "/api/visits/",
    "/api/volunteers/",
    "/api/care/requests/",
    "/api/volunteers/{bob}/hours/",
]
BAD = [
    ("page", "abc"),
    ("page", "0"),
    ("page", "-1"),
    ("page", "1.5"),
    ("page", "\x00"),
    ("page_size", "abc"),
    ("page_size", "0"),
    ("page_size", "-1"),
    ("page_size", "201"),
    ("page_size", "\x00"),
]


@pytest.mark.django_db
class TestPageParameters:
    @pytest.mark.parametrize("url", LISTS)
    @pytest.mark.parametrize(("name", "value"), BAD)
    def test_unusable_page_parameter_is_a_400_naming_it(
        self, alice, bob, url: str, name: str, value: str
    ) -> None:  # type: ignore[no-untyped-def]
        client = APIClient()
        client.force_authenticate(alice)
        response = client.get(url.format(bob=bob.pk), {name: value}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, response.content
        assert list(response.json()) == [name]

    def test_page_past_the_end_is_still_a_404(self, alice) -> None:  # type: ignore[no-untyped-def]
        ShiftFactory()
        assert APIClient().get("/api/shifts/", {"page": "2"}).status_code == 404

    def test_bounds_and_the_last_page_are_served(self, almaty) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory(region=almaty)
        shifts = ShiftFactory.create_batch(3, campaign=campaign)
        client = APIClient()
        assert len(client.get("/api/shifts/", {"page_size": "200"}).json()["results"]) == 3
        one = client.get("/api/shifts/", {"page_size": "1", "page": "3"}).json()
        assert [row["id"] for row in one["results"]] == [shifts[2].pk] and one["next"] is None
        last = client.get("/api/shifts/", {"page_size": "2", "page": "last"}).json()
        assert [row["id"] for row in last["results"]] == [shifts[2].pk]
        # An empty value is no value: the first page of 50.
        assert client.get("/api/shifts/", {"page": "", "page_size": ""}).json()["count"] == 3
        # What passes the check is what pages: a whole number written "2.0" is page 2.
        two = client.get("/api/shifts/", {"page_size": "2", "page": "2.0"})
        assert two.status_code == 200 and [row["id"] for row in two.json()["results"]] == [shifts[2].pk]

    def test_next_link_is_absolute_and_keeps_the_filters(self, almaty) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory(region=almaty)
        ShiftFactory.create_batch(3, campaign=campaign)
        data = APIClient().get("/api/shifts/", {"region": "75", "page_size": "2"}).json()
        assert data["next"].startswith("http://testserver/api/shifts/?")
        assert "region=75" in data["next"] and "page_size=2" in data["next"] and "page=2" in data["next"]
