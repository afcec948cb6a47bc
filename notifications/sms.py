"""SMS backends. The project talks to a gateway only through `SMS_BACKEND` (a class path in
settings); the default writes the text to the log, which is what development and tests need and
is reported as "logged", never as sent by a gateway."""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("notifications.sms")


class BaseSmsBackend:
    """A gateway adapter. `send` returns a short note for the message's record (a gateway's
    reference, say) and raises `channels.TransientSendError` for what is worth another try
    (timeouts, 5xx, throttling) and `channels.PermanentSendError` for what is not (a number the
    gateway refuses). It must give up within NOTIFICATIONS_SENDING_TIMEOUT."""

    def send(self, *, to: str, text: str, message_id: int) -> str:
        raise NotImplementedError


class LogSmsBackend(BaseSmsBackend):
    """No gateway configured: the SMS is written to the log and nothing leaves the server."""

    def send(self, *, to: str, text: str, message_id: int) -> str:
        logger.info(
            "SMS not sent (no gateway configured), logged only: message %s to %s: %s", message_id, to, text
        )
        return "logged"


@lru_cache(maxsize=4)
def _backend(path: str) -> BaseSmsBackend:
    backend = import_string(path)()
    if not isinstance(backend, BaseSmsBackend):
        raise TypeError(f"SMS_BACKEND {path} is not a notifications.sms.BaseSmsBackend")
    return backend


def get_sms_backend() -> BaseSmsBackend:
    return _backend(settings.SMS_BACKEND)
