"""What a reused bench database's schema came from (bench/common.py asks before migrating it).

Kept apart from bench/common.py, which sets the bench's environment when imported: the test suite
imports this module in its own process."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def migrations_not_on_disk() -> list[str]:
    """Migrations of the project's own apps the database records but this tree does not have
    (renamed or dropped since it was seeded)."""
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    own = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return sorted(
        f"{app}.{name}"
        for app, name in loader.applied_migrations
        if app in own and (app, name) not in loader.disk_migrations
    )
