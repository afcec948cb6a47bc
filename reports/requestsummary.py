"""Help requests per region, Almaty day of intake and kind, by status (models.HelpRequestDaySummary),
and the triggers that keep it.

The dashboard's help-requests section counted every request of the period (175 000 at national
scale) three times on each first view: the totals, by kind and by region. The summary is a few
rows per region, day and kind, added up once for all three (reports/helprequests.py).

A request counts on the Almaty day it was taken (created_at), as care.selectors.requests_for_period
picks the period. Its status counts in one of four columns — done, open (new, assigned or in
progress), cannot_help, cancelled — so the everyday moves between open statuses (assigned, in
progress) do not touch the summary; closing, reopening, a region, kind or intake-day change do.

Triggers on care_helprequest, in the writing transaction: by statement for inserts and deletes
(one upsert per region, day and kind of the rows a statement wrote: seed_demo's and the weekly
occurrences' inserts), by row for updates that change what is counted (services, the admin).
Requests of one region, day and kind take that row's lock in turn until commit — they are closed
one by one, each under its request's lock. PostgreSQL only; elsewhere the section counts the
requests themselves.
"""

from __future__ import annotations

from care.models import HelpRequest

from .summary import local_day, recount

TABLE = "reports_helprequestdaysummary"
TRIGGERS = ("reports_help_request_insert", "reports_help_request_delete", "reports_help_request_update")
# The counted columns and which statuses each one counts.
COLUMNS: dict[str, tuple[str, ...]] = {
    "done": (HelpRequest.Status.DONE,),
    "open": HelpRequest.OPEN,
    "cannot_help": (HelpRequest.Status.CANNOT_HELP,),
    "cancelled": (HelpRequest.Status.CANCELLED,),
}
_KEY = "region_id, day, kind"
_ALL = ("requests", *COLUMNS)


def _in(statuses: tuple[str, ...], column: str = "status") -> str:
    return f"{column} IN ({', '.join(repr(str(s)) for s in statuses)})"


def _bucket(column: str) -> str:
    """The counted column a status falls in: a change within one of them changes no count."""
    return f"CASE WHEN {_in(HelpRequest.OPEN, column)} THEN 'open' ELSE {column} END"


_ADD = f"ON CONFLICT ({_KEY}) DO UPDATE SET " + ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in _ALL)


def _counted(rows: str, sign: str = "") -> str:
    """Each region, day and kind of `rows` with its counts (negative with sign "-")."""
    counts = ", ".join(
        [f"{sign}COUNT(*)"] + [f"{sign}COUNT(*) FILTER (WHERE {_in(s)})" for s in COLUMNS.values()]
    )
    return f"SELECT region_id, {local_day('created_at')}, kind, {counts} FROM {rows} GROUP BY 1, 2, 3"  # noqa: S608


def install_sql() -> str:
    columns = ", ".join(_ALL)
    values = ", ".join(f"CASE WHEN {_in(s, 'st')} THEN n ELSE 0 END" for s in COLUMNS.values())
    # Every interpolated name is one of our constants (statuses, the table, the time zone setting).
    return f"""
CREATE OR REPLACE FUNCTION reports_help_request_add(r bigint, d date, k text, st text, n integer)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO {TABLE} AS t ({_KEY}, {columns}) VALUES (r, d, k, n, {values}) {_ADD};
$$;

CREATE OR REPLACE FUNCTION reports_help_request_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reports_help_request_add(OLD.region_id, {local_day("OLD.created_at")}, OLD.kind, OLD.status, -1);
  PERFORM reports_help_request_add(NEW.region_id, {local_day("NEW.created_at")}, NEW.kind, NEW.status, 1);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_help_request_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {TABLE} AS t ({_KEY}, {columns}) {_counted("new_rows")} {_ADD};
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_help_request_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {TABLE} AS t ({_KEY}, {columns}) {_counted("old_rows", "-")} {_ADD};
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS reports_help_request_insert ON care_helprequest;
CREATE TRIGGER reports_help_request_insert AFTER INSERT ON care_helprequest
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_help_request_inserted();
DROP TRIGGER IF EXISTS reports_help_request_delete ON care_helprequest;
CREATE TRIGGER reports_help_request_delete AFTER DELETE ON care_helprequest
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_help_request_deleted();
DROP TRIGGER IF EXISTS reports_help_request_update ON care_helprequest;
CREATE TRIGGER reports_help_request_update AFTER UPDATE ON care_helprequest
  FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id
                     OR OLD.kind IS DISTINCT FROM NEW.kind
                     OR {local_day("OLD.created_at")} IS DISTINCT FROM {local_day("NEW.created_at")}
                     OR {_bucket("OLD.status")} IS DISTINCT FROM {_bucket("NEW.status")})
  EXECUTE FUNCTION reports_help_request_updated();
"""  # noqa: S608


UNINSTALL_SQL = """
DROP TRIGGER IF EXISTS reports_help_request_insert ON care_helprequest;
DROP TRIGGER IF EXISTS reports_help_request_delete ON care_helprequest;
DROP TRIGGER IF EXISTS reports_help_request_update ON care_helprequest;
DROP FUNCTION IF EXISTS reports_help_request_updated();
DROP FUNCTION IF EXISTS reports_help_request_inserted();
DROP FUNCTION IF EXISTS reports_help_request_deleted();
DROP FUNCTION IF EXISTS reports_help_request_add(bigint, date, text, text, integer);
"""


def rebuild_sql() -> str:
    return f"""
DELETE FROM {TABLE};
INSERT INTO {TABLE} ({_KEY}, {", ".join(_ALL)}) {_counted("care_helprequest")};
"""  # noqa: S608


def rebuild() -> None:
    """Recount the summary from the requests (a repair, and after a bulk load with the triggers
    off; the triggers keep it exact)."""
    recount("care_helprequest", rebuild_sql())
