"""The roster's pages read their rows after the sort has picked them, and a search's total comes
with its page (volunteer_net/paging.py SortedRowsPaginator): the same rows, order, totals and
page numbers as Django's own Paginator over the same list, in as many queries or fewer."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from regions.models import Region
from tests.conftest import client_for, reads_iin
from tests.factories import MinorFactory, SkillFactory, VolunteerFactory
from volunteers.forms import RosterFilterForm
from volunteers.models import Volunteer
from volunteers.selectors import volunteer_list


@pytest.fixture
def people(almaty: Region, astana: Region) -> None:
    # 32 Ерлан in Almaty (some Kazakh spellings, some minors, one anonymised), 3 in Astana, and a
    # few others: a search for "ерлан" fills more than one page of 25.
    for n in range(20):
        VolunteerFactory(region=almaty, last_name=f"Сейітов{n:02d}", first_name="Ерлан")
    for n in range(8):
        MinorFactory(region=almaty, last_name=f"Әлиев{n}", first_name="Ерлан")
    for n in range(4):
        VolunteerFactory(
            region=almaty, last_name=f"Қасымов{n}", first_name="Ерлан", status=Volunteer.Status.PAUSED
        )
    gone = VolunteerFactory(region=almaty, last_name="Жоқ", first_name="Ерлан")
    Volunteer.objects.filter(pk=gone.pk).update(anonymized_at=gone.created_at)
    for n in range(3):
        VolunteerFactory(region=astana, last_name=f"Омаров{n}", first_name="Ерлан")
    for n in range(6):
        VolunteerFactory(region=almaty, last_name=f"Иванова{n}", first_name="Мария")


def _expected(user: Any, params: dict[str, str]) -> tuple[list[int], int, int, int]:
    """The page as Django's Paginator gives it over the roster's own list."""
    with translation.override(params.get("lang", "kk")):
        form = RosterFilterForm(params or None, user=user)
        filters = form.filters() if form.is_bound else None
        paginator = Paginator(volunteer_list(user=user, filters=filters), int(params.get("per_page", 25)))
        page = paginator.get_page(params.get("page"))
        return [v.pk for v in page.object_list], page.number, paginator.count, paginator.num_pages


CASES = [
    {},
    {"q": "ерлан"},
    {"q": "ерлан", "page": "2"},
    {"q": "Erlan", "sort": "-age"},
    {"q": "ерлан", "page": "99"},  # past the end: the last page
    {"q": "ерлан", "page": "0"},  # below 1: the last page, as Django does
    {"q": "ерлан", "page": "abc"},
    {"q": "нет-такого"},
    {"q": "нет-такого", "page": "3"},
    {"q": "8 701"},
    {"q": "ерлан", "status": "paused"},
    {"page": "2", "per_page": "25"},
    {"sort": "-name", "page": "2"},
    {"sort": "region"},
    {"sort": "-created", "per_page": "50"},
    {"lang": "ru", "page": "2"},
    {"consent": "missing"},
]


@pytest.mark.django_db
class TestRosterPages:
    @pytest.mark.parametrize(
        "params", CASES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none"
    )
    @pytest.mark.parametrize("who", ["alice", "nora"])
    def test_same_page_as_django_paginator(self, people, who, params, request) -> None:  # type: ignore[no-untyped-def]
        user = request.getfixturevalue(who)
        response = client_for(user).get("/roster/", params, HTTP_ACCEPT_LANGUAGE=params.get("lang", "kk"))
        assert response.status_code == 200
        page = response.context["page"]
        shown = (
            [v.pk for v in page.object_list],
            page.number,
            page.paginator.count,
            page.paginator.num_pages,
        )
        assert shown == _expected(user, params)

    def test_a_search_shows_its_exact_total(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).get("/roster/", {"q": "ерлан", "page": "2"})
        # 32 in Almaty, the anonymised one not counted; Astana's not alice's.
        assert response.context["page"].paginator.count == 32
        assert len(response.context["page"].object_list) == 7
        assert "32" in response.content.decode().split('id="roster-total"', 1)[1].split("</p>", 1)[0]

    def test_a_search_reads_no_more_than_the_plain_list(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)

        def count(params: dict[str, str]) -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/roster/", params).status_code == 200
            return len(ctx.captured_queries)

        plain = count({})
        assert count({"q": "ерлан"}) <= plain
        assert count({"q": "ерлан", "page": "2"}) <= plain

    def test_the_rows_read_no_iin(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        # A row never shows the IIN: reading it would decrypt one per row for nothing.
        with CaptureQueriesContext(connection) as ctx:
            page = client_for(alice).get("/roster/", {"q": "ерлан"})
        assert page.status_code == 200 and len(page.context["page"].object_list) == 25
        assert not reads_iin(ctx.captured_queries)

    def test_a_search_counts_with_its_page(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        # No separate COUNT: every match is read once, to rank it and to count it.
        with CaptureQueriesContext(connection) as ctx:
            client_for(alice).get("/roster/", {"q": "ерлан"})
        search_reads = [q["sql"] for q in ctx.captured_queries if "search_text" in q["sql"]]
        assert len(search_reads) == 2, search_reads
        assert "COUNT(*) OVER ()" in search_reads[0] and "LIMIT 25" in search_reads[0]
        # The page's rows: only the ids picked, with their region and detachment.
        assert '"regions_region"' in search_reads[1] and "IN (" in search_reads[1]

    @pytest.mark.parametrize(
        ("lang", "index"), [("kk", "volunteer_region_name_kk"), ("ru", "volunteer_region_name_ru")]
    )
    def test_a_regions_page_comes_from_its_name_index(self, alice, people, lang, index) -> None:  # type: ignore[no-untyped-def]
        # Nationally, a region's page 5 read ~10,000 rows along the national name index.
        with CaptureQueriesContext(connection) as ctx:
            client_for(alice).get("/roster/", {"page": "2", "lang": lang}, HTTP_ACCEPT_LANGUAGE=lang)
        rows_sql = next(q["sql"] for q in ctx.captured_queries if "OFFSET 25" in q["sql"])
        with connection.cursor() as cursor:
            # A few test rows would be read faster from the table itself: ask for the indexes.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {rows_sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert f"Index Only Scan using {index}" in plan, plan


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_each_row_names_its_skills_in_catalogue_order(alice, almaty, lang) -> None:  # type: ignore[no-untyped-def]
    # The skills come with the row as ids and are named from the catalogue the filter reads.
    driving = SkillFactory(code="b-driving", name_kk="Көлік <жүргізу>", name_ru="Вождение <авто>")
    aid = SkillFactory(code="a-first-aid", name_kk="Алғашқы көмек", name_ru="Первая помощь")
    SkillFactory(code="c-unused")
    person = VolunteerFactory(region=almaty, last_name="Абаев")
    person.skills.add(driving, aid)
    VolunteerFactory(region=almaty, last_name="Бекова")
    response = client_for(alice).get("/roster/", {"lang": lang}, HTTP_ACCEPT_LANGUAGE=lang)
    rows = response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("</tr>")
    first, second = rows[0], rows[1]
    expected = {
        "kk": ["Алғашқы көмек", "Көлік &lt;жүргізу&gt;"],
        "ru": ["Первая помощь", "Вождение &lt;авто&gt;"],
    }[lang]
    badges = first.split('data-label="', 4)[4].split("</td>", 1)[0]
    assert [b.split("</span>")[0] for b in badges.split('<span class="badge">')[1:]] == expected
    assert "Абаев" in first and "Бекова" in second and 'class="badge"' not in second
