"""A row read by a hand-written statement (core.prepared, the study peak's reads) is the instance the ORM reads:
the same values of the same types (JSON decoded, dates aware, SQLite's text parsed), loaded, the other fields
deferred; a row written by its insert() or update() is the row save() writes, with the same signals."""

from __future__ import annotations

import pytest
from django.db import connection

from tongxin.core.prepared import Columns, fetch_one
from tongxin.study import services
from tongxin.study.models import Attempt, Question
from tongxin.study.tests.helpers import open_period

pytestmark = [pytest.mark.django_db]


def test_an_attempt_built_from_its_row_equals_the_orms(tree, users):
    period = open_period(tree)
    attempt = services.start_attempt(users.member, period)
    columns = Columns(Attempt)
    row = fetch_one(connection, f"SELECT {columns.select(connection, 'a')} FROM {columns.table(connection)} a "
                                f"WHERE {columns.column(connection, 'a', 'id')} = %s", [attempt.pk])  # fmt: skip
    assert row is not None
    built, read = columns.build(connection, row), Attempt.objects.get(pk=attempt.pk)
    assert not built._state.adding and built._state.db == read._state.db
    for field in Attempt._meta.concrete_fields:
        assert getattr(built, field.attname) == getattr(read, field.attname), field.name
        assert type(getattr(built, field.attname)) is type(getattr(read, field.attname)), field.name
    assert built.question_ids and isinstance(built.question_ids, list)


def test_only_the_columns_named_are_loaded(tree, users):
    person = users.member.person
    columns = Columns(type(person), ("name", "org_path"))
    row = fetch_one(connection, f"SELECT {columns.select(connection, 'm')} FROM {columns.table(connection)} m "
                                f"WHERE {columns.column(connection, 'm', 'id')} = %s", [person.pk])  # fmt: skip
    assert row is not None
    built = columns.build(connection, row)
    assert (built.pk, built.name, built.org_path) == (person.pk, person.name, person.org_path)
    assert built.get_deferred_fields() >= {"status", "id_number"}
    with pytest.raises(ValueError, match="no concrete fields"):
        Columns(type(person), ("nickname",))


def test_rows_read_as_one_json_column_equal_the_orms(tree, users):
    """Columns.json_rows: the questions of a period read in one column of its statement (issue 14: a round trip
    less at each start and submission) are the instances the ORM reads, JSON, text and booleans alike."""
    period = open_period(tree)
    Question.objects.filter(pk=period.questions.first().pk).update(
        text='引号 "quoted" \\ 换行\n', options=["甲", {"nested": [1, None]}], active=False
    )
    columns = Columns(Question)
    through = period.questions.through._meta.db_table
    sql = (
        f"SELECT (SELECT {columns.json_rows(connection, 'q')} FROM {columns.table(connection)} q "
        f"INNER JOIN {connection.ops.quote_name(through)} t ON t.question_id = q.id WHERE t.studyperiod_id = %s)"
    )
    row = fetch_one(connection, sql, [period.pk])
    assert row is not None
    built = {q.pk: q for q in columns.build_json(connection, row[0])}
    read = {q.pk: q for q in period.questions.all()}
    assert built.keys() == read.keys() and len(built) == 5
    for pk, question in read.items():
        assert not built[pk]._state.adding and built[pk]._state.db == question._state.db
        for field in Question._meta.concrete_fields:
            assert getattr(built[pk], field.attname) == getattr(question, field.attname), field.name
            assert type(getattr(built[pk], field.attname)) is type(getattr(question, field.attname)), field.name
    assert columns.build_json(connection, None) == [] and columns.build_json(connection, "[]") == []
    with pytest.raises(ValueError, match="JSON does not carry"):
        Columns(Attempt).json_rows(connection, "a")  # its times: JSON would hand them over as text


def test_insert_and_update_write_what_save_writes(tree, users):
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import post_save, pre_save

    from tongxin.core.models import ChangeLog
    from tongxin.core.prepared import insert, update

    seen = []

    def note(sender, instance, **kwargs):
        seen.append((kwargs.get("created"), kwargs.get("update_fields")))

    pre_save.connect(note, sender=ChangeLog)
    post_save.connect(note, sender=ChangeLog)
    try:
        entry = ChangeLog(actor=users.member, action=ChangeLog.Action.CREATE, object_id="1", object_repr="x",
                          content_type=ContentType.objects.get_for_model(Attempt), org_path="0001",
                          after={"score": 100})  # fmt: skip
        insert(entry)
        assert entry.pk and not entry._state.adding and entry.created_at is not None
        read = ChangeLog.objects.get(pk=entry.pk)
        assert (read.actor_id, read.after, read.created_at) == (users.member.pk, {"score": 100}, entry.created_at)
        entry.after, entry.object_repr = {"score": 90}, "changed, not saved"
        update(entry, ["after"])
        read = ChangeLog.objects.get(pk=entry.pk)
        assert (read.after, read.object_repr) == ({"score": 90}, "x")
    finally:
        pre_save.disconnect(note, sender=ChangeLog)
        post_save.disconnect(note, sender=ChangeLog)
    assert seen == [(None, None), (True, None), (None, frozenset({"after"})), (False, frozenset({"after"}))]


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statements prepared on PostgreSQL's server only")
def test_the_hot_paths_statements_are_planned_once_per_server_session(tree, users, settings):
    from tongxin.core.prepared import cursor

    settings.TONGXIN_PGBOUNCER = False
    period = open_period(tree, max_attempts=3)
    first = services.start_attempt(users.member, period)
    services.submit_attempt(users.member, first, answers={}, token=first.token)
    prepared = _prepared_statements()
    # the submission's read (attempt, period, campaign, member), the period's, the attempt's INSERT, the roll-ups'
    assert any("FOR UPDATE OF a" in sql for sql in prepared), prepared
    assert any(sql.startswith('INSERT INTO "study_attempt"') for sql in prepared)
    assert any(sql.startswith('UPDATE "study_periodstats"') for sql in prepared)
    second = services.start_attempt(users.member, period)
    done = services.submit_attempt(users.member, second, answers={}, token=second.token)
    assert sorted(_prepared_statements()) == sorted(prepared)  # used again, not prepared twice
    assert done.submitted_at is not None and done.score == 0
    # values bound on the server: a value is not part of the statement's text
    assert not any(first.token in sql or second.token in sql for sql in prepared)
    with cursor(connection) as rows:
        rows.execute("SELECT %s::text || %s", ["同", "心"])
        assert rows.fetchone() == ("同心",)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statements prepared on PostgreSQL's server only")
@pytest.mark.django_db(transaction=True)
def test_behind_pgbouncer_nothing_is_prepared(tree, users, settings):
    settings.TONGXIN_PGBOUNCER = True  # transaction pooling: a named statement could reach another session
    connection.close()  # a new server session, without an earlier test's statements (committed: transaction=True)
    period = open_period(tree)
    attempt = services.start_attempt(users.member, period)
    done = services.submit_attempt(users.member, attempt, answers={}, token=attempt.token)
    assert done.submitted_at is not None
    assert _prepared_statements() == []
