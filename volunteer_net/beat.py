"""Celery beat that sends only while it holds a Redis leader lock.

Starting a second beat by mistake (two hosts, a redeploy that overlaps) would double every
periodic task. Each beat here renews or takes the lock `volunteer_net:beat-leader` (SET NX PX,
renewed by its owner on every tick, ticks at most BEAT_MAX_LOOP_INTERVAL apart); the others stay
idle and take over within BEAT_LEADER_TTL of the leader's death. The lock is around the beat
tick, not around the tasks: sweeps running side by side are safe anyway (they claim disjoint
batches in the database), so several workers may share a backlog.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

LOCK_KEY = "volunteer_net:beat-leader"
# Renew the lock if it is ours, else take it if it is free; atomic in Redis.
_LEAD = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0
"""


class LeaderScheduler(PersistentScheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.leader_token = uuid.uuid4().hex
        self.leader_ttl = float(settings.BEAT_LEADER_TTL)
        self.is_leader: bool | None = None  # unknown until the first tick
        url = settings.REDIS_URL
        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5) if url else None
        super().__init__(*args, **kwargs)

    def lead(self) -> bool:
        if self._redis is None:
            return True  # no Redis, no second beat to fear (and no broker to send to either)
        try:
            won = bool(self._redis.eval(_LEAD, 1, LOCK_KEY, self.leader_token, int(self.leader_ttl * 1000)))
        except redis.RedisError as exc:
            logger.warning("beat: Redis unreachable (%s); not sending until it is back", exc)
            won = False
        if won != self.is_leader:
            logger.info(
                "beat: %s", "leading, sending the schedule" if won else "standing by, another beat leads"
            )
        self.is_leader = won
        return won

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.lead():
            return min(self.leader_ttl / 3, self.max_interval)
        return float(super().tick(*args, **kwargs))

    def close(self) -> None:
        if self._redis is not None and self.is_leader:
            try:
                # Hand over at once on a clean stop rather than after the TTL.
                self._redis.eval(
                    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
                    1,
                    LOCK_KEY,
                    self.leader_token,
                )
            except redis.RedisError:
                pass
        super().close()
