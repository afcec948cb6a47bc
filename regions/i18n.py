from typing import Any

from django.utils.translation import get_language

DATA_LANGUAGES = ("kk", "ru", "en")


def localized(obj: Any, prefix: str) -> str:
    """`obj.<prefix>_<lang>` for the active language: names that live in the data in three
    languages (regions, skills), not in the translation catalogues."""
    lang = (get_language() or "kk")[:2]
    if lang not in DATA_LANGUAGES:
        lang = "en"
    return getattr(obj, f"{prefix}_{lang}") or getattr(obj, f"{prefix}_en")
