"""The sweep renders a message's templates once per text and fills in what differs between
recipients — the name, the unsubscribe link, and the values the templates only print (a title, a
place, an office) — afterwards. Whatever the caching, every message must read exactly as if
rendered on its own."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from notifications.models import Message
from notifications.rendering import PRINTED_KEYS, RenderCache, render_cached, render_message
from volunteers.models import Volunteer

from .conftest import kz

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications"


def _message_templates() -> list[Path]:
    """What messages are rendered from: each kind's folder, the shared parts, the SMS."""
    kinds = [path for kind in Message.Kind.values for path in (TEMPLATES / kind).iterdir()]
    shared = [*TEMPLATES.glob("_*.txt"), TEMPLATES / "email_base.html", TEMPLATES / "sms.txt"]
    return kinds + shared


def test_printed_values_are_only_printed_or_tested() -> None:
    # A filter (`|upper`, `|linebreaksbr`), a comparison or a `with` would change the value on its
    # way into the text, and filling it in after rendering would then be wrong.
    tag = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)
    for path in _message_templates():
        for found in tag.findall(path.read_text(encoding="utf-8")):
            for key in PRINTED_KEYS:
                if re.search(rf"\b{key}\b", found):
                    assert re.fullmatch(rf"{{{{ {key} }}}}|{{% if {key} %}}", found), (path, found)


CONTEXTS: list[dict[str, Any]] = [
    {"title": "Тал егу", "place": "Орталық саябақ", "starts_at": "2026-05-20T10:00:00+05:00"},
    # Escaped in HTML, as typed in text.
    {
        "title": "<b>Жеңіс</b> & «Наурыз» 'кеші'",
        "place": 'Абай "10"',
        "starts_at": "2026-05-20T19:30:00+05:00",
    },
    # Whitespace the subject and the SMS fold: rendered in place, not filled in.
    {"title": "  Сенбілік\n\nекі  жол ", "place": "", "starts_at": "2026-05-21T10:00:00+05:00"},
    {"title": "", "office": "Алматы <фронт-офисі>", "starts_at": "2026-05-21T10:00:00+05:00", "url": "/1/"},
    {
        "volunteer_name": "Дана & Ерлан",
        "text": "Келісім\nкерек <тез>",
        "subject": "Тақырып",
        "note": "Қолғап\nалыңыз",
        "recipient_name": "Гүлнар",
        "place": "Мектеп №5",
    },
    # Something that looks like a stand-in is text like any other.
    {"title": "\ufff9place\ufffb", "place": "Саябақ", "starts_at": "2026-05-20T10:00:00+05:00"},
]


def _message(kind: str, language: str, channel: str, context: dict[str, Any], name: str) -> Message:
    return Message(
        pk=1,
        recipient=Volunteer(pk=7, first_name=name),
        kind=kind,
        channel=channel,
        language=language,
        context={"title": "", "office": "", "text": "", "subject": "", "volunteer_name": "", **context},
        subject_type="events.signup",
        subject_id=1,
        due_at=kz(2026, 5, 19, 10),
        next_attempt_at=kz(2026, 5, 19, 10),
        created_at=timezone.now(),
    )


@pytest.mark.parametrize("kind", Message.Kind.values)
def test_cached_rendering_reads_as_rendering_each_message(kind: str) -> None:
    cache: RenderCache = {}
    names = ("Әсел", "<i>Ержан</i> & Co", "")
    links = ("https://example.kz/unsubscribe/a/", "")
    # Each context twice over (the second time from the cache), in every language and channel.
    for _round, language, channel, context, name, link in itertools.product(
        range(2), ("kk", "ru", "en"), ("email", "sms"), CONTEXTS, names, links
    ):
        message = _message(kind, language, channel, context, name)
        expected = render_message(message, unsubscribe_url=link)
        assert render_cached(message, unsubscribe_url=link, cache=cache) == expected, (
            language,
            channel,
            context,
        )
    # Titles and places differ; what is rendered does not grow with them.
    assert len(cache) < len(CONTEXTS) * 3 * 2 * 2 * 2


def test_reminders_of_different_shifts_share_one_rendering() -> None:
    cache: RenderCache = {}
    for n in range(20):
        context = {"title": f"Сенбілік {n}", "place": f"Саябақ {n}", "starts_at": "2026-05-20T10:00:00+05:00"}
        message = _message("shift_reminder_2h", "kk", "email", context, "Дана")
        subject, text, html = render_cached(message, unsubscribe_url="https://example.kz/u/", cache=cache)
        assert f"Сенбілік {n}" in subject and f"Саябақ {n}" in text and f"Саябақ {n}" in html
    assert len(cache) == 1


VISIT_KINDS = ["visit_booked", "visit_cancelled", "visit_moved", "visit_reminder_24h", "visit_reminder_1h"]


@pytest.mark.parametrize("kind", VISIT_KINDS)
@pytest.mark.parametrize(("language", "month"), [("ru", "декабр"), ("kk", "желтоқсан"), ("en", "December")])
def test_a_visits_message_writes_its_time_one_way_as_the_pages_do(
    kind: str, language: str, month: str
) -> None:
    # "22 декабря 2026 г. 18:00" in the templates and "22.12.2026 18:00" in the texts built in
    # Python (volunteer_net.dates.when_text, the house style) read one moment two ways.
    context = {
        "office": "Алматы фронт-офисі",
        "starts_at": "2026-12-22T18:00:00+05:00",
        "note": "Санитарный день",
    }
    subject, text, html = render_message(_message(kind, language, "email", context, "Дана"))
    assert "22.12.2026 18:00" in text and "22.12.2026 18:00" in html
    assert month not in subject + text + html
