"""Staff taking a request on the phone, or a volunteer reporting someone in need, press the
button twice: one request (one visit planned for the pensioner, not two), and the second press
lands where the first one did."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages

from care.models import HelpRequest
from tests.conftest import client_for, in_its_language

from .test_services import intake_data

ALREADY = "This form had already been saved; nothing was saved again."


@pytest.mark.django_db
def test_intake_pressed_twice_takes_one_request(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    client = client_for(alice)
    key = re.search(
        r'name="form_once" value="([0-9a-f]{32})"', client.get("/care/requests/new/").content.decode()
    )
    assert key is not None
    data = intake_data(almaty)
    post = {k: (v.pk if hasattr(v, "pk") else ("on" if v is True else v)) for k, v in data.items()}
    post["due_from"] = data["due_from"].strftime("%Y-%m-%dT%H:%M")
    post["due_until"] = data["due_until"].strftime("%Y-%m-%dT%H:%M")
    post["form_once"] = key.group(1)

    first = client.post("/care/requests/new/", post)
    second = client.post("/care/requests/new/", post)

    request = HelpRequest.objects.get()
    assert first["Location"] == second["Location"] == f"/care/requests/{request.pk}/"
    assert in_its_language(second, ALREADY) in [str(m) for m in get_messages(second.wsgi_request)]


@pytest.mark.django_db
def test_volunteers_report_sent_twice_is_one_request(bob) -> None:  # type: ignore[no-untyped-def]
    client = client_for(bob.user)
    key = re.search(r'name="form_once" value="([0-9a-f]{32})"', client.get("/care/report/").content.decode())
    assert key is not None
    data = intake_data(bob.region)
    post = {k: ("on" if v is True else v) for k, v in data.items() if k != "region" and v is not False}
    post["due_from"] = data["due_from"].strftime("%Y-%m-%dT%H:%M")
    post["due_until"] = data["due_until"].strftime("%Y-%m-%dT%H:%M")
    post["form_once"] = key.group(1)

    first = client.post("/care/report/", post)
    second = client.post("/care/report/", post)

    assert HelpRequest.objects.count() == 1
    assert first["Location"] == second["Location"] == "/care/"
    assert in_its_language(second, ALREADY) in [str(m) for m in get_messages(second.wsgi_request)]
