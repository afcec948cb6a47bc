"""The e-mail backend of the benchmarks (EMAIL_BACKEND=bench.mail.CountingLocmemBackend)."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.core.mail.backends import locmem


class CountingLocmemBackend(locmem.EmailBackend):
    """What Django's SMTP backend does with each message short of the network: build the MIME
    message and serialise it to the bytes it would send. (The locmem backend's own deep copy of
    every message into an outbox is a test convenience that production does not pay for.)"""

    def send_messages(self, messages: Any) -> int:
        count = 0
        for message in messages:
            if message.recipients():
                message.message().as_bytes(linesep="\r\n")
                count += 1
        mail.bench_sent = getattr(mail, "bench_sent", 0) + count  # type: ignore[attr-defined]
        return count
