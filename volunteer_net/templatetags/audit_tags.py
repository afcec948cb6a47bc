"""The trail of who viewed or exported a person's data, as a table on that person's page
(the roster's volunteer page, a help request's page for its beneficiary)."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEntry
from volunteer_net.choices import choice_labels
from volunteer_net.dates import fast_format

register = template.Library()

# Where a view happened, as the apps record it in AuditEntry.detail["where"].
WHERE = {
    "roster": _("the roster's page of the person"),
    "roster-edit": _("the edit form"),
    "api": _("the API"),
    "detachment": _("the detachment's member form"),
    "admin": _("the administration site"),
    "page": _("the help request's page"),
    "map": _("the help requests' map"),
    "page duplicates": _("possible duplicates on a help request's page"),
    "intake duplicates": _("possible duplicates at intake"),
}


@register.inclusion_tag("includes/audit_trail.html")
def audit_trail(trail: list[Any]) -> dict[str, Any]:
    """The table's rows written in Python, each one f-string over values escaped once: through
    the template, the up to fifty rows' dates and labels cost more than the rest of a help
    request's page. The markup is the same as the template's loop wrote."""
    # The action's label as get_action_display gives it, read once for the (up to fifty) rows.
    actions = choice_labels(AuditEntry._meta.get_field("action"))
    who_label, what_label, where_label = (
        escape(gettext("Who")),
        escape(gettext("What")),
        escape(gettext("Where")),
    )
    short = fast_format(formats.get_format("SHORT_DATETIME_FORMAT"))
    zone = timezone.get_current_timezone()
    rows = [
        {
            "entry": entry,
            "who": (entry.actor.full_name or entry.actor.email) if entry.actor else "—",
            "what": actions.get(entry.action, entry.action),
            "where": WHERE.get(str((entry.detail or {}).get("where", "")), "—"),
        }
        for entry in trail
    ]
    html = []
    for row in rows:
        at = timezone.localtime(row["entry"].at, zone)
        when = short(at)
        html.append(
            f'\n    <tr><td class="cell-primary">{escape(when)}</td>'
            f'<td data-label="{who_label}">{escape(str(row["who"]))}</td>'
            f'<td data-label="{what_label}">{escape(str(row["what"]))}</td>'
            f'<td data-label="{where_label}">{escape(str(row["where"]))}</td></tr>\n  '
        )
    body: SafeString = mark_safe("".join(html))  # noqa: S308 (every value escaped above)
    return {"rows": rows, "body": body}
