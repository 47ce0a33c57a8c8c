"""Age-out (超龄离团): who is due, and confirming a batch (all or nothing, scoped, constant queries)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.accounts.models import User
from tongxin.core import rules
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog, RuleValue
from tongxin.core.testing import person_data, years_ago
from tongxin.lifecycle.services.ageout import (
    age_out_candidates,
    age_out_counts,
    birth_cutoff,
    check_age_out,
    confirm_age_out,
    pending_age_outs,
)
from tongxin.orgs.models import OrgStats
from tongxin.people.models import Membership, MembershipStatus, Person
from tongxin.people.services import appoint_cadre, create_person

pytestmark = pytest.mark.usefixtures("english", "rules_in_the_cache")

ON = datetime.date(2026, 6, 15)


def member(branch, name: str, birth: datetime.date, **fields) -> Person:
    return create_person(None, person_data(branch, name=name, birth=birth, **fields), since=datetime.date(2020, 1, 1))


def party_member(branch, name: str, birth: datetime.date) -> Person:
    return member(branch, name, birth, political_status="01", party_join_date=birth.replace(year=birth.year + 22))


def due(actor=None, org=None, on=ON) -> set[str]:
    return set(age_out_candidates(actor, org, on).values_list("name", flat=True))


@pytest.fixture
def max_age():
    """``max_age(n)``: set the league_max_age rule for this test (the rule row and the rule caches)."""

    def set_rule(years: int) -> None:
        RuleValue.objects.update_or_create(key="league_max_age", defaults={"value": years})
        rules.clear_cache()

    yield set_rule
    rules.clear_cache()  # the row is rolled back; the process cache must not keep it


# --- who is due -------------------------------------------------------------------------------------------


def test_the_28th_birthday_the_day_before_and_the_day_of(tree):
    member(tree.branch_a, "生日当天", datetime.date(1998, 6, 15))
    member(tree.branch_a, "明天生日", datetime.date(1998, 6, 16))
    member(tree.branch_a, "早已超龄", datetime.date(1990, 1, 1))
    assert due(on=ON) == {"生日当天", "早已超龄"}
    assert due(on=ON - datetime.timedelta(days=1)) == {"早已超龄"}
    assert due(on=ON + datetime.timedelta(days=1)) == {"生日当天", "明天生日", "早已超龄"}


def test_born_on_29_february(tree, max_age):
    leap = member(tree.branch_a, "闰日生", datetime.date(1996, 2, 29))
    # The 28th birthday falls on a 29 February (2024).
    assert due(on=datetime.date(2024, 2, 28)) == set()
    assert due(on=datetime.date(2024, 2, 29)) == {"闰日生"}
    # At 29 the birthday falls in a year without 29 February: a year older from 1 March, as Person.age_on says.
    max_age(29)
    assert due(on=datetime.date(2025, 2, 28)) == set()
    assert leap.age_on(datetime.date(2025, 2, 28)) == 28
    assert due(on=datetime.date(2025, 3, 1)) == {"闰日生"}
    assert leap.age_on(datetime.date(2025, 3, 1)) == 29
    with pytest.raises(DomainError, match=r"Younger than 29 on 2025-02-28: 闰日生 \(28\)"):
        confirm_age_out(None, person_ids=[leap.pk], on=datetime.date(2025, 2, 28))
    assert confirm_age_out(None, person_ids=[leap.pk], on=datetime.date(2025, 3, 1)) == 1


def test_birth_cutoff_on_a_29_february():
    assert birth_cutoff(datetime.date(2024, 2, 29), 28) == datetime.date(1996, 2, 29)
    assert birth_cutoff(datetime.date(2024, 2, 29), 27) == datetime.date(1997, 2, 28)
    assert birth_cutoff(datetime.date(2025, 3, 1), 29) == datetime.date(1996, 3, 1)


def test_a_cadre_stays_until_the_post_ends(tree):
    cadre = member(tree.branch_a, "在任团干", datetime.date(1990, 1, 1))
    ended = member(tree.branch_a, "卸任团干", datetime.date(1990, 1, 1))
    future = member(tree.branch_a, "将任团干", datetime.date(1990, 1, 1))
    appoint_cadre(None, person=cadre, organization=tree.branch_a, title="secretary", start=datetime.date(2024, 9, 1))
    appoint_cadre(None, person=ended, organization=tree.branch_a, title="member", start=datetime.date(2022, 9, 1),
                  end=ON)  # fmt: skip
    appoint_cadre(None, person=future, organization=tree.committee1, title="member", start=ON + datetime.timedelta(1))
    assert due() == {"卸任团干", "将任团干"}
    with pytest.raises(DomainError, match="Holding a league post, so they stay: 在任团干"):
        confirm_age_out(None, person_ids=[cadre.pk, ended.pk], on=ON)
    assert Person.objects.filter(status=MembershipStatus.AGED_OUT).count() == 0


def test_a_party_member_leaves_by_the_same_rule_but_not_a_party_branch_member(tree):
    in_league = party_member(tree.branch_a, "团内党员", datetime.date(1992, 3, 1))
    young = party_member(tree.branch_a, "年轻党员", datetime.date(2000, 3, 1))
    in_party_branch = party_member(tree.party_branch, "机关党员", datetime.date(1985, 3, 1))
    assert due() == {"团内党员"}
    assert young.pk and in_party_branch.pk
    with pytest.raises(DomainError, match="Members of a party branch, not of a league branch: 机关党员"):
        confirm_age_out(None, person_ids=[in_league.pk, in_party_branch.pk], on=ON)
    assert confirm_age_out(None, person_ids=[in_league.pk], on=ON) == 1
    in_league.refresh_from_db()
    assert in_league.status == MembershipStatus.AGED_OUT
    assert in_league.political_status == "01"  # still a party member


def test_only_active_members_are_due(tree):
    person = member(tree.branch_a, "已离开", datetime.date(1990, 1, 1))
    Person.objects.filter(pk=person.pk).update(status=MembershipStatus.LEFT)
    assert due() == set()
    with pytest.raises(DomainError, match="No longer active members: 已离开"):
        confirm_age_out(None, person_ids=[person.pk], on=ON)


def test_the_list_is_scoped(tree, users):
    member(tree.branch_a, "甲超龄", datetime.date(1990, 1, 1))
    member(tree.branch_b, "乙超龄", datetime.date(1990, 1, 1))
    member(tree.branch_c, "丙超龄", datetime.date(1990, 1, 1))
    assert due(users.district) == {"甲超龄", "乙超龄", "丙超龄"}
    assert due(users.committee_admin) == {"甲超龄", "乙超龄"}
    assert due(users.secretary_a) == {"甲超龄"}
    assert due(users.viewer) == {"甲超龄", "乙超龄"}
    assert due(users.outsider) == {"丙超龄"}
    assert due(users.nobody) == set()
    assert due(users.member) == set()  # a member's own record is not a list of age-outs
    assert due(users.district, org=tree.committee1) == {"甲超龄", "乙超龄"}
    assert due(users.secretary_a, org=tree.committee1) == {"甲超龄"}  # never wider than the scope
    counts = age_out_counts(users.committee_admin, on=ON)
    assert [(c.name, c.code, c.count) for c in counts] == [("甲团支部", "T1A", 1), ("乙团支部", "T1B", 1)]


def test_the_candidates_are_one_query(tree, users):
    for i in range(12):
        member([tree.branch_a, tree.branch_b][i % 2], f"超龄{i:02d}", datetime.date(1990, 1, 1 + i))
    user = User.objects.get(pk=users.committee_admin.pk)
    user.get_scope()  # the role rows, once per request
    with CaptureQueriesContext(connection) as ctx:
        rows = list(age_out_candidates(user, on=ON).select_related("branch"))
    assert len(rows) == 12
    assert len(ctx.captured_queries) == 1
    assert [p.org_path for p in rows] == sorted(p.org_path for p in rows)  # grouped by branch


# --- confirming -------------------------------------------------------------------------------------------


def test_confirming_ends_the_membership_with_the_reason_and_keeps_the_record(tree, users, rollups):
    a = member(tree.branch_a, "甲超龄", datetime.date(1990, 1, 1))
    b = member(tree.branch_b, "乙超龄", datetime.date(1995, 5, 5))
    stats_before = rollups()
    assert confirm_age_out(users.committee_admin, person_ids=[a.pk, str(b.pk), a.pk], on=ON) == 2
    for person in (a, b):
        person.refresh_from_db()
        assert person.status == MembershipStatus.AGED_OUT
        assert person.branch is not None  # the record stays where it was
        stay = Membership.objects.get(person=person)
        assert (stay.end, stay.end_reason) == (ON, Membership.Reason.AGED_OUT)
    # The roll-ups moved by one in each branch and its ancestors, and equal a rebuild.
    after = rollups()
    assert after[tree.branch_a.pk][0] == stats_before[tree.branch_a.pk][0] - 1
    assert after[tree.committee1.pk][1] == stats_before[tree.committee1.pk][1] - 2
    assert after[tree.root.pk][1] == stats_before[tree.root.pk][1] - 2
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert rollups() == after
    # One audit row per person, filed under the branch, by the actor.
    entries = ChangeLog.objects.filter(object_id__in=[str(a.pk), str(b.pk)], action=ChangeLog.Action.UPDATE)
    assert entries.count() == 2
    for entry in entries:
        assert entry.actor == users.committee_admin
        assert entry.before == {"status": "active"} and entry.after == {"status": "aged_out"}
    assert {e.org_path for e in entries} == {tree.branch_a.path, tree.branch_b.path}
    # The roster still finds them by status; they are no longer due.
    assert set(Person.objects.filter(status="aged_out").values_list("name", flat=True)) == {"甲超龄", "乙超龄"}
    assert due() == set()


def test_only_the_open_stay_ends(tree):
    person = member(tree.branch_a, "转过支部", datetime.date(1990, 1, 1))
    Membership.objects.filter(person=person).update(end=datetime.date(2023, 1, 1), end_reason="transfer")
    Membership.objects.create(person=person, organization=tree.branch_a, org_path=tree.branch_a.path,
                              start=datetime.date(2023, 1, 1), start_reason="transfer")  # fmt: skip
    confirm_age_out(None, person_ids=[person.pk], on=ON)
    stays = list(Membership.objects.filter(person=person).order_by("start").values_list("end", "end_reason"))
    assert stays == [(datetime.date(2023, 1, 1), "transfer"), (ON, "aged_out")]


def test_a_batch_with_one_member_not_due_is_refused_whole(tree, row_counts, rollups):
    old = member(tree.branch_a, "超龄甲", datetime.date(1990, 1, 1))
    young = member(tree.branch_a, "未超龄", datetime.date(2000, 1, 1))
    rows, stats = row_counts(), rollups()
    with pytest.raises(DomainError) as caught:
        confirm_age_out(None, person_ids=[old.pk, young.pk], on=ON)
    assert caught.value.errors == {"person_ids": ["Younger than 28 on 2026-06-15: 未超龄 (26)."]}
    assert row_counts() == rows and rollups() == stats
    old.refresh_from_db()
    assert old.status == MembershipStatus.ACTIVE


def test_an_outsider_is_refused_and_nothing_changes(tree, users, row_counts, rollups):
    a = member(tree.branch_a, "甲超龄", datetime.date(1990, 1, 1))
    b = member(tree.branch_b, "乙超龄", datetime.date(1990, 1, 1))
    rows, stats = row_counts(), rollups()
    # Secretary B may see neither: the ids are named, not the people (nothing leaks outside the scope).
    with pytest.raises(DomainError) as caught:
        confirm_age_out(users.secretary_b, person_ids=[a.pk, b.pk, 999_999], on=ON)
    message = caught.value.errors["person_ids"][0]
    assert message == f"Not members of your organisations: #999999, #{a.pk}."
    # The outsider (committee 2) and someone without a role are refused the same way.
    for who in (users.outsider, users.nobody, users.member):
        with pytest.raises(DomainError, match="Not members of your organisations"):
            confirm_age_out(who, person_ids=[a.pk], on=ON)
    # A viewer sees them but may not change them: named, and refused.
    with pytest.raises(DomainError, match="Not members of your organisations: 甲超龄"):
        confirm_age_out(users.viewer, person_ids=[a.pk], on=ON)
    assert row_counts() == rows and rollups() == stats
    assert set(Person.objects.values_list("status", flat=True)) == {MembershipStatus.ACTIVE}


def test_confirming_twice_says_so(tree):
    person = member(tree.branch_a, "超龄甲", datetime.date(1990, 1, 1))
    confirm_age_out(None, person_ids=[person.pk], on=ON)
    with pytest.raises(DomainError, match="Already confirmed as aged out: 超龄甲"):
        confirm_age_out(None, person_ids=[person.pk], on=ON)


@pytest.mark.parametrize(
    ("ids", "message"),
    [([], "Choose at least one member"), (["x"], "Choose members from the list"), ([2**63], "Choose members")],
)
def test_a_batch_needs_members(tree, ids, message):
    with pytest.raises(DomainError, match=message):
        confirm_age_out(None, person_ids=ids, on=ON)


def test_a_long_list_of_names_is_cut(tree):
    people = [member(tree.branch_a, f"年轻{i:02d}", datetime.date(2001, 1, 1 + i)) for i in range(13)]
    with pytest.raises(DomainError, match=r"年轻09 \(25\) and 3 more\.$"):
        confirm_age_out(None, person_ids=[p.pk for p in people], on=ON)


def test_checking_a_batch_writes_nothing(tree, users, row_counts):
    person = member(tree.branch_a, "超龄甲", datetime.date(1990, 1, 1))
    rows = row_counts()
    assert [p.name for p in check_age_out(users.secretary_a, person_ids=[person.pk], on=ON)] == ["超龄甲"]
    assert row_counts() == rows
    with pytest.raises(DomainError, match="Not members of your organisations"):
        check_age_out(users.secretary_b, person_ids=[person.pk], on=ON)


def _confirm_queries(tree, actor_pk: int, people: list[Person]) -> int:
    actor = User.objects.get(pk=actor_pk)  # a fresh user: its role rows are read in the count, as in a request
    with CaptureQueriesContext(connection) as ctx:
        assert confirm_age_out(actor, person_ids=[p.pk for p in people], on=ON) == len(people)
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_batch(tree, users, rollups):
    # The same shape at both sizes (two thirds in branch A, a third in B): the roll-ups cost one UPDATE per
    # distinct change of an organisation's counts, however many members share it.
    small = [member([tree.branch_a, tree.branch_a, tree.branch_b][i % 3], f"小批{i}", datetime.date(1990, 1, 1 + i))
             for i in range(3)]  # fmt: skip
    large = [member([tree.branch_a, tree.branch_a, tree.branch_b][i % 3], f"大批{i:02d}", datetime.date(1991, 1, 1 + i))
             for i in range(30)]  # fmt: skip
    appoint_cadre(None, person=large[0], organization=tree.branch_c, title="member", start=datetime.date(2026, 9, 1))
    ContentType.objects.get_for_model(Person)  # warm the caches a running server has warm
    rules.rule("league_max_age")
    few = _confirm_queries(tree, users.committee_admin.pk, small)
    many = _confirm_queries(tree, users.committee_admin.pk, large)
    assert few == many, (few, many)
    # 8 fixed queries, 3 roll-up UPDATEs (branch A, branch B, the two above) and one upsert of the
    # dashboards' tallies; where rows can be locked (PostgreSQL), one more SELECT ... FOR UPDATE takes the
    # roll-up rows in path order first.
    assert many <= 12 + connection.features.has_select_for_update, many
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert OrgStats.objects.get(pk=tree.branch_a.pk).members_direct == 2  # a1, a2 remain


# --- the yearly listing and the inbox ------------------------------------------------------------------------


def test_the_yearly_command_lists_counts_per_branch(tree):
    member(tree.branch_a, "甲一", datetime.date(1990, 1, 1))
    member(tree.branch_a, "甲二", datetime.date(1991, 1, 1))
    member(tree.branch_c, "丙一", datetime.date(1992, 1, 1))
    out = io.StringIO()
    call_command("list_age_outs", on="2026-06-15", stdout=out)
    text = out.getvalue()
    assert "Members due to age out on 2026-06-15 (aged 28 or more" in text
    assert "       2  甲团支部 (T1A)" in text and "       1  丙团支部 (T2C)" in text
    assert "Total: 3 members in 2 branches." in text
    assert "/lifecycle/age-out/" in text
    out = io.StringIO()
    call_command("list_age_outs", on="2026-06-15", org="T2", stdout=out)
    assert "Total: 1 member in 1 branches." in out.getvalue()
    # It lists only: the branches confirm.
    assert Person.objects.filter(status=MembershipStatus.AGED_OUT).count() == 0
    with pytest.raises(CommandError):
        call_command("list_age_outs", "--confirm")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("list_age_outs", on="15/06/2026")
    with pytest.raises(CommandError, match="No organisation has the code NOPE"):
        call_command("list_age_outs", org="NOPE")


def test_the_inbox_shows_secretaries_their_members_to_confirm(tree, users):
    member(tree.branch_a, "甲超龄", years_ago(30))
    member(tree.branch_b, "乙超龄", years_ago(31))
    secretary = User.objects.get(pk=users.secretary_a.pk)
    secretary.get_scope()
    with CaptureQueriesContext(connection) as ctx:
        items = pending_age_outs(secretary)
    assert len(ctx.captured_queries) == 1
    assert [(str(i.label), i.count, i.url) for i in items] == [
        ("Members to confirm as aged out", 1, "/lifecycle/age-out/")
    ]
    # The committees above may confirm too, but it is the branch's work: no inbox item for them.
    admin = User.objects.get(pk=users.committee_admin.pk)
    admin.get_scope()
    with CaptureQueriesContext(connection) as ctx:
        assert pending_age_outs(admin) == []
    assert len(ctx.captured_queries) == 0
    assert pending_age_outs(users.nobody) == []
