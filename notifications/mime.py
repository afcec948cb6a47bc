"""E-mails of the sweep built straight to bytes.

Django's EmailMultiAlternatives builds each message through the standard library's email
package (MIME objects, a header policy, a generator): about two thirds of the CPU a sweep spent
per message, more than rendering and the database together. Our messages always have one shape —
a text part and an HTML part, UTF-8, a handful of headers — so they are written here directly:
bodies base64-encoded (safe through any mail server, no 8BITMIME needed), non-ASCII headers as
RFC 2047 encoded words. `PrebuiltEmail` keeps Django's interface, so every e-mail backend (SMTP,
console, file, the tests' locmem) sends it unchanged; anything unusual (non-ASCII addresses) goes
the standard way. tests/notifications/test_mime.py parses both builds and compares them.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import email
import email.policy
import time
import uuid
from email.message import Message as EmailMessageObject
from email.utils import format_datetime, getaddresses
from functools import lru_cache
from typing import Any

from django.core.mail import EmailMultiAlternatives

from .timing import ALMATY

# RFC 2047: an encoded word is at most 75 characters; "=?utf-8?b?" + "?=" take 12 of them.
_WORD_BYTES = 45  # 45 bytes → 60 base64 characters per word
_LINE = 76  # base64 body lines


def _encode_header(value: str) -> str:
    """A header value as ASCII: itself when it is, else base64 encoded words split on character
    boundaries (a Kazakh letter is two bytes and is never cut) and folded one word per line."""
    if value.isascii() and "\n" not in value and "\r" not in value:
        return value
    return _encoded_words(value)


@lru_cache(maxsize=1024)
def _encoded_words(value: str) -> str:
    # Cached: the fifty reminders of one shift share their subject.
    data = value.replace("\r", " ").replace("\n", " ").encode()
    words, start = [], 0
    while start < len(data):
        end = min(start + _WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1  # not in the middle of a character: UTF-8 continuation bytes are 10xxxxxx
        words.append(data[start:end])
        start = end
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(word).decode()}?=" for word in words)


@lru_cache(maxsize=16)
def _address(value: str) -> str:
    """'Name <user@host>' with the name encoded when it is not ASCII (the sender's address,
    the same for every message: parsed once)."""
    [(name, addr)] = getaddresses([value])
    if not name:
        return addr
    if name.isascii():
        return f'"{name}" <{addr}>' if any(c in name for c in ',;:<>@()[]".\\') else f"{name} <{addr}>"
    return f"{_encode_header(name)} <{addr}>"


def _body(text: str) -> str:
    # Text parts are encoded in their canonical form, CRLF line breaks (RFC 2046 4.1.1).
    canonical = text.replace("\r\n", "\n").replace("\n", "\r\n")
    data = binascii.b2a_base64(canonical.encode(), newline=False).decode("ascii")
    return "\r\n".join([data[i : i + _LINE] for i in range(0, len(data), _LINE)])


_date_cache: tuple[int, str] = (0, "")


def _date() -> str:
    # Almaty's time with its offset (+0500), the moment the reader's own reminders speak of:
    # "-0000", Python's default, says the sender's zone is unknown, and a client that shows the
    # header as written put a reminder sent at 08:00 at 03:00.
    # Formatting costs more than the rest of a header block; a sweep sends many a second.
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, format_datetime(datetime.datetime.fromtimestamp(now, ALMATY)))
    return _date_cache[1]


def build(*, from_email: str, to: str, subject: str, text: str, html: str, headers: dict[str, str]) -> bytes:
    boundary = f"==vn{uuid.uuid4().hex}=="
    lines = [
        f"From: {_address(from_email)}",
        f"To: {to}",
        f"Subject: {_encode_header(subject)}",
        f"Date: {_date()}",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    lines += [f"{name}: {_encode_header(value)}" for name, value in headers.items()]
    if "Message-ID" not in headers:
        lines.append(f"Message-ID: <{uuid.uuid4().hex}@volunteer-net>")
    parts = []
    for content_type, body in (("text/plain", text), ("text/html", html)):
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Type: {content_type}; charset="utf-8"\r\n'
            "MIME-Version: 1.0\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            f"{_body(body)}\r\n"
        )
    return ("\r\n".join(lines) + "\r\n\r\n" + "".join(parts) + f"--{boundary}--\r\n").encode("ascii")


class BuiltMessage:
    """What a Django e-mail backend asks of `EmailMessage.message()`: the bytes (`as_bytes`,
    `as_string`) and the charset. Anything else (reading a header or a part, as the console
    backend and tests do) parses the bytes once and answers from the parsed message."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._parsed: EmailMessageObject | None = None

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self._data if linesep == "\r\n" else self._data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode("ascii")

    def get_charset(self) -> None:
        return None

    def _message(self) -> EmailMessageObject:
        if self._parsed is None:
            self._parsed = email.message_from_bytes(self._data, policy=email.policy.compat32)
        return self._parsed

    def __getitem__(self, name: str) -> Any:
        return self._message()[name]

    def __contains__(self, name: str) -> bool:
        return name in self._message()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._message(), name)


class PrebuiltEmail(EmailMultiAlternatives):
    """An EmailMultiAlternatives with one HTML alternative whose `message()` is built by
    `build` (see the module's note); the standard build for anything it does not cover."""

    def message(self) -> Any:
        plain = (
            len(self.to) == 1
            and not self.cc
            and not self.bcc
            and not self.attachments
            and len(self.alternatives) == 1
            and self.alternatives[0][1] == "text/html"
            and self.to[0].isascii()
            and "\n" not in self.to[0]
            and all(name.isascii() for name in self.extra_headers)
        )
        if not plain:
            return super().message()
        return BuiltMessage(
            build(
                from_email=self.from_email,
                to=self.to[0],
                subject=str(self.subject),
                text=str(self.body),
                html=str(self.alternatives[0][0]),
                headers=self.extra_headers,
            )
        )
