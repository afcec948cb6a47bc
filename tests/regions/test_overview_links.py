"""The regions overview's figures each lead to the list they count: the figure and the list it
opens agree, for one region's row and for the total over all of a person's regions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from regions.models import CoordinatorAssignment, Region
from tests.conftest import client_for
from tests.factories import DetachmentFactory, MinorFactory, VolunteerFactory, years_ago
from volunteers.models import Volunteer


def _total_row(html: str) -> str:
    return html.split('data-region="all"', 1)[1].split("</tr>", 1)[0]


def _link(cell_html: str, figure: str) -> tuple[str, int]:
    """The address and the number of one figure's cell."""
    cell = cell_html.split(f'data-figure="{figure}"', 1)[1].split("</td>", 1)[0]
    href = re.search(r'href="([^"]+)"', cell)
    assert href, f"the {figure} figure links nowhere: {cell}"
    return href.group(1).replace("&amp;", "&"), int(re.sub(r"<[^>]+>", "", cell.split(">", 1)[1]))


def _roster_count(client: Client, address: str) -> int:
    response = client.get(address)
    assert response.status_code == 200
    return int(response.context["page"].paginator.count)


@pytest.fixture
def two_regions_people(almaty: Region, astana: Region) -> None:
    for region in (almaty, astana):
        VolunteerFactory(region=region)
        VolunteerFactory(region=region, status=Volunteer.Status.PAUSED)
        MinorFactory(region=region, birth_date=years_ago(12))
        MinorFactory(region=region, guardian_consent_at=timezone.now())


@pytest.mark.django_db
class TestOverviewTotals:
    @pytest.mark.parametrize("figure", ["active", "new", "minors"])
    def test_total_of_a_coordinator_of_two_regions_opens_the_list_it_counts(  # type: ignore[no-untyped-def]
        self, alice, astana, two_regions_people, figure: str
    ) -> None:
        CoordinatorAssignment.objects.create(user=alice, region=astana)
        client = client_for(alice)
        html = client.get("/overview/").content.decode()
        address, number = _link(_total_row(html), figure)
        assert "region=" not in address
        assert number > 0
        assert _roster_count(client, address) == number

    def test_national_total_reads_all_regions(self, nora, two_regions_people) -> None:  # type: ignore[no-untyped-def]
        client = client_for(nora)
        client.cookies["django_language"] = "en"
        row = _total_row(client.get("/overview/").content.decode())
        assert "All regions" in row
        assert "All your regions" not in row
        address, number = _link(row, "minors")
        assert number == 2 == _roster_count(client, address)

    def test_coordinators_total_reads_their_regions(self, alice, astana, two_regions_people) -> None:  # type: ignore[no-untyped-def]
        CoordinatorAssignment.objects.create(user=alice, region=astana)
        client: Any = client_for(alice)
        client.cookies["django_language"] = "en"
        assert "All your regions" in _total_row(client.get("/overview/").content.decode())


@pytest.mark.django_db
class TestOverviewEmpty:
    def test_a_new_coordinator_is_told_where_to_start(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        html = client.get("/overview/").content.decode()
        assert "There are no active volunteers in your regions yet." in html
        assert 'href="/roster/new/"' in html and 'href="/roster/import/"' in html
        assert client.get("/roster/new/").status_code == 200

    def test_not_once_there_are_people(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=almaty)
        assert 'id="overview-empty"' not in client_for(alice).get("/overview/").content.decode()


@pytest.mark.django_db
class TestOverviewOrder:
    @pytest.mark.parametrize(
        "language, first",
        [
            ("kk", ["Абай облысы", "Ақмола облысы", "Ақтөбе облысы"]),
            ("ru", ["Акмолинская область", "Актюбинская область", "Алматинская область"]),
        ],
    )
    def test_regions_in_the_alphabet_of_the_page(self, nora, language: str, first: list[str]) -> None:  # type: ignore[no-untyped-def]
        client = client_for(nora)
        client.cookies["django_language"] = language
        html = client.get("/overview/").content.decode()
        names = re.findall(r'<td class="cell-primary">([^<]+)</td>', html)
        assert len(names) == 20
        assert names[:3] == first
        # Almaty (KATO 75) reads among the first, as in every other list of regions.
        almaty = Region.objects.get(code="75")
        assert names.index(almaty.name_kk if language == "kk" else almaty.name_ru) < 6


@pytest.mark.django_db
class TestOverviewDetachments:
    """A region's detachment count opens the detachments list filtered to that region."""

    @pytest.fixture
    def schools(self, almaty: Region, astana: Region) -> None:
        DetachmentFactory(region=almaty, school_name="Алматы 1")
        DetachmentFactory(region=almaty, school_name="Алматы 2")
        DetachmentFactory(region=astana, school_name="Астана 1")

    def test_a_regions_count_opens_its_detachments(self, alice, almaty, astana, schools) -> None:  # type: ignore[no-untyped-def]
        CoordinatorAssignment.objects.create(user=alice, region=astana)
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        html = client.get("/overview/").content.decode()
        row = html.split(f'data-region="{almaty.code}"', 1)[1].split("</tr>", 1)[0]
        address, number = _link(row, "detachments")
        assert address == f"/detachments/?region={almaty.code}"
        page = client.get(address)
        assert page.status_code == 200
        names = [d.school_name for d in page.context["detachments"]]
        assert len(names) == number == 2
        assert sorted(names) == ["Алматы 1", "Алматы 2"]
        assert "Region: Almaty" in page.content.decode()
        # The total opens the whole list, over both regions.
        address, number = _link(_total_row(html), "detachments")
        assert address == "/detachments/"
        assert len(client.get(address).context["detachments"]) == number == 3

    def test_a_region_outside_the_scope_is_not_found(self, alice, astana, schools) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        assert client.get(f"/detachments/?region={astana.code}").status_code == 404
        assert client.get("/detachments/?region=zz").status_code == 404
