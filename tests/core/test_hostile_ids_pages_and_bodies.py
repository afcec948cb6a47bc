"""Hostile input the database or the JSON parser used to answer with a 500: ids past the
database's integer in API filters, a roster page number whose offset does not fit it, and a
body that is not JSON. Each is a 400 (API) or an ordinary page, and nothing is written."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from front_offices.models import Visit
from regions.models import Region
from tests.conftest import api_for, client_for
from tests.factories import VolunteerFactory
from volunteer_net.forms import MAX_BIGINT, id_param
from volunteer_net.paging import SortedRowsPaginator
from volunteers.models import Volunteer

HUGE = ["99999999999999999999999", str(MAX_BIGINT + 1)]


class TestIdsInApiFilters:
    @pytest.mark.django_db
    @pytest.mark.parametrize("huge", HUGE)
    def test_an_id_past_the_databases_integer_is_a_400_naming_the_parameter(self, alice, huge: str) -> None:  # type: ignore[no-untyped-def]
        with translation.override("en"):
            answers = {
                "campaign": APIClient().get("/api/shifts/", {"campaign": huge}, HTTP_ACCEPT_LANGUAGE="en"),
                "shift": api_for(alice).get("/api/signups/", {"shift": huge}, HTTP_ACCEPT_LANGUAGE="en"),
                "detachment": api_for(alice).get(
                    "/api/volunteers/", {"detachment": huge}, HTTP_ACCEPT_LANGUAGE="en"
                ),
            }
        for name, response in answers.items():
            assert response.status_code == 400, (name, response.content)
            assert list(response.json()) == [name]
            assert response.json()[name] == [f"Ensure this value is less than or equal to {MAX_BIGINT}."]

    @pytest.mark.django_db
    def test_the_largest_id_is_a_filter_that_finds_nothing(self, alice) -> None:  # type: ignore[no-untyped-def]
        response = APIClient().get("/api/shifts/", {"campaign": str(MAX_BIGINT)})
        assert response.status_code == 200 and response.json()["results"] == []
        assert api_for(alice).get("/api/signups/", {"shift": str(MAX_BIGINT)}).status_code == 200


class TestIdParam:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("19", 19),
            (" 19 ", 19),
            (str(MAX_BIGINT), MAX_BIGINT),
            (str(MAX_BIGINT + 1), None),
            ("99999999999999999999999", None),
            ("9" * 5000, None),
            ("0", None),
            ("-5", None),
            ("+5", None),
            ("1_000", None),
            ("١٩", None),
            ("abc", None),
            ("", None),
            (None, None),
        ],
    )
    def test_only_whole_numbers_the_database_holds_are_ids(
        self, text: str | None, expected: int | None
    ) -> None:
        assert id_param(text) == expected


@pytest.mark.django_db
class TestRosterPageNumber:
    @pytest.fixture
    def people(self, almaty: Region) -> None:
        for n in range(30):
            VolunteerFactory(region=almaty, last_name=f"Аманов{n:02d}", first_name="Арман")

    # Not "page": that name is the browser tests' Playwright fixture, and taking it would make this
    # a browser test, run among them (after the transactional tests have flushed the regions).
    @pytest.mark.parametrize("number", ["99999999999999999999999", str(2**62), str(MAX_BIGINT)])
    def test_a_search_with_a_page_past_any_offset_shows_the_last_page(
        self, alice, people, number: str
    ) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).get("/roster/", {"q": "Арман", "page": number})
        assert response.status_code == 200
        shown = response.context["page"]
        assert shown.number == shown.paginator.num_pages == 2
        assert shown.paginator.count == 30

    def test_the_paginator_itself_clamps_it(self, people) -> None:  # type: ignore[no-untyped-def]
        paginator = SortedRowsPaginator(Volunteer.objects.order_by("pk"), 25, count_with_page=True)
        page = paginator.get_page("99999999999999999999999")
        assert page.number == 2 and len(page.object_list) == 5


@pytest.mark.django_db
class TestJsonBody:
    @pytest.mark.parametrize("body", [b'{"slot": 1,', b'{"slot": 1, "purpose": "\xff"}', b"NaN"])
    def test_a_body_that_is_not_json_is_a_translated_400(self, bob, body: bytes) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        with translation.override("en"):
            response = client.post(
                "/api/visits/?lang=en", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
            )
        assert response.status_code == 400
        assert response.json() == {"detail": "The request body is not valid JSON."}
        assert not Visit.objects.exists()

    def test_the_message_does_not_quote_the_parser(self, bob) -> None:  # type: ignore[no-untyped-def]
        response = client_for(bob.user).post(
            "/api/visits/?lang=kk", b'{"slot": 1,', content_type="application/json"
        )
        assert response.status_code == 400
        assert (
            "JSON parse error" not in response.content.decode() and "char 11" not in response.content.decode()
        )
