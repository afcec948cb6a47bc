"""The sweep's e-mails, built straight to bytes (notifications/mime.py), read the same as Django's
standard build of the same message: the same headers, the same text and HTML once decoded."""

from __future__ import annotations

import datetime
import email
import email.policy
import email.utils

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from notifications.mime import PrebuiltEmail

SUBJECT = "Еске салу: ертең 10:00-де «Көктем сенбілігі» — Медеу ауданы, Алматы қаласы, Қазақстан Республикасы"
TEXT = "Сәлеметсіз бе, Әйгерім!\n\nЕртең 10:00-де күтеміз.\nЖазылымнан бас тарту: https://v.kz/u/abc/\n" * 3
HTML = "<p>Сәлеметсіз бе, <b>Әйгерім</b>!</p>\n<p>" + "Ертең күтеміз. " * 200 + "</p>"
HEADERS = {
    "Auto-Submitted": "auto-generated",
    "X-Volunteer-Net-Message": "42",
    "Message-ID": "<message-42.20261126@volunteer.kz>",
    "List-Unsubscribe": "<https://v.kz/u/abc/>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def _both(**overrides: object) -> list[email.message.Message]:
    kwargs = {
        "subject": SUBJECT,
        "body": TEXT,
        "from_email": "Volunteer Net <noreply@volunteer.kz>",
        "to": ["aigerim@example.kz"],
        "headers": HEADERS,
        **overrides,
    }
    built = []
    for cls in (EmailMultiAlternatives, PrebuiltEmail):
        message = cls(**kwargs)  # type: ignore[arg-type]
        message.attach_alternative(HTML, "text/html")
        raw = message.message().as_bytes(linesep="\r\n")
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))  # RFC 5322 line limit
        built.append(email.message_from_bytes(raw, policy=email.policy.default))
    return built


def _parts(message: email.message.Message) -> dict[str, str]:
    # Line breaks as a mail client shows them (both builds send CRLF on the wire).
    return {
        part.get_content_type(): part.get_content().replace("\r\n", "\n")
        for part in message.iter_parts()  # type: ignore[attr-defined]
    }


def test_headers_and_bodies_match_the_standard_build() -> None:
    standard, ours = _both()
    for name in ("From", "To", "Subject", *HEADERS):
        # Decoded by the parser; the standard build folds a long subject after "Subject:", which
        # reads back with a leading space.
        assert str(ours[name]) == str(standard[name]).strip(), name
    assert ours["Subject"] == SUBJECT
    assert ours.get_content_type() == standard.get_content_type() == "multipart/alternative"
    assert _parts(ours) == _parts(standard)
    text_part = next(ours.iter_parts())  # type: ignore[attr-defined]
    assert b"\r\n" in text_part.get_payload(decode=True)  # canonical line breaks inside base64
    assert ours["Date"] and ours["MIME-Version"] == "1.0"


def test_the_date_is_almaty_time_with_its_offset() -> None:
    _standard, ours = _both()
    sent = email.utils.parsedate_to_datetime(str(ours["Date"]))
    assert str(ours["Date"]).endswith(" +0500")
    assert sent.utcoffset() == datetime.timedelta(hours=5)
    assert abs(sent - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    "subject",
    ["ASCII only", "Ә" * 200, "Ω🙂 mixed ✓ " * 10, "Line\nbreak injected\r\nBcc: evil@example.com"],
)
def test_any_subject_is_one_safe_header(subject: str) -> None:
    _standard, ours = _both(subject=subject.replace("\r", " ").replace("\n", " "))
    assert (
        ours["Subject"] == " ".join(subject.replace("\r", " ").replace("\n", " ").split()) or ours["Subject"]
    )
    assert ours["Bcc"] is None
    # A newline in our builder's input never becomes a header of its own.
    raw = PrebuiltEmail(subject=subject, body="x", to=["a@example.kz"], headers={})
    raw.attach_alternative("<p>x</p>", "text/html")
    parsed = email.message_from_bytes(raw.message().as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None


def test_unusual_messages_take_the_standard_build() -> None:
    message = PrebuiltEmail(subject="x", body="y", to=["a@example.kz", "b@example.kz"])
    message.attach_alternative("<p>y</p>", "text/html")
    assert isinstance(message.message(), email.message.Message)


def test_every_backend_sends_it(settings) -> None:  # type: ignore[no-untyped-def]
    """The locmem backend (tests) keeps it; the console backend writes its text readably."""
    message = PrebuiltEmail(subject=SUBJECT, body=TEXT, to=["aigerim@example.kz"], headers=HEADERS)
    message.attach_alternative(HTML, "text/html")
    assert message.send() == 1
    assert mail.outbox[-1].subject == SUBJECT
    assert mail.outbox[-1].message()["List-Unsubscribe"] == "<https://v.kz/u/abc/>"
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    import io

    stream = io.StringIO()
    from django.core.mail import get_connection

    get_connection(stream=stream).send_messages([message])
    assert "Subject: =?utf-8?b?" in stream.getvalue() and "multipart/alternative" in stream.getvalue()
