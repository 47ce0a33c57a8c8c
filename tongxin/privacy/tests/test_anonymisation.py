"""Erasure by anonymisation: a former member's record past retention (or on their request, by the district
admin) loses name, ID number, phone and member number everywhere, raw columns and audit rows included,
while every count stays the same. Active members are refused; the yearly job's dry run writes nothing."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from tongxin.accounts.models import User
from tongxin.core.exceptions import DomainError
from tongxin.core.models import AccessLog, ChangeLog
from tongxin.core.testing import person_data
from tongxin.lifecycle.services.dues import mark_paid
from tongxin.people.models import Membership, Person
from tongxin.people.services import create_person
from tongxin.privacy.models import Anonymisation
from tongxin.privacy.services import anonymisation_due, anonymise_person, anonymised_name
from tongxin.privacy.tests.helpers import consent, former_member, minor

pytestmark = pytest.mark.django_db


def statistics():
    """Counts by branch, birth year, sex, political status and status; by branch and join year; history."""
    people = Person.objects.values("branch_id", "birth_date__year", "sex", "political_status", "status", "ethnicity")
    joins = Person.objects.values("branch_id", "league_join_date__year")
    stays = Membership.objects.values("organization_id", "start__year", "end_reason")
    return (
        sorted(map(str, people.annotate(n=Count("id")).order_by())),
        sorted(map(str, joins.annotate(n=Count("id")).order_by())),
        sorted(map(str, stays.annotate(n=Count("id")).order_by())),
    )


def audit_text() -> str:
    """Every stored audit value, as the database holds it."""
    rows = list(ChangeLog.objects.values_list("object_repr", "before", "after"))
    rows += list(AccessLog.objects.values_list("object_repr", "filters", "fields"))
    return json.dumps(rows, ensure_ascii=False, default=str)


def raw_person_row(pk: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person WHERE id = %s", [pk])
        columns = [c[0] for c in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


@pytest.fixture
def leaver(tree, users, client_for):
    """Person b1 of branch B: with a login, dues, a revealed ID number, a consent; left four years ago."""
    b1 = tree.people.b1
    user = User.objects.create(username="wang_b1", person=b1, first_name="乙一")
    mark_paid(None, branch=tree.branch_b, kind="league", month=datetime.date(2025, 1, 1), person_ids=[b1.pk],
              paid_on=datetime.date(2025, 1, 10))  # fmt: skip
    client_for(users.secretary_b).post(f"/people/{b1.pk}/reveal/")
    consent(users.secretary_b, b1, given_by="self")
    person = former_member(b1, years_ago_left=4)
    return person, user


def test_anonymisation_keeps_the_statistics(tree, users, leaver, rollups):
    person, _user = leaver
    former_member(tree.people.c1, years_ago_left=1, status="aged_out")
    before, counts = statistics(), rollups()
    anonymise_person(users.district, person, reason="retention")
    assert statistics() == before
    assert rollups() == counts
    person.refresh_from_db()
    assert person.birth_date.year == tree.people.b1.birth_date.year and person.sex == tree.people.b1.sex


def test_name_id_and_phone_are_gone_everywhere(tree, users, leaver):
    person, user = leaver
    name, number, phone = person.name, person.id_number, person.phone
    league_number = person.league_number
    assert name in audit_text()  # the ChangeLog holds the name, the reveal row too
    anonymise_person(users.district, person, reason="retention")

    row = raw_person_row(person.pk)
    assert row["name"] == anonymised_name() and row["id_number"] == "" and row["phone"] == ""
    assert row["id_hash"] is None and row["phone_hash"] == "" and row["id_tail"] == "" and row["phone_tail"] == ""
    assert row["league_number"] is None and row["name_pinyin"] == "" and row["name_initials"] == ""
    stored = json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False)
    for value in (name, number, phone, league_number, number[-4:]):
        assert value not in stored

    text = audit_text()
    for value in (name, number, phone, league_number, person.masked_id_number, person.masked_phone):
        assert value not in text, value
    assert ChangeLog.objects.filter(object_id=str(person.pk), content_type__model="person").count() >= 3  # kept
    assert AccessLog.objects.filter(object_id=str(person.pk), action="reveal").get().object_repr == anonymised_name()

    user.refresh_from_db()
    assert not user.is_active and user.person_id is None and name not in user.first_name
    assert user.username != "wang_b1" and not user.has_usable_password()
    entry = ChangeLog.objects.filter(object_id=str(person.pk)).order_by("-id")[0]
    assert entry.after is not None and entry.actor == users.district and entry.after["anonymised"] is True
    assert Anonymisation.objects.get(person=person).reason == "retention"


def test_active_members_are_refused(tree, users, row_counts):
    counts = row_counts()
    with pytest.raises(DomainError) as refused:
        anonymise_person(users.district, tree.people.a1, reason="request")
    assert "status" in refused.value.errors
    assert row_counts() == counts and Person.objects.get(pk=tree.people.a1.pk).name == tree.people.a1.name


def test_before_retention_ends_only_a_request_is_accepted(tree, users):
    person = former_member(tree.people.b1, years_ago_left=1)
    with pytest.raises(DomainError):
        anonymise_person(users.district, person, reason="retention")
    anonymise_person(users.district, person, reason="request", reference="申请书 2026-07")
    assert Person.objects.get(pk=person.pk).name == anonymised_name()
    with pytest.raises(DomainError):  # once only
        anonymise_person(users.district, person, reason="request")


def test_only_the_district_admin_may_anonymise(tree, users, client_for):
    person = former_member(tree.people.b1, years_ago_left=1)
    for who in (users.committee_admin, users.secretary_b, users.outsider):
        with pytest.raises(PermissionDenied):
            anonymise_person(who, person, reason="request")
    url = f"/privacy/people/{person.pk}/anonymise/"
    assert client_for(users.committee_admin).get(url).status_code == 404
    assert client_for(users.outsider).get(url).status_code == 404
    page = client_for(users.committee_admin).get(f"/people/{person.pk}/").content.decode()
    assert 'data-testid="anonymise-link"' not in page


def test_the_district_admin_anonymises_on_request_from_the_person_page(tree, users, client_for):
    person = former_member(tree.people.b1, years_ago_left=1)
    client = client_for(users.district)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert 'data-testid="anonymise-link"' in page and 'data-testid="retention-ends"' in page
    url = f"/privacy/people/{person.pk}/anonymise/"
    assert client.post(url, {"reason": "request", "reference": "R-1"}).status_code == 200  # not confirmed
    assert Person.objects.get(pk=person.pk).name == person.name
    response = client.post(url, {"reason": "request", "reference": "R-1", "confirm": "on"})
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).name == anonymised_name()
    assert 'data-testid="anonymised-badge"' in client.get(f"/people/{person.pk}/").content.decode()


def test_the_yearly_job_dry_run_writes_nothing(tree, users, leaver, row_counts, capsys, english):
    person, _user = leaver
    former_member(tree.people.c1, years_ago_left=1)  # still within retention
    counts = row_counts()
    call_command("anonymise_expired", "--dry-run")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "1 records of former members are past the retention period (3 years)."
    assert out[1].strip() == "Left: 1" and out[-1] == "Dry run: nothing was changed."
    assert row_counts() == counts and not Anonymisation.objects.exists()
    assert Person.objects.get(pk=person.pk).name == person.name


def test_the_yearly_job_anonymises_only_expired_records(tree, users, leaver, capsys):
    person, _user = leaver
    recent = former_member(tree.people.c1, years_ago_left=1)
    assert list(anonymisation_due()) == [person]
    call_command("anonymise_expired")
    assert Person.objects.get(pk=person.pk).name == anonymised_name()
    assert Person.objects.get(pk=recent.pk).name == recent.name
    assert list(anonymisation_due()) == []


def test_two_anonymised_people_do_not_collide(tree, users):
    """ID number "" with a NULL hash: the unique column takes any number of anonymised rows."""
    first = former_member(tree.people.b1, years_ago_left=4)
    second = former_member(create_person(None, person_data(tree.branch_b, name="乙二")), years_ago_left=4)
    anonymise_person(None, first, reason="retention")
    anonymise_person(None, second, reason="retention")
    assert Anonymisation.objects.count() == 2


def test_an_anonymised_minor_is_not_listed(tree, users):
    from tongxin.privacy.services import minors_lacking_consent

    child = minor(tree.branch_a, 12)
    assert child in minors_lacking_consent(None)
    former = former_member(child, years_ago_left=0)
    assert child not in minors_lacking_consent(None)
    anonymise_person(users.district, former, reason="request")
    assert not minors_lacking_consent(None).filter(pk=child.pk).exists()


def test_the_application_before_joining_is_anonymised_too_but_not_a_sponsors(tree, users):
    """A member recruited through the app: their application holds their name, ID number and phone, its audit
    rows and notifications their name. Anonymising a sponsor leaves the applicant's application alone."""
    from tongxin.core.models import Notification
    from tongxin.lifecycle.models import Recruitment
    from tongxin.lifecycle.tests.recruitment_helpers import to_stage

    application = to_stage(tree, users, "approved")
    assert application.person_id is not None
    member = Person.objects.get(pk=application.person_id)
    name, number = member.name, member.id_number
    assert Notification.objects.filter(text__contains=name).exists()

    sponsor = former_member(tree.people.a1, years_ago_left=4)
    anonymise_person(None, sponsor, reason="retention")
    assert Recruitment.objects.get(pk=application.pk).name == name

    anonymise_person(users.district, former_member(member, years_ago_left=0), reason="request")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id_number, id_hash, phone FROM lifecycle_recruitment WHERE id = %s",
                       [application.pk])  # fmt: skip
        assert cursor.fetchone() == (anonymised_name(), "", None, "")
    text = audit_text()
    assert name not in text and number not in text
    assert not Notification.objects.filter(text__contains=name).exists()
