"""Ids past a 64-bit integer in the volunteers' forms: not on the list, said on the form, and
refused before any query — SQLite (`make run`) cannot even bind such a number (a 500 there)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SkillFactory
from volunteer_net.forms import MAX_BIGINT
from volunteers.forms import RosterBulkForm, SkillChoiceField
from volunteers.models import Skill

pytestmark = pytest.mark.django_db

HUGE = ["99999999999999999999999", str(MAX_BIGINT + 1), "-99999999999999999999999"]


@pytest.mark.parametrize("huge", HUGE)
def test_a_skill_id_past_64_bits_is_not_a_choice_and_no_query_is_run(huge: str) -> None:
    skill = SkillFactory(code="first-aid")
    field = SkillChoiceField(queryset=Skill.objects.all())
    with CaptureQueriesContext(connection) as ctx, pytest.raises(ValidationError) as refused:
        field.clean([str(skill.pk), huge])
    assert getattr(refused.value, "code", None) == "invalid_choice"
    assert ctx.captured_queries == []
    # The ordinary ids still read as before.
    assert list(field.clean([str(skill.pk)])) == [skill]


def test_the_profile_form_says_so(bob) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import client_for

    client = client_for(bob.user)
    client.cookies["django_language"] = "en"
    page = client.get("/me/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["skills"] = [HUGE[0]]
    response = client.post("/me/edit/", {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()


@pytest.mark.parametrize("huge", [*HUGE[:2], "0"])
def test_the_roster_bulk_form_refuses_an_id_no_record_can_have(alice, bob, huge: str) -> None:  # type: ignore[no-untyped-def]
    form = RosterBulkForm({"ids": [str(bob.pk), huge], "action": "status", "status": "paused"}, user=alice)
    assert not form.is_valid() and "ids" in form.errors
    assert RosterBulkForm(
        {"ids": [str(bob.pk)], "action": "status", "status": "paused"}, user=alice
    ).is_valid()
