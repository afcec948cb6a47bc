"""Shift times as people read them, in Almaty time and the page's language."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from volunteer_net.dates import date_in_text
from volunteer_net.numbers import number_text

from ..models import Campaign, Shift
from ..services import shift_closed_refusal

register = template.Library()


@functools.lru_cache(maxsize=1024)
def _day_in(day: datetime.date, language: str | None) -> str:
    return formats.date_format(day, "D, j E")


def _day(value: datetime.date | datetime.datetime) -> str:
    """ "Sat, 28 November" in the page's language. date_format looks up the names of the day and
    month through gettext each time; a page of 30 shifts repeats few dates, so they are kept per
    (date, language)."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    return _day_in(day, translation.get_language())


@register.filter
def shift_when(shift: Shift) -> str:
    """ "Sat, 28 November · 10:00–13:00"; a night shift shows the next day's end time with the day."""
    start = timezone.localtime(shift.starts_at)
    end = timezone.localtime(shift.ends_at)
    # "H:i" spelled directly: the same digits in every language, without a format lookup per call.
    start_time, end_time = f"{start:%H:%M}", f"{end:%H:%M}"
    if end.date() == start.date() or ((end.date() - start.date()).days == 1 and end.time() <= start.time()):
        suffix = "" if end.date() == start.date() else " (+1)"
        return f"{_day(start)} · {start_time}–{end_time}{suffix}"
    return f"{_day(start)} {start_time} – {_day(end)} {end_time}"


@register.filter
def campaign_dates(campaign: Campaign) -> str:
    """ "5 June – 10 December 2026"; across a new year both years show ("20 December 2026 –
    31 January 2027"), since the year written once at the end would be read as the start's too.
    Both ends use the same month style (the month as written inside a date)."""
    first, last = campaign.starts_on, campaign.ends_on
    if first == last:
        return formats.date_format(first, "DATE_FORMAT")
    start_format = "MONTH_DAY_FORMAT" if first.year == last.year else "DATE_FORMAT"
    return f"{formats.date_format(first, start_format)} – {formats.date_format(last, 'DATE_FORMAT')}"


@register.filter
def hours(value: Decimal | None) -> str:
    """12.50 → "12,5" in kk/ru, "12.5" in en; nothing for no hours."""
    return "" if value is None else number_text(value)


@register.filter
def get_item(mapping: dict[int, object], key: int) -> object:
    return mapping.get(key) if mapping else None


@register.simple_tag
def shift_cards(
    shifts: Iterable[Shift], mine: dict[int, Any], shifts_url: str, signups_url: str, detachment: bool = False
) -> SafeString:
    """The campaign page's shift cards, written in Python as the roster's rows are
    (volunteers/templatetags/roster_tags.py): through the template engine, a page of 30 cards
    spent more on its {% if %}, {% with %} and {% blocktranslate %} nodes than on its SQL. The
    markup is what the template wrote; every value is escaped here.

    `detachment`: the reader curates a detachment, so each shift not cancelled offers "Sign up my
    detachment", as the shift's own page does (the view asks once per page, not per card)."""
    label_cancelled = escape(gettext("Shift cancelled"))
    label_full = escape(gettext("Full"))
    label_waitlist = escape(gettext("waitlist open"))
    label_skills = escape(gettext("Skills:"))
    label_cancel = escape(gettext("Cancel my sign-up"))
    label_signup = escape(gettext("Sign up"))
    label_calendar = escape(gettext("Add to calendar"))
    label_detachment = escape(gettext("Sign up my detachment"))
    label_waitlist_join = escape(gettext("Join the waitlist"))
    shifts_url, signups_url = escape(shifts_url), escape(signups_url)
    now = timezone.now()
    cards = []
    for shift in shifts:
        pk = shift.pk
        address = f' · <span class="meta">{escape(shift.address)}</span>' if shift.address else ""
        if shift.cancelled_at:
            places = f'<span class="status-badge status-cancelled">{label_cancelled}</span>'
        elif free := shift.free_places:
            counted = ngettext("%(counter)s free place", "%(counter)s free places", free) % {"counter": free}
            of = gettext("of %(capacity)s") % {"capacity": shift.capacity}
            places = f'<span class="places">{escape(counted)}</span> <span class="meta">{escape(of)}</span>'
        else:
            places = f'<span class="places places-none">{label_full}</span>'
            if shift.waitlist_enabled:
                # Two facts, kept apart as the shift's own page does: "Full · waitlist open".
                places += f' · <span class="meta">{label_waitlist}</span>'
        if shift.min_age:
            age = gettext("from %(age)s years") % {"age": shift.min_age}
            places += f' · <span class="meta">{escape(age)}</span>'
        elif shift.requires_adult:
            places += ' · <span class="meta">18+</span>'
        skills = [escape(s.name) for s in shift.required_skills.all()]
        skills_line = f'<p class="meta">{label_skills} {", ".join(skills)}</p>' if skills else ""
        signup = mine.get(pk) if mine else None
        if signup:
            action = (
                f'<span class="status-badge status-{escape(signup.status)}">{escape(signup.get_status_display())}</span>'
                f' <a href="{signups_url}{signup.pk}/cancel/">{label_cancel}</a>'
            )
        elif shift.cancelled_at:
            action = ""
        elif closed := shift_closed_refusal(shift=shift, now=now):
            # No button that only leads to a refusal (a closed campaign, a shift under way, past
            # its deadline): the card says why, as the shift's page does.
            action = f'<span class="meta">{escape(" ".join(closed.messages))}</span>'
        elif shift.free_places:
            action = f'<a class="button button-small" href="{shifts_url}{pk}/signup/">{label_signup}</a>'
        elif shift.waitlist_enabled:
            action = (
                f'<a class="button button-small" href="{shifts_url}{pk}/signup/">{label_waitlist_join}</a>'
            )
        else:
            action = ""  # full, no waitlist: "Full" says it
        if detachment and not shift.cancelled_at and shift_closed_refusal(shift=shift, now=now) is None:
            action += (
                f' <a class="button button-small button-secondary" href="{shifts_url}{pk}/detachment/">'
                f"{label_detachment}</a>"
            )
        cards.append(
            f'<li class="shift-card" id="shift-{pk}">'
            f'<h3><a href="{shifts_url}{pk}/"><span class="shift-when">{escape(shift_when(shift))}</span></a></h3>'
            f"<p>{escape(shift.place_name)}{address}</p>"
            f"<p>{places}</p>"
            f"{skills_line}"
            f'<div class="actions">{action} <a href="{shifts_url}{pk}/calendar.ics">{label_calendar}</a></div>'
            "</li>"
        )
    if not cards:
        none = escape(gettext("No upcoming shifts."))  # outside the f-string, where makemessages finds it
        return mark_safe(f'<li class="shift-card">{none}</li>')  # noqa: S308 (escaped)
    return mark_safe("\n".join(cards))  # noqa: S308 (every value escaped above)


@register.simple_tag
def campaign_cards(campaigns: Iterable[Campaign], campaigns_url: str) -> SafeString:
    """The campaign list's cards, written in Python for the reason shift_cards is: through the
    template engine a page of 20 cards took ~11 ms, three times its SQL. The markup is what the
    template wrote; every value is escaped here. `distance_km` is set by the view for "nearest
    to me" only."""
    label_national = escape(gettext("National campaign"))
    label_next = escape(gettext("Next shift:"))
    label_none = escape(gettext("No upcoming shifts yet."))
    campaigns_url = escape(campaigns_url)
    cards = []
    for campaign in campaigns:
        region = escape(campaign.region.name) if campaign.region else label_national
        meta = f"{escape(campaign.get_kind_display())} · {region} · {escape(campaign_dates(campaign))}"
        distance_km = getattr(campaign, "distance_km", None)
        if distance_km is not None:
            km = gettext("%(km)s km") % {"km": floatformat(distance_km, 0)}
            meta += f' · <span class="distance">{escape(km)}</span>'
        cover = f"<p>{escape(campaign.cover_text)}</p>" if campaign.cover_text else ""
        next_shift_at = campaign.next_shift_at  # type: ignore[attr-defined]
        if next_shift_at:
            count = campaign.upcoming_shifts  # type: ignore[attr-defined]
            upcoming = ngettext("%(counter)s upcoming shift", "%(counter)s upcoming shifts", count) % {
                "counter": count
            }
            when = escape(date_in_text(next_shift_at, "D, j E · H:i"))
            shifts = (
                f'{label_next} <span class="shift-when">{when}</span>\n       · {escape(upcoming)}\n       '
            )
        else:
            shifts = f'<span class="muted">{label_none}</span>'
        cards.append(
            '<li class="campaign-card">'
            f'<h2><a href="{campaigns_url}{campaign.pk}/">{escape(campaign.title)}</a></h2>'
            f'<p class="meta">{meta}</p>'
            f"{cover}"
            f"<p>{shifts}</p>"
            "</li>"
        )
    if not cards:
        none = escape(gettext("No campaigns match these filters."))  # outside the f-string, for makemessages
        return mark_safe(f'<li class="campaign-card">{none}</li>')  # noqa: S308 (escaped)
    return mark_safe("\n".join(cards))  # noqa: S308 (every value escaped above)


@register.simple_tag
def my_upcoming_cards(signups: Iterable[Any], shifts_url: str, signups_url: str) -> SafeString:
    """The volunteer's upcoming sign-ups on "My shifts", written in Python for the reason
    shift_cards is. A transport answer, shown rarely, still comes from its template."""
    label_calendar = escape(gettext("Add to calendar"))
    label_cancel = escape(gettext("Cancel my sign-up"))
    label_cancelled = escape(gettext("Shift cancelled by the organisers"))
    label_transport_mine = escape(gettext("My transport request"))
    label_transport_ask = escape(gettext("Ask for transport"))
    label_transport = escape(gettext("Transport:"))
    shifts_url, signups_url = escape(shifts_url), escape(signups_url)
    cards = []
    for signup in signups:
        shift, pk, status = signup.shift, signup.pk, signup.status
        address = f' · <span class="meta">{escape(shift.address)}</span>' if shift.address else ""
        if status == "cancelled":
            state = f'<span class="status-badge status-cancelled">{label_cancelled}</span>'
        else:
            state = f'<span class="status-badge status-{escape(status)}">{escape(signup.get_status_display())}</span>'
            if status == "waitlisted":
                position = gettext("number %(position)s on the waitlist") % {
                    "position": signup.waitlist_ahead + 1
                }
                state += f'<span class="meta">{escape(position)}</span>'
        extra = ""
        if status != "cancelled":
            transport = getattr(signup, "transport", None)
            actions = f'<a href="{shifts_url}{shift.pk}/calendar.ics">{label_calendar}</a>'
            if status in ("confirmed", "waitlisted"):
                asked = transport is not None and transport.status != "cancelled"
                actions += (
                    f' <a href="{signups_url}{pk}/cancel/">{label_cancel}</a>'
                    f' <a href="{signups_url}{pk}/transport/">{label_transport_mine if asked else label_transport_ask}</a>'
                )
            extra = f'<div class="actions">{actions}</div>'
            if transport is not None and transport.is_answered:
                extra += render_to_string("events/transport/_answer.html", {"transport": transport})
            elif transport is not None and transport.status == "pending":
                extra += f'<p class="meta">{label_transport} {escape(transport.get_status_display())}</p>'
        cards.append(
            f'<li class="shift-card" id="signup-{pk}">'
            f'<h3><a href="{shifts_url}{shift.pk}/">{escape(shift.campaign.title)}</a></h3>'
            f'<p class="shift-when">{escape(shift_when(shift))}</p>'
            f"<p>{escape(shift.place_name)}{address}</p>"
            f"<p>{state}</p>{extra}"
            "</li>"
        )
    return mark_safe("\n".join(cards))  # noqa: S308 (every value escaped above)


@register.simple_tag
def my_past_rows(signups: Iterable[Any]) -> SafeString:
    """The rows of past shifts on "My shifts" (see my_upcoming_cards)."""
    label_not_marked = escape(gettext("not marked yet"))
    rows = []
    for signup in signups:
        shift = signup.shift
        if signup.status == "confirmed":
            attendance = f'<span class="meta">{label_not_marked}</span>'
        else:
            attendance = f'<span class="status-badge status-{escape(signup.status)}">{escape(signup.get_status_display())}</span>'
        reason = f'<br><span class="meta">{escape(signup.hours_reason)}</span>' if signup.hours_reason else ""
        rows.append(
            f'<tr id="signup-{signup.pk}"><td>{escape(shift.campaign.title)}<br>'
            f'<span class="meta">{escape(shift_when(shift))} · {escape(shift.place_name)}</span></td>'
            f"<td>{attendance}</td>"
            f"<td>{escape(hours(signup.hours) or '—')}{reason}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every value escaped above)
