"""The maintained summaries of sign-ups (models.SignupDaySummary and its month rollup,
models.SignupMonthSummary) and the triggers that keep them.

Why triggers: sign-ups change in events/services.py (sign up, cancel, waitlist promotion,
attendance, hours), in the admin, in bulk loads (seed_demo) and in data migrations. A row-level
trigger sees all of them, in the writing transaction, so the summary is never behind and needs
no periodic catch-up; reports/ stays a reader and events/ needs no knowledge of it. The cost is
one upsert per changed sign-up; sign-ups of the same campaign and day take that row's lock in
turn until commit (they already queue on their shift's lock).

PostgreSQL only. On another database (SQLite under `make run`) there are no triggers and the
selectors read the sign-ups themselves (`summary_available()`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction

STATUSES = ("confirmed", "waitlisted", "cancelled", "attended", "no_show")
TABLE = "reports_signupdaysummary"


def local_day(column: str) -> str:
    """SQL of the Almaty day of a timestamp column: the day every maintained summary keys on."""
    return f"(({column}) AT TIME ZONE '{settings.TIME_ZONE}')::date"


def install_sql() -> str:
    counts = ", ".join(STATUSES)
    values = ", ".join(f"CASE WHEN st = '{s}' THEN n ELSE 0 END" for s in STATUSES)
    updates = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in ("signups", *STATUSES, "hours"))
    # Every interpolated name is one of our constants (statuses, the table, the time zone setting).
    return f"""
CREATE OR REPLACE FUNCTION reports_summary_add(c bigint, d date, st text, h numeric, n integer)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO {TABLE} AS t (campaign_id, day, signups, {counts}, hours)
  VALUES (c, d, n, {values}, CASE WHEN st = 'attended' THEN COALESCE(h, 0) * n ELSE 0 END)
  ON CONFLICT (campaign_id, day) DO UPDATE SET {updates};
$$;

CREATE OR REPLACE FUNCTION reports_signup_summary() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE c bigint; d date;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT s.campaign_id, {local_day("s.starts_at")} INTO c, d FROM events_shift s WHERE s.id = OLD.shift_id;
    IF FOUND THEN PERFORM reports_summary_add(c, d, OLD.status, OLD.hours, -1); END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT s.campaign_id, {local_day("s.starts_at")} INTO c, d FROM events_shift s WHERE s.id = NEW.shift_id;
    IF FOUND THEN PERFORM reports_summary_add(c, d, NEW.status, NEW.hours, 1); END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_shift_summary() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  -- A shift moved to another day or campaign takes its sign-ups' figures along.
  FOR r IN SELECT status, hours FROM events_signup WHERE shift_id = NEW.id LOOP
    PERFORM reports_summary_add(OLD.campaign_id, {local_day("OLD.starts_at")}, r.status, r.hours, -1);
    PERFORM reports_summary_add(NEW.campaign_id, {local_day("NEW.starts_at")}, r.status, r.hours, 1);
  END LOOP;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS reports_signup_summary ON events_signup;
CREATE TRIGGER reports_signup_summary AFTER INSERT OR DELETE ON events_signup
  FOR EACH ROW EXECUTE FUNCTION reports_signup_summary();
DROP TRIGGER IF EXISTS reports_signup_summary_update ON events_signup;
CREATE TRIGGER reports_signup_summary_update AFTER UPDATE ON events_signup
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.hours IS DISTINCT FROM NEW.hours
                     OR OLD.shift_id IS DISTINCT FROM NEW.shift_id)
  EXECUTE FUNCTION reports_signup_summary();
DROP TRIGGER IF EXISTS reports_shift_summary ON events_shift;
CREATE TRIGGER reports_shift_summary AFTER UPDATE ON events_shift
  FOR EACH ROW WHEN (OLD.campaign_id IS DISTINCT FROM NEW.campaign_id
                     OR {local_day("OLD.starts_at")} IS DISTINCT FROM {local_day("NEW.starts_at")})
  EXECUTE FUNCTION reports_shift_summary();
"""  # noqa: S608


MONTH_TABLE = "reports_signupmonthsummary"
_SUMS = ("signups", *STATUSES, "hours")


def month_install_sql() -> str:
    """The trigger that adds each change of a day row to its month's row (models.SignupMonthSummary).
    It fires inside the sign-up's own trigger, after the day row: the month row is locked last,
    by every writer in the same order (shift, volunteers, day row, month row)."""

    added = ", ".join(f"{f} = t.{f} + EXCLUDED.{f}" for f in _SUMS)

    def upsert(row: str, values: str) -> str:
        """Add `values` (the sums, in _SUMS' order) to the month row of `row` (NEW or OLD)."""
        return (
            f"INSERT INTO {MONTH_TABLE} AS t (campaign_id, month, {', '.join(_SUMS)}) "  # noqa: S608 (our constants)
            f"VALUES ({row}.campaign_id, {month_sql(f'{row}.day')}, {values}) "
            f"ON CONFLICT (campaign_id, month) DO UPDATE SET {added}"
        )

    def row_sums(row: str, sign: str) -> str:
        return ", ".join(f"{sign}{row}.{f}" for f in _SUMS)

    change = ", ".join(f"NEW.{f} - OLD.{f}" for f in _SUMS)
    # Every interpolated name is one of our constants (columns and tables).
    return f"""
CREATE OR REPLACE FUNCTION reports_signup_month_summary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.campaign_id = OLD.campaign_id
     AND {month_sql("NEW.day")} = {month_sql("OLD.day")} THEN
    -- The common case (a sign-up's write updates its day's row): one change of one month row.
    {upsert("NEW", change)};
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN {upsert("OLD", row_sums("OLD", "-"))}; END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN {upsert("NEW", row_sums("NEW", ""))}; END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS reports_signup_month_summary ON {TABLE};
CREATE TRIGGER reports_signup_month_summary AFTER INSERT OR UPDATE OR DELETE ON {TABLE}
  FOR EACH ROW EXECUTE FUNCTION reports_signup_month_summary();
"""


MONTH_UNINSTALL_SQL = f"""
DROP TRIGGER IF EXISTS reports_signup_month_summary ON {TABLE};
DROP FUNCTION IF EXISTS reports_signup_month_summary();
"""


def month_sql(day: str) -> str:
    """SQL of the first day of the month of a date (as a plain timestamp: no session time zone)."""
    return f"date_trunc('month', ({day})::timestamp)::date"


def month_rebuild_sql() -> str:
    """The month rows recounted from the day rows."""
    return f"""
DELETE FROM {MONTH_TABLE};
INSERT INTO {MONTH_TABLE} (campaign_id, month, {", ".join(_SUMS)})
SELECT campaign_id, {month_sql("day")}, {", ".join(f"SUM({f})" for f in _SUMS)}
FROM {TABLE} GROUP BY 1, 2;
"""  # noqa: S608


UNINSTALL_SQL = """
DROP TRIGGER IF EXISTS reports_signup_summary ON events_signup;
DROP TRIGGER IF EXISTS reports_signup_summary_update ON events_signup;
DROP TRIGGER IF EXISTS reports_shift_summary ON events_shift;
DROP FUNCTION IF EXISTS reports_signup_summary();
DROP FUNCTION IF EXISTS reports_shift_summary();
DROP FUNCTION IF EXISTS reports_summary_add(bigint, date, text, numeric, integer);
"""


def rebuild_sql() -> str:
    counts = ", ".join(STATUSES)
    sums = ", ".join(f"COUNT(*) FILTER (WHERE g.status = '{s}')" for s in STATUSES)
    return f"""
DELETE FROM {TABLE};
INSERT INTO {TABLE} (campaign_id, day, signups, {counts}, hours)
SELECT s.campaign_id, {local_day("s.starts_at")}, COUNT(*), {sums},
       COALESCE(SUM(g.hours) FILTER (WHERE g.status = 'attended'), 0)
FROM events_signup g JOIN events_shift s ON s.id = g.shift_id
GROUP BY 1, 2;
"""  # noqa: S608


def summary_available() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def triggers_off(table: str, *triggers: str) -> Iterator[None]:
    """A bulk load without a maintained summary's triggers, to recount it once afterwards: half
    a million sign-ups through a per-row trigger spend most of seed_demo's time in it. Inside
    the caller's transaction, so that a failed load does not leave the triggers disabled."""
    bulk = summary_available()
    if bulk:
        with connection.cursor() as cursor:
            for trigger in triggers:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    yield
    if bulk:
        with connection.cursor() as cursor:
            # The deferred foreign-key checks of the new rows first: a table with pending
            # trigger events cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for trigger in triggers:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


def recount(source: str, sql: str) -> None:
    """Run a maintained table's recount `sql` with its `source` table locked against writes, so
    that no trigger's change lands between the recount's read and its write. The lock holds to
    the end of the transaction: one of its own when called outside one."""
    if summary_available():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {source} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(sql)


def rebuild() -> None:
    """Recount the summaries from the sign-ups (a repair; the triggers keep them exact). The day
    rows' recount also passes through the month trigger; the months are then recounted whole,
    so that no month left without sign-ups keeps a row of zeros. (rebuild_sql() stays the day
    rows' alone: migration 0003 runs it before the month table exists.)"""
    recount("events_signup", rebuild_sql() + month_rebuild_sql())


# The maintained tables, each with the index its dashboard reads follow (CLUSTER orders by it).
MAINTAINED = (
    ("reports_signupdaysummary", "signup_summary_day"),
    ("reports_signupmonthsummary", "signup_month_month"),
    ("reports_volunteeractivity", "volunteer_activity_region"),
    ("reports_registrationdaysummary", "registration_summary_key"),
    ("reports_caredaysummary", "care_summary_day"),
    ("reports_visitdaysummary", "visit_summary_day"),
)


def compact() -> None:
    """After a bulk load (seed_demo's COPY of 500 000 sign-ups in one transaction), every row of
    the maintained tables was rewritten once per sign-up or person, and the dead versions stay in
    their files: the day summary of 21 000 rows took 38 MB, and every dashboard read scanned them.
    CLUSTER rewrites each table at its live size in its index's order. Day to day, autovacuum
    lets the triggers' upserts reuse the space; a bulk load is the case to compact after."""
    if summary_available():
        with connection.cursor() as cursor:
            for table, index in MAINTAINED:
                cursor.execute(f"CLUSTER {table} USING {index}")
                cursor.execute(f"ANALYZE {table}")
