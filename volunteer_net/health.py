"""Probes for a load balancer or an orchestrator.

`/healthz` (liveness) answers without touching anything else: the process serves requests.
`/readyz` (readiness) answers 200 only when the database and, where configured, Redis answer,
so that an instance that lost them is taken out of rotation instead of serving error pages.
Neither reads a session or a cookie; both are plain HTTP-reachable (SECURE_REDIRECT_EXEMPT).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        # The next request opens a new connection rather than reusing a broken one.
        connection.close_if_unusable_or_obsolete()
        return f"unavailable: {exc.__class__.__name__}"
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return f"unavailable: {exc.__class__.__name__}"
    return "ok"


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    checks = {"database": _check_database(), "redis": _check_redis()}
    ready = all(value in ("ok", "not configured") for value in checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": checks,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
        status=200 if ready else 503,
    )
