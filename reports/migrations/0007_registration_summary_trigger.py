"""The trigger that keeps reports_registrationdaysummary exact (see reports/registrations.py), and
its backfill from the volunteers; PostgreSQL only."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import registrations

    with schema_editor.connection.cursor() as cursor:
        # No volunteer changes between the backfill and the trigger taking over.
        cursor.execute("LOCK TABLE volunteers_volunteer IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(registrations.install_sql())
        cursor.execute(registrations.rebuild_sql())


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import registrations

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(registrations.UNINSTALL_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_registration_day_summary"),
        ("volunteers", "0010_roster_import"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
