"""Database sessions that treat a session cookie holding a NUL byte as no session at all, and
read the session's row with one plain SELECT.

Django's database store looks the key up as it comes, and PostgreSQL refuses a string with NUL
in it, so such a cookie (never one we set) made every page a 500.
"""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: Any) -> bool:
        # Not in django-stubs, but the hook every key read goes through (SessionBase).
        return bool(super()._validate_session_key(key)) and "\x00" not in key  # type: ignore[misc]

    def _get_session_from_db(self) -> Any:
        """The unexpired session of this key, as Django's own `objects.get(...)` reads it.

        Every page a logged-in person opens reads their session first; through the ORM, building
        and compiling that one-line query took longer than PostgreSQL took to answer it (the site's
        chrome alone, see bench/roster.py). The statement is the same lookup written out. On SQLite
        (`make run`) the session is read as Django reads it."""
        model = self.model
        connection = connections[router.db_for_read(model)]
        if connection.vendor != "postgresql":
            return super()._get_session_from_db()  # type: ignore[misc]  # (not in the stubs)
        key = self.session_key
        if key is None:
            return None
        quote = connection.ops.quote_name
        table, data, expires, key_column = (
            quote(name) for name in (model._meta.db_table, "session_data", "expire_date", "session_key")
        )
        # Names from the model's own metadata, quoted; the key and the time are parameters.
        sql = f"SELECT {data}, {expires} FROM {table} WHERE {key_column} = %s AND {expires} > %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            # As Django's: an unknown or expired key is forgotten, and a new one is issued on save.
            self._session_key = None
            return None
        session_data, expire_date = row
        return model(session_key=key, session_data=session_data, expire_date=expire_date)
