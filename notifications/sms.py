"""SMS backends. The project talks to a gateway only through `SMS_BACKEND` (a class path in
settings); the default prints the text to standard output, as Django's console e-mail backend
prints mails, which is what development and tests need; it is reported as "logged", never as
sent by a gateway. Not to the log: logs are collected and kept, and carry no phone numbers or
message texts."""

from __future__ import annotations

import sys
import threading
from functools import lru_cache
from typing import TextIO

from django.conf import settings
from django.utils.module_loading import import_string


class BaseSmsBackend:
    """A gateway adapter. `send` returns a short note for the message's record (a gateway's
    reference, say) and raises `channels.TransientSendError` for what is worth another try
    (timeouts, 5xx, throttling) and `channels.PermanentSendError` for what is not (a number the
    gateway refuses). It must give up within NOTIFICATIONS_SENDING_TIMEOUT."""

    def send(self, *, to: str, text: str, message_id: int) -> str:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """No gateway configured: the SMS is printed to standard output and nothing leaves the server."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def send(self, *, to: str, text: str, message_id: int) -> str:
        # sys.stdout as it is at sending time (a test's capture, a worker's terminal).
        stream = self.stream if self.stream is not None else sys.stdout
        with self._lock:
            stream.write(f"SMS (not sent: no gateway configured) #{message_id} to {to}\n{text}\n{'-' * 79}\n")
            stream.flush()
        return "logged"


class LogSmsBackend(ConsoleSmsBackend):
    """The backend's former name, so that SMS_BACKEND=notifications.sms.LogSmsBackend in an
    existing environment goes on working (it prints to standard output too, no longer logs)."""


@lru_cache(maxsize=4)
def _backend(path: str) -> BaseSmsBackend:
    backend = import_string(path)()
    if not isinstance(backend, BaseSmsBackend):
        raise TypeError(f"SMS_BACKEND {path} is not a notifications.sms.BaseSmsBackend")
    return backend


def get_sms_backend() -> BaseSmsBackend:
    return _backend(settings.SMS_BACKEND)
