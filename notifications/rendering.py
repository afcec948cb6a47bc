"""Turning a message into text: subject, plain body and HTML body, in the message's language,
with times in Almaty. Templates live in templates/notifications/<kind>/ (subject.txt, body.txt,
body.html); the plain ones are rendered without HTML escaping."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template import Context, engines
from django.template.base import Template
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.html import escape

from .timing import ALMATY

if TYPE_CHECKING:
    from .models import Message


@lru_cache(maxsize=256)
def _template(name: str) -> Template:
    # The engine's own loaders cache too, but skipping the lookup matters at thousands a second.
    return engines["django"].engine.get_template(name)  # type: ignore[attr-defined]


def template_context(
    message: Message, *, unsubscribe_url: str = "", recipient_name: str | None = None
) -> dict[str, Any]:
    """The message's stored context with ISO times turned back into datetimes (shown in Almaty
    by the templates' date filters) and site links made absolute."""
    context: dict[str, Any] = {}
    for key, value in (message.context or {}).items():
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


def render_message(
    message: Message, *, unsubscribe_url: str = "", recipient_name: str | None = None
) -> tuple[str, str, str]:
    """(subject, text, html) of the message in its language. An SMS gets a one-paragraph text
    (the subject line, the place, the link; the staff's text for announcements) and no HTML."""
    context = template_context(message, unsubscribe_url=unsubscribe_url, recipient_name=recipient_name)
    folder = f"notifications/{message.kind}"
    with translation.override(message.language), timezone.override(ALMATY):
        subject = " ".join(
            _template(f"{folder}/subject.txt").render(Context(context, autoescape=False)).split()
        )
        if message.channel == "sms":
            context.update(subject=subject, text_kinds=SMS_TEXT_KINDS)
            text = _template("notifications/sms.txt").render(Context(context, autoescape=False))
            return subject, " ".join(text.split()), ""
        text = _template(f"{folder}/body.txt").render(Context(context, autoescape=False))
        html = _template(f"{folder}/body.html").render(Context(context))
    return subject, text.strip() + "\n", html


# Stand-ins for what differs between recipients of the same content; no template filter or HTML
# escaping alters them, so they are swapped for the real values after rendering.
NAME_SLOT = "\ufff9recipient_name\ufffb"
LINK_SLOT = "\ufff9unsubscribe_url\ufffb"
RenderCache = dict[tuple[Any, ...], tuple[str, str, str]]


def render_cached(message: Message, *, unsubscribe_url: str, cache: RenderCache) -> tuple[str, str, str]:
    """`render_message`, rendering the templates once per kind, language, channel and context
    within a batch: fifty people reminded of one shift differ only in their name and link."""
    name = message.recipient.first_name if message.recipient is not None else ""
    if "recipient_name" in (message.context or {}):
        name = ""  # the caller named the recipient (a guardian): part of the context, cached with it
    key = (
        message.kind,
        message.language,
        message.channel,
        bool(name),
        bool(unsubscribe_url),
        json.dumps(message.context, sort_keys=True),
    )
    rendered = cache.get(key)
    if rendered is None:
        rendered = cache[key] = render_message(
            message,
            unsubscribe_url=LINK_SLOT if unsubscribe_url else "",
            recipient_name=NAME_SLOT if name else None,
        )
    subject, text, html = rendered
    return (
        subject.replace(NAME_SLOT, name),
        text.replace(NAME_SLOT, name).replace(LINK_SLOT, unsubscribe_url),
        html.replace(NAME_SLOT, escape(name)).replace(LINK_SLOT, escape(unsubscribe_url)),
    )
