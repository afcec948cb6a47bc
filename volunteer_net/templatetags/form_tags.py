"""What the form templates need beyond Django's: the error summary at the top of a form page
(templates/includes/form_errors_summary.html) and the grouping of a profile form's guardian
fields (templates/includes/form_fields.html)."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BaseForm, BoundField
from django.utils.text import Truncator

register = template.Library()

SUMMARY_LABEL_WORDS = 8


def _target(field: BoundField) -> str:
    """The id a summary link jumps to: the field's input, or the first box of a list of them
    (a list of checkboxes has no single input its label points at)."""
    if field.is_hidden:
        return ""
    return field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")


def _summary_label(field: BoundField) -> str:
    """The field's name in the summary, before ": message": a checkbox's label is often a whole
    sentence ("I have read … and consent."), which read as "… consent.: This field is required."
    Its end stop goes, and a long one is cut to its first words (the link leads to the rest)."""
    label = str(field.label or "").strip().rstrip(".:;!?…").rstrip()
    return Truncator(label).words(SUMMARY_LABEL_WORDS, truncate="…")


@register.inclusion_tag("includes/form_errors_summary.html")
def form_errors_summary(*forms: Any) -> dict[str, Any]:
    """Every error of the given forms, in the order of their fields: the form's own errors as
    text, each field's as a link to the field. A page with two forms (registration) passes both
    to one summary."""
    entries: list[dict[str, str]] = []
    for form in forms:
        if not isinstance(form, BaseForm) or not form.errors:
            continue
        entries.extend({"target": "", "label": "", "message": str(e)} for e in form.non_field_errors())
        for field in form:
            if field.errors:
                entries.append(
                    {
                        "target": _target(field),
                        "label": _summary_label(field),
                        "message": " ".join(str(e) for e in field.errors),
                    }
                )
    return {"entries": entries}


@register.filter
def field_groups(form: BaseForm) -> dict[str, list[BoundField]]:
    """The form's visible fields: "guardian", those a form names in `guardian_field_names`
    (shown in their own fieldset), and "main", the others, each in the form's order."""
    guardian_names = set(getattr(form, "guardian_field_names", ()))
    groups: dict[str, list[BoundField]] = {"main": [], "guardian": []}
    for field in form.visible_fields():
        groups["guardian" if field.name in guardian_names else "main"].append(field)
    return groups
