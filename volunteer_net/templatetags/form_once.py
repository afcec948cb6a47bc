"""`{% form_once_key %}`: the hidden one-time key of a create form (volunteer_net/submit_once.py).
A builtin (settings.TEMPLATES), so that a form template needs only the one line."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from volunteer_net.submit_once import FIELD, key_for

register = template.Library()


@register.simple_tag(takes_context=True)
def form_once_key(context: dict[str, Any]) -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key_for(context.get("request")))
