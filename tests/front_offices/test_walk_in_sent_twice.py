"""The desk registers someone who came in, and the clerk presses "Check in" again while the
page is loading: one visitor, one visit, and the second press lands on the day's list."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages

from front_offices.models import Visit
from tests.conftest import client_for, in_its_language
from volunteers.models import Volunteer

from .helpers import make_office, office_clerk

ALREADY = "This form had already been saved; nothing was saved again."


@pytest.mark.django_db
def test_walk_in_checked_in_twice_is_one_visit(almaty) -> None:  # type: ignore[no-untyped-def]
    office = make_office()
    client = client_for(office_clerk(office, "clerk-twice@example.kz"))
    url = f"/front-offices/{office.pk}/walk-in/"
    key = re.search(r'name="form_once" value="([0-9a-f]{32})"', client.get(url).content.decode())
    assert key is not None
    data = {
        "form_once": key.group(1),
        "walkin-phone": "8 701 444 55 66",
        "walkin-purpose": "registration",
        "walkin-first_name": "Айгерім",
        "walkin-last_name": "Серікова",
        "walkin-birth_date": "1995-05-06",
        "walkin-own_document_number": "С-121",
    }

    first = client.post(url, data)
    second = client.post(url, data)

    assert Volunteer.objects.filter(last_name="Серікова").count() == 1
    assert Visit.objects.filter(office=office, walk_in=True).count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert in_its_language(second, ALREADY) in [str(m) for m in get_messages(second.wsgi_request)]
