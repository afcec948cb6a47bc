"""Registered volunteers per region and Almaty day (models.RegistrationDaySummary) and the trigger
that keeps it.

The dashboard's "registered at each month's end" and the regions' volunteer counts are counts of
the people on file (not anonymised) by region and day of registration. Counted from the volunteers
they read every live row (100 000 at full scale, a wide table) on every first view; the summary is
a few rows per region and day, added up instead.

Triggers on volunteers_volunteer — by statement for inserts and deletes (one upsert per region
and day of the rows a statement wrote), by row for updates that change the region, the
registration time or the anonymisation — add the old rows' count with a minus and the new rows'
with a plus, in the writing transaction: registration, imports (bulk_create), merges (the
dropped record is deleted), anonymisation and erasure, region changes, the admin. Registrations
of one region and day take that row's lock in turn until commit — an import's chunk holds it for
its own transaction. PostgreSQL only; elsewhere the selectors count the volunteers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from .summary import recount

TABLE = "reports_registrationdaysummary"


def _day(column: str) -> str:
    return f"(({column}) AT TIME ZONE '{settings.TIME_ZONE}')::date"


def install_sql() -> str:
    # Every interpolated name is one of our constants (the table, the time zone setting).
    return f"""
CREATE OR REPLACE FUNCTION reports_registration_add(r bigint, d date, n integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO {TABLE} AS t (region_id, day, volunteers) VALUES (r, d, n)
  ON CONFLICT (region_id, day) DO UPDATE SET volunteers = t.volunteers + EXCLUDED.volunteers;
$$;

CREATE OR REPLACE FUNCTION reports_registration_volunteer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.anonymized_at IS NULL THEN
    PERFORM reports_registration_add(OLD.region_id, {_day("OLD.created_at")}, -1);
  END IF;
  IF NEW.anonymized_at IS NULL THEN
    PERFORM reports_registration_add(NEW.region_id, {_day("NEW.created_at")}, 1);
  END IF;
  RETURN NULL;
END $$;

-- Inserts and deletes by statement, each one upsert per region and day: an import's bulk insert
-- of thousands of people registered today would otherwise update that one row thousands of
-- times in its transaction, each time past the versions it left before.
CREATE OR REPLACE FUNCTION reports_registration_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {TABLE} AS t (region_id, day, volunteers)
  SELECT region_id, {_day("created_at")}, COUNT(*) FROM new_rows
  WHERE anonymized_at IS NULL GROUP BY 1, 2
  ON CONFLICT (region_id, day) DO UPDATE SET volunteers = t.volunteers + EXCLUDED.volunteers;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_registration_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {TABLE} AS t (region_id, day, volunteers)
  SELECT region_id, {_day("created_at")}, -COUNT(*) FROM old_rows
  WHERE anonymized_at IS NULL GROUP BY 1, 2
  ON CONFLICT (region_id, day) DO UPDATE SET volunteers = t.volunteers + EXCLUDED.volunteers;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS reports_registration ON volunteers_volunteer;
DROP TRIGGER IF EXISTS reports_registration_insert ON volunteers_volunteer;
CREATE TRIGGER reports_registration_insert AFTER INSERT ON volunteers_volunteer
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_registration_inserted();
DROP TRIGGER IF EXISTS reports_registration_delete ON volunteers_volunteer;
CREATE TRIGGER reports_registration_delete AFTER DELETE ON volunteers_volunteer
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_registration_deleted();
DROP TRIGGER IF EXISTS reports_registration_update ON volunteers_volunteer;
CREATE TRIGGER reports_registration_update AFTER UPDATE ON volunteers_volunteer
  FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id
                     OR OLD.created_at IS DISTINCT FROM NEW.created_at
                     OR (OLD.anonymized_at IS NULL) <> (NEW.anonymized_at IS NULL))
  EXECUTE FUNCTION reports_registration_volunteer();
"""  # noqa: S608


UNINSTALL_SQL = """
DROP TRIGGER IF EXISTS reports_registration ON volunteers_volunteer;
DROP TRIGGER IF EXISTS reports_registration_insert ON volunteers_volunteer;
DROP TRIGGER IF EXISTS reports_registration_delete ON volunteers_volunteer;
DROP TRIGGER IF EXISTS reports_registration_update ON volunteers_volunteer;
DROP FUNCTION IF EXISTS reports_registration_volunteer();
DROP FUNCTION IF EXISTS reports_registration_inserted();
DROP FUNCTION IF EXISTS reports_registration_deleted();
DROP FUNCTION IF EXISTS reports_registration_add(bigint, date, integer);
"""


def rebuild_sql() -> str:
    return f"""
DELETE FROM {TABLE};
INSERT INTO {TABLE} (region_id, day, volunteers)
SELECT region_id, {_day("created_at")}, COUNT(*) FROM volunteers_volunteer
WHERE anonymized_at IS NULL GROUP BY 1, 2;
"""  # noqa: S608


def available() -> bool:
    return connection.vendor == "postgresql"


def rebuild() -> None:
    """Recount the summary from the volunteers (a repair; the trigger keeps it exact)."""
    recount("volunteers_volunteer", rebuild_sql())
