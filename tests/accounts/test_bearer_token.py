"""The API token sent as `Authorization: Bearer <token>` (what most HTTP libraries send) works as
`Token <token>` does, expiry and revocation included; `Token` stays the documented form. A
header a client garbled is a 401, never a 500."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, api_token_digest
from tests.factories import PASSWORD


def _token_for(user) -> str:  # type: ignore[no-untyped-def]
    response = APIClient().post(
        "/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def _bearer(value: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    return client


@pytest.mark.django_db
class TestBearerToken:
    def test_bearer_token_authenticates(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        response = _bearer(_token_for(bob.user)).get("/api/me/")
        assert response.status_code == 200 and response.json()["email"] == bob.user.email

    def test_expired_bearer_token_is_refused_in_the_clients_language(self, bob, settings) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        settings.TOKEN_TTL_HOURS = 24
        token = _token_for(bob.user)
        ApiToken.objects.filter(digest=api_token_digest(token)).update(
            created=timezone.now() - datetime.timedelta(hours=25)
        )
        refused = _bearer(token).get("/api/me/", HTTP_ACCEPT_LANGUAGE="kk")
        assert refused.status_code == 401
        assert refused.json()["detail"] == "Токеннің мерзімі өтті. Жаңасын алу үшін қайта кіріңіз."
        assert refused["WWW-Authenticate"] == "Token"

    def test_revoked_and_malformed_bearer_tokens_are_401(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        token = _token_for(bob.user)
        assert _bearer(token).post("/api/auth/token/revoke/").status_code == 204
        assert _bearer(token).get("/api/me/").status_code == 401
        empty = APIClient()
        empty.credentials(HTTP_AUTHORIZATION="Bearer")
        assert empty.get("/api/me/").status_code == 401

    def test_schema_documents_both_forms(self, client) -> None:  # type: ignore[no-untyped-def]
        schema = client.get("/api/schema/", {"format": "json"}).json()
        assert schema["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
        assert {"bearerAuth": []} in schema["paths"]["/api/me/"]["get"]["security"]


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Token abc\x00def", "Bearer \x00"])
def test_token_holding_a_nul_byte_is_a_401_not_a_500(header: str) -> None:
    client = APIClient(raise_request_exception=False)
    response = client.get("/api/me/", HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
