"""The roster of a coordinator's region in name order, in the Kazakh and Russian alphabets (ICU
collations, as the national name indexes of migration 0002), on PostgreSQL.

Along the national name index a region's page was found by skipping every other region's people
(page 5 of 100 read ~10,000 rows to keep 500); these hold one region's people not anonymised in
order, with all the sort needs, so a page's ids come from the index alone.
"""

from django.db import migrations

from volunteer_net.migration_operations import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0011_overview_count_indexes")]

    operations = [
        PostgresOnlySQL(
            "CREATE INDEX volunteer_region_name_kk ON volunteers_volunteer "
            '(region_id, last_name COLLATE "kk-x-icu", first_name COLLATE "kk-x-icu", id) '
            "WHERE anonymized_at IS NULL",
            "DROP INDEX IF EXISTS volunteer_region_name_kk",
        ),
        PostgresOnlySQL(
            "CREATE INDEX volunteer_region_name_ru ON volunteers_volunteer "
            '(region_id, last_name COLLATE "ru-x-icu", first_name COLLATE "ru-x-icu", id) '
            "WHERE anonymized_at IS NULL",
            "DROP INDEX IF EXISTS volunteer_region_name_ru",
        ),
    ]
