"""The Redis cache, made to degrade instead of failing when Redis cannot be reached.

Nothing this project keeps in the cache is a record: rate-limit and throttle counts, cached
figures, map aggregates, rendered messages. Django's Redis backend raises on every call while
Redis is down, which turned each page or API call that touches the cache — booking and signing
up, through their throttles — into a 500. Here a call that cannot reach Redis answers as a miss
that stored nothing: reads return their default, writes store nothing, `add` reports the key as
taken (False, so nobody believes they hold a lock) and `incr` as missing (ValueError). Rate limits
therefore let requests through while Redis is down: for the minutes of an outage, a booking made
is worth more than a limit kept. The warning is logged at most once a minute per process.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
_WARN_EVERY = 60.0
_last_warning = [0.0]


def _unreachable(operation: str) -> None:
    now = time.monotonic()
    if now - _last_warning[0] >= _WARN_EVERY:
        _last_warning[0] = now
        logger.warning("the cache (Redis) is unreachable; %s answered as a miss", operation, exc_info=True)


class RedisCacheClient(DjangoRedisCacheClient):
    """Django's client, keeping one `redis.Redis` per connection pool instead of building a new
    one for every call: each copies the ~170 response callbacks of the protocol into a fresh
    dict, ~70 µs of CPU, and the throttles of a sign-up or a booking make two calls a request.
    A `redis.Redis` is safe to share between threads (it takes a connection from the pool for
    each command), and the pools are Django's own, so nothing else changes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own attributes, which its stubs leave out.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: Any) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except UNREACHABLE:
            _unreachable("add")
            return False

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE:
            _unreachable("get")
            return default

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE:
            _unreachable("set")

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        try:
            return bool(super().touch(key, timeout, version))
        except UNREACHABLE:
            _unreachable("touch")
            return False

    def delete(self, key: Any, version: Any = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except UNREACHABLE:
            _unreachable("delete")
            return False

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        try:
            return dict(super().get_many(keys, version))
        except UNREACHABLE:
            _unreachable("get_many")
            return {}

    def has_key(self, key: Any, version: Any = None) -> bool:
        try:
            return bool(super().has_key(key, version))
        except UNREACHABLE:
            _unreachable("has_key")
            return False

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            return int(super().incr(key, delta, version))
        except UNREACHABLE as exc:
            _unreachable("incr")
            raise ValueError(f"Key {key!r} not found (the cache is unreachable)") from exc

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        try:
            return list(super().set_many(data, timeout, version))
        except UNREACHABLE:
            _unreachable("set_many")
            return list(data)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        try:
            super().delete_many(keys, version)
        except UNREACHABLE:
            _unreachable("delete_many")

    def clear(self) -> None:
        try:
            super().clear()
        except UNREACHABLE:
            _unreachable("clear")
