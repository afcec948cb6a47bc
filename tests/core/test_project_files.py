"""Configuration that names code must name code that exists."""

import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_overrides_name_existing_modules() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    modules = [m for o in config["tool"]["mypy"]["overrides"] for m in o["module"]]
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    assert not missing, f"pyproject.toml [[tool.mypy.overrides]] names modules that do not exist: {missing}"
