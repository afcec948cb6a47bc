"""Filters of the message templates (templates/notifications/<kind>/)."""

from __future__ import annotations

import datetime

from django import template

from volunteer_net.dates import when_text

register = template.Library()


@register.filter
def when(moment: datetime.datetime | str | None) -> str:
    """A moment as every page and every message writes it (volunteer_net.dates.when_text): a
    message whose text is built in Python (a help request's) and one whose template printed the
    long form ("22 декабря 2026 г. 18:00") read the same time two ways. A value the context could
    not turn back into a time is shown as stored."""
    if isinstance(moment, datetime.datetime):
        return when_text(moment)
    return "" if moment is None else str(moment)
