"""The maintenance commands write through core services that leave ChangeLog rows: pruning uploaded files,
re-encrypting with a new field key, recomputing the lookup hashes."""

from __future__ import annotations

import datetime
import io

from cryptography.fernet import Fernet
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from tongxin.core.imports import create_job
from tongxin.core.models import ChangeLog, ImportJob
from tongxin.core.services import encrypted_columns
from tongxin.lifecycle.models import Recruitment
from tongxin.people.models import Person


def logs_about(model, object_id: str | None = None) -> list[ChangeLog]:
    rows = ChangeLog.objects.filter(content_type=ContentType.objects.get_for_model(model))
    if object_id is not None:
        rows = rows.filter(object_id=object_id)
    return list(rows.order_by("id"))


def test_pruning_an_uploaded_file_leaves_a_deletion_row_at_its_organisation(tree, users):
    old = create_job(users.secretary_a, kind="roster", file_name="旧.csv", content=b"x", options={})
    ImportJob.objects.filter(pk=old.pk).update(
        status=ImportJob.Status.DONE, created_at=timezone.now() - datetime.timedelta(days=31)
    )
    old.refresh_from_db()

    call_command("prune_imports", "--days", "30", stdout=io.StringIO())

    (entry,) = logs_about(ImportJob)
    assert entry.action == ChangeLog.Action.DELETE and entry.actor is None
    assert entry.object_id == str(old.pk) and entry.object_repr == "旧.csv" and entry.org_path == old.org_path
    before = entry.before or {}
    assert before["file_name"] == "旧.csv" and before["kind"] == "roster" and before["actor"] == users.secretary_a.pk
    assert not ImportJob.objects.filter(pk=old.pk).exists()


def test_nothing_to_prune_leaves_no_row(tree, users):
    create_job(users.secretary_a, kind="roster", file_name="新.csv", content=b"x", options={})
    call_command("prune_imports", "--days", "30", stdout=io.StringIO())
    assert logs_about(ImportJob) == []


def test_rotating_the_field_key_leaves_a_row_per_table_counting_its_rows(tree, settings):
    settings.TONGXIN_FIELD_KEYS = [Fernet.generate_key().decode(), *settings.TONGXIN_FIELD_KEYS]

    call_command("rotate_field_keys", "--batch", "2", verbosity=0)

    (entry,) = logs_about(Person, "*")
    assert entry.action == ChangeLog.Action.UPDATE and entry.object_id == "*" and entry.org_path == ""
    assert entry.after == {"job": "rotate_field_keys", "fields": ["id_number", "phone"], "rows": Person.objects.count()}
    tables_with_rows = {model for _table, _columns, model in encrypted_columns() if model._base_manager.exists()}
    assert {e.content_type.model_class() for e in ChangeLog.objects.filter(object_id="*")} == tables_with_rows


def test_rehashing_leaves_a_row_per_registered_model(tree, settings):
    settings.TONGXIN_LOOKUP_KEY = "a-new-lookup-key"

    call_command("rehash_personal_data", "--batch", "2", verbosity=0)

    (entry,) = logs_about(Person, "*")
    assert entry.after == {
        "job": "rehash_personal_data",
        "fields": ["id_hash", "id_tail", "phone_hash", "phone_tail"],
        "rows": Person.objects.count(),
    }
    assert logs_about(Recruitment, "*") == []  # no applications in the fixture tree: nothing rewritten, no row
    assert Person.objects.with_id_number(tree.people.a1.id_number).get() == tree.people.a1
