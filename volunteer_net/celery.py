import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from celery import Celery
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_net.settings")


class _Channel(kombu_redis.Channel):
    """kombu's Redis channel builds a new Redis client (its table of ~170 reply callbacks) for
    every message it publishes, a third of the CPU of queueing a sign-up's confirmation. This one
    keeps one client per channel: the client holds no connection of its own (each command takes
    one from the channel's pool, as before), and a channel is used by one producer at a time
    (Celery's producer pool)."""

    @cached_property
    def _publish_client(self) -> Any:
        return self._create_client()

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        yield client or self._publish_client


class RedisTransport(kombu_redis.Transport):
    Channel = _Channel


app = Celery("volunteer_net")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Periodic tasks are scheduled in code (CELERY_BEAT_SCHEDULE in settings), reviewed and versioned
# with the tasks they call.


@app.on_after_configure.connect
def _keep_publish_client(sender: Celery, **kwargs: Any) -> None:
    # Only for a plain redis:// broker; another (memory:// in tests and the embedded default,
    # rediss://) keeps the transport its URL names.
    url = sender.conf.broker_url
    if isinstance(url, str) and url.startswith("redis://") and not sender.conf.broker_transport:
        sender.conf.broker_transport = f"{__name__}:RedisTransport"
