"""Turning a message into text: subject, plain body and HTML body, in the message's language,
with times in Almaty. Templates live in templates/notifications/<kind>/ (subject.txt, body.txt,
body.html); the plain ones are rendered without HTML escaping."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template import Context, TemplateDoesNotExist, engines
from django.template.base import Template
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import pgettext

from .sms import gsm_friendly, sms_overflow, sms_segments
from .timing import ALMATY
from .tokens import announcement_person_url

if TYPE_CHECKING:
    from .models import Message


@lru_cache(maxsize=256)
def _template(name: str) -> Template:
    # The engine's own loaders cache too, but skipping the lookup matters at thousands a second.
    return engines["django"].engine.get_template(name)  # type: ignore[attr-defined]


@lru_cache(maxsize=64)
def _sms_sentence(folder: str) -> Template | None:
    """A kind's own SMS line (`<kind>/sms.txt`) in place of its subject and time. The reminder
    two hours before a shift has one: held by quiet hours until 08:00, "In two hours" reached
    someone whose shift starts at 09:00; "… starts on 02.12.2026 09:00" is true whenever it
    comes. (A visit's hour-before reminder keeps its shorter subject: offices open at 09:00.)
    A guardian's consent link says who asks: a parent does not know the number it comes from."""
    try:
        return _template(f"{folder}/sms.txt")
    except TemplateDoesNotExist:
        return None


def template_context(
    message: Message,
    *,
    unsubscribe_url: str = "",
    recipient_name: str | None = None,
    stored: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The message's stored context (or `stored` in its place) with ISO times turned back into
    datetimes (shown in Almaty by the templates' date filters) and site links made absolute."""
    context: dict[str, Any] = {}
    for key, value in ((message.context if stored is None else stored) or {}).items():
        if key.endswith("_at") and isinstance(value, str):
            value = parse_datetime(value) or value
        elif key == "url" and isinstance(value, str) and value.startswith("/"):
            value = settings.SITE_URL + value
        context[key] = value
    if recipient_name is not None:
        context.setdefault("recipient_name", recipient_name)
    elif message.recipient is not None:
        context.setdefault("recipient_name", message.recipient.first_name)
    context.setdefault("recipient_name", "")
    context["site_url"] = settings.SITE_URL
    context["unsubscribe_url"] = unsubscribe_url
    context["kind"] = message.kind
    return context


# Kinds whose SMS carries the staff's own text after the subject line.
SMS_TEXT_KINDS = frozenset(
    {"callout", "transport_answer", "broadcast", "guardian_consent_request", "generic"}
)


def render_message(message: Message, *, unsubscribe_url: str = "") -> tuple[str, str, str]:
    """(subject, text, html) of the message in its language. An SMS gets a one-paragraph text
    (the subject line, when, the place, the link; the staff's text for announcements) and no
    HTML, its title and place shortened to fit SMS_MAX_SEGMENTS (`render_cached`, which
    shortens them in the values it fills in)."""
    if message.channel == "sms":
        return render_cached(message, unsubscribe_url=unsubscribe_url, cache={})
    return _render(message, unsubscribe_url=unsubscribe_url)


def _render(
    message: Message,
    *,
    unsubscribe_url: str = "",
    recipient_name: str | None = None,
    stored: Mapping[str, Any] | None = None,
) -> tuple[str, str, str]:
    context = template_context(
        message, unsubscribe_url=unsubscribe_url, recipient_name=recipient_name, stored=stored
    )
    folder = f"notifications/{message.kind}"
    with translation.override(message.language), timezone.override(ALMATY):
        subject = " ".join(
            _template(f"{folder}/subject.txt").render(Context(context, autoescape=False)).split()
        )
        if message.channel == "sms":
            sentence = _sms_sentence(folder)
            context.update(subject=subject, text_kinds=SMS_TEXT_KINDS)
            context["sentence"] = sentence.render(Context(context, autoescape=False)) if sentence else ""
            text = _template("notifications/sms.txt").render(Context(context, autoescape=False))
            return subject, gsm_friendly(" ".join(text.split())), ""
        text = _template(f"{folder}/body.txt").render(Context(context, autoescape=False))
        html = _template(f"{folder}/body.html").render(Context(context))
    return subject, text.strip() + "\n", html


def subject_line(message: Message) -> str:
    """The message's subject as its e-mail says it, in the active language (the reader's, on a
    page): the message lists name each message by it. Subjects never use the recipient's name,
    so no recipient is read for it."""
    context = template_context(message, recipient_name="")
    with timezone.override(ALMATY):
        subject = _template(f"notifications/{message.kind}/subject.txt").render(
            Context(context, autoescape=False)
        )
    return " ".join(subject.split())


# Stand-ins for what differs between messages of the same kind, language and channel; no template
# filter or HTML escaping alters them, so they are swapped for the real values after rendering.
SLOT_START, SLOT_END = "\ufff9", "\ufffb"
_SLOT = re.compile(f"{SLOT_START}([a-z_]+){SLOT_END}")


def _slot(key: str) -> str:
    return f"{SLOT_START}{key}{SLOT_END}"


NAME_SLOT = _slot("recipient_name")
LINK_SLOT = _slot("unsubscribe_url")
# Context values that the message templates only print — `{{ title }}`, escaped in HTML, raw in
# text — or test (`{% if place %}`), never pass through a filter: a shift's title, a place, an
# office. They are slots too, so that reminders of different shifts at the same time share one
# rendering. tests/notifications/test_rendering.py holds the templates to that.
PRINTED_KEYS = ("title", "office", "place", "volunteer_name")
_PRINTED_SLOTS = {key: _slot(key) for key in PRINTED_KEYS}
# The staff's own words of an announcement's SMS, filled in after rendering to be cut to size.
_ANNOUNCEMENT_SLOTS = {key: _slot(key) for key in ("subject", "text")}
# A rendering cut at its slots: text, slot name, text, …, text.
Pieces = list[str]
RenderCache = dict[tuple[Any, ...], tuple[Pieces, Pieces, Pieces]]


# An SMS is paid and read by the part: a confirmation, a reminder or a change of a shift or a
# visit says what, when, where and the link in at most two parts (134 characters in Kazakh or
# Russian), the title, then the place, then the office cut short ("…") to fit, none below
# SMS_SHORTEST characters. A call-out's text is never cut (an emergency says what it must).
SMS_MAX_SEGMENTS = 2
SMS_SHORTENED = ("title", "place", "office")
SMS_SHORTEST = 24
# An announcement may be 5 000 characters: sent whole, that was 75 paid parts to each person. Its
# SMS is cut to this many parts (about 200 characters in Kazakh or Russian, 450 in English), its
# subject to SMS_ANNOUNCEMENT_SUBJECT, and ends with the recipient's own link to the full text,
# which also stops announcements (tokens.announcement_person_token).
SMS_ANNOUNCEMENT_SEGMENTS = 3
SMS_ANNOUNCEMENT_SUBJECT = 60


def _shorten(value: str, length: int) -> str:
    """`value` in at most `length` characters, cut at a word when one ends near the cut."""
    if len(value) <= length:
        return value
    cut = value[: length - 1]
    space = cut.rfind(" ")
    if space >= length - 12:
        cut = cut[:space]
    return cut.rstrip(" ,.;:—–-") + "…"


def _fit_sms(pieces: Pieces, values: Mapping[str, str]) -> str:
    text = gsm_friendly(_fill(pieces, values))
    slots = pieces[1::2]
    shortened = dict(values)
    for key in SMS_SHORTENED:
        over = sms_overflow(text, segments=SMS_MAX_SEGMENTS)
        if over <= 0:
            break
        value, times = shortened.get(key), slots.count(key)
        if value is None or not times or len(value) <= SMS_SHORTEST:
            continue
        shortened[key] = _shorten(value, max(SMS_SHORTEST, len(value) - -(-over // times)))
        text = gsm_friendly(_fill(pieces, shortened))
    return text


def _fit_announcement(pieces: Pieces, values: Mapping[str, str], link: str, label: str = "") -> str:
    """An announcement's SMS as it is when it fits in SMS_ANNOUNCEMENT_SEGMENTS, else its subject
    and the longest beginning of its text that fits with the link to the whole after it. With a
    `label` (the recipient's own link, which also stops announcements) the link ends every SMS,
    cut or not: the parts reserved for it serve both."""
    text = gsm_friendly(_fill(pieces, values))
    tail = f" {gsm_friendly(label)} {link}" if label else f" {link}"
    if not link:
        return text
    if label and sms_segments(text + tail) <= SMS_ANNOUNCEMENT_SEGMENTS:
        return text + tail
    if not label and sms_segments(text) <= SMS_ANNOUNCEMENT_SEGMENTS:
        return text
    shortened = dict(values)
    if "subject" in shortened:
        shortened["subject"] = _shorten(shortened["subject"], SMS_ANNOUNCEMENT_SUBJECT)
    body = shortened.get("text", "")

    def cut(length: int) -> str:
        shortened["text"] = _shorten(body, length) if length > 1 else "…"
        return gsm_friendly(_fill(pieces, shortened)) + tail

    # The longest beginning that fits: the parts are counted in units that differ by alphabet
    # (and by sign, in GSM-7), so found by halving rather than worked out.
    low, high = 1, len(body)
    while low < high:
        middle = (low + high + 1) // 2
        if sms_segments(cut(middle)) <= SMS_ANNOUNCEMENT_SEGMENTS:
            low = middle
        else:
            high = middle - 1
    return cut(low)


@lru_cache(maxsize=32)
def _fit_announcement_once(
    pieces: tuple[str, ...], values: tuple[tuple[str, str], ...], link: str, label: str
) -> str:
    # An announcement's SMS is the same for each of its thousands of recipients but for the link:
    # the cut, a dozen fillings of a text of up to 5 000 characters, is worked out once per length
    # of link (see _fit_announcement_for).
    return _fit_announcement(list(pieces), dict(values), link, label)


def _fit_announcement_for(
    pieces: tuple[str, ...], values: tuple[tuple[str, str], ...], link: str, label: str
) -> str:
    """_fit_announcement with a recipient's own link. A link is made of characters that each take
    one unit in either alphabet (letters, digits, `:/.-_`), so the cut depends only on its length:
    worked out with a stand-in of that length, which ends the text, and the link put in its place."""
    if not label:
        return _fit_announcement_once(pieces, values, link, label)
    fitted = _fit_announcement_once(pieces, values, "0" * len(link), label)
    return fitted[: -len(link)] + link


# The words before a recipient's own link, on every announcement's SMS.
def _announcement_link_label() -> str:
    return pgettext("announcement sms", "Full text and stop:")


def announcement_sms_segments(subject: str, body: str) -> tuple[int, int]:
    """(parts the announcement's SMS would take whole, parts it is sent in): for the staff
    writing it, as the SMS of it reads ("Subject: text" on one line, and the link with its words
    at the end: an SMS of one part whole may take two with it)."""
    whole = gsm_friendly(" ".join(f"{subject}: {body}".split()))
    return sms_segments(whole), min(sms_segments(whole + announcement_sms_tail()), SMS_ANNOUNCEMENT_SEGMENTS)


def announcement_sms_tail() -> str:
    """The words and the link that end every announcement's SMS, with a link as long as most (a
    region's list of some thousands, an announcement among thousands): for counting its parts,
    here and in the form's live count (static/js/broadcast-parts.js)."""
    return f" {gsm_friendly(_announcement_link_label())} {settings.SITE_URL}/a/{'0' * 4}.{'0' * 5}.{'0' * 8}/"


def _printable(value: Any) -> bool:
    # What the subject's and the SMS's whitespace folding would leave as it is: a slot filled
    # after the folding then reads the same as the value rendered in place.
    return isinstance(value, str) and value != "" and " ".join(value.split()) == value


def _fill(pieces: Pieces, values: Mapping[str, str]) -> str:
    if len(pieces) == 1:
        return pieces[0]
    filled = pieces.copy()
    for n in range(1, len(filled), 2):
        value = values.get(filled[n])
        filled[n] = _slot(filled[n]) if value is None else value
    return "".join(filled)


def render_cached(message: Message, *, unsubscribe_url: str, cache: RenderCache) -> tuple[str, str, str]:
    """`render_message`, rendering the templates once per kind, language, channel and context
    within a batch, but for the recipient's name, the link and the printed values: fifty people
    reminded of one shift differ only in their name and link, and the reminders of a hundred
    shifts starting at the same hour only in those and the shift's title and place."""
    stored = message.context or {}
    if any(isinstance(value, str) and SLOT_START in value for value in stored.values()):
        # A value that holds a stand-in itself (nobody types U+FFF9): rendered as it is.
        return _render(message, unsubscribe_url=unsubscribe_url)
    announcement = message.channel == "sms" and message.kind == "broadcast" and bool(stored.get("full_url"))
    printed = {**_PRINTED_SLOTS, **_ANNOUNCEMENT_SLOTS} if announcement else _PRINTED_SLOTS
    if message.channel == "sms":
        # An SMS folds all whitespace: folded first, a title or place typed on two lines is filled
        # in (and can be shortened) like any other, and reads the same.
        stored = {
            key: " ".join(value.split()) if key in printed and isinstance(value, str) else value
            for key, value in stored.items()
        }
    name = message.recipient.first_name if message.recipient is not None else ""
    if "recipient_name" in stored:
        name = ""  # the caller named the recipient (a guardian): part of the context, cached with it
    values = {"recipient_name": name, "unsubscribe_url": unsubscribe_url}
    keyed = dict(stored)
    for key, slot in printed.items():
        if _printable(stored.get(key)):
            values[key] = stored[key]
            keyed[key] = slot
    cache_key = (
        message.kind,
        message.language,
        message.channel,
        bool(name),
        bool(unsubscribe_url),
        json.dumps(keyed, sort_keys=True),
    )
    pieces = cache.get(cache_key)
    if pieces is None:
        rendered = _render(
            message,
            unsubscribe_url=LINK_SLOT if unsubscribe_url else "",
            recipient_name=NAME_SLOT if name else None,
            stored=keyed,
        )
        pieces = cache[cache_key] = (
            _SLOT.split(rendered[0]),
            _SLOT.split(rendered[1]),
            _SLOT.split(rendered[2]),
        )
    subject, text, body = pieces
    # Escaped as the templates' autoescaping does (django.utils.html.escape is html.escape).
    escaped = {key: html.escape(value) for key, value in values.items()} if len(body) > 1 else values
    if announcement:
        # The recipient's own link (the full text, and the way to stop announcements: for someone
        # with no account the only one), on every SMS; an SMS to a bare number keeps the link
        # everybody shares, only when the text is cut.
        label = ""
        link = settings.SITE_URL + str(stored["full_url"])
        if message.recipient_id is not None and message.subject_id is not None:
            link = announcement_person_url(broadcast_id=message.subject_id, volunteer_id=message.recipient_id)
            with translation.override(message.language):
                label = _announcement_link_label()
        # Keyed by the values the SMS prints (not the name nor the link of each recipient).
        printed_values = tuple((key, value) for key, value in values.items() if key in text[1::2])
        return _fill(subject, values), _fit_announcement_for(tuple(text), printed_values, link, label), ""
    if message.channel == "sms":
        return _fill(subject, values), _fit_sms(text, values), ""
    return _fill(subject, values), _fill(text, values), _fill(body, escaped)
