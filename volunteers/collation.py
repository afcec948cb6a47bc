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


COLLATIONS = {
    "kk-x-icu": _compare(_key_function(KAZAKH_ALPHABET)),
    "ru-x-icu": _compare(_key_function(RUSSIAN_ALPHABET)),
}


def register_sqlite_collations(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    for name, function in COLLATIONS.items():
        connection.connection.create_collation(name, function)
