"""gunicorn's logger with an access log that holds no personal data and no link keys."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from .logs import scrub_path


class AccessLogger(Logger):
    """Whatever the access_log_format, the request line is the path without its query string,
    link tokens are masked, and the query string and the Referer are not available."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        path = scrub_path(environ.get("PATH_INFO") or "")
        atoms["U"] = path
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        atoms["q"] = "-"
        atoms["f"] = "-"
        atoms["{referer}i"] = "-"
        return atoms
