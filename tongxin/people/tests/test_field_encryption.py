"""ID numbers and phones are encrypted at rest (tongxin.core.crypto): the tables hold no plaintext, lookups
go through the keyed hash, the last-digit search still works, keys rotate, and a wrong key fails loudly."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from tongxin.core.crypto import EncryptedLookupError, FieldDecryptionError
from tongxin.core.exceptions import DomainError
from tongxin.core.models import AccessLog, ImportJob
from tongxin.core.testing import make_id_number, person_data, years_ago
from tongxin.lifecycle.models import Recruitment
from tongxin.lifecycle.services import recruitment as recruitment_services
from tongxin.people.models import Person
from tongxin.people.services import create_person, update_person
from tongxin.people.tests.helpers import roster_pks
from tongxin.people.tests.import_helpers import check, commit, counts, issues_at, member, person_row, table, xlsx_file

pytestmark = pytest.mark.usefixtures("english")

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def raw_row(table_name: str, pk: int) -> list[str]:
    """Every column of one row as the database stores it, as text."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table_name)} WHERE id = %s", [pk])
        (row,) = cursor.fetchall()
    return [bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v) for v in row]


def raw_value(table_name: str, column: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table_name)} WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()[0]


def names(client, query: str) -> set[str]:
    pks = roster_pks(client.get(f"/people/?{query}"))
    return {p.name for p in Person.objects.filter(pk__in=pks)}


# --- at rest -------------------------------------------------------------------------------------------------


def test_the_person_table_holds_no_plaintext_id_number_or_phone(tree):
    person = create_person(None, person_data(tree.branch_a, name="密文", phone="13812345678"))

    stored = " ".join(raw_row("people_person", person.pk))
    assert person.id_number not in stored and person.id_number[:10] not in stored
    assert "13812345678" not in stored and "1381234" not in stored
    # Only the four trailing characters the last-digit search needs are kept in clear.
    assert raw_value("people_person", "id_tail", person.pk) == person.id_number[-4:]
    assert raw_value("people_person", "phone_tail", person.pk) == "5678"


def test_values_come_back_as_written_and_a_blank_phone_stays_blank(tree):
    number = make_id_number(years_ago(22))
    person = create_person(None, person_data(tree.branch_a, id_number=number, phone="0871-12345678"))
    blank = create_person(None, person_data(tree.branch_a, phone=""))

    again = Person.objects.get(pk=person.pk)
    assert (again.id_number, again.phone, again.masked_phone) == (number, "0871-12345678", "087******5678")
    assert Person.objects.get(pk=blank.pk).phone == ""
    assert raw_value("people_person", "phone", blank.pk) == ""
    assert set(Person.objects.filter(phone="").values_list("pk", flat=True)) >= {blank.pk}


def test_the_recruitment_table_holds_no_plaintext_id_number_or_phone(tree, users):
    number = make_id_number(years_ago(17))
    application = recruitment_services.apply(
        users.secretary_a, branch=tree.branch_a, name="王新", id_number=number, phone="13900001111",
        applied_on=years_ago(0, days=3),
    )  # fmt: skip

    stored = " ".join(raw_row("lifecycle_recruitment", application.pk))
    assert number not in stored and "13900001111" not in stored
    assert Recruitment.objects.get(pk=application.pk).id_number == number


def test_an_import_job_keeps_its_file_and_report_encrypted(tree, users):
    bad = member(tree.branch_a, "重号")
    bad["id_number"] = tree.people.b1.id_number  # already registered in another branch: the report quotes it
    content = xlsx_file(table([bad]))
    job = check(users.district, content)

    assert any(issue["value"] == tree.people.b1.id_number for issue in issues_at(job, 2))
    assert tree.people.b1.id_number not in " ".join(raw_row("core_importjob", job.pk))
    assert bytes(ImportJob.objects.get(pk=job.pk).content) == content
    assert not bytes(raw_value("core_importjob", "content", job.pk)).startswith(b"PK")  # not the .xlsx (zip)


# --- lookups -------------------------------------------------------------------------------------------------


def test_a_query_comparing_an_encrypted_value_fails_loudly(tree):
    number = tree.people.a1.id_number
    with pytest.raises(EncryptedLookupError, match="id_number is encrypted"):
        list(Person.objects.filter(id_number=number))
    with pytest.raises(EncryptedLookupError):
        list(Person.objects.filter(**{"phone__endswith": "1234"}))  # (a dict: mypy's Django plugin asks too)
    with pytest.raises(EncryptedLookupError):
        list(Recruitment.objects.filter(**{"id_number__in": [number]}))
    assert Person.objects.with_id_number(number).get() == tree.people.a1


def test_a_duplicate_id_number_is_refused_on_create_and_on_edit(tree):
    taken = tree.people.a1.id_number
    with pytest.raises(DomainError) as created:
        create_person(None, person_data(tree.branch_b, id_number=taken))
    assert "already registered to a person in 甲团支部" in " ".join(created.value.errors["id_number"])

    with pytest.raises(DomainError) as edited:
        update_person(None, tree.people.b1, {"id_number": taken})
    assert "already registered" in " ".join(edited.value.errors["id_number"])
    assert Person.objects.get(pk=tree.people.b1.pk).id_number != taken


def test_the_database_refuses_a_duplicate_id_number_without_the_check(tree):
    """The unique index on the keyed hash holds even when a writer skips the service's check."""
    clone = Person.objects.get(pk=tree.people.a1.pk)
    clone.pk = None
    clone.league_number = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_an_import_matches_existing_people_by_their_id_number(tree, users):
    a1 = {**person_row(tree.people.a1), "phone": "13712345678"}  # on record in branch A: an update
    moved = {**person_row(tree.people.b1), "branch": tree.branch_a.name}  # on record in branch B: refused
    new = member(tree.branch_a, "新人")

    job = commit(users.district, xlsx_file(table([a1, moved, new])), valid_only=True)

    assert counts(job) == {"new": 1, "updated": 1, "unchanged": 0, "rejected": 1}
    assert "already registered in 乙团支部" in issues_at(job, 3)[0]["message"]
    assert Person.objects.get(pk=tree.people.a1.pk).phone == "13712345678"
    assert Person.objects.with_phone("13712345678").get() == tree.people.a1
    assert Person.objects.with_id_number(new["id_number"]).get().name == "新人"


def test_the_receiving_side_finds_a_member_by_the_full_id_number(tree, users, client_for):
    response = client_for(users.secretary_b).post(
        "/lifecycle/transfers/in/", {"id_number": tree.people.a1.id_number, "to_org": tree.branch_b.pk,
                                     "reason": "other"})  # fmt: skip
    assert response.status_code == 302
    unknown = client_for(users.secretary_b).post(
        "/lifecycle/transfers/in/", {"id_number": make_id_number(years_ago(20)), "to_org": tree.branch_b.pk,
                                     "reason": "other"})  # fmt: skip
    assert "No member with this ID number is registered" in unknown.content.decode()


def test_recruitment_finds_the_roster_and_the_open_application_by_id_number(tree, users):
    with pytest.raises(DomainError, match="already a member"):
        recruitment_services.apply(users.secretary_a, branch=tree.branch_a, name="张甲一",
                                   id_number=tree.people.a1.id_number, applied_on=years_ago(0, days=3))  # fmt: skip
    number = make_id_number(years_ago(17))
    recruitment_services.apply(users.secretary_a, branch=tree.branch_a, name="王新", id_number=number,
                               applied_on=years_ago(0, days=3))  # fmt: skip
    with pytest.raises(DomainError, match="already has a recruitment in progress in 甲团支部"):
        recruitment_services.apply(users.secretary_a, branch=tree.branch_a, name="王新", id_number=number,
                                   applied_on=years_ago(0, days=2))  # fmt: skip


# --- search by the last digits -------------------------------------------------------------------------------


def test_the_roster_finds_the_last_4_to_6_characters_of_an_id_and_up_to_11_digits_of_a_phone(tree, users, client_for):
    a1 = tree.people.a1
    twin = create_person(None, person_data(tree.branch_a, name="同尾号", phone="13600005678"))
    # Stored with a1's last four ID characters (its own number ends otherwise): a search by 4 characters
    # lists it, a search by 6 compares the decrypted numbers and does not.
    Person.objects.filter(pk=twin.pk).update(id_tail=a1.id_number[-4:])
    phone_owner = create_person(None, person_data(tree.branch_a, name="电话主", phone="13912345678"))
    client = client_for(users.district)

    assert {"张甲一", "同尾号"} <= names(client, f"q={a1.id_number[-4:]}")
    assert "张甲一" in names(client, f"q={a1.id_number[-6:]}")
    assert "同尾号" not in names(client, f"q={a1.id_number[-6:]}")
    assert names(client, "q=45678") == {"电话主"}
    assert names(client, "q=13912345678") == {"电话主"}
    assert names(client, "q=13600005678") == {"同尾号"}
    assert names(client, "q=99995678") == set()
    assert phone_owner.phone_tail == "5678"


# --- keys ----------------------------------------------------------------------------------------------------


def test_a_rotated_key_keeps_old_values_readable_and_the_command_reencrypts_them(tree, settings):
    deployed = list(settings.TONGXIN_FIELD_KEYS)  # the fixture tree's people were written with these
    settings.TONGXIN_FIELD_KEYS = [OLD_KEY, *deployed]
    person = create_person(None, person_data(tree.branch_a, name="轮换", phone="13811112222"))
    number = person.id_number
    token_before = raw_value("people_person", "id_number", person.pk)

    settings.TONGXIN_FIELD_KEYS = [NEW_KEY, OLD_KEY, *deployed]  # the new key first, the old ones still open
    assert Person.objects.get(pk=person.pk).id_number == number
    call_command("rotate_field_keys", verbosity=0)
    assert raw_value("people_person", "id_number", person.pk) != token_before

    settings.TONGXIN_FIELD_KEYS = [NEW_KEY]  # the old keys dropped: everything still reads
    again = Person.objects.get(pk=person.pk)
    assert (again.id_number, again.phone) == (number, "13811112222")
    assert Person.objects.get(pk=tree.people.a1.pk).id_number == tree.people.a1.id_number


def test_a_wrong_key_raises_a_clear_error_instead_of_returning_ciphertext(tree, settings):
    settings.TONGXIN_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(FieldDecryptionError, match=r"people\.Person\.id_number.*TONGXIN_FIELD_KEYS"):
        Person.objects.get(pk=tree.people.a1.pk)


def test_after_a_lookup_key_change_the_rehash_command_restores_lookups(tree, settings):
    number = tree.people.a1.id_number
    settings.TONGXIN_LOOKUP_KEY = "a-new-lookup-key"
    assert not Person.objects.with_id_number(number).exists()

    call_command("rehash_personal_data", verbosity=0)

    assert Person.objects.with_id_number(number).get() == tree.people.a1
    assert Person.objects.with_phone(tree.people.a1.phone).get() == tree.people.a1


# --- anonymised records --------------------------------------------------------------------------------------


def test_anonymised_people_without_id_number_or_phone_may_be_many(tree):
    for person in (tree.people.a1, tree.people.a2):
        person.id_number = ""
        person.phone = ""
        person.save()

    rows = Person.objects.filter(pk__in=[tree.people.a1.pk, tree.people.a2.pk])
    assert list(rows.values_list("id_number", "id_hash", "id_tail", "phone", "phone_hash", "phone_tail")) == [
        ("", None, "", "", "", ""),
        ("", None, "", "", "", ""),
    ]
    assert not Person.objects.with_id_number("").exists()


def test_an_export_searched_by_a_whole_phone_logs_the_search_masked(tree, users, client_for):
    create_person(None, person_data(tree.branch_a, name="电话主", phone="13912345678"))

    response = client_for(users.district).get("/people/export/?q=13912345678")

    assert response.status_code == 200
    entry = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).latest("pk")
    assert entry.filters is not None and entry.row_count == 1
    assert entry.filters["q"] == "139****5678"
