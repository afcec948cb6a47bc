"""A partial index on (starts_at, campaign) of the shifts not cancelled that start on a Saturday
or a Sunday in Almaty, for the "weekends" filter of the campaign list. The
Almaty weekday is computed per shift, so without it the list reads every campaign's upcoming
shifts and converts each one's start (50k shifts: the list's two queries 12.9 -> 5.6 ms).

It is made from events.models.weekend_shifts, the condition the filter uses, because PostgreSQL
takes a partial index only for a query that repeats its predicate. PostgreSQL only: on SQLite the
predicate would call one of Django's own SQL functions from inside the schema, and the demo's
few shifts need no index.
"""

from typing import Any

from django.db import migrations, models

NAME = "shift_weekend_starts"


def _index() -> models.Index:
    from events.models import weekend_shifts

    return models.Index(fields=["starts_at", "campaign"], condition=weekend_shifts(), name=NAME)


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("events", "Shift"), _index())


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("events", "Shift"), _index())


class Migration(migrations.Migration):
    dependencies = [("events", "0007_signup_attended_volunteer")]

    operations = [migrations.RunPython(forwards, backwards)]
