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


# GSM 03.38: the 7-bit alphabet an SMS uses unless a character outside it forces UCS-2; those of
# the extension table take two septets each.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


# Signs our texts and the staff's type (typographic quotes and dashes, an ellipsis, a non-breaking
# space) that GSM-7 lacks but has a plain twin of. One of them in an English text made the whole
# SMS UCS-2: 70 characters a part instead of 160, each reminder two or three paid parts.
_GSM_TWINS = str.maketrans(
    {
        **dict.fromkeys("“”„‟«»″", '"'),
        **dict.fromkeys("‘’‚‛′ʼ`", "'"),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        **dict.fromkeys("\u00a0\u2007\u2009\u202f\t", " "),
        "…": "...",
        "№": "No.",
        "•": "*",
    }
)


_GSM_ALL = GSM_BASIC | GSM_EXTENSION


def gsm_friendly(text: str) -> str:
    """`text` in GSM-7 where swapping those signs for their twins is all it takes; otherwise as
    it is: a Kazakh or Russian text goes as UCS-2 whatever its quotes, and keeps its «»."""
    if _GSM_ALL.issuperset(text):
        return text
    plain = text.translate(_GSM_TWINS)
    return plain if _GSM_ALL.issuperset(plain) else text


def _units(text: str) -> tuple[int, int, int]:
    """(units `text` takes, units of a single part, units of each part of a longer one)."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        return sum(2 if ch in GSM_EXTENSION else 1 for ch in text), 160, 153
    # UTF-16 code units: a character beyond the BMP (an emoji) takes two.
    return len(text.encode("utf-16-le")) // 2, 70, 67


def sms_segments(text: str) -> int:
    """How many parts a gateway sends `text` as: 160 GSM-7 septets or 70 UCS-2 characters in
    one part, 153 or 67 in each part of a longer one. Any Cyrillic letter (Kazakh or Russian)
    makes the whole text UCS-2."""
    units, single, part = _units(text)
    return 1 if units <= single else -(-units // part)


def sms_overflow(text: str, *, segments: int) -> int:
    """How many units (characters, for a Cyrillic text) `text` has beyond what `segments` parts
    hold; zero or less when it fits."""
    units, single, part = _units(text)
    return units - (single if segments == 1 else part * segments)


@lru_cache(maxsize=4)
def _backend(path: str) -> BaseSmsBackend:
    backend = import_string(path)()
    if not isinstance(backend, BaseSmsBackend):
        raise TypeError(f"SMS_BACKEND {path} is not a notifications.sms.BaseSmsBackend")
    return backend


def get_sms_backend() -> BaseSmsBackend:
    return _backend(settings.SMS_BACKEND)
