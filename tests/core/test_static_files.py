"""A deployment's collectstatic (production settings: hashed, compressed names) goes through
every static file of the project and its packages — a packaged file that breaks the manifest
(a source-map comment without its map) would stop a deployment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_collectstatic_with_production_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DEBUG"}}
    env.update(
        DEBUG="false",
        SECRET_KEY="collectstatic-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
        IIN_ENCRYPTION_KEYS="Y29sbGVjdHN0YXRpYy10ZXN0LWlpbi1rZXktMDEyMzQ=",
        IIN_HASH_KEY="collectstatic-test",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        STATIC_ROOT=str(tmp_path),
        DATABASE_URL="sqlite:///:memory:",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("css/error.css", "js/map.js", "leaflet-markercluster/leaflet.markercluster.js"):
        assert name in manifest and (tmp_path / manifest[name]).exists(), name
    assert (tmp_path / (manifest["js/map.js"] + ".gz")).exists()  # compressed copies for WhiteNoise
