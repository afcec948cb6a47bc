"""A model's `get_FOO_display()` without translating every choice on every call."""

from __future__ import annotations

from typing import Any

from django.db.models import Field
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

# Kept on the field itself, by language: a field's choices are fixed when its model is defined.
_CACHE = "_choice_labels_by_language"


def choice_labels(field: Field) -> dict[Any, str]:
    """The field's choices as {value: label}, the labels in the active language."""
    by_language: dict[str | None, dict[Any, str]] = field.__dict__.setdefault(_CACHE, {})
    language = get_language()
    labels = by_language.get(language)
    if labels is None:
        labels = by_language[language] = {
            make_hashable(value): str(label) for value, label in field.flatchoices
        }
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
