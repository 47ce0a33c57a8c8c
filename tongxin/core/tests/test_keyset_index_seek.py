"""A deep roster page seeks straight to its cursor in the index instead of reading the subtree up to it."""

from django.db import connection

from tongxin.core.pagination import _row_filter
from tongxin.core.scoping import subtree_q
from tongxin.people.filters import SORTS
from tongxin.people.models import Person


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            # A tiny test table makes any plan look cheap: ask for the plan a large roster gets.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def test_the_cursor_bounds_the_index_scan_of_the_default_roster_sort(tree):
    keys = SORTS["org"][1]
    qs = Person.objects.filter(status="active").filter(subtree_q("org_path", tree.root.path))
    seek = _row_filter(qs, keys, [tree.branch_b.path, "m", 0], ">").order_by("org_path", "name_pinyin", "id")
    plan = _plan(seek[:51])
    assert "person_roster" in plan  # person_roster_idx, or person_roster_all_idx on a tiny table
    if connection.vendor == "postgresql":
        index_cond = next(line for line in plan.splitlines() if "Index Cond" in line)
        assert "ROW((org_path)::text, (name_pinyin)::text, id) >" in index_cond
    else:
        # SQLite names the range it starts from: the row-value bound, not only "org_path>?".
        assert "(org_path,name_pinyin" in plan.replace(" ", "")
    assert "TEMP B-TREE" not in plan and "Sort" not in plan
