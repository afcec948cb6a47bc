"""Logs hold no link keys: a curator's invitation, a guardian's consent link, a calendar feed,
an answer to a call-out, an unsubscribe link, a certificate's verification code and the
account links each let whoever holds them act or read. The access log and Django's own
"Not Found: <path>" lines mask them; every route that takes a `token` or a `code` is covered
without being listed here."""

from __future__ import annotations

import datetime
import logging
import re

import pytest
from django.test import Client
from django.urls import get_resolver

from tests.routes import walk
from volunteer_net import logs
from volunteer_net.gunicorn_logging import AccessLogger
from volunteer_net.logs import RedactPersonalData, scrub_path

KEY = "Zk9qTXyz-0123456789abcdefSECRET"
_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


def _keyed_paths() -> dict[str, str]:
    """Route → a path of it whose `token` or `code` is KEY (other arguments: 1)."""
    paths = {}
    for route, _pattern in walk(get_resolver().url_patterns):
        names = _ARGUMENT.findall(route)
        if {"token", "code"} & set(names):
            paths[route] = "/" + _ARGUMENT.sub(lambda m: KEY if m[1] in ("token", "code") else "MQ", route)
    return paths


def test_the_links_people_are_mailed_are_among_them() -> None:
    assert {
        "detachments/invitations/<str:token>/",
        "guardian/<str:token>/",
        "accounts/reset/<uidb64>/<token>/",
        "accounts/activate/<uidb64>/<token>/",
        "my-shifts/<str:token>.ics",
    } <= set(_keyed_paths())


@pytest.mark.parametrize("path", sorted(_keyed_paths().values()))
def test_the_key_of_every_link_is_masked(path: str) -> None:
    scrubbed = scrub_path(path)
    assert KEY not in scrubbed
    assert "…" in scrubbed
    if path.endswith("/"):
        # Without the trailing slash (a client's slip, redirected) as well.
        assert KEY not in scrub_path(path[:-1])


def test_other_paths_and_the_reset_step_stay_as_they_are() -> None:
    assert scrub_path("/roster/") == "/roster/"
    assert scrub_path("/no/such/page/") == "/no/such/page/"
    assert scrub_path("/accounts/reset/MQ/set-password/") == "/accounts/reset/MQ/set-password/"


@pytest.mark.parametrize(
    "path", ["/api/map/events/", "/static/js/map.js", "/roster/", "/healthz", "/", "/no/such/page/"]
)
def test_a_path_no_keyed_route_starts_is_not_resolved(path: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The access log scrubs every request's path: the map's tiles of GeoJSON, the API and the
    static files need no URL resolution to be told they hold no key."""
    calls: list[str] = []
    real_resolve = logs.resolve

    def counting_resolve(candidate: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(candidate)
        return real_resolve(candidate, *args, **kwargs)

    monkeypatch.setattr(logs, "resolve", counting_resolve)
    assert scrub_path(path) == path
    assert calls == []
    # A keyed route's path still is resolved, and masked.
    assert KEY not in scrub_path(f"/guardian/{KEY}/") and calls


def test_every_keyed_route_lies_under_a_start_that_is_resolved() -> None:
    starts = logs._link_key_prefixes(get_resolver())
    for path in _keyed_paths().values():
        assert path.startswith(starts), path


def test_the_access_logs_request_line_is_masked() -> None:
    path = f"/detachments/invitations/{KEY}/"
    environ = {"PATH_INFO": path, "RAW_URI": path, "REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1"}

    class Response:
        status = "200 OK"
        sent = 0
        headers: tuple[()] = ()

    class Request:
        headers: tuple[()] = ()

    logger = AccessLogger.__new__(AccessLogger)
    atoms = logger.atoms(Response(), Request(), environ, datetime.timedelta(milliseconds=5))
    assert atoms["r"] == "GET /detachments/invitations/…/ HTTP/1.1"
    assert KEY not in atoms["U"]


@pytest.mark.django_db
def test_djangos_not_found_line_for_a_link_holds_no_key(caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client().get(f"/detachments/invitations/{KEY}/")
    assert response.status_code == 404
    records = [record for record in caplog.records if record.name == "django.request"]
    assert records
    for record in records:
        RedactPersonalData().filter(record)
        assert KEY not in record.getMessage()
        assert "/detachments/invitations/…/" in record.getMessage()
