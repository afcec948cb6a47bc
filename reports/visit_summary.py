"""Front-office visits per office and Almaty day (models.VisitDaySummary) and the triggers that
keep it.

The dashboard's visits section counts visits by office, purpose, outcome and region, with their
statuses, walk-ins and evening or weekend times. Counted from the visits it read every visit of
the period (200 000 at national scale) on every first view; the summary, a row per office and
day with the purposes and outcomes as columns, is added up instead.

Triggers on front_offices_visit, as for the registrations (registrations.py): by statement for
inserts and deletes (one upsert per office and day of the rows a statement wrote: a booking, a
walk-in, seed_demo's bulk insert, a volunteer's deletion taking their visits along), by row for
updates that change a counted field (cancelling, blocking slots, marking arrived or no-show,
recording the outcome, moving to another slot). Each adds the old rows with a minus and the new
rows with a plus, in the writing transaction. Writes to visits of one office and day take that
row's lock in turn until commit (a booking already holds its slot's); a statement writing several
rows takes them in key order, so two moves between the same days cannot deadlock. A row is never
deleted: one whose visits all went keeps zeros, which the readers leave out. PostgreSQL only;
elsewhere reports/visits.py counts the visits.
"""

from __future__ import annotations

from front_offices.models import Purpose, Visit

from .summary import recount

TABLE = "reports_visitdaysummary"
KEY = ("office_id", "day")

_ACTIVE = "status IN ({})".format(", ".join(f"'{s}'" for s in Visit.ACTIVE))
# Each counted column and which visits it counts: the same as reports/visits.py's _COUNTS.
COUNTS = {
    "booked": f"status = '{Visit.Status.BOOKED}'",
    "arrived": f"status = '{Visit.Status.ARRIVED}'",
    "no_show": f"status = '{Visit.Status.NO_SHOW}'",
    "cancelled": f"status = '{Visit.Status.CANCELLED}'",
    "walk_in": f"{_ACTIVE} AND walk_in",
    "evening": f"{_ACTIVE} AND is_evening",
    "weekend": f"{_ACTIVE} AND is_weekend",
    "flexible": f"{_ACTIVE} AND (is_evening OR is_weekend)",
}


def purpose_column(purpose: str) -> str:
    return f"purpose_{purpose}"


def outcome_column(outcome: str) -> str:
    """The column of an outcome; outcome_none: not recorded yet."""
    return f"outcome_{outcome or 'none'}"


# Of the visits not cancelled: how many had each purpose, and each outcome.
BREAKDOWN = {
    **{purpose_column(p): f"{_ACTIVE} AND purpose = '{p}'" for p in Purpose.values},
    **{outcome_column(o): f"{_ACTIVE} AND outcome = '{o}'" for o in [*Visit.Outcome.values, ""]},
}
COLUMNS = {**COUNTS, **BREAKDOWN}


def _add(rows: str) -> str:
    """Add up `rows` (visit columns and n, +1 or -1 a row) into the summary, one upsert per key."""
    columns = ", ".join((*KEY, *COLUMNS))
    sums = ", ".join(f"SUM(CASE WHEN {condition} THEN n ELSE 0 END)" for condition in COLUMNS.values())
    updates = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in COLUMNS)
    # Every interpolated name is one of our constants (the table, the columns, the choices).
    return f"""
  INSERT INTO {TABLE} AS t ({columns})
  SELECT office_id, local_date, {sums} FROM ({rows}) AS r
  GROUP BY office_id, local_date ORDER BY office_id, local_date
  ON CONFLICT ({", ".join(KEY)}) DO UPDATE SET {updates};"""  # noqa: S608


def install_sql() -> str:
    return f"""
CREATE OR REPLACE FUNCTION reports_visit_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_add("SELECT *, 1 AS n FROM new_rows")}
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_visit_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_add("SELECT *, -1 AS n FROM old_rows")}
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_visit_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_add("SELECT (OLD).*, -1 AS n UNION ALL SELECT (NEW).*, 1")}
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS reports_visit_insert ON front_offices_visit;
CREATE TRIGGER reports_visit_insert AFTER INSERT ON front_offices_visit
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_visit_inserted();
DROP TRIGGER IF EXISTS reports_visit_delete ON front_offices_visit;
CREATE TRIGGER reports_visit_delete AFTER DELETE ON front_offices_visit
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_visit_deleted();
DROP TRIGGER IF EXISTS reports_visit_update ON front_offices_visit;
CREATE TRIGGER reports_visit_update AFTER UPDATE ON front_offices_visit
  FOR EACH ROW WHEN (OLD.office_id IS DISTINCT FROM NEW.office_id
                     OR OLD.local_date IS DISTINCT FROM NEW.local_date
                     OR OLD.purpose IS DISTINCT FROM NEW.purpose
                     OR OLD.outcome IS DISTINCT FROM NEW.outcome
                     OR OLD.status IS DISTINCT FROM NEW.status
                     OR OLD.walk_in IS DISTINCT FROM NEW.walk_in
                     OR OLD.is_evening IS DISTINCT FROM NEW.is_evening
                     OR OLD.is_weekend IS DISTINCT FROM NEW.is_weekend)
  EXECUTE FUNCTION reports_visit_updated();
"""  # noqa: S608


UNINSTALL_SQL = """
DROP TRIGGER IF EXISTS reports_visit_insert ON front_offices_visit;
DROP TRIGGER IF EXISTS reports_visit_delete ON front_offices_visit;
DROP TRIGGER IF EXISTS reports_visit_update ON front_offices_visit;
DROP FUNCTION IF EXISTS reports_visit_inserted();
DROP FUNCTION IF EXISTS reports_visit_deleted();
DROP FUNCTION IF EXISTS reports_visit_updated();
"""


def rebuild_sql() -> str:
    return f"DELETE FROM {TABLE};{_add('SELECT *, 1 AS n FROM front_offices_visit')}"  # noqa: S608


def rebuild() -> None:
    """Recount the summary from the visits (a repair; the triggers keep it exact)."""
    recount("front_offices_visit", rebuild_sql())
