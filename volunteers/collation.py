"""Kazakh and Russian name order on SQLite (the embedded `make run` database).

PostgreSQL has ICU collations named "kk-x-icu" and "ru-x-icu"; SQLite has none, so collations of
the same names are registered on each new SQLite connection and the roster's ORDER BY works the
same on both databases. The alphabets are volunteer_net/collation.py's, which lists sorted in
Python use too.
"""

from __future__ import annotations

from typing import Any

from volunteer_net.collation import kazakh_key, russian_key


def _compare(key: Any) -> Any:
    def compare(a: str, b: str) -> int:
        ka, kb = key(a), key(b)
        return (ka > kb) - (ka < kb)

    return compare


COLLATIONS = {
    "kk-x-icu": _compare(kazakh_key),
    "ru-x-icu": _compare(russian_key),
}


def register_sqlite_collations(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    for name, function in COLLATIONS.items():
        connection.connection.create_collation(name, function)
