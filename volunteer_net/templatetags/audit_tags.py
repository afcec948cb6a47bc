"""The trail of who viewed or exported a person's data, as a table on that person's page
(the roster's volunteer page, a help request's page for its beneficiary)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEntry
from volunteer_net.choices import choice_labels

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
    # The action's label as get_action_display gives it, read once for the (up to fifty) rows.
    actions = choice_labels(AuditEntry._meta.get_field("action"))
    rows = [
        {
            "entry": entry,
            "who": (entry.actor.full_name or entry.actor.email) if entry.actor else "—",
            "what": actions.get(entry.action, entry.action),
            "where": WHERE.get(str((entry.detail or {}).get("where", "")), "—"),
        }
        for entry in trail
    ]
    return {"rows": rows}
