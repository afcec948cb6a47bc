"""Kazakh and Russian name order on SQLite (the embedded `make run` database).

PostgreSQL has ICU collations named "kk-x-icu" and "ru-x-icu"; SQLite has none, so collations of
the same names are registered on each new SQLite connection and the roster's ORDER BY works the
same on both databases.
"""

from __future__ import annotations

from typing import Any

KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
# Russian order; the Kazakh letters follow the Russian letter they are written from.
RUSSIAN_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыьэюяі"


def _key_function(alphabet: str) -> Any:
    positions = {ch: i for i, ch in enumerate(alphabet)}

    def key(text: str) -> tuple[int, ...]:
        # Letters outside the alphabet (Latin, digits) sort after it, by code point.
        return tuple(positions.get(ch, len(alphabet) + ord(ch)) for ch in text.casefold())

    return key


def _compare(key: Any) -> Any:
    def compare(a: str, b: str) -> int:
        ka, kb = key(a), key(b)
        return (ka > kb) - (ka < kb)

    return compare


def name_key(language: str | None) -> Any:
    """A sort key for names in `language`'s alphabet (Kazakh: Ә after А, Ғ after Г …; Russian
    order otherwise, English names by their letters), for lists sorted in Python: the same
    order the database's collations give."""
    if language == "kk":
        return _kk_key
    if language == "ru":
        return _ru_key
    return str.casefold


_kk_key = _key_function(KAZAKH_ALPHABET)
_ru_key = _key_function(RUSSIAN_ALPHABET)

COLLATIONS = {
    "kk-x-icu": _compare(_kk_key),
    "ru-x-icu": _compare(_ru_key),
}


def register_sqlite_collations(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    for name, function in COLLATIONS.items():
        connection.connection.create_collation(name, function)
