"""Each figure of the regions overview is a link to the roster (or the list of possible duplicates)
with the matching filter: the list it opens holds exactly as many people as the figure said."""

from __future__ import annotations

import datetime
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


def _walk_in(by, region, phone: str, last_name: str) -> Volunteer:  # type: ignore[no-untyped-def]
    data = {
        "last_name": last_name,
        "first_name": "Айгерім",
        "phone": phone,
        "region": region,
        "locality": "Алматы",
        "birth_date": datetime.date(1990, 5, 1),
    }
    return services.volunteer_create(
        created_by=by, data=data, own_consent=services.PaperConsent("Қ-1", datetime.date(2026, 1, 5))
    )


def test_possible_duplicates_as_many_as_their_list_shows(alice, charlie, nora, almaty, astana) -> None:  # type: ignore[no-untyped-def]
    _walk_in(alice, almaty, "+77015550001", "Бірінші")
    _walk_in(alice, almaty, "+77015550001", "Екінші")  # a pair within Almaty
    _walk_in(charlie, astana, "+77015550002", "Астаналық")
    _walk_in(alice, almaty, "+77015550002", "Алматылық")  # across two regions: national staff's
    erased = _walk_in(alice, almaty, "+77015550003", "Өшірілетін")
    _walk_in(alice, almaty, "+77015550003", "Қалатын")
    services.volunteer_anonymize(volunteer=erased, requested_by=None)
    for user, expected in ((alice, 1), (nora, 2)):
        client = client_for(user)
        figure, url = overview_cell(client, almaty, "duplicates")
        assert figure == expected
        assert url is not None
        text = client.get(url, **EN).content.decode()
        shown = re.search(r'id="duplicate-count">(\d+) pairs? to check', text)
        assert shown is not None and int(shown.group(1)) == figure


def test_new_in_the_last_7_days_as_many_as_the_roster_lists(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    # The figure had no link: nothing on the roster listed just those people.
    VolunteerFactory(region=almaty, last_name="Жаңа")
    VolunteerFactory(region=almaty, last_name="Кідірген", status=Volunteer.Status.PAUSED)
    old = VolunteerFactory(region=almaty, last_name="Ескі")
    Volunteer.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    erased = VolunteerFactory(region=almaty, last_name="Өшірілген")
    services.volunteer_anonymize(volunteer=erased, requested_by=None)
    client = client_for(alice)
    figure, url = overview_cell(client, almaty, "new")
    assert figure == 2
    assert url is not None and "registered=week" in url
    assert roster_count(client, url) == figure
    month = url.replace("registered=week", "registered=month")
    assert roster_count(client, month) == 3
