"""A model's `get_FOO_display()` names a choice in the reader's language, read once per field and
language (volunteer_net/choices.py) instead of translating every choice on every call."""

from __future__ import annotations

from django.apps import apps
from django.utils import translation

from front_offices.models import OpeningHours
from notifications.models import Message
from volunteer_net.choices import ChoiceLabels


def test_a_choice_is_named_in_the_active_language_each_time() -> None:
    message = Message(kind=Message.Kind.SHIFT_CANCELLED, status=Message.Status.FAILED)
    # The same field read in turn in three languages, and back: no language keeps another's labels.
    for language, kind, status in [
        ("en", "Shift cancelled", "Failed"),
        ("ru", "Смена отменена", "Не отправлено"),
        ("kk", "Ауысым тоқтатылды", "Жіберілмеді"),
        ("en", "Shift cancelled", "Failed"),
    ]:
        with translation.override(language):
            assert (message.get_kind_display(), message.get_status_display()) == (kind, status)


def test_a_value_that_is_no_choice_is_shown_as_it_is() -> None:
    # As Django's own: a kind written by a later release, say, reads as its value, not as nothing.
    assert Message(kind="renamed_kind").get_kind_display() == "renamed_kind"
    assert Message(kind=None).get_kind_display() is None


def test_integer_choices_are_named_too() -> None:
    with translation.override("en"):
        assert OpeningHours(weekday=6).get_weekday_display() == "Sunday"


def test_every_model_with_choices_names_them_the_quick_way() -> None:
    # A new model with choices that forgot the mixin would work, only slowly on every list.
    ours = {
        "accounts",
        "regions",
        "volunteers",
        "detachments",
        "events",
        "front_offices",
        "notifications",
        "care",
        "reports",
    }
    slow = [
        model.__name__
        for model in apps.get_models()
        if model._meta.app_label in ours
        and any(field.choices for field in model._meta.fields)
        and not issubclass(model, ChoiceLabels)
    ]
    assert slow == []
