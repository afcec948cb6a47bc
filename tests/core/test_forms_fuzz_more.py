"""Property-based tests of the remaining forms people fill in — booking a front-office visit,
taking a care request, choosing an export's report, period and scope — in the manner of
test_forms_fuzz.py: hostile text (Kazakh and Russian, emoji, right-to-left and zero-width
characters, 10,000 characters, NUL bytes, dates far in the past and future) in any field gives
the form back with a message, or does what was asked; never a 500, and a refused form writes
nothing. (Shift creation is in test_forms_fuzz.py.)
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from care.models import Beneficiary, HelpRequest
from front_offices.models import Visit
from reports.models import ExportJob
from tests.conftest import client_for
from tests.core.test_forms_fuzz import FUZZ, HOSTILE_PIECES, counts, fields, post_and_check
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.front_offices.helpers import make_office, next_weekday, slot_at

pytestmark = pytest.mark.django_db

BOOKING = {"purpose": "consultation", "note": "Кешке келемін"}


@pytest.fixture
def slot(almaty):  # type: ignore[no-untyped-def]
    return slot_at(make_office(name="Алматы фронт-офисі"), next_weekday(2, after=3), 15)


@given(data=fields(BOOKING))
@FUZZ
def test_visit_booking(bob, slot, data: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    Visit.objects.filter(volunteer=bob).delete()  # each example books afresh
    status = post_and_check(client_for(bob.user), f"/front-offices/slots/{slot.pk}/book/", data, (Visit,))
    if status == 302:
        visit = Visit.objects.get(volunteer=bob)
        assert "\x00" not in visit.note and visit.purpose == "consultation"


def _local(days: int, hour: int) -> str:
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


INTAKE = {
    "region": "__region__",
    "full_name": "Жұмабаева Рахима",
    "phone": "8 701 555 12 34",
    "locality": "Алматы",
    "address": "Төле би көшесі, 12, пәтер 5",
    "latitude": "43.25100",
    "longitude": "76.91000",
    "how_to_reach": "",
    "needs": "Жалғыз тұрады",
    "notes": "",
    "consent_help": "on",
    "consent_data": "on",
    "kind": "groceries",
    "details": "Нан, сүт",
    "urgency": "normal",
    "due_from": _local(2, 10),
    "due_until": _local(2, 14),
    "recurrence": "once",
    "needed_hands": "1",
    "adults_only": "on",
}


@given(data=fields(INTAKE))
@FUZZ
def test_care_intake(alice, almaty, data: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    data = {k: (str(almaty.pk) if v == "__region__" else v) for k, v in data.items()}
    status = post_and_check(client_for(alice), "/care/requests/new/", data, (Beneficiary, HelpRequest))
    if status == 302:
        request = HelpRequest.objects.select_related("beneficiary").latest("pk")
        assert "\x00" not in request.details + request.beneficiary.full_name + request.beneficiary.address


EXPORT = {
    "report": "signups",
    "file_format": "csv",
    "start": "2026-01-01",
    "end": "2026-06-30",
    "region": "__region__",
    "campaign": "",
    "detachment": "",
    "office": "",
}

dates = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(str),
    st.sampled_from(HOSTILE_PIECES),
)


@pytest.fixture
def shifts(almaty):  # type: ignore[no-untyped-def]
    campaign = CampaignFactory(region=almaty, title="Таза Алматы 🙂 שלום")
    return [ShiftFactory(campaign=campaign, place_name=f"Есентай\u200b {n}") for n in range(3)]


def _export(client: Client, data: dict[str, str]) -> int:
    before = counts(ExportJob)
    response = client.post("/reports/export/", data)
    # 400: the page refusing a NUL byte before any view runs (volunteer_net/middleware.py).
    assert response.status_code in (200, 302, 400), (response.status_code, data)
    if response.streaming:
        b"".join(response.streaming_content)  # the file is written while it streams: read it all
    elif response.status_code != 302 and "attachment" not in response.get("Content-Disposition", ""):
        assert counts(ExportJob) == before, data  # the form came back: no job was queued
    return response.status_code


@given(data=fields(EXPORT), start=dates, end=dates)
@FUZZ
def test_export_filters(alice, almaty, shifts, data: dict[str, str], start: str, end: str) -> None:  # type: ignore[no-untyped-def]
    data = {k: (str(almaty.pk) if v == "__region__" else v) for k, v in data.items()}
    client = client_for(alice)
    _export(client, data)
    _export(client, {**data, "start": start, "end": end, "file_format": "xlsx"})
    # The dashboard reads the same period and scope from its query string.
    page = client.get("/reports/", {k: data[k] for k in ("start", "end", "region", "campaign")})
    assert page.status_code in (200, 400)


def test_the_valid_values_are_accepted(alice, bob, almaty, slot, shifts) -> None:  # type: ignore[no-untyped-def]
    """The fuzzed fields start from values that pass, so the examples reach the success paths too."""
    assert (
        post_and_check(client_for(bob.user), f"/front-offices/slots/{slot.pk}/book/", BOOKING, (Visit,))
        == 302
    )
    intake = {k: (str(almaty.pk) if v == "__region__" else v) for k, v in INTAKE.items()}
    assert post_and_check(client_for(alice), "/care/requests/new/", intake, (HelpRequest,)) == 302
    export = {k: (str(almaty.pk) if v == "__region__" else v) for k, v in EXPORT.items()}
    response = client_for(alice).post("/reports/export/", export)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).count(b"\n") >= 2
