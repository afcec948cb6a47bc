"""Hours on pages of apps below events/: `{% load events %}{% volunteer_hours volunteer %}` on the
volunteer's profile and `{% volunteer_history volunteer %}` on the roster's detail page;
`{% find_campaign volunteer %}`, the profile's next step when no shift is ahead.

volunteers/ may not import events/ (it sits below), but a template may load a tag library of any
installed app; the figures come from events/selectors.py like everywhere else.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from volunteers.extensions import volunteer_total_hours
from volunteers.models import Volunteer

from .. import selectors

register = template.Library()

# The roster page shows the latest attended shifts; the total counts them all.
HISTORY_ROWS = 20


@register.inclusion_tag("events/_volunteer_hours.html")
def volunteer_hours(volunteer: Volunteer) -> dict[str, Any]:
    """The total hours (every source: shifts, help requests) and a link to "my shifts"."""
    return {"hours": volunteer_total_hours(volunteer)}


@register.inclusion_tag("events/_find_campaign.html")
def find_campaign(volunteer: Volunteer) -> dict[str, Any]:
    """A link to the campaigns of the person's region when no shift is ahead of them: the profile
    otherwise ends without saying what to do next."""
    return {"volunteer": volunteer, "show": not selectors.has_upcoming_shift(volunteer=volunteer)}


@register.inclusion_tag("events/_volunteer_history.html")
def volunteer_history(volunteer: Volunteer) -> dict[str, Any]:
    """The total hours (every source) and the latest shifts attended (one query per source and
    one for the shifts, whatever their number)."""
    return {
        "hours": volunteer_total_hours(volunteer),
        "attended": list(selectors.volunteer_attended(volunteer=volunteer)[:HISTORY_ROWS]),
        "limit": HISTORY_ROWS,
    }


@register.inclusion_tag("events/_calendar_feed.html", takes_context=True)
def calendar_feed_box(context: template.Context) -> dict[str, Any]:
    """The personal calendar address on "my shifts", with its create/replace/revoke buttons."""
    request = context["request"]
    # "My shifts" has loaded the person already; look them up only on a page that has not.
    volunteer = context.get("volunteer") or selectors.volunteer_of_user(user=request.user)
    feed = selectors.calendar_feed_of(volunteer=volunteer) if volunteer else None
    url = None
    if feed is not None:
        url = request.build_absolute_uri(reverse("events:calendar_feed", args=[feed.token]))
    return {"volunteer": volunteer, "feed": feed, "feed_url": url, "csrf_token": context.get("csrf_token")}
