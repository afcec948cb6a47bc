"""The web server's access log (gunicorn.conf.py, used by the Dockerfile and docker-compose.yml)
records no search terms (phones, IINs), no Referer, and no password-reset or activation keys."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _get(url: str, **headers: str) -> None:
    request = urllib.request.Request(url, headers=headers)
    try:
        urllib.request.build_opener(_NoRedirects).open(request, timeout=10).close()
    except urllib.error.HTTPError:
        pass  # a redirect is logged all the same


def test_access_log_keeps_paths_but_not_queries_referers_or_link_keys(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(
        {
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "REDIS_URL": "",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "1",
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    server = subprocess.Popen(
        # No control socket: its default path is shared by every gunicorn of this user.
        [
            sys.executable,
            "-m",
            "gunicorn",
            "volunteer_net.wsgi:application",
            "--config",
            "gunicorn.conf.py",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
                time.sleep(0.2)
        _get(f"{base}/roster/?q=%2B77011234567&iin=061211600012")
        _get(f"{base}/accounts/reset/MQ/cw3x9a-0123456789abcdef0123456789abcdef/")
        _get(f"{base}/accounts/activate/MQ/cw3x9a-fedcba9876543210fedcba9876543210/")
        _get(f"{base}/me/", Referer=f"{base}/roster/?q=%D0%A1%D0%B5%D1%80")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)

    access = [line for line in output.splitlines() if '"GET ' in line]
    assert len(access) == 4, output
    assert '"GET /roster/ HTTP/1.1" 302' in access[0]
    assert '"GET /accounts/reset/MQ/…/ HTTP/1.1" 200' in access[1]
    assert '"GET /accounts/activate/MQ/…/ HTTP/1.1" 200' in access[2]
    for secret in ("77011234567", "061211600012", "0123456789abcdef", "fedcba987654", "q=", "%D0%A1"):
        assert secret not in output, secret
