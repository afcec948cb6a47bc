"""The OpenAPI schema is valid (OpenAPI validator), covers every endpoint of the contract that
has landed, and documents every operation, parameter and error with examples; schemathesis
then sends generated requests over the whole schema, as a coordinator and as a volunteer, and
finds no 5xx and no response the schema does not describe."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_issue
from events.models import Campaign
from tests.events.factories import CampaignFactory, ShiftFactory

# The contract's paths (../shared/design/API.md) that exist today. Front-office visits join
# when that module lands.
CONTRACT = {
    ("post", "/api/auth/token/"),
    ("get", "/api/regions/"),
    ("get", "/api/map/front-offices/"),
    ("get", "/api/map/events/"),
    ("get", "/api/map/detachments/"),
    ("get", "/api/map/regions/"),
    ("get", "/api/campaigns/"),
    ("get", "/api/campaigns/{id}/"),
    ("get", "/api/shifts/"),
    ("post", "/api/shifts/{id}/signup/"),
    ("get", "/api/signups/"),
    ("post", "/api/signups/{id}/cancel/"),
    ("get", "/api/volunteers/"),
    ("get", "/api/volunteers/{id}/"),
    ("get", "/api/me/"),
}


def _schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.django_db
def test_schema_is_valid_openapi(client: Client) -> None:
    schema = _schema(client)
    assert schema["openapi"].startswith("3.")
    validate(schema)  # raises on any violation of the OpenAPI specification


@pytest.mark.django_db
def test_schema_covers_the_contract_and_documents_everything(client: Client) -> None:
    schema = _schema(client)
    operations = {(m, p): op for p, ops in schema["paths"].items() for m, op in ops.items()}
    assert CONTRACT <= set(operations), CONTRACT - set(operations)
    for (method, path), op in operations.items():
        where = f"{method.upper()} {path}"
        assert op.get("description"), f"{where}: no description"
        for param in op.get("parameters", []):
            assert param.get("description"), f"{where}: parameter {param['name']} undocumented"
        codes = set(op["responses"])
        assert codes & {"200", "201", "204"}, where
        if {"tokenAuth": []} in op.get("security", []) and {} not in op["security"]:
            assert "401" in codes, f"{where}: 401 undocumented"
        if "{" in path:
            assert "404" in codes, f"{where}: 404 undocumented"
        if any(p["in"] == "query" for p in op.get("parameters", [])) or method == "post":
            assert "400" in codes, f"{where}: 400 undocumented"
        for code, response in op["responses"].items():
            if code.startswith("4"):
                content = response["content"]["application/json"]
                assert content.get("schema") and (content.get("examples") or content.get("example")), (
                    f"{where}: {code} without a body schema and an example"
                )
        if path.startswith("/api/map/"):
            assert {"304", "429"} <= codes
        for param in op.get("parameters", []):
            if param["name"] == "page_size":
                assert param["schema"]["maximum"] == 200
    # Both ways in: a token, and the browser's session (the map page's sign-up button).
    assert {"tokenAuth": []} in operations[("post", "/api/shifts/{id}/signup/")]["security"]
    assert {"cookieAuth": []} in operations[("post", "/api/shifts/{id}/signup/")]["security"]
    assert schema["components"]["securitySchemes"]["cookieAuth"]["in"] == "cookie"
    assert "409" in operations[("post", "/api/shifts/{id}/signup/")]["responses"]
    assert "429" in operations[("post", "/api/shifts/{id}/signup/")]["responses"]
    assert "429" in operations[("post", "/api/auth/token/")]["responses"]
    # The map's filters, each with its description.
    events = {p["name"] for p in operations[("get", "/api/map/events/")]["parameters"]}
    assert events == {"region", "bbox", "kind", "from", "to", "free"}


@pytest.mark.django_db
def test_readme_has_a_versioning_note() -> None:
    from django.conf import settings as django_settings

    readme = (django_settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert "### Versioning" in readme


# schemathesis -----------------------------------------------------------------------------------


@pytest.fixture
def api_schema(db, alice, bob, almaty):  # type: ignore[no-untyped-def]
    """The schema as served, calling the app in-process (same database transaction as the test),
    with a campaign and a shift for the ids to find."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    campaign = CampaignFactory(region=almaty, kind=Campaign.Kind.ECOLOGY)
    ShiftFactory(campaign=campaign, latitude=almaty.latitude, longitude=almaty.longitude)
    # As Django's test client does: the request must not close the test's connection (and
    # with it the transaction that holds the test data).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# No 5xx, and every status code, content type and body as the schema describes.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Small, so that the whole schema fits the suite's time; derandomised, so a failure repeats.
BOUNDED = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _run_everything(api_schema, user) -> dict[str, set[int]]:  # type: ignore[no-untyped-def]  # type: ignore[no-untyped-def]
    """Every operation of the schema in turn (schemathesis's pytest plugin does not run under
    pytest 9, so hypothesis drives each operation's strategy here); all failures reported."""
    failures: list[str] = []
    statuses: dict[str, set[int]] = {}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @BOUNDED
        def run(case) -> None:  # type: ignore[no-untyped-def]
            # A fresh token when a generated call revoked the last one (POST /api/auth/token/revoke/).
            response = case.call_and_validate(headers=_token(user), checks=CHECKS)
            statuses.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert operations >= 15
    assert not failures, "\n\n".join(failures)
    # The credentials were used: the caller's own profile answered.
    assert 200 in statuses["GET /api/me/"], statuses
    return statuses


def _token(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Token {api_token_issue(user=user)}"}


def test_api_as_a_coordinator(api_schema, alice) -> None:  # type: ignore[no-untyped-def]
    statuses = _run_everything(api_schema, alice)
    assert 200 in statuses["GET /api/volunteers/"], statuses


def test_api_as_a_volunteer(api_schema, bob) -> None:  # type: ignore[no-untyped-def]
    statuses = _run_everything(api_schema, bob.user)
    # Outside a volunteer's scope: the roster does not exist for them.
    assert statuses["GET /api/volunteers/"] <= {400, 401, 404}, statuses
