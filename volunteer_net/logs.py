"""Request ids and structured log lines.

Each request gets an id — the one a proxy sent in X-Request-ID when it is a sane token, or a new
one — kept in a context variable for the request's duration, added to every log record made
meanwhile and returned in the response's X-Request-ID, so that a person's report ("it failed at
14:02, reference 3f9c…") leads to the lines of that request across instances.

Log lines never carry personal data: our code logs ids, not names, phones or e-mails, and the
access log leaves out query strings (gunicorn.conf.py). What we do not write ourselves — a
database error quoting the duplicate key, a library's exception — passes RedactPersonalData on
the way out, which masks e-mail addresses, phone numbers and IINs in messages and tracebacks;
django.template's debug lines lose the exception that holds a page's whole context.

Nor do they carry the keys of links: a curator's invitation, a guardian's consent link, a
password reset, a calendar feed open to whoever holds them. scrub_path masks them in a path, for
the access log (volunteer_net/gunicorn_logging.py) and for Django's "Not Found: <path>" lines.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, get_urlconf, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

HEADER = "X-Request-ID"
_request_id: ContextVar[str] = ContextVar("request_id", default="-")
# What we accept from a proxy: a token, not arbitrary text to copy into our logs.
_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        request_id = given if _SANE.match(given) else uuid.uuid4().hex
        # Kept until the response is closed (request_finished), not only while the middleware
        # runs: Django logs a 4xx/5xx ("Not Found: …") after the middleware chain has returned.
        _request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget_request_id(**kwargs: object) -> None:
    _request_id.set("-")


request_finished.connect(_forget_request_id, dispatch_uid="volunteer_net.logs.forget_request_id")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request id, and
    the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", _request_id.get()),
        }
        # exc_text first: RedactPersonalData leaves the masked traceback there.
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class NoTemplateContext(logging.Filter):
    """django.template logs, at DEBUG, every variable a template could not resolve together with
    the exception, whose text is the whole template context — the person the page shows
    included. The message (the variable's and the template's names) is kept, the exception
    is not: logs carry no personal data, whatever LOG_LEVEL says."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


# Kazakhstan's numbers however typed (+7 701 123 45 67, 8(701)123-45-67, 77011234567), an IIN
# (12 digits, maybe in two groups), an e-mail address. Bounded by non-word characters so that
# ids and timestamps inside longer tokens are left alone.
_PHONE = re.compile(r"(?<![\w+])(?:\+?7|8)[\s\-()]*\d{3}[\s\-()]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\w)")
_IIN = re.compile(r"(?<!\w)\d{6}\s?\d{6}(?!\w)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MASK = "[personal data]"


def redact(text: str) -> str:
    return _EMAIL.sub(MASK, _IIN.sub(MASK, _PHONE.sub(MASK, text)))


# URL arguments that hold a link's key. The second step of a password reset has its own fixed
# word where the key was (Django moved the key into the session), which is no secret.
_LINK_KEYS = frozenset({"token", "code"})
_RESET_STEP = "set-password"
_MASKED_KEY = "…"
_REGEX_SPECIAL = frozenset(".^$*+?{}[]\\|()")


def _literal_start(pattern: object) -> tuple[str, bool]:
    """The text every path matching `pattern` starts with, and whether that text is all of it.
    Unknown kinds of pattern (or a language prefix, which changes with the language) give ""."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        head = route.split("<", 1)[0]
        return head, head == route
    if isinstance(pattern, RegexPattern):
        regex = str(pattern).removeprefix("^")
        if "|" in regex:  # alternatives start differently: no common start is known
            return "", False
        head = ""
        for char in regex.removesuffix("$"):
            if char in _REGEX_SPECIAL:
                # A quantifier makes the character before it optional or repeated.
                return (head[:-1] if char in "*+?{" else head), False
            head += char
        return head, True
    return "", False


def _argument_names(pattern: object) -> frozenset[str]:
    if isinstance(pattern, RoutePattern):
        return frozenset(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return frozenset(pattern.regex.groupindex)
    return frozenset()


def _key_prefixes(patterns: list[Any], prefix: str, complete: bool, names: frozenset[str]) -> set[str]:
    found: set[str] = set()
    for entry in patterns:
        head, whole = _literal_start(entry.pattern)
        here = prefix + head if complete else prefix
        held = names | _argument_names(entry.pattern)
        if isinstance(entry, URLResolver):
            found |= _key_prefixes(entry.url_patterns, here, complete and whole, held)
        elif isinstance(entry, URLPattern) and held & _LINK_KEYS:
            found.add(here)
    return found


@functools.lru_cache(maxsize=8)
def _link_key_prefixes(resolver: URLResolver) -> tuple[str, ...]:
    """The starts of the paths that can hold a link's key: each route taking a `token` or a
    `code`, up to its first argument ("/detachments/invitations/", "/accounts/reset/"). Read
    once per URLconf from the patterns themselves, so a new keyed route is covered unlisted."""
    head, whole = _literal_start(resolver.pattern)  # the root's "/"
    return tuple(sorted(_key_prefixes(resolver.url_patterns, head, whole, _argument_names(resolver.pattern))))


def scrub_path(path: str) -> str:
    """`path` with the key of a link (any route's `token` or `code`) masked; other paths as
    they are. A key sent without the route's trailing slash is found too.

    Called for every line of the access log: only a path under a keyed route's start is
    resolved, so the map's, the API's and the static files' requests cost a prefix test."""
    if not path.startswith(_link_key_prefixes(get_resolver(get_urlconf()))):
        return path
    for candidate in (path, f"{path}/"):
        try:
            match = resolve(candidate)
        except (Resolver404, ValueError, TypeError):
            continue
        for name in _LINK_KEYS:
            value = match.kwargs.get(name)
            if isinstance(value, str) and value and value != _RESET_STEP:
                path = path.replace(value, _MASKED_KEY)
        return path
    return path


class RedactPersonalData(logging.Filter):
    """Mask e-mails, phones and IINs in a record's message and traceback (see the module's note).
    Names cannot be told from other words; they stay out of logs by our code not writing them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if isinstance(path, str) and path in masked:
            masked = masked.replace(path, scrub_path(path))
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # The formatters print exc_text; the exception object (and its values) goes.
            record.exc_info = None
        return True
