"""A model's `get_FOO_display()` without translating every choice on every call."""

from __future__ import annotations

from typing import Any

from django.db.models import Field
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

# (the field's id, the language) → {value: label}. Fields live as long as the process, and so
# do their choices; a few hundred small dicts at most.
_labels: dict[tuple[int, str | None], dict[Any, str]] = {}


def choice_labels(field: Field) -> dict[Any, str]:
    """The field's choices as {value: label}, the labels in the active language."""
    key = (id(field), get_language())
    labels = _labels.get(key)
    if labels is None:
        labels = _labels[key] = {make_hashable(value): str(label) for value, label in field.flatchoices}
    return labels


class ChoiceLabels:
    """Put before models.Model in a model's bases.

    Django's own `get_FOO_display()` builds a dict of the field's choices on every call, and
    hashing each lazy label translates it: sixteen gettext calls to name one message's kind. On
    the staff's list of 50 messages that was a fifth of the page. Here the labels are read once
    per field and language; what the method returns is unchanged (the label, else the value)."""

    def _get_FIELD_display(self, field: Field) -> Any:
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(make_hashable(value), value), strings_only=True)
