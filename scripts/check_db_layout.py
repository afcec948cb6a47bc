"""Before `migrate`: recognise a database made before accounts/ and detachments/ were split out of
volunteers/ (their migrations were rewritten from scratch while no deployment existed).

The embedded SQLite demo database is rebuilt: the old file is kept beside it and `make run` seeds
a fresh one. Any other database is left untouched, with the steps to start afresh.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def _made_before_split(applied: set[tuple[str, str]]) -> bool:
    # The old layout kept the user model in volunteers/, whose history had a third migration.
    return ("volunteers", "0003_birth_date_index") in applied and not any(a == "accounts" for a, _ in applied)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_net.settings")
    import django

    django.setup()
    from django.db import connection

    if "django_migrations" not in connection.introspection.table_names():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = {(app, name) for app, name in cursor.fetchall()}
    if not _made_before_split(applied):
        return 0
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and Path(name).resolve() == (BASE_DIR / "db.sqlite3").resolve():
        connection.close()
        kept = Path(name).with_suffix(".sqlite3.before-split")
        sqlite3.connect(name).close()
        Path(name).replace(kept)
        print(
            f"The demo database was made by an older version (before accounts/ and detachments/).\n"
            f"It was moved to {kept.name}; a fresh one is created and seeded now."
        )
        return 0
    print(
        f"The database {name!r} was made by an older version of Volunteer Net, before accounts/ and\n"
        "detachments/ were split out of volunteers/. Its migrations cannot be carried over.\n"
        "Start afresh: drop and re-create the database (e.g. `dropdb NAME && createdb NAME`),\n"
        "then run `make migrate` and `make seed` again.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
