"""A coordinator adding a walk-in presses "Save" twice on a slow connection: one volunteer, and
the second press lands on their record, saying it was already saved."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages

from tests.conftest import client_for, in_its_language
from volunteers.models import PossibleDuplicate, Volunteer

ALREADY = "This form had already been saved; nothing was saved again."


@pytest.mark.django_db
def test_walk_in_saved_twice_is_one_volunteer(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    client = client_for(alice)
    key = re.search(r'name="form_once" value="([0-9a-f]{32})"', client.get("/roster/new/").content.decode())
    assert key is not None
    data: dict[str, Any] = {
        "form_once": key.group(1),
        "last_name": "Тоқтаров",
        "first_name": "Нұрлан",
        "birth_date": "1990-03-04",
        "phone": "+7 747 123 45 67",
        "region": almaty.pk,
        "preferred_language": "kk",
        "preferred_channel": "sms",
        "status": "active",
        "own_document_number": "А-105",
    }

    first = client.post("/roster/new/", data)
    second = client.post("/roster/new/", data)

    volunteer = Volunteer.objects.get(last_name="Тоқтаров")
    assert first["Location"] == second["Location"] == f"/roster/{volunteer.pk}/"
    assert in_its_language(second, ALREADY) in [str(m) for m in get_messages(second.wsgi_request)]
    assert not PossibleDuplicate.objects.exists()
