"""Probes, the database-outage page and request ids in the logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from volunteer_net.logs import JsonFormatter, RequestIdFilter


@contextmanager
def database_refusing_connections() -> Iterator[None]:
    """The database "restarting": every new connection is refused (nothing listens on port 1)
    until the block ends, when the real port comes back."""
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port


@pytest.mark.django_db
def test_liveness_and_readiness_answer_with_the_services_up(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    assert "no-store" in ready["Cache-Control"] or "no-cache" in ready["Cache-Control"]


@pytest.mark.django_db
def test_readiness_fails_when_redis_is_out_of_reach(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"].startswith("unavailable")
    assert ready.json()["checks"]["database"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_gives_a_translated_503_and_the_service_recovers(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    assert client.get("/").status_code == 200
    with database_refusing_connections():
        for language, words in (("kk", "уақытша"), ("ru", "временно"), ("en", "briefly unavailable")):
            page = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
            assert page.status_code == 503, language
            assert page["Retry-After"] == "30"
            assert words in page.content.decode().lower(), language
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200  # alive: restarting it would not help
    assert client.get("/").status_code == 200  # back without a restart
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_so_do_its_log_lines(client: Client) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        given = client.get("/no-such-page/", HTTP_X_REQUEST_ID="proxy-7f3a9c21")
        made = client.get("/no-such-page/", HTTP_X_REQUEST_ID="not a token\nforged line")
    finally:
        logger.removeHandler(handler)
    assert given.status_code == 404 and given["X-Request-ID"] == "proxy-7f3a9c21"
    assert len(made["X-Request-ID"]) == 32 and "forged" not in made["X-Request-ID"]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["request_id"] for line in lines] == ["proxy-7f3a9c21", made["X-Request-ID"]]
    assert lines[0]["level"] == "WARNING" and lines[0]["logger"] == "django.request"
    assert "/no-such-page/" in lines[0]["message"]


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_allowances(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and "tile.openstreetmap.org" in directives["img-src"]
    assert "unsafe" not in policy
    # The API documentation is the one page allowed its inline style (Swagger UI ships one).
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and "'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "<script>" not in docs.content.decode()  # its start-up script is a file of its own


@pytest.mark.django_db(transaction=True)
def test_the_outage_page_needs_no_inline_style(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    with database_refusing_connections():
        page = client.get("/")
    assert page.status_code == 503
    assert "<style" not in page.content.decode() and "/static/css/error.css" in page.content.decode()
