"""The project's URL patterns as route strings, for the tests that must cover every one of them
(the access matrix, the phone/axe page walk, the admin walk): a new route fails them until it is
listed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """Each pattern under `patterns` with its full route (the includes' prefixes joined)."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def project_routes() -> list[str]:
    """Every route of the project once, in URLconf order (a route mounted twice, like
    accounts/login/, once)."""
    return list(dict.fromkeys(route for route, _pattern in walk(get_resolver().url_patterns)))
