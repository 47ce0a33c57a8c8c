"""The annual report's dues query reads the payments of the subtree and the year through an index on the path
and the day paid, not the whole table (nor every payment the subtree ever made) row by row."""

from __future__ import annotations

from django.db import connection

from tongxin.dashboard.report import queries


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A tiny test table makes a sequential scan look cheap: ask for the plan a large ledger gets.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def test_the_dues_of_a_year_are_read_by_path_and_day_paid(tree):
    plan = _plan(queries.dues_rows(tree.committee1, 2024))
    assert "dues_paid_on_idx" in plan, plan
    if connection.vendor == "postgresql":
        index_cond = "\n".join(line for line in plan.splitlines() if "Index Cond" in line)
        assert "org_path" in index_cond and "paid_on" in index_cond, plan
