"""The answers of the authenticated writes, checked against the schema as served.

schemathesis (tests/core/test_api_schema.py) sends a few generated requests per operation: its
ids rarely name a shift, a slot or a sign-up the caller may act on, so a successful sign-up,
booking or cancellation, and most refusals, were never compared with the schema. Here each is
made for real and its body validated against the operation's documented response for that
status, as a client generated from the schema would read it."""

from __future__ import annotations

import datetime
import json
from typing import Any

import jsonschema
import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.care.factories import HelpRequestFactory
from tests.conftest import api_for
from tests.events.factories import CampaignFactory, ShiftFactory, local
from tests.factories import VolunteerFactory
from tests.front_offices.helpers import make_office, next_weekday, slot_at


def _served_schema() -> dict[str, Any]:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _json_schema(node: Any, components: dict[str, Any]) -> Any:
    """OpenAPI 3.0's schema object as JSON Schema draft 4: references inlined, `nullable` as null."""
    if isinstance(node, list):
        return [_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _json_schema(components[node["$ref"].rsplit("/", 1)[-1]], components)
    converted = {key: _json_schema(value, components) for key, value in node.items()}
    if converted.pop("nullable", False):
        converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def assert_documented(schema: dict[str, Any], method: str, path: str, response: Any) -> None:
    operation = schema["paths"][path][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method.upper()} {path}: {response.status_code} is not in the schema"
    body_schema = documented["content"]["application/json"]["schema"]
    jsonschema.Draft4Validator(_json_schema(body_schema, schema["components"]["schemas"])).validate(
        response.json()
    )


@pytest.mark.django_db
class TestWriteAnswersMatchTheSchema:
    def test_sign_up_refusals_and_cancel(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        schema = _served_schema()
        day = timezone.localdate() + datetime.timedelta(days=3)
        shift = ShiftFactory(
            campaign=CampaignFactory(region=almaty),
            starts_at=local(day, 15),
            ends_at=local(day, 16),
            capacity=1,
        )
        api = api_for(bob.user)
        signup = "/api/shifts/{id}/signup/"
        created = api.post(f"/api/shifts/{shift.pk}/signup/", {}, format="json")
        assert created.status_code == 201
        assert_documented(schema, "post", signup, created)
        again = api.post(f"/api/shifts/{shift.pk}/signup/", {}, format="json")
        assert again.status_code == 400
        assert_documented(schema, "post", signup, again)
        other = api_for(VolunteerFactory(region=almaty, with_account=True).user)
        full = other.post(f"/api/shifts/{shift.pk}/signup/", {"waitlist": False}, format="json")
        assert full.status_code == 409
        assert_documented(schema, "post", signup, full)

        cancel = "/api/signups/{id}/cancel/"
        cancelled = api.post(f"/api/signups/{created.json()['id']}/cancel/")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        assert_documented(schema, "post", cancel, cancelled)
        twice = api.post(f"/api/signups/{created.json()['id']}/cancel/")
        assert twice.status_code == 400
        assert_documented(schema, "post", cancel, twice)

    def test_booking_refusals_and_cancel(self, bob) -> None:  # type: ignore[no-untyped-def]
        schema = _served_schema()
        office = make_office(capacity=1)
        slot = slot_at(office, next_weekday(1), 10)
        api = api_for(bob.user)
        booked = api.post("/api/visits/", {"slot": slot.pk, "purpose": "consultation"}, format="json")
        assert booked.status_code == 201
        assert_documented(schema, "post", "/api/visits/", booked)
        again = api.post("/api/visits/", {"slot": slot.pk, "purpose": "consultation"}, format="json")
        assert again.status_code == 400
        assert_documented(schema, "post", "/api/visits/", again)
        other = api_for(VolunteerFactory(region=office.region, with_account=True).user)
        full = other.post("/api/visits/", {"slot": slot.pk, "purpose": "consultation"}, format="json")
        assert full.status_code == 409
        assert_documented(schema, "post", "/api/visits/", full)
        cancelled = api.post(f"/api/visits/{booked.json()['id']}/cancel/")
        assert cancelled.status_code == 200
        assert_documented(schema, "post", "/api/visits/{id}/cancel/", cancelled)
        twice = api.post(f"/api/visits/{booked.json()['id']}/cancel/")
        assert twice.status_code == 400
        assert_documented(schema, "post", "/api/visits/{id}/cancel/", twice)

    def test_offer_of_help(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        schema = _served_schema()
        request = HelpRequestFactory(needed_hands=1)
        offered = api_for(bob.user).post(f"/api/care/requests/{request.pk}/offer/")
        assert offered.status_code == 201
        assert_documented(schema, "post", "/api/care/requests/{id}/offer/", offered)

    def test_throttled_booking_is_documented(self) -> None:
        responses = _served_schema()["paths"]["/api/visits/"]["post"]["responses"]
        assert "429" in responses


@pytest.mark.django_db
class TestOfficeStatusIsDescribed:
    def test_status_has_its_fields_in_the_schema(self) -> None:
        # `status` was an object of any shape in the schema; a client generated from it could not
        # read whether the office is open.
        schema = _served_schema()
        office = make_office()
        status = schema["components"]["schemas"]["Office"]["properties"]["status"]
        assert status.get("allOf") or status.get("$ref"), status
        answer = APIClient().get(f"/api/front-offices/{office.pk}/")
        assert answer.status_code == 200
        assert_documented(schema, "get", "/api/front-offices/{id}/", answer)
        described = _json_schema(status, schema["components"]["schemas"])
        assert set(described["allOf"][0]["properties"]) == set(answer.json()["status"])
