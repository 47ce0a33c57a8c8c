"""core.bulkload: the foreign keys dropped for seed_demo's load come back exactly as Django made them, and a row
that breaks one fails the load and rolls it back (PostgreSQL; SQLite has no deferred keys to drop); objects
written with COPY read back as bulk_create writes them, and break the same constraints."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction

from tongxin.core import bulkload
from tongxin.core.models import ChangeLog
from tongxin.orgs.models import Tally
from tongxin.people.models import Membership, Person

pg_only = pytest.mark.postgresql_only("the keys dropped and restored are PostgreSQL's")


def _key_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")
        return cursor.fetchone()[0]


@pg_only
def test_the_foreign_keys_dropped_for_a_load_come_back_as_they_were(tree):
    # The tree's rows are written in this transaction: their deferred checks are pending when the keys go.
    before = bulkload.foreign_keys()
    assert len(before) > 100
    assert all("DEFERRABLE INITIALLY DEFERRED" in key.definition for key in before)
    membership = next(k for k in before if k.table == Membership._meta.db_table and "person_id" in k.definition)
    assert "REFERENCES people_person(id)" in membership.definition

    with transaction.atomic():
        dropped = bulkload.drop_foreign_keys()
        assert dropped == before
        assert bulkload.foreign_keys() == [] and _key_count() == 0
        bulkload.restore_foreign_keys(dropped)
    assert bulkload.foreign_keys() == before


@pg_only
def test_a_row_breaking_a_key_fails_the_load_and_rolls_it_back(tree):
    before = bulkload.foreign_keys()
    person = tree.people.a1
    missing = Person.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    with pytest.raises(IntegrityError, match="violates foreign key constraint"), transaction.atomic():
        dropped = bulkload.drop_foreign_keys()
        # Written without the keys: nothing checks the branch until the keys are added back.
        Membership.objects.filter(person=person).update(person_id=missing)
        bulkload.restore_foreign_keys(dropped)
    assert bulkload.foreign_keys() == before
    assert Membership.objects.filter(person=person).exists()
    assert not Membership.objects.filter(person_id=missing).exists()


@pg_only
def test_outside_a_transaction_the_keys_are_not_dropped(transactional_db):
    # In autocommit they would be gone for good: the drop, the load and the restoring are one transaction.
    before = bulkload.foreign_keys()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        bulkload.drop_foreign_keys()
    assert bulkload.foreign_keys() == before


def test_objects_written_with_copy_read_back_as_bulk_create_writes_them(tree):
    # ChangeLog: a time stamped on creation and JSON fields (prepared as bulk_create prepares them).
    people = list(Person.objects.order_by("pk"))
    kind = ContentType.objects.get_for_model(Person)
    made = [
        ChangeLog(action=ChangeLog.Action.UPDATE, content_type=kind, object_id=str(p.pk), object_repr="bulk",
                  org_path=p.org_path, before=None, after={"name": p.name, "n": i})
        for i, p in enumerate(people)
    ]  # fmt: skip
    assert bulkload.insert_objects(ChangeLog, made) == len(made) == 5
    rows = list(
        ChangeLog.objects.filter(object_repr="bulk").order_by("pk").values("object_id", "after", "before", "created_at")
    )
    assert [(r["object_id"], r["after"], r["before"]) for r in rows] == [
        (str(p.pk), {"name": p.name, "n": i}, None) for i, p in enumerate(people)
    ]
    assert all(r["created_at"] is not None for r in rows)
    assert ChangeLog.objects.filter(object_repr="bulk", action="update").count() == 5  # the choice's value

    # With ids: drawn in list order and set on the objects, which later rows refer to (as bulk_create does).
    tallies = [Tally(organization=tree.root, facet="ids", bucket=str(i), count=i) for i in range(3)]
    bulkload.insert_objects(Tally, tallies, ids=True)
    assert [t.pk for t in tallies] == sorted(t.pk for t in tallies) and not tallies[0]._state.adding
    assert {t.pk: t.bucket for t in tallies} == dict(Tally.objects.filter(facet="ids").values_list("pk", "bucket"))

    Tally.objects.all().delete()
    bulkload.insert_objects(Tally, [Tally(organization=tree.root, facet="f", bucket="b", count=7)])
    assert list(Tally.objects.values_list("organization_id", "facet", "bucket", "count")) == [
        (tree.root.pk, "f", "b", 7)
    ]
    # The same unique constraint as an INSERT, raised as Django's IntegrityError (what callers catch).
    with pytest.raises(IntegrityError), transaction.atomic():
        bulkload.insert_objects(Tally, [Tally(organization=tree.root, facet="f", bucket="b", count=1)])
