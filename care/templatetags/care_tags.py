"""Request cards written in Python rather than with template tags.

A list page shows thirty cards; through the template engine each card was two includes and a
dozen variable lookups, translations, localisations and escapes, which made the cards cost more
than the page's SQL (see README, Speed). Here the labels are translated once a page and each
card is one f-string over values escaped once; the markup is the same as the templates'
(care/_request_card.html, care/_due.html) was, and the browser tests read it as before.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from html import escape

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from care.models import HelpRequest
from volunteer_net.choices import choice_labels
from volunteer_net.dates import fast_format

register = template.Library()


def due_formatter() -> Callable[[datetime.datetime, datetime.datetime], str]:
    """A request's window in the current time zone, as care/_due.html writes it: the second date
    only when the window ends on another day. Formats looked up once, for a page's cards."""
    short = fast_format(formats.get_format("SHORT_DATETIME_FORMAT"))
    zone = timezone.get_current_timezone()

    def due(start: datetime.datetime, end: datetime.datetime) -> str:
        start, end = timezone.localtime(start, zone), timezone.localtime(end, zone)
        if start.date() == end.date():
            return f"{escape(short(start))}–{end:%H:%M}\n"
        return f"{escape(short(start))} – {escape(short(end))}\n"

    return due


@register.simple_tag
def request_cards(requests: Iterable[HelpRequest]) -> SafeString:
    """The cards of a page of requests (read with `overdue`, `offers`, the region and the
    beneficiary's locality, as selectors.OverdueFirst gives them)."""
    kinds = {k: escape(v) for k, v in choice_labels(HelpRequest._meta.get_field("kind")).items()}
    statuses = {k: escape(v) for k, v in choice_labels(HelpRequest._meta.get_field("status")).items()}
    urgent = f'<span class="status-badge care-urgent">{escape(gettext("Urgent"))}</span>'
    late = f'<span class="status-badge care-late">{escape(gettext("Overdue"))}</span>'
    weekly = f" · {escape(gettext('every week'))}"
    check = f'<span class="status-badge care-check">{escape(gettext("Awaits a check"))}</span>'
    adults = f'<span class="meta">{escape(gettext("adults only"))}</span>'
    # The message as {% blocktranslate %} looks it up; its values are escaped, the text is not.
    going = gettext("%(taken)s of %(needed)s people going")
    due = due_formatter()
    # One reverse() a page: the card links differ by the id alone.
    sentinel = 2_147_483_647
    link = reverse("care:request_detail", args=[sentinel]).split(str(sentinel))
    cards = []
    for req in requests:
        pk = req.pk
        overdue = getattr(req, "overdue", None) == 0
        offers = getattr(req, "offers", 0)
        offered = (
            '<span class="status-badge care-offers">'
            + ngettext("%(n)s offer", "%(n)s offers", offers) % {"n": offers}
            + "</span>"
            if offers
            else ""
        )
        cards.append(
            f'<li class="shift-card care-card{" care-overdue" if overdue else ""}" id="request-{pk}">\n'
            f'  <h3><a href="{link[0]}{pk}{link[1]}">{kinds.get(req.kind) or escape(req.kind)}</a>'
            f"\n    {urgent if req.urgency == HelpRequest.Urgency.URGENT else ''}"
            f"\n    {late if overdue else ''}</h3>\n"
            f'  <p class="shift-when">{due(req.due_from, req.due_until)}'
            f"{weekly if req.recurrence == HelpRequest.Recurrence.WEEKLY else ''}</p>\n"
            f"  <p>{escape(req.beneficiary.locality or '—')} · "
            f'<span class="meta">{escape(req.region.name)}</span></p>\n'
            f'  <p><span class="status-badge status-{escape(req.status)}">'
            f"{statuses.get(req.status) or escape(req.status)}</span>\n"
            f'    <span class="meta">'
            f"{going % {'taken': req.taken_hands, 'needed': req.needed_hands}}</span>\n"
            f"    {check if req.needs_check else ''}\n"
            f"    {offered}\n"
            f"    {adults if req.adults_only else ''}</p>\n"
            "</li>\n"
        )
    return mark_safe("".join(cards))  # noqa: S308 (every value escaped above)
