"""The roster's table rows, written in Python rather than with template tags.

A roster page shows up to 100 rows of ten cells each; through the template engine every cell
costs a variable lookup, a localisation and an escape per value, which made the rows cost three
times the page's SQL (see README, Speed). Here each row is one f-string over values escaped once;
the markup is the same as the template's was and the browser tests read it as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from django import template
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from volunteer_net.choices import choice_labels
from volunteer_net.dates import fast_format
from volunteers.models import ADULT_AGE, Volunteer
from volunteers.validators import format_phone

register = template.Library()


def email_breaks(address: str) -> str:
    """The address escaped, with a line-break opportunity after the @ and before each dot: in a
    narrow column it wraps as «v213@ / example.kz», never inside a word as «example.k / z»."""
    return escape(address).replace("@", "@<wbr>").replace(".", "<wbr>.")


@register.filter
def breakable_email(address: str) -> SafeString:
    return mark_safe(email_breaks(address))  # noqa: S308 (escaped in email_breaks)


@register.simple_tag
def roster_rows(
    volunteers: Iterable[Volunteer], roster_url: str, skill_labels: Mapping[int, str] | None = None
) -> SafeString:
    """The rows of a roster page. `skill_labels`: the escaped name of each skill by id, for
    people read with their skills' ids (selectors.roster_page_list on PostgreSQL)."""
    labels = {
        "age": escape(gettext("Age")),
        "contacts": escape(gettext("Contacts")),
        "region": escape(gettext("Region")),
        "skills": escape(gettext("Skills")),
        "detachment": escape(gettext("Detachment")),
        "status": escape(gettext("Status")),
        "registered": escape(gettext("Registered")),
    }
    # Outside the f-strings: the message extractor does not look inside them.
    label_minor = escape(gettext("minor"))
    label_no_consent = escape(gettext("no guardian consent"))
    minor = f'<span class="badge badge-minor">{label_minor}</span>'
    no_consent = f'<span class="badge badge-warn">{label_no_consent}</span>'
    select = gettext("Select %(name)s")
    # Looked up once a page, not per row: date_format looks its format up through gettext each
    # call. The status labels come translated once per language (volunteer_net.choices).
    statuses = choice_labels(Volunteer._meta.get_field("status"))
    registered_on = fast_format(formats.get_format("SHORT_DATE_FORMAT"))
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    rows = []
    for v in volunteers:
        name = v.full_name
        age = v.age(today)
        badges = ""
        if age is not None and age < ADULT_AGE:
            badges = f"\n        {minor}\n        " + ("" if v.guardian_consent_at else no_consent)
        contacts = (
            f'<a href="tel:{escape(v.phone)}" class="nowrap">{escape(format_phone(v.phone))}</a>'
            if v.phone
            else "—"
        )
        if v.email:
            contacts += f'<br><a href="mailto:{escape(v.email)}">{email_breaks(v.email)}</a>'
        # roster_page_list reads their ids (PostgreSQL) or a list; other people, the relation.
        if skill_labels is not None and hasattr(v, "roster_skill_ids"):
            names = [skill_labels[pk] for pk in v.roster_skill_ids]
        else:
            held = v.roster_skills if hasattr(v, "roster_skills") else v.skills.all()
            names = [escape(s.name) for s in held]
        skills = " ".join(f'<span class="badge">{name}</span>' for name in names) or "—"
        registered = registered_on(v.created_at.astimezone(zone).date())
        rows.append(
            "<tr>"
            f'<td class="cell-select"><input type="checkbox" name="ids" value="{v.pk}" form="roster-bulk"'
            f' aria-label="{escape(select % {"name": name})}"></td>'
            f'<td class="cell-primary"><a href="{escape(roster_url)}{v.pk}/">{escape(name)}</a></td>'
            f'<td data-label="{labels["age"]}">{"—" if age is None else age}{badges}</td>'
            f'<td data-label="{labels["contacts"]}">{contacts}</td>'
            f'<td data-label="{labels["region"]}" class="hide-narrow">{escape(v.region.name)}</td>'
            f'<td data-label="{labels["skills"]}" class="hide-narrow">{skills}</td>'
            f'<td data-label="{labels["detachment"]}" class="hide-narrow">{escape(str(v.detachment or "—"))}</td>'
            f'<td data-label="{labels["status"]}">{escape(statuses.get(v.status, v.status))}</td>'
            f'<td data-label="{labels["registered"]}" class="hide-narrow nowrap">{escape(registered)}</td>'
            "</tr>"
        )
    if not rows:
        empty = escape(gettext("No volunteers match these filters."))
        return mark_safe(f'<tr><td colspan="9">{empty}</td></tr>')  # noqa: S308 (escaped above)
    return mark_safe("\n".join(rows))  # noqa: S308 (every value escaped above)
