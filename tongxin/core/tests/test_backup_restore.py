"""Backup and restore (docs/operations.md): a backup restored into an EMPTY database (a fresh SQLite file, or
a fresh PostgreSQL database) holds every record; restore checks the file first, refuses a database that has
tables unless --force, asks before it replaces anything, and ``--keep`` prunes old backups."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import load_backend
from django.utils import translation

from tongxin.core import backups
from tongxin.core.models import ChangeLog
from tongxin.orglife.models import Attachment
from tongxin.orglife.services import meetings
from tongxin.orglife.tests.meeting_helpers import planned
from tongxin.orgs.models import Organization
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads committed rows only

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
ALIAS = "restored"


@pytest.fixture(autouse=True)
def _english_messages():
    # The refusals are matched in English; test_translations proves the operator reads them in Chinese.
    with translation.override("en"):
        yield


@pytest.fixture
def empty_database(tmp_path):
    """A database alias ``restored`` pointing at a NEW, empty database: a fresh SQLite file or, on
    PostgreSQL, a database created for the test (dropped afterwards)."""
    name = str(tmp_path / "restored.sqlite3")
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_restored"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    # A connection made by hand, not listed in the settings: the test framework allows such "dynamic" ones.
    wrapper = load_backend(connection.settings_dict["ENGINE"]).DatabaseWrapper
    connections[ALIAS] = wrapper({**connection.settings_dict, "NAME": name}, ALIAS)
    yield ALIAS
    connections[ALIAS].close()
    del connections[ALIAS]
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def data(tree, users):
    """The shared tree and users, plus a meeting with an attachment (files live in the database)."""
    meeting = planned(users.secretary_a, tree.branch_a)
    meetings.add_attachment(users.secretary_a, meeting, file_name="会议记录.pdf", content=PDF)
    return tree


def counts(alias: str) -> dict[str, int]:
    """Rows of every model, counted through the ORM."""
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in backups.target_tables()]
    return {m._meta.label: m._default_manager.using(alias).count() for m in models}


def people(alias: str) -> list[tuple]:
    """Read through the ORM, which decrypts: equal values prove the restored database is readable too."""
    rows = Person.objects.using(alias).order_by("pk")
    return [(p.pk, p.name, p.id_number, p.phone, p.org_path, p.status) for p in rows]


def backup(tmp_path, *extra: str) -> backups.Backup:
    call_command("backup", "--dir", str(tmp_path / "backups"), *extra)
    return backups.Backup(backups.list_backups(tmp_path / "backups")[-1])


def test_a_backup_restored_into_an_empty_database_finds_every_record(data, tmp_path, empty_database):
    made = backup(tmp_path)
    assert made.path.suffix == (".dump" if connection.vendor == "postgresql" else ".sqlite3")
    assert backups.target_tables(empty_database) == []

    call_command("restore", str(made.path), "--no-input", database=empty_database)

    before, after = counts("default"), counts(empty_database)
    assert after == before
    assert before["people.Person"] == 5 and before["orgs.Organization"] == 8 and before["core.ChangeLog"] > 10
    assert people(empty_database) == people("default")
    assert {p[2] for p in people(empty_database)} == {p.id_number for p in vars(data.people).values()}
    assert list(Organization.objects.using(empty_database).values_list("code", "path").order_by("pk")) == list(
        Organization.objects.values_list("code", "path").order_by("pk")
    )
    assert bytes(Attachment.objects.using(empty_database).get().content) == PDF
    last = ChangeLog.objects.order_by("pk").last()
    assert last is not None and ChangeLog.objects.using(empty_database).get(pk=last.pk).after == last.after


def test_restore_refuses_a_database_with_tables_unless_forced(data, tmp_path, empty_database):
    made = backup(tmp_path)
    call_command("restore", str(made.path), "--no-input", database=empty_database)
    Person.objects.using(empty_database).filter(pk=data.people.a1.pk).update(name="改动")

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(made.path), "--no-input", database=empty_database)
    assert Person.objects.using(empty_database).get(pk=data.people.a1.pk).name == "改动"

    call_command("restore", str(made.path), "--no-input", "--force", database=empty_database)
    assert Person.objects.using(empty_database).get(pk=data.people.a1.pk).name == "张甲一"
    assert counts(empty_database) == counts("default")


def test_restore_asks_before_replacing_anything(data, tmp_path, empty_database, monkeypatch):
    made = backup(tmp_path)
    monkeypatch.setattr("builtins.input", lambda question: "no")

    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(made.path), database=empty_database)
    assert backups.target_tables(empty_database) == []

    monkeypatch.setattr("builtins.input", lambda question: "yes")
    call_command("restore", str(made.path), database=empty_database)
    assert counts(empty_database) == counts("default")


def test_restore_refuses_a_damaged_or_foreign_file_before_touching_the_database(data, tmp_path, empty_database):
    made = backup(tmp_path)
    damaged = bytearray(made.path.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    made.path.write_bytes(bytes(damaged))
    foreign = tmp_path / ("notes" + made.path.suffix)
    foreign.write_bytes(b"hello, this is no backup" * 100)

    with pytest.raises(CommandError, match="does not match its manifest"):
        call_command("restore", str(made.path), "--no-input", database=empty_database)
    with pytest.raises(CommandError, match="not a"):
        call_command("restore", str(foreign), "--no-input", database=empty_database)
    assert backups.target_tables(empty_database) == []


def test_keep_deletes_all_but_the_newest_backups(data, tmp_path):
    for _ in range(3):
        backup(tmp_path)
    newest = backups.list_backups(tmp_path / "backups")[-1]

    backup(tmp_path, "--keep", "2")

    kept = backups.list_backups(tmp_path / "backups")
    assert len(kept) == 2 and kept[0] == newest
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == sorted(
        [p.name for p in kept] + [p.name + ".json" for p in kept]
    )


def test_the_newest_backup_is_restored_when_no_file_is_named(data, tmp_path, empty_database, settings):
    settings.TONGXIN_BACKUP_DIR = tmp_path / "backups"
    backup(tmp_path)

    call_command("restore", "--no-input", database=empty_database)

    assert counts(empty_database) == counts("default")
