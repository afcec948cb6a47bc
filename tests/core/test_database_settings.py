"""The app's PostgreSQL connections: JIT compilation off (volunteer_net/settings.py, DB_JIT)."""

from __future__ import annotations

import pytest
from django.db import connection

from reports.forms import ReportScopeForm
from reports.selectors import detachment_activity


@pytest.mark.django_db
def test_connections_run_without_jit() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


@pytest.mark.django_db
def test_the_dashboards_costliest_estimate_is_not_compiled(nora) -> None:  # type: ignore[no-untyped-def]
    """The detachments table's correlated counts are estimated far above PostgreSQL's
    jit_above_cost; with JIT on, EXPLAIN ANALYZE reports the compiling (30 ms at national scale)."""
    scope = ReportScopeForm(None, user=nora).scope()
    sql, params = detachment_activity(scope)[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        # The planner's view of this query on a large table: every estimate above the threshold.
        cursor.execute("SET LOCAL jit_above_cost = 0")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT TEXT) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "JIT:" not in plan
