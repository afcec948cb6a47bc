"""A curator on a slow phone presses "Add" twice, or goes back and presses it again: the pupil
is added once, and the second press lands on the detachment as the first one did."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages

from tests.conftest import client_for, in_its_language
from tests.factories import years_ago
from volunteers.models import PossibleDuplicate, Volunteer

ALREADY = "This form had already been saved; nothing was saved again."


def _pupil(key: str) -> dict[str, Any]:
    return {
        "form_once": key,
        "last_name": "Бекова",
        "first_name": "Аружан",
        "birth_date": years_ago(11).isoformat(),
        "phone": "+7 702 333 22 11",
        "preferred_language": "kk",
        "preferred_channel": "sms",
        "guardian_name": "Бекова Гүлжан",
        "guardian_phone": "8 701 222 33 44",
        "guardian_relation": "mother",
    }


@pytest.mark.django_db
def test_add_pressed_twice_adds_the_pupil_once(curator, detachment) -> None:  # type: ignore[no-untyped-def]
    client = client_for(curator)
    url = f"/detachments/{detachment.pk}/members/new/"
    key = re.search(r'name="form_once" value="([0-9a-f]{32})"', client.get(url).content.decode())
    assert key is not None

    first = client.post(url, _pupil(key.group(1)))
    second = client.post(url, _pupil(key.group(1)))

    assert Volunteer.objects.filter(detachment=detachment).count() == 1
    assert not PossibleDuplicate.objects.exists()  # no second record to flag
    assert first["Location"] == second["Location"] == f"/detachments/{detachment.pk}/"
    assert in_its_language(second, ALREADY) in [str(m) for m in get_messages(second.wsgi_request)]
