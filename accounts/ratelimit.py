"""Per-address limits for the anonymous forms that create accounts or send mail, and a limit per
mailbox on the mails anybody can have sent to it ("Forgot your password?", a registration with
an address that has an account): from many addresses, the per-address limit alone let a
stranger fill someone's mailbox.

Counts live in the Django cache, which is Redis whenever REDIS_URL is set, so every web process
shares them. A fixed window is enough here: the point is to make guessing and mail-bombing slow,
not to meter precisely.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

LIMITED_MESSAGE = _("Too many attempts from your network. Please wait a while and try again.")

_PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def client_ip(request: HttpRequest) -> str:
    """The client's address: X-Forwarded-For read NUM_PROXIES places from the right (the entries
    our own proxies appended), else the connection's address. Entries further left are whatever
    the client chose to send, so they are never trusted."""
    remote = request.META.get("REMOTE_ADDR") or ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.NUM_PROXIES and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(settings.NUM_PROXIES, len(hops))]
    return remote


def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/h" → (20, 3600): how many per how many seconds."""
    count, _slash, period = rate.partition("/")
    return int(count), _PERIODS[period[0]]


def limit_exceeded(request: HttpRequest, *, scope: str) -> bool:
    """Count this request against the address's limit for `scope` (a key of settings.RATE_LIMITS)
    and say whether it is over."""
    return _counted_over(scope=scope, who=client_ip(request))


def mailbox_limit_exceeded(email: str) -> bool:
    """Count one more mail to `email` against the mailbox's limit (settings.RATE_LIMITS
    "mailbox") and say whether it is over: the caller then sends nothing, and answers as if it
    had, so that nobody learns from the page whether the address has an account."""
    return _counted_over(scope="mailbox", who=email.strip().casefold())


def _counted_over(*, scope: str, who: str) -> bool:
    limit, window = parse_rate(settings.RATE_LIMITS[scope])
    # Keyed: the cache holds neither addresses nor e-mails, in clear or in a form one could
    # look up by hashing a list of known ones.
    digest = salted_hmac("accounts.ratelimit", who, algorithm="sha256").hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{int(time.time()) // window}"
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:
        # The window's key expired between add() and incr(): this is the first of a new window.
        cache.add(key, 1, timeout=window)
        count = 1
    return count > limit
