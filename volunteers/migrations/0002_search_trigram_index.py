"""Trigram index for roster search (name, e-mail, phone) and name-order indexes in the Kazakh and
Russian alphabets (ICU collations) on PostgreSQL.

The embedded SQLite default has no trigram support and no need for it at demo size, so the
operations run on PostgreSQL only.
"""

from django.db import migrations

from volunteer_net.migration_operations import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [
        PostgresOnlySQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        PostgresOnlySQL(
            "CREATE INDEX volunteer_search_trgm ON volunteers_volunteer "
            "USING gin (search_text gin_trgm_ops)",
            "DROP INDEX IF EXISTS volunteer_search_trgm",
        ),
        # The roster sorts names in the page's alphabet (volunteers/selectors.py NAME_COLLATIONS).
        PostgresOnlySQL(
            'CREATE INDEX volunteer_name_kk ON volunteers_volunteer '
            '(last_name COLLATE "kk-x-icu", first_name COLLATE "kk-x-icu", id)',
            "DROP INDEX IF EXISTS volunteer_name_kk",
        ),
        PostgresOnlySQL(
            'CREATE INDEX volunteer_name_ru ON volunteers_volunteer '
            '(last_name COLLATE "ru-x-icu", first_name COLLATE "ru-x-icu", id)',
            "DROP INDEX IF EXISTS volunteer_name_ru",
        ),
    ]
