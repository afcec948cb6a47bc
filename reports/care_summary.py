"""Hours of done care assignments per request region, Almaty day of completion and detachment
(models.CareDaySummary), and the triggers that keep it.

Targeted help's hours (helprequests.care_hours) were summed from the done assignments on every
dashboard view: at national scale some 143 000 rows joined to their requests and volunteers, a
quarter of a second per view. The summary holds a row per region, day and detachment instead.

The key is what the live figures group by: the request's region, the Almaty day of `done_at`
(done_assignments_for_period's period), and coalesce(assignment's detachment, volunteer's
detachment) — helprequests._GROUPS["detachment"]. The last is the volunteer's detachment as it is
now, not as it was when the help was given: a volunteer moving to another detachment takes their
done hours along, as the live grouping does, so a trigger on volunteers_volunteer moves them.

Triggers, all in the writing transaction:
* care_assignment, by statement (one upsert per key of the rows a statement wrote — seed_demo's
  and any bulk insert stay one statement's work): inserts add the done rows, deletes subtract
  them, updates subtract the old rows and add the new ones (a status, hours, done time, request,
  volunteer or detachment changed; other edits net to nothing and write nothing);
* care_helprequest, by row, when a request moves to another region: its done hours move along;
* volunteers_volunteer, by row, when a volunteer's detachment changes (also its detachment being
  deleted, which Django does by setting it to NULL): their done hours move along.

Writes of done help in one region, day and detachment (most volunteers belong to none) take that
summary row's lock in turn until commit; marking help done is a short transaction, as signing up is.
PostgreSQL only (summary.summary_available()); elsewhere care_hours reads the assignments.
"""

from __future__ import annotations

from .summary import local_day, recount

TABLE = "reports_caredaysummary"
KEY = "region_id, day, detachment_id"
_UPSERT = (
    f"ON CONFLICT ({KEY}) DO UPDATE SET assignments = t.assignments + EXCLUDED.assignments, "
    "hours = t.hours + EXCLUDED.hours"
)


def _done(
    source: str,
    sign: str,
    *,
    region: str = "r.region_id",
    detachment: str = "COALESCE(a.detachment_id, v.detachment_id)",
    where: str = "TRUE",
) -> str:
    """The key and figures (count, hours) of the done assignments in `source` (a table or a
    trigger's transition table), with `sign` ('' or '-'); region and detachment overridable for
    the rows a moved request or volunteer leaves behind."""
    return f"""
  SELECT {region} AS region_id, {local_day("a.done_at")} AS day, {detachment} AS detachment_id,
         {sign}1 AS n, {sign}COALESCE(a.hours, 0) AS h
  FROM {source} a JOIN care_helprequest r ON r.id = a.request_id
  LEFT JOIN volunteers_volunteer v ON v.id = a.volunteer_id
  WHERE a.status = 'done' AND a.done_at IS NOT NULL AND {where}"""  # noqa: S608


def _add(*parts: str) -> str:
    """One upsert per key of the parts' rows added up; keys that net to nothing are not written
    (an edit of a done assignment's note, say). In key order: two statements writing several
    keys lock their rows in the same order, so they queue instead of deadlocking."""
    rows = "\n  UNION ALL".join(parts)
    return f"""
  INSERT INTO {TABLE} AS t ({KEY}, assignments, hours)
  SELECT region_id, day, detachment_id, SUM(n), SUM(h) FROM ({rows}) x
  GROUP BY 1, 2, 3 HAVING SUM(n) <> 0 OR SUM(h) <> 0 ORDER BY 1, 2, 3
  {_UPSERT};"""  # noqa: S608


def install_sql() -> str:
    # Every interpolated name is one of our constants (the table, the time zone setting).
    moved_request = "a.request_id = NEW.id"
    moved_volunteer = "a.volunteer_id = NEW.id AND a.detachment_id IS NULL"
    return f"""
CREATE OR REPLACE FUNCTION reports_care_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_add(_done("new_rows", ""))}
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_care_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_add(_done("old_rows", "-"))}
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_care_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_add(_done("old_rows", "-"), _done("new_rows", ""))}
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_care_request_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{
        _add(
            _done("care_assignment", "-", region="OLD.region_id", where=moved_request),
            _done("care_assignment", "", region="NEW.region_id", where=moved_request),
        )
    }
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_care_volunteer_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{
        _add(
            _done("care_assignment", "-", detachment="OLD.detachment_id", where=moved_volunteer),
            _done("care_assignment", "", detachment="NEW.detachment_id", where=moved_volunteer),
        )
    }
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS reports_care_insert ON care_assignment;
CREATE TRIGGER reports_care_insert AFTER INSERT ON care_assignment
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_care_inserted();
DROP TRIGGER IF EXISTS reports_care_delete ON care_assignment;
CREATE TRIGGER reports_care_delete AFTER DELETE ON care_assignment
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_care_deleted();
DROP TRIGGER IF EXISTS reports_care_update ON care_assignment;
CREATE TRIGGER reports_care_update AFTER UPDATE ON care_assignment
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION reports_care_updated();
DROP TRIGGER IF EXISTS reports_care_request ON care_helprequest;
CREATE TRIGGER reports_care_request AFTER UPDATE ON care_helprequest
  FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id)
  EXECUTE FUNCTION reports_care_request_moved();
DROP TRIGGER IF EXISTS reports_care_volunteer ON volunteers_volunteer;
CREATE TRIGGER reports_care_volunteer AFTER UPDATE ON volunteers_volunteer
  FOR EACH ROW WHEN (OLD.detachment_id IS DISTINCT FROM NEW.detachment_id)
  EXECUTE FUNCTION reports_care_volunteer_moved();
"""


UNINSTALL_SQL = """
DROP TRIGGER IF EXISTS reports_care_insert ON care_assignment;
DROP TRIGGER IF EXISTS reports_care_delete ON care_assignment;
DROP TRIGGER IF EXISTS reports_care_update ON care_assignment;
DROP TRIGGER IF EXISTS reports_care_request ON care_helprequest;
DROP TRIGGER IF EXISTS reports_care_volunteer ON volunteers_volunteer;
DROP FUNCTION IF EXISTS reports_care_inserted();
DROP FUNCTION IF EXISTS reports_care_deleted();
DROP FUNCTION IF EXISTS reports_care_updated();
DROP FUNCTION IF EXISTS reports_care_request_moved();
DROP FUNCTION IF EXISTS reports_care_volunteer_moved();
"""


def rebuild_sql() -> str:
    return f"DELETE FROM {TABLE};{_add(_done('care_assignment', ''))}"  # noqa: S608


def rebuild() -> None:
    """Recount the summary from the assignments (a repair; the triggers keep it exact)."""
    recount("care_assignment", rebuild_sql())
