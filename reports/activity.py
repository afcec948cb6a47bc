"""Who was active when: the maintained table reports_volunteeractivity and the triggers that keep it.

"Active" is a volunteer who gave hours in the period: an attended sign-up for a shift starting in
it, or targeted help they gave (care/: an assignment of theirs marked done in it). Those are the
dashboard's "Active in the period", its monthly chart, the regions' column and the Year of
Volunteers page's "volunteers who gave hours". They are counts of DISTINCT people, which cannot be
added up from the day summaries' per-day sums, and counting them from the sign-ups sorts hundreds
of thousands of rows on every first view.

The table holds, per volunteer and region key, the set of Almaty days on which that volunteer gave
hours, as one `datemultirange` (a few ranges per person):

- region_key = the campaign's region id, 0 for national campaigns (no region), and for targeted
  help the request's region id (a request always has one),
- region_key = -1 (EVERYWHERE) for the volunteer's days across every campaign and request,

with the first and last of those days as generated columns (first_day, last_day, migration 0008).
A day of targeted help is the Almaty day its assignment was marked done (done_at), in the
request's region: the very day and region its hours count in (helprequests.care_hours,
care_summary.py), so that a person with hours in a period is a person active in it. An assignment
of a detachment as a whole (no volunteer) gives hours to no one person and adds nobody.

So there is one row per person for a given region key, and "active in a period" is
`days && daterange(start, end)` over rows of one key: a COUNT(*), not a COUNT(DISTINCT), over at
most one row per volunteer. National staff read the EVERYWHERE rows, a coordinator of one region
that region's rows; only a coordinator of several regions needs a DISTINCT (over their rows only).
Any period works, to the day: no whole-month rounding.

Kept by PostgreSQL triggers, like the day summary (summary.py), in the writing transaction, on
every path that writes sign-ups (services, admin, merges that move sign-ups to the kept record,
bulk loads with COPY, deletions), shifts (moved to another day or campaign), campaigns (moved to
another region), care assignments (marked done, moved to another person or request by a merge,
deleted) and help requests (moved to another region). Adding a day is a cheap union; anything that
can take a day away recounts that volunteer's days from their sign-ups and done assignments (a
handful of rows through the volunteer indexes), so the table is exact by construction and never
drifts.

Locking: each change first locks the volunteer's row (FOR NO KEY UPDATE: a row lock, so a bulk
load of any size holds no lock-table slots), so two transactions changing the same person's
attendance or help queue instead of one overwriting the other's recount with a stale read. That is
the events/ lock order (the shift, then volunteers in ascending id): marking attendance already
holds the shift; triggers that touch many people (a shift, campaign or help request moved) lock
them in id order. care/ has the same shape: its services lock the request, then write the
assignment, whose trigger then takes the person. The activity triggers (reports_activity_*) fire
before the summaries' (reports_signup_summary*, reports_care_*: PostgreSQL fires triggers in name
order, and the care summary's are by statement, after every row's), so a write takes the
volunteer's row first, then the summary rows. Erasing a person keeps that order: it locks the
requests of the assignments they had still to do, and the shifts of their upcoming places, before
their row (LOCK_AHEAD_HOOKS in volunteers/services.py). One case runs the other way: a statement
that moves several sign-ups or assignments of a person (a merge of duplicate records) locks each
row, then the people. Attendance or help marked for that same person at that very moment holds
its row or request and waits for the person. PostgreSQL then aborts one of the two with a
deadlock error (that request fails and is made again); neither leaves a wrong count, since each
recount runs under the person's lock.

volunteer_id is a plain column, not a foreign key: volunteers' merge moves every relation to the
kept record (volunteers.services._relations_to_move), and these rows follow the sign-ups and
assignments instead.

PostgreSQL only; elsewhere (SQLite under `make run`) the selectors count from the sign-ups and
the done assignments.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from .summary import local_day, recount

TABLE = "reports_volunteeractivity"
EVERYWHERE = -1
NO_REGION = 0


# An assignment row `r` that counts its volunteer active: targeted help they gave, marked done
# (care_summary.py counts the same rows' hours; a detachment's assignment has no volunteer).
# In a row trigger of a table with a volunteer_id (sign-ups, assignments): recount the person of
# the old row and, on an update, of the new one, the lower id first (the lock order).
_RECOUNT_OLD_AND_NEW = """  PERFORM reports_activity_refresh(p) FROM (
    SELECT DISTINCT p FROM unnest(ARRAY[OLD.volunteer_id,
      CASE WHEN TG_OP = 'UPDATE' THEN NEW.volunteer_id END]) AS p WHERE p IS NOT NULL ORDER BY p
  ) AS people;"""


def _helped(r: str) -> str:
    return f"({r}.status = 'done' AND {r}.volunteer_id IS NOT NULL AND {r}.done_at IS NOT NULL)"


def _days(of: str | None = None, *, care: bool = True) -> str:
    """SQL of (v, k, day): each volunteer's attended days and days of targeted help, per region
    key (EVERYWHERE excepted); `of` narrows it to one volunteer (an SQL expression). Without
    `care`, the sign-ups' alone: migration 0005 runs before the care tables may exist."""
    signups = f"g.volunteer_id = {of}" if of else "TRUE"
    sql = f"""
    SELECT g.volunteer_id AS v, COALESCE(c.region_id, {NO_REGION}) AS k, {local_day("s.starts_at")} AS day
    FROM events_signup g
    JOIN events_shift s ON s.id = g.shift_id
    JOIN events_campaign c ON c.id = s.campaign_id
    WHERE g.status = 'attended' AND {signups}"""  # noqa: S608
    if care:
        assignments = f"a.volunteer_id = {of}" if of else "TRUE"
        sql += f"""
    UNION ALL
    SELECT a.volunteer_id, r.region_id, {local_day("a.done_at")}
    FROM care_assignment a
    JOIN care_helprequest r ON r.id = a.request_id
    WHERE {_helped("a")} AND {assignments}"""  # noqa: S608
    return sql


def _fresh(*, care: bool = True) -> str:
    """The days of volunteer `v` per region key (EVERYWHERE included), from their sign-ups and
    done assignments."""
    return f"""
  WITH d AS ({_days("v", care=care)}
  )
  SELECT k, range_agg(daterange(day, day, '[]')) AS days FROM d GROUP BY k
  UNION ALL
  SELECT {EVERYWHERE}, range_agg(daterange(day, day, '[]')) FROM d HAVING COUNT(*) > 0
"""  # noqa: S608


def install_sql(*, care: bool = True) -> str:
    """The functions and triggers; without `care`, those of the sign-ups alone (migration 0005,
    which may run before care/'s tables exist; 0017 adds targeted help)."""
    # Every interpolated name is one of our constants (the table, keys, the time zone setting).
    sql = f"""
CREATE OR REPLACE FUNCTION reports_activity_lock(v bigint) RETURNS void LANGUAGE sql AS $$
  SELECT NULL::void FROM (
    SELECT 1 FROM volunteers_volunteer WHERE id = v FOR NO KEY UPDATE
  ) AS locked;
$$;

-- One volunteer's rows recounted from their sign-ups and done assignments (after anything that
-- may take a day away).
CREATE OR REPLACE FUNCTION reports_activity_refresh(v bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reports_activity_lock(v);
  -- Keys without a day left go; the others are written (the two sets are disjoint).
  WITH fresh AS ({_fresh(care=care)}),
  gone AS (
    DELETE FROM {TABLE} t WHERE t.volunteer_id = v
      AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.k = t.region_key)
  )
  INSERT INTO {TABLE} AS t (volunteer_id, region_key, days)
    SELECT v, k, days FROM fresh ORDER BY k
  ON CONFLICT (volunteer_id, region_key) DO UPDATE SET days = EXCLUDED.days
    WHERE t.days IS DISTINCT FROM EXCLUDED.days;
END $$;

-- One day added for volunteer v in region key k (and EVERYWHERE): a union, no recount.
CREATE OR REPLACE FUNCTION reports_activity_add(v bigint, k integer, d date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reports_activity_lock(v);
  INSERT INTO {TABLE} AS t (volunteer_id, region_key, days)
    VALUES (v, {EVERYWHERE}, datemultirange(daterange(d, d, '[]'))),
           (v, k, datemultirange(daterange(d, d, '[]')))
  ON CONFLICT (volunteer_id, region_key) DO UPDATE SET days = t.days + EXCLUDED.days
    WHERE NOT t.days @> d;
END $$;

CREATE OR REPLACE FUNCTION reports_activity_signup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE k integer; d date;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT COALESCE(c.region_id, {NO_REGION}), {local_day("s.starts_at")} INTO k, d
      FROM events_shift s JOIN events_campaign c ON c.id = s.campaign_id WHERE s.id = NEW.shift_id;
    IF FOUND THEN PERFORM reports_activity_add(NEW.volunteer_id, k, d); END IF;
    RETURN NULL;
  END IF;
  -- A day may have gone (a deletion, attendance undone, a move): recount the people concerned,
  -- the lower id first.
{_RECOUNT_OLD_AND_NEW}
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_activity_people(volunteers bigint[]) RETURNS void
LANGUAGE sql AS $$
  SELECT reports_activity_refresh(p) FROM (SELECT DISTINCT unnest(volunteers) AS p ORDER BY p) AS people;
$$;

CREATE OR REPLACE FUNCTION reports_activity_shift() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A shift moved to another day or campaign: its attended people's days move along.
  PERFORM reports_activity_people(ARRAY(
    SELECT volunteer_id FROM events_signup WHERE shift_id = NEW.id AND status = 'attended'));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_activity_campaign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A campaign moved to another region: its attended people's days change region key.
  PERFORM reports_activity_people(ARRAY(
    SELECT g.volunteer_id FROM events_signup g JOIN events_shift s ON s.id = g.shift_id
    WHERE s.campaign_id = NEW.id AND g.status = 'attended'));
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS reports_activity_signup_insert ON events_signup;
CREATE TRIGGER reports_activity_signup_insert AFTER INSERT ON events_signup
  FOR EACH ROW WHEN (NEW.status = 'attended') EXECUTE FUNCTION reports_activity_signup();
DROP TRIGGER IF EXISTS reports_activity_signup_delete ON events_signup;
CREATE TRIGGER reports_activity_signup_delete AFTER DELETE ON events_signup
  FOR EACH ROW WHEN (OLD.status = 'attended') EXECUTE FUNCTION reports_activity_signup();
DROP TRIGGER IF EXISTS reports_activity_signup_update ON events_signup;
CREATE TRIGGER reports_activity_signup_update AFTER UPDATE ON events_signup
  FOR EACH ROW WHEN ((OLD.status = 'attended' OR NEW.status = 'attended')
                     AND (OLD.status IS DISTINCT FROM NEW.status
                          OR OLD.shift_id IS DISTINCT FROM NEW.shift_id
                          OR OLD.volunteer_id IS DISTINCT FROM NEW.volunteer_id))
  EXECUTE FUNCTION reports_activity_signup();
DROP TRIGGER IF EXISTS reports_activity_shift ON events_shift;
CREATE TRIGGER reports_activity_shift AFTER UPDATE ON events_shift
  FOR EACH ROW WHEN (OLD.campaign_id IS DISTINCT FROM NEW.campaign_id
                     OR {local_day("OLD.starts_at")} IS DISTINCT FROM {local_day("NEW.starts_at")})
  EXECUTE FUNCTION reports_activity_shift();
DROP TRIGGER IF EXISTS reports_activity_campaign ON events_campaign;
CREATE TRIGGER reports_activity_campaign AFTER UPDATE ON events_campaign
  FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id)
  EXECUTE FUNCTION reports_activity_campaign();
"""  # noqa: S608
    return sql + _CARE_SQL if care else sql


# Targeted help: an assignment marked done adds its day; anything else that touches a done one
# (a merge withdrawing it or moving it to the kept record, a deletion, its request or day changed)
# recounts the people concerned, as the sign-ups do.
_CARE_SQL = f"""
CREATE OR REPLACE FUNCTION reports_activity_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE k integer; added boolean;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    added := NOT {_helped("OLD")};
  ELSE
    added := TG_OP = 'INSERT';
  END IF;
  IF added THEN
    -- Help marked done (the trigger's WHEN: NEW counts): a day added, nobody's taken away.
    SELECT region_id INTO k FROM care_helprequest WHERE id = NEW.request_id;
    IF FOUND THEN PERFORM reports_activity_add(NEW.volunteer_id, k, {local_day("NEW.done_at")}); END IF;
    RETURN NULL;
  END IF;
  -- A day may have gone (a deletion, a merge withdrawing or moving it, another request or day):
  -- recount the people concerned, the lower id first.
{_RECOUNT_OLD_AND_NEW}
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_activity_help_request() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A request moved to another region: the days of those who helped change region key.
  PERFORM reports_activity_people(ARRAY(
    SELECT a.volunteer_id FROM care_assignment a WHERE a.request_id = NEW.id AND {_helped("a")}));
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS reports_activity_assignment_insert ON care_assignment;
CREATE TRIGGER reports_activity_assignment_insert AFTER INSERT ON care_assignment
  FOR EACH ROW WHEN {_helped("NEW")} EXECUTE FUNCTION reports_activity_assignment();
DROP TRIGGER IF EXISTS reports_activity_assignment_delete ON care_assignment;
CREATE TRIGGER reports_activity_assignment_delete AFTER DELETE ON care_assignment
  FOR EACH ROW WHEN {_helped("OLD")} EXECUTE FUNCTION reports_activity_assignment();
DROP TRIGGER IF EXISTS reports_activity_assignment_update ON care_assignment;
CREATE TRIGGER reports_activity_assignment_update AFTER UPDATE ON care_assignment
  FOR EACH ROW WHEN (({_helped("OLD")} OR {_helped("NEW")})
                     AND (OLD.status IS DISTINCT FROM NEW.status
                          OR OLD.volunteer_id IS DISTINCT FROM NEW.volunteer_id
                          OR OLD.request_id IS DISTINCT FROM NEW.request_id
                          OR {local_day("OLD.done_at")} IS DISTINCT FROM {local_day("NEW.done_at")}))
  EXECUTE FUNCTION reports_activity_assignment();
DROP TRIGGER IF EXISTS reports_activity_help_request ON care_helprequest;
CREATE TRIGGER reports_activity_help_request AFTER UPDATE ON care_helprequest
  FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id)
  EXECUTE FUNCTION reports_activity_help_request();
"""  # noqa: S608


CARE_UNINSTALL_SQL = """
DROP TRIGGER IF EXISTS reports_activity_assignment_insert ON care_assignment;
DROP TRIGGER IF EXISTS reports_activity_assignment_delete ON care_assignment;
DROP TRIGGER IF EXISTS reports_activity_assignment_update ON care_assignment;
DROP TRIGGER IF EXISTS reports_activity_help_request ON care_helprequest;
DROP FUNCTION IF EXISTS reports_activity_assignment();
DROP FUNCTION IF EXISTS reports_activity_help_request();
"""

UNINSTALL_SQL = """
DROP TRIGGER IF EXISTS reports_activity_signup_insert ON events_signup;
DROP TRIGGER IF EXISTS reports_activity_signup_delete ON events_signup;
DROP TRIGGER IF EXISTS reports_activity_signup_update ON events_signup;
DROP TRIGGER IF EXISTS reports_activity_shift ON events_shift;
DROP TRIGGER IF EXISTS reports_activity_campaign ON events_campaign;
DROP FUNCTION IF EXISTS reports_activity_signup();
DROP FUNCTION IF EXISTS reports_activity_shift();
DROP FUNCTION IF EXISTS reports_activity_campaign();
DROP FUNCTION IF EXISTS reports_activity_people(bigint[]);
DROP FUNCTION IF EXISTS reports_activity_add(bigint, integer, date);
DROP FUNCTION IF EXISTS reports_activity_refresh(bigint);
DROP FUNCTION IF EXISTS reports_activity_lock(bigint);
"""


def rebuild_sql(*, care: bool = True) -> str:
    return f"""
DELETE FROM {TABLE};
WITH d AS (SELECT DISTINCT v, k, day FROM ({_days(care=care)}
  ) AS given
)
INSERT INTO {TABLE} (volunteer_id, region_key, days)
SELECT v, k, range_agg(daterange(day, day, '[]')) FROM d GROUP BY v, k
UNION ALL
SELECT v, {EVERYWHERE}, range_agg(daterange(day, day, '[]')) FROM d GROUP BY v;
"""  # noqa: S608


def available() -> bool:
    return connection.vendor == "postgresql"


def rebuild() -> None:
    """Recount the table from the sign-ups and done assignments (a repair; the triggers keep it
    exact)."""
    recount("events_signup, care_helprequest, care_assignment", rebuild_sql())


# Reading --------------------------------------------------------------------------------------


def _keys(region_ids: Iterable[int] | None) -> tuple[str, list[Any], bool]:
    """The WHERE on region_key for a set of campaign regions (None: every campaign, national ones
    included), its parameters, and whether a person can have several matching rows (DISTINCT)."""
    if region_ids is None:
        return "region_key = %s", [EVERYWHERE], False
    ids = sorted(set(region_ids))
    if len(ids) == 1:
        return "region_key = %s", [ids[0]], False
    return "region_key = ANY(%s)", [ids], True


def _period(start: datetime.date, end: datetime.date) -> tuple[str, list[Any]]:
    """Whether a row has a day between start and end. Testing the multirange costs ~1 µs a row, a
    test per month of the chart; the row's first and last day (plain stored columns) settle most
    rows first: all days outside the period, or all inside it."""
    return (
        "(first_day <= %s AND last_day >= %s"
        " AND ((first_day >= %s AND last_day <= %s) OR days && daterange(%s, %s, '[]')))",
        [end, start, start, end, start, end],
    )


def active_counts(
    region_ids: Iterable[int] | None,
    start: datetime.date,
    end: datetime.date,
    months: Sequence[tuple[datetime.date, datetime.date]] = (),
) -> tuple[int, list[int]]:
    """People who gave hours between start and end (Almaty days, both included) in campaigns or
    help requests of `region_ids` (None: every region, national campaigns included), and the same for each (first, last) day pair
    of `months` — one scan of at most a row per person."""
    where, params, several = _keys(region_ids)
    if region_ids is not None and not params[0]:
        return 0, [0 for _m in months]
    period, period_params = _period(start, end)
    counted = "DISTINCT volunteer_id" if several else "*"
    columns = [f"COUNT({counted})"]
    column_params: list[Any] = []
    for first, last in months:
        month, month_params = _period(first, last)
        columns.append(f"COUNT({counted}) FILTER (WHERE {month})")
        column_params += month_params
    sql = f"SELECT {', '.join(columns)} FROM {TABLE} WHERE {where} AND {period}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*column_params, *params, *period_params])
        row = cursor.fetchone()
    return row[0], list(row[1:])


def active_by_region_key(
    region_ids: Iterable[int] | None, start: datetime.date, end: datetime.date
) -> dict[int | None, int]:
    """People active in the period per region of their campaigns and help requests (None:
    national campaigns); one row per person and key, so a plain count per key."""
    period, params = _period(start, end)
    # Every key but EVERYWHERE, the lowest: as a range, the key index (the table's order) reads
    # only the per-region half of the table, and in key order, where "<>" scanned all of it.
    sql = f"SELECT region_key, COUNT(*) FROM {TABLE} WHERE region_key > %s AND {period}"  # noqa: S608
    args: list[Any] = [EVERYWHERE, *params]
    if region_ids is not None:
        sql += " AND region_key = ANY(%s)"
        args.append(sorted(set(region_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql + " GROUP BY region_key", args)
        return {(None if k == NO_REGION else k): n for k, n in cursor.fetchall()}
