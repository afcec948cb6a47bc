"""The lists of requests read a page at a time from two index-ordered halves (overdue, then the
rest): every page must hold exactly the rows, in the order, of the one sorted list."""

from __future__ import annotations

import pytest
from django.utils import timezone

from care import selectors
from care.models import HelpRequest
from regions.models import Region

from .factories import BeneficiaryFactory, HelpRequestFactory, in_days

pytestmark = pytest.mark.django_db


def _expected(rows: list[HelpRequest]) -> list[int]:
    now = timezone.now()
    return [
        r.pk
        for r in sorted(
            rows,
            key=lambda r: (
                0 if r.is_open and r.due_until < now else 1,
                0 if r.urgency == HelpRequest.Urgency.URGENT else 1,
                r.due_until,
                r.pk,
            ),
        )
    ]


@pytest.fixture
def mixed(almaty, astana):  # type: ignore[no-untyped-def]
    """Overdue and coming requests, urgent or not, open and closed, in Almaty and Astana."""
    made = []
    for region in (almaty, astana):
        for n, (days, status, urgency) in enumerate(
            [
                (-3, "new", "normal"),
                (-2, "assigned", "urgent"),
                (-1, "in_progress", "normal"),
                (-4, "done", "urgent"),
                (-2, "cancelled", "normal"),
                (1, "new", "urgent"),
                (2, "assigned", "normal"),
                (3, "new", "normal"),
                (1, "cannot_help", "urgent"),
                (-5, "new", "urgent"),
                (4, "new", "urgent"),
            ]
        ):
            # Two requests end at the same time: the id orders them.
            for _ in range(2 if n % 3 == 0 else 1):
                made.append(
                    HelpRequestFactory(
                        beneficiary=BeneficiaryFactory(region=region),
                        due_from=in_days(days, hour=9),
                        due_until=in_days(days, hour=12),
                        status=status,
                        urgency=urgency,
                        kind="fuel" if n % 2 else "groceries",
                    )
                )
    return made


class TestOverdueFirstPages:
    @pytest.mark.parametrize("status", ["open", "all", "closed", "new", "done"])
    @pytest.mark.parametrize("kind", ["", "fuel"])
    def test_pages_join_into_the_sorted_list(self, alice, nora, mixed, status, kind) -> None:  # type: ignore[no-untyped-def]
        almaty = Region.objects.get(code="75")
        for user, region_ids in ((alice, {almaty.pk}), (nora, {r.region_id for r in mixed})):
            rows = selectors.request_list_for_staff(
                user=user, filters=selectors.RequestFilters(kind=kind, status=status)
            )
            wanted = [
                r
                for r in mixed
                if r.region_id in region_ids
                and (not kind or r.kind == kind)
                and (
                    (status == "open" and r.is_open)
                    or (status == "closed" and not r.is_open)
                    or status == "all"
                    or r.status == status
                )
            ]
            expected = _expected(wanted)
            assert rows.count() == len(expected)
            assert [r.pk for r in rows] == expected
            for size in (1, 2, 3, 5, 30):
                paged = [
                    r.pk for start in range(0, len(expected) + size, size) for r in rows[start : start + size]
                ]
                assert paged == expected, (user, size)

    def test_page_rows_carry_what_the_card_shows(self, alice, mixed) -> None:  # type: ignore[no-untyped-def]
        page = selectors.request_list_for_staff(user=alice)[0:4]
        assert [r.overdue for r in page] == [0, 0, 0, 0]
        assert page[0].urgency == "urgent" and page[0].offers == 0
        assert page[0].beneficiary.locality == "Алматы" and page[0].region.code == "75"

    def test_volunteer_list_pages(self, bob, mixed) -> None:  # type: ignore[no-untyped-def]
        rows = selectors.requests_open_for_volunteer(volunteer=bob)
        expected = _expected(
            [
                r
                for r in mixed
                if r.region_id == bob.region_id
                and r.status in ("new", "assigned")
                and r.due_until > timezone.now()
            ]
        )
        assert [r.pk for r in rows] == expected
        assert [r.pk for r in rows[1:3]] == expected[1:3]
        fuel = selectors.requests_open_for_volunteer(volunteer=bob, kind="fuel")
        assert [r.pk for r in fuel] == [
            pk for pk in expected if HelpRequest.objects.get(pk=pk).kind == "fuel"
        ]


class TestMapRows:
    def test_a_request_without_a_point_does_not_cut_the_layer_short(self, alice, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        no_point = HelpRequestFactory(
            beneficiary=BeneficiaryFactory(latitude=None, longitude=None), due_from=in_days(1, 8)
        )
        later = [HelpRequestFactory(due_from=in_days(1 + n, 9)) for n in range(3)]
        monkeypatch.setattr(selectors, "MAP_LIMIT", 2)
        ids = [f["properties"]["id"] for f in selectors.map_features(user=alice)["features"]]
        assert no_point.pk not in ids and ids == [r.pk for r in later[:2]]
        monkeypatch.setattr(selectors, "MAP_LIMIT", 10)
        ids = [f["properties"]["id"] for f in selectors.map_features(user=alice)["features"]]
        assert ids == [r.pk for r in later]


def _ranked(request: HelpRequest, volunteers: list, fitting: set) -> list[int]:  # type: ignore[type-arg]
    """The ranking as the page promises it: same place, a fitting skill, available, name, id."""
    weekday = timezone.localtime(request.due_from).weekday() < 5
    return [
        v.pk
        for v in sorted(
            volunteers,
            key=lambda v: (
                v.locality.casefold() != request.beneficiary.locality.casefold(),
                v.pk not in fitting,
                not (v.available_weekdays if weekday else v.available_weekends),
                v.last_name,
                v.pk,
            ),
        )
    ]


class TestSuggestedVolunteers:
    @pytest.mark.parametrize("limit", [1, 2, 4, 10])
    def test_the_best_tier_alone_or_the_whole_ranking_give_the_same_people(self, almaty, limit) -> None:  # type: ignore[no-untyped-def]
        from tests.factories import SkillFactory, VolunteerFactory

        driving = SkillFactory(code="driving")
        people = []
        for n in range(12):
            person = VolunteerFactory(
                region=almaty,
                last_name=f"Ахметов{n % 4}",
                locality="Алматы" if n % 3 else "Қаскелең",
                available_weekdays=bool(n % 2),
                available_weekends=bool(n % 2),
            )
            if n % 4 == 1:
                person.skills.add(driving)
            people.append(person)
        fitting = {p.pk for p in people if p.skills.exists()}
        request = HelpRequestFactory(kind="fuel", due_from=in_days(2, hour=11))
        got = [v.pk for v in selectors.suggested_volunteers(request=request, limit=limit)]
        assert got == _ranked(request, people, fitting)[:limit]


class TestPageQueries:
    """What each page reads, pinned: the bench holds them to twelve at national scale."""

    def test_each_page_reads_a_fixed_number_of_times(  # type: ignore[no-untyped-def]
        self, alice, nora, bob, almaty, mixed, django_assert_num_queries
    ) -> None:
        from care import services
        from tests.conftest import client_for
        from tests.factories import SkillFactory, VolunteerFactory

        # Ten rescuers of the place, free at any time: the best tier of the suggestions is full.
        rescue = SkillFactory(code="rescue")
        for _ in range(10):
            VolunteerFactory(region=almaty, available_weekdays=True, available_weekends=True).skills.add(
                rescue
            )

        target = HelpRequestFactory(adults_only=False, kind="snow", needed_hands=3)
        services.assignment_offer(request=target, volunteer=bob, by=bob.user)
        BeneficiaryFactory(phone=target.beneficiary.phone)  # a possible duplicate, shown and audited
        pages = [
            # session, user, count, the overdue half, then (it ends on this page) the rest, the
            # page's rows with their localities, the regions of the filter
            (alice, "/care/requests/", 7),
            (nora, "/care/requests/", 7),
            # past the first page: the overdue half's length instead of reading it
            (alice, "/care/requests/?status=all&page=2", 7),
            # session, user, the user's volunteer record and detachments, the request, its view
            # audited, assignments, suggested people and detachments, the audit trail, possible
            # duplicates and their view audited
            (alice, f"/care/requests/{target.pk}/", 12),
            # session, user, the user's volunteer record and detachments (no assignments of their
            # own to read), the map's requests and their beneficiaries' points
            (alice, "/api/care/requests/map/", 6),
            # session, user, volunteer, own assignments, count, the page's ids, its rows with their
            # localities
            (bob.user, "/care/", 7),
        ]
        for user, url, count in pages:
            client = client_for(user)
            with django_assert_num_queries(count):
                assert client.get(url).status_code == 200, url
