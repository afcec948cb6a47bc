"""Database sessions that treat a session cookie holding a NUL byte as no session at all.

Django's database store looks the key up as it comes, and PostgreSQL refuses a string with NUL
in it, so such a cookie (never one we set) made every page a 500.
"""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: Any) -> bool:
        # Not in django-stubs, but the hook every key read goes through (SessionBase).
        return bool(super()._validate_session_key(key)) and "\x00" not in key  # type: ignore[misc]
