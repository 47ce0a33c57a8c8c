"""The dry run asks the database once per batch, never once per row: 200 rows cost the queries of 10."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.core.imports import run_check
from tongxin.core.testing import years_ago
from tongxin.people.tests.helpers import with_wrong_check_character
from tongxin.people.tests.import_helpers import counts, member, person_row, table, upload, xlsx_file

pytestmark = pytest.mark.usefixtures("english")


def roster_file(tree, size: int) -> bytes:
    """``size`` rows: the five people on record (one with a new phone), new people in four branches
    (named by name or code), and every tenth new row rejected."""
    people = tree.people
    rows = [person_row(p) for p in (people.a1, people.a2, people.b1, people.c1, people.d1)]
    rows[0]["phone"] = "13900001234"
    branches = [tree.branch_a, tree.branch_b, tree.branch_c, "T2D"]
    for i in range(size - len(rows)):
        row = member(branches[i % 4], f"量{i}", birth=years_ago(20, days=40 + i))
        if i % 10 == 0:
            row["id_number"] = with_wrong_check_character(row["id_number"])
        rows.append(row)
    return xlsx_file(table(rows))


def measure(actor, content: bytes) -> tuple[int, dict[str, int]]:
    job = upload(actor, content)
    with CaptureQueriesContext(connection) as ctx:
        job = run_check(job)
    assert job.status == "checked", job.error
    return len(ctx.captured_queries), counts(job)


def test_the_dry_run_query_count_does_not_grow_with_the_rows(tree, users):
    measure(users.district, roster_file(tree, 10))  # warm up: content types, the rules cache

    small, small_counts = measure(users.district, roster_file(tree, 10))
    large, large_counts = measure(users.district, roster_file(tree, 200))

    assert small_counts == {"new": 4, "updated": 1, "unchanged": 4, "rejected": 1}
    assert large_counts == {"new": 175, "updated": 1, "unchanged": 4, "rejected": 20}
    assert large == small, (small, large)
    assert small <= 8, small
