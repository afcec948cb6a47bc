"""Registrations are counted by statement on insert and delete (reports/registrations.py): an
import's bulk insert makes one upsert per region and day instead of one per person."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import registrations

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(registrations.install_sql())


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_export_job_failure_and_heartbeat")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
