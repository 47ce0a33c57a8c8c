"""The personal-data encryption migrations on real rows, forward, back and forward again.

people 0004 (Person.id_number / phone), lifecycle 0005 (the recruitment application's ID number / phone) and
core 0005 (an import job's file and check report) encrypt the clear-text rows already in the database, in
batches, and decrypt them when reversed. The rows are written in clear through the historical models of the
state just before them; after the migrations the current models read the originals back, the hashes find
them, and the raw columns hold no clear ID number or phone. Batches are shrunk to two rows so that every
table is rewritten in several batches (a short last one, a gap in the ids).

Runs on SQLite and PostgreSQL; the test database is migrated back to the latest state whatever happens.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from stdnum.cn import ric

from tongxin.core import crypto
from tongxin.core.crypto import keyed_hash
from tongxin.core.models import ImportJob
from tongxin.lifecycle.models import Recruitment
from tongxin.people.models import Person
from tongxin.people.validators import normalise_id_number

pytestmark = pytest.mark.django_db(transaction=True)  # migrations run outside a test transaction

BEFORE = [
    ("people", "0003_alter_membership_end_reason_and_more"),
    ("lifecycle", "0004_graduation"),
    ("core", "0004_notification"),
]
BATCH = 2
TOKEN_PREFIX = "gAAAAA"  # a Fernet token (version byte 0x80, then the timestamp), base64


def _migrate(targets: list[tuple[str, str]] | None = None) -> Any:
    """Migrate to ``targets`` (the latest state if None); return the apps of that state.

    Backwards, one app at a time: Django re-renders the models at every migration from the first one to
    undo to the last in its full plan, and core 0005 comes some forty migrations before the others (in one
    call, about three times slower).
    """
    if targets is None:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        return None
    for target in reversed(targets):
        MigrationExecutor(connection).migrate([target])
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def batches(monkeypatch) -> Iterator[list[tuple[str, int]]]:
    """Every batch the migrations rewrite, as (table, rows), with at most BATCH rows per batch."""
    seen: list[tuple[str, int]] = []
    real = crypto.batched_rows

    def small(connection: Any, table: str, columns: Any, batch: int = 1000) -> Iterator[list[tuple]]:
        for rows in real(connection, table, columns, BATCH):
            seen.append((table, len(rows)))
            yield rows

    monkeypatch.setattr(crypto, "batched_rows", small)
    yield seen


@pytest.fixture
def before_encryption(batches) -> Iterator[Any]:
    """The database at the state just before the encryption migrations (its apps); latest again afterwards."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate()


def _id_number(birth: datetime.date, order: int) -> str:
    body = f"110105{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def _id_ending_in_x(birth: datetime.date) -> str:
    return next(n for n in (_id_number(birth, order) for order in range(1000)) if n.endswith("X"))


def _raw_row(table: str, pk: int) -> dict[str, Any]:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {qn(table)} WHERE {qn('id')} = %s", [pk])
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def _clear_text_in(row: dict[str, Any], secrets: list[str]) -> list[str]:
    """The columns of a raw row in which one of ``secrets`` appears in clear."""
    found = []
    for column, value in row.items():
        data = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        if any(secret.encode() in data for secret in secrets if secret):
            found.append(column)
    return found


def _seed(apps: Any) -> dict[str, Any]:
    """Clear-text rows written through the historical models."""
    Organization = apps.get_model("orgs", "Organization")
    OldPerson = apps.get_model("people", "Person")
    OldRecruitment = apps.get_model("lifecycle", "Recruitment")
    OldImportJob = apps.get_model("core", "ImportJob")

    branch = Organization.objects.create(path="M1.", kind="branch", name="迁移测试团支部", code="MIG1")
    birth = datetime.date(2004, 3, 9)
    x_number = _id_ending_in_x(birth)
    people = [
        (x_number, "13912345678"),
        (_id_number(birth, 101), ""),  # no phone
        (_id_number(birth, 102), "021-66668888"),
        (_id_number(birth, 103), "13800000003"),  # deleted below: a gap in the ids
        (_id_number(birth, 104), "13800000004"),
        ("", ""),  # an anonymised record: no ID number, no phone
        (_id_number(birth, 105), "13800000005"),
    ]
    rows = []
    for n, (number, phone) in enumerate(people):
        rows.append(OldPerson.objects.create(
            name=f"迁移{n}", name_pinyin=f"qianyi{n}", name_initials="qy", id_number=number, id_tail=number[-4:],
            birth_date=birth, sex="1", phone=phone, phone_tail=phone[-4:], branch=branch, org_path=branch.path,
        ))  # fmt: skip
    rows.pop(3).delete()
    person_ids = {row.pk: (row.id_number, row.phone) for row in rows}

    applicant = _id_number(datetime.date(2010, 5, 1), 201)
    recruitments = {}
    for stage, phone in (("withdrawn", ""), ("applied", "13700000001"), ("activist", "13700000002")):
        number = applicant if stage != "activist" else _id_number(datetime.date(2010, 5, 1), 202)
        row = OldRecruitment.objects.create(
            branch=branch, org_path=branch.path, name=f"申请人{stage}", id_number=number, birth_date=birth,
            phone=phone, stage=stage, applied_on=datetime.date(2025, 9, 1),
        )  # fmt: skip
        recruitments[row.pk] = (number, phone)

    jobs = {}
    for n in range(3):
        content = f"姓名,身份证号,手机号\n迁移{n},{x_number},13912345678\n".encode()
        report = None if n == 1 else {"rows": [{"row": 2, "id_number": x_number, "errors": ["重复"]}], "n": n}
        row = OldImportJob.objects.create(kind="people", file_name=f"名单{n}.csv", content=content, report=report)
        jobs[row.pk] = (content, report)
    return {"people": person_ids, "recruitments": recruitments, "jobs": jobs, "x_number": x_number,
            "applicant": applicant}  # fmt: skip


def _assert_encrypted(seed: dict[str, Any]) -> None:
    """Through the current models: the originals, their hashes and tails; nothing in clear in the columns."""
    for pk, (number, phone) in seed["people"].items():
        person = Person.objects.get(pk=pk)
        assert (person.id_number, person.phone) == (number, phone)
        assert person.id_hash == (keyed_hash(normalise_id_number(number)) if number else None)
        assert person.phone_hash == (keyed_hash(phone) if phone else "")
        assert (person.id_tail, person.phone_tail) == (number[-4:], phone[-4:])
        raw = _raw_row("people_person", pk)
        assert _clear_text_in(raw, [number, phone]) == []
        for column, value in (("id_number", number), ("phone", phone)):
            assert raw[column].startswith(TOKEN_PREFIX) if value else raw[column] == ""
        if number:
            assert list(Person.objects.with_id_number(number).values_list("pk", flat=True)) == [pk]
        if phone:
            assert list(Person.objects.with_phone(phone).values_list("pk", flat=True)) == [pk]

    x_number = seed["x_number"]
    typed = " " + x_number[:-1] + "x"  # as typed in a search box
    assert Person.objects.with_id_number(normalise_id_number(typed)).get().id_number == x_number
    assert Person.objects.filter(Person.objects.q_id_ends_with(x_number[-6:].lower())).get().id_number == x_number
    assert Person.objects.filter(id_hash__isnull=True).count() == 1  # the anonymised record

    for pk, (number, phone) in seed["recruitments"].items():
        application = Recruitment.objects.get(pk=pk)
        assert (application.id_number, application.phone) == (number, phone)
        assert application.id_hash == keyed_hash(number)
        assert _clear_text_in(_raw_row("lifecycle_recruitment", pk), [number, phone]) == []
    by_hash = Recruitment.objects.with_id_number(seed["applicant"])
    assert sorted(by_hash.values_list("stage", flat=True)) == ["applied", "withdrawn"]

    for pk, (content, report) in seed["jobs"].items():
        job = ImportJob.objects.get(pk=pk)
        assert (job.content, job.report) == (content, report)
        raw = _raw_row("core_importjob", pk)
        assert _clear_text_in(raw, [x_number, "13912345678"]) == []
        assert bytes(raw["content"]).startswith(TOKEN_PREFIX.encode())
        assert raw["report"] is None if report is None else raw["report"].startswith(TOKEN_PREFIX)


def _assert_clear(apps: Any, seed: dict[str, Any]) -> None:
    """Through the historical models and the raw columns: the clear values are back."""
    OldPerson = apps.get_model("people", "Person")
    for pk, (number, phone) in seed["people"].items():
        assert OldPerson.objects.filter(id_number=number).get().pk == pk  # looked up by value again
        raw = _raw_row("people_person", pk)
        assert (raw["id_number"], raw["phone"], raw["id_tail"]) == (number, phone, number[-4:])
        assert "id_hash" not in raw and "phone_hash" not in raw
    OldRecruitment = apps.get_model("lifecycle", "Recruitment")
    for pk, (number, phone) in seed["recruitments"].items():
        raw = _raw_row("lifecycle_recruitment", pk)
        assert (raw["id_number"], raw["phone"]) == (number, phone)
    assert OldRecruitment.objects.filter(id_number=seed["applicant"]).count() == 2
    OldImportJob = apps.get_model("core", "ImportJob")
    for pk, (content, report) in seed["jobs"].items():
        job = OldImportJob.objects.get(pk=pk)
        assert (bytes(job.content), job.report) == (content, report)


def test_encrypt_then_decrypt_then_encrypt_again_keeps_every_value(before_encryption, batches):
    seed = _seed(before_encryption)

    _migrate()
    tables = {table for table, _rows in batches}
    assert tables == {"people_person", "lifecycle_recruitment", "core_importjob"}
    # Several batches per table (6 people: 2 + 2 + 2, then the empty read that ends it).
    assert [rows for table, rows in batches if table == "people_person"] == [2, 2, 2]
    assert [rows for table, rows in batches if table == "core_importjob"] == [2, 1]
    _assert_encrypted(seed)

    batches.clear()
    _assert_clear(_migrate(BEFORE), seed)
    assert [rows for table, rows in batches if table == "lifecycle_recruitment"] == [2, 1]

    _migrate()
    _assert_encrypted(seed)
