"""Names in the order of the page's language, for lists sorted in Python.

The same Kazakh and Russian alphabets give the roster's database order: PostgreSQL's ICU
collations "kk-x-icu" and "ru-x-icu", and on SQLite the collations of those names that
volunteers/collation.py registers from these keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.utils.translation import get_language

KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
# Russian order; the Kazakh letters follow the Russian letter they are written from.
RUSSIAN_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыьэюяі"

T = TypeVar("T")


def alphabet_key(alphabet: str) -> Callable[[str], tuple[int, ...]]:
    positions = {ch: i for i, ch in enumerate(alphabet)}

    def key(text: str) -> tuple[int, ...]:
        # Letters outside the alphabet (Latin, digits) sort after it, by code point.
        return tuple(positions.get(ch, len(alphabet) + ord(ch)) for ch in text.casefold())

    return key


kazakh_key = alphabet_key(KAZAKH_ALPHABET)
russian_key = alphabet_key(RUSSIAN_ALPHABET)


def name_key(language: str | None) -> Callable[[str], Any]:
    """A sort key for names in `language`'s alphabet (Kazakh: Ә after А, Ғ after Г …; Russian
    order; English names by their letters)."""
    if language == "kk":
        return kazakh_key
    if language == "ru":
        return russian_key
    return str.casefold


def in_name_order(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """`items` sorted by `name(item)` in the alphabet of the active language."""
    key = name_key(get_language())
    return sorted(items, key=lambda item: key(name(item)))
