"""Dates inside sentences and after labels, with the names of weekdays and months in the case
Kazakh and Russian write them there (volunteer_net/dates.py)."""

from __future__ import annotations

import datetime

from django import template

from volunteer_net.dates import date_in_text, names_in_text

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def inline_date(value: datetime.date | datetime.datetime | None, arg: str) -> str:
    """`{{ day|inline_date:"l, j E" }}`: as Django's `date`, with "понедельник" for "Понедельник"
    in Russian and "дүйсенбі" for "Дүйсенбі" in Kazakh."""
    if value is None or value == "":
        return ""
    return date_in_text(value, arg)


@register.filter(is_safe=True)
def inline_day_names(text: str) -> str:
    """Already formatted date text (a shift's `shift_when`) for use inside a sentence."""
    return names_in_text(str(text))
