"""An announcement's "Send" pressed twice reaches everyone once: a second announcement would be a
second SMS paid for and read by every volunteer of the region."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages

from notifications.models import Broadcast, Message
from tests.conftest import client_for, in_its_language
from tests.factories import VolunteerFactory

ALREADY = "This form had already been saved; nothing was saved again."


@pytest.mark.django_db
def test_send_pressed_twice_sends_once(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        VolunteerFactory(region=almaty)
    client = client_for(alice)
    data = {"region": str(almaty.pk), "subject": "Жиналыс", "body": "Ертең сағат 10-да."}
    preview = client.post("/messages/broadcast/", {**data, "action": "preview"})
    # The preview comes back with the key it was sent with: the "Send" under it carries the same.
    key = re.search(r'name="form_once" value="([0-9a-f]{32})"', preview.content.decode())
    assert key is not None and not Broadcast.objects.exists()

    first = client.post("/messages/broadcast/", {**data, "form_once": key.group(1), "action": "send"})
    second = client.post("/messages/broadcast/", {**data, "form_once": key.group(1), "action": "send"})

    assert Broadcast.objects.count() == 1
    assert Message.objects.filter(kind="broadcast").count() == 2
    assert first["Location"] == second["Location"] == "/messages/?kind=broadcast"
    assert in_its_language(second, ALREADY) in [str(m) for m in get_messages(second.wsgi_request)]
