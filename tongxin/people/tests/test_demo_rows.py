"""The demo roster's bulk path (people.demo): the draws it makes once give what Faker's and ``Random.choices``
give, and the rows it writes without model instances are the people ``bulk_create`` would write (every column,
the ID number and phone encrypted, their lookup hashes and tails)."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from faker import Faker

from tongxin.core.crypto import decrypt_text, keyed_hash
from tongxin.orglife.demo import MEETING_COLUMNS
from tongxin.orglife.models import Meeting
from tongxin.people.demo import (
    ETHNICITY_WEIGHTS,
    PERSON_COLUMNS,
    PersonRow,
    _Builder,
    _Draw,
    _write_people,
    draw_ids,
)
from tongxin.people.models import Person


def _names(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def test_the_bulk_rows_name_every_column():
    assert set(PERSON_COLUMNS) == _names(Person) and len(PERSON_COLUMNS) == len(_names(Person))
    assert set(MEETING_COLUMNS) == _names(Meeting) and len(MEETING_COLUMNS) == len(_names(Meeting))


@pytest.mark.parametrize(
    "weights",
    [[w for _c, w in ETHNICITY_WEIGHTS], [3, 4, 5, 6, 6, 6, 6, 6, 6, 5, 5, 5, 4, 4], [0.45, 0.35, 0.15, 0.05]],
)
def test_a_draw_is_random_choices_from_the_same_state(weights):
    population = list(range(len(weights)))
    draw = _Draw(population, weights)
    mine, theirs = random.Random(7), random.Random(7)
    assert [draw(mine) for _ in range(2000)] == [theirs.choices(population, weights=weights)[0] for _ in range(2000)]


def test_the_builders_names_are_fakers_own_draws():
    builder = _Builder(1, 2026, datetime.date(2026, 5, 4), lambda _m: None)
    fake = Faker("zh_CN")
    fake.seed_instance(2026)
    for i in range(500):
        male = i % 3 != 0
        given = fake.first_name_male() if male else fake.first_name_female()
        assert builder.name(male) == fake.last_name() + given


def test_written_people_are_encrypted_and_found_by_their_hashes(db):
    rows = [
        PersonRow("张三", "zhangsan", "zs", "53011220080101001X", datetime.date(2008, 1, 1), "1", "01", "13", "14",
                  "13800001234", "student", datetime.date(2022, 5, 4), "2022530112000001", None, None, ""),  # type: ignore[arg-type]  # no branch: not what is checked
        PersonRow("李四", "lisi", "ls", "530112200902020022", datetime.date(2009, 2, 2), "2", "07", "13", "14",
                  "", "student", datetime.date(2023, 5, 4), None, None, None, ""),  # type: ignore[arg-type]
    ]  # fmt: skip
    ids = _write_people(rows)
    assert ids == sorted(ids) and len(set(ids)) == 2
    people = Person.objects.in_bulk(ids)
    for pk, row in zip(ids, rows, strict=True):
        person = people[pk]
        assert (person.name, person.id_number, person.phone, person.birth_date) == (
            row.name, row.id_number, row.phone, row.birth_date,
        )  # fmt: skip
        assert person.id_hash == keyed_hash(row.id_number) and person.id_tail == row.id_number[-4:]
        assert person.phone_hash == (keyed_hash(row.phone) if row.phone else "")
        assert person.phone_tail == row.phone[-4:] and person.status == "active" and person.created_at
    assert Person.objects.with_id_number("53011220080101001X").get().pk == ids[0]
    assert Person.objects.with_phone("13800001234").get().pk == ids[0]
    with connection.cursor() as cursor:  # the columns themselves: a token, not the number
        cursor.execute("SELECT id_number, phone FROM people_person WHERE id = %s", [ids[0]])
        number, phone = cursor.fetchone()
    assert number != rows[0].id_number and decrypt_text(number) == rows[0].id_number
    assert decrypt_text(phone) == rows[0].phone
    assert draw_ids(Person, 2)[0] > max(ids)
