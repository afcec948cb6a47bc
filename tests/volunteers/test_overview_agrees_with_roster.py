"""Each figure of the regions overview is a link to the roster (or the list of possible duplicates)
with the matching filter: the list it opens holds exactly as many people as the figure said."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import MinorFactory, VolunteerFactory
from volunteers import services
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def overview_cell(client, region, figure: str) -> tuple[int, str | None]:  # type: ignore[no-untyped-def]
    """The figure of one region's row and the address its link opens (None: no link)."""
    text = client.get("/overview/", **EN).content.decode()
    row = re.search(rf'<tr data-region="{region.code}">(.*?)</tr>', text, re.S)
    assert row is not None
    cell = re.search(rf'data-figure="{figure}">(.*?)</td>', row.group(1), re.S)
    assert cell is not None
    link = re.search(r'href="([^"]+)"', cell.group(1))
    number = int(re.sub(r"<[^>]+>", "", cell.group(1)).strip())
    return number, link.group(1).replace("&amp;", "&") if link else None


def roster_count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    text = client.get(url, **EN).content.decode()
    found = re.search(r'id="roster-total">(\d+) volunteers? found', text)
    assert found is not None
    return int(found.group(1))


def test_minors_without_consent_as_many_as_the_roster_lists(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    MinorFactory(region=almaty, last_name="Күтуде")
    MinorFactory(region=almaty, last_name="Келісімді", guardian_consent_at=timezone.now())
    # A minor whose record was archived (left the network) waits for no consent: the overview
    # leaves them out, and so must the list it links to.
    MinorFactory(region=almaty, last_name="Мұрағатта", status=Volunteer.Status.ARCHIVED)
    # An erased minor is in neither.
    erased = MinorFactory(region=almaty, last_name="Өшірілген")
    services.volunteer_anonymize(volunteer=erased, requested_by=None)
    VolunteerFactory(region=almaty)
    client = client_for(alice)
    figure, url = overview_cell(client, almaty, "minors")
    assert figure == 1
    assert url is not None and "consent=missing" in url
    assert roster_count(client, url) == figure


def test_active_volunteers_as_many_as_the_roster_lists(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    VolunteerFactory(region=almaty)
    VolunteerFactory(region=almaty, status=Volunteer.Status.PAUSED)
    erased = VolunteerFactory(region=almaty)
    services.volunteer_anonymize(volunteer=erased, requested_by=None)
    client = client_for(alice)
    figure, url = overview_cell(client, almaty, "active")
    assert figure == 1
    assert url is not None and roster_count(client, url) == figure
