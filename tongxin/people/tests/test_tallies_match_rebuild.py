"""The dashboards' tallies kept by the services equal what ``manage.py rebuild_rollups`` computes from the
records, after any sequence of changes: people created, edited, moved, leaving and coming back, imported,
aged out, transferred; organisations created, renamed to another category, dissolved, moved with their
subtree. (A failure found a bug: fix the code, pin the example with @example, never loosen the strategy.)"""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongxin.core.exceptions import DomainError
from tongxin.core.testing import person_data, years_ago
from tongxin.orgs import tallies
from tongxin.orgs.models import Organization, OrgKind, OrgStatus, Tally
from tongxin.orgs.services import create_organization, move_organization, update_organization
from tongxin.people.models import CadrePosition, MembershipStatus, Person
from tongxin.people.services import appoint_cadre, create_person, end_cadre, import_people, move_member, update_person

BRANCH_NAMES = ["branch_a", "branch_b", "branch_c", "branch_d"]

creates = st.tuples(st.just("create"), st.sampled_from(BRANCH_NAMES), st.booleans(), st.integers(14, 30),
                    st.sampled_from(["01", "03", "13"]))  # fmt: skip
edits = st.tuples(st.just("edit"), st.integers(0, 30), st.sampled_from(["education", "occupation", "ethnicity"]),
                  st.integers(0, 2))  # fmt: skip
statuses = st.tuples(
    st.just("status"),
    st.integers(0, 30),
    st.sampled_from([MembershipStatus.ACTIVE, MembershipStatus.LEFT, MembershipStatus.AGED_OUT]),
)
branches = st.tuples(st.just("branch"), st.integers(0, 30), st.sampled_from(BRANCH_NAMES))
transfers = st.tuples(st.just("transfer"), st.integers(0, 30), st.one_of(st.none(), st.sampled_from(BRANCH_NAMES)))
imports = st.tuples(st.just("import"), st.sampled_from(BRANCH_NAMES), st.integers(1, 3))
appointments = st.tuples(st.just("appoint"), st.integers(0, 30), st.sampled_from(BRANCH_NAMES),
                        st.sampled_from(["secretary", "deputy_secretary", "member"]), st.booleans())  # fmt: skip
endings = st.tuples(st.just("end_cadre"), st.integers(0, 5), st.integers(1, 400))
reimports = st.tuples(st.just("reimport"), st.integers(0, 30), st.integers(0, 2))  # an import's updated row
new_orgs = st.tuples(st.just("new_org"), st.sampled_from(["committee1", "committee2"]),
                     st.sampled_from(["school", "enterprise", "other"]))  # fmt: skip
categories = st.tuples(st.just("category"), st.sampled_from(BRANCH_NAMES), st.sampled_from(["school", "rural"]))
moves = st.tuples(st.just("move"), st.sampled_from(BRANCH_NAMES), st.sampled_from(["committee1", "committee2"]))
dissolves = st.tuples(st.just("dissolve"), st.sampled_from(BRANCH_NAMES), st.booleans())
steps = st.lists(st.one_of(creates, edits, reimports, appointments, endings, statuses, branches, transfers, imports,
                           new_orgs, categories, moves, dissolves), min_size=1, max_size=20)  # fmt: skip

EDUCATION = ["20", "31", ""]
OCCUPATION = ["student", "employed", "farmer"]
ETHNICITY = ["01", "02", "15"]


def org(tree, name: str) -> Organization:
    return Organization.objects.get(pk=getattr(tree, name).pk)


def run(step, tree, people: list[Person]) -> None:
    kind = step[0]
    if kind == "create":
        _, branch, female, age, political = step
        data = person_data(org(tree, branch), birth=years_ago(age), political_status=political)
        if female:
            from tongxin.core.testing import make_id_number

            data["id_number"] = make_id_number(years_ago(age), male=False)
        people.append(create_person(None, data))
    elif kind == "import":
        _, branch, count = step
        target = org(tree, branch)
        rows = []
        for _i in range(count):
            data = person_data(target)
            data.pop("branch")
            rows.append({**data, "branch_id": target.pk})
        with transaction.atomic():
            import_people(None, new=rows, updates=[])
        people.extend(Person.objects.order_by("-pk")[:count])
    elif kind == "appoint":
        if people:
            _, who, branch, title, ends = step
            start = datetime.date(2026, 1, 1)
            appoint_cadre(None, person=people[who % len(people)], organization=org(tree, branch), title=title,
                          start=start, end=start + datetime.timedelta(days=200) if ends else None)  # fmt: skip
    elif kind == "end_cadre":
        positions = list(CadrePosition.objects.filter(end__isnull=True).order_by("pk"))
        if positions:
            position = positions[step[1] % len(positions)]
            end_cadre(None, position, position.start + datetime.timedelta(days=step[2]))
    elif kind == "reimport":
        if people:
            person = people[step[1] % len(people)]
            with transaction.atomic():
                import_people(None, new=[], updates=[(person.pk, {"occupation": OCCUPATION[step[2]]})])
    elif kind in ("edit", "status", "branch", "transfer"):
        if not people:
            return
        person = people[step[1] % len(people)]
        if kind == "edit":
            field, choice = step[2], step[3]
            value = {"education": EDUCATION, "occupation": OCCUPATION, "ethnicity": ETHNICITY}[field][choice]
            update_person(None, person, {field: value})
        elif kind == "status":
            update_person(None, person, {"status": step[2]})
        elif kind == "branch":
            update_person(None, person, {"branch": org(tree, step[2])})
        else:
            with transaction.atomic():
                if step[2] is None:
                    move_member(None, person, status=MembershipStatus.TRANSFERRED_OUT, reason="transferred")
                else:
                    move_member(None, person, branch=org(tree, step[2]), reason="transferred")
    elif kind == "new_org":
        _, parent, category = step
        count = Organization.objects.count()
        create_organization(None, parent=org(tree, parent), kind=OrgKind.BRANCH, name=f"新支部{count}",
                            code=f"N{count}", category=category)  # fmt: skip
    elif kind == "category":
        update_organization(None, org(tree, step[1]), category=step[2])
    elif kind == "move":
        move_organization(None, org(tree, step[1]), org(tree, step[2]))
    elif kind == "dissolve":
        update_organization(None, org(tree, step[1]),
                            status=OrgStatus.DISSOLVED if step[2] else OrgStatus.ACTIVE)  # fmt: skip


def assert_tallies_exact() -> None:
    assert tallies.kept() == tallies.expected()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_tallies_equal_a_rebuild_after_any_changes(tree, steps):
    with transaction.atomic():
        people = list(Person.objects.order_by("pk"))
        try:
            for step in steps:
                try:
                    with transaction.atomic():
                        run(step, tree, people)
                except (DomainError, Person.DoesNotExist):
                    pass  # a refused step writes nothing: the figures must still agree
                people = [p for p in Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk")]
            assert_tallies_exact()
        finally:
            transaction.set_rollback(True)


def test_the_fixture_tree_is_counted(tree):
    root = tallies.figures(tree.root.pk)
    assert root["status"] == {"active": 5}
    assert root["sex"] == {"1": 5}  # person_data makes men unless asked
    assert root["org_kind"][OrgKind.BRANCH] == 4
    assert root["org_kind"][OrgKind.PARTY_BRANCH] == 1
    assert sum(root["birth_month"].values()) == 5
    assert tallies.figures(tree.committee2.pk)["status"] == {"active": 2}
    assert_tallies_exact()


def test_leaving_and_moving_show_in_the_figures(tree):
    update_person(None, tree.people.a1, {"status": MembershipStatus.LEFT})
    assert tallies.figures(tree.committee1.pk)["status"] == {"active": 2, "left": 1}
    assert tallies.figures(tree.committee1.pk)["sex"] == {"1": 2}  # who left is no longer in the active facets
    move_organization(None, tree.branch_a, tree.committee2)
    assert tallies.figures(tree.committee1.pk)["status"] == {"active": 1}
    assert tallies.figures(tree.committee2.pk)["status"] == {"active": 3, "left": 1}
    assert tallies.figures(tree.committee2.pk)["org_kind"][OrgKind.BRANCH] == 3
    assert_tallies_exact()


def test_the_command_repairs_corrupted_tallies(tree, tmp_path):
    good = tallies.kept()
    Tally.objects.filter(organization=tree.root, facet="status").update(count=99)
    Tally.objects.filter(organization=tree.branch_c).delete()
    assert tallies.kept() != good
    with open(tmp_path / "out.txt", "w") as out:
        call_command("rebuild_rollups", stdout=out)
    assert tallies.kept() == good


@pytest.mark.parametrize("months", [0, 5])
def test_birth_months_give_ages_when_read(tree, months):
    born = years_ago(25) - datetime.timedelta(days=31 * months)
    create_person(None, person_data(tree.branch_b, birth=born))
    assert tallies.figures(tree.branch_b.pk)["birth_month"][f"{born:%Y%m}"] == 1


def test_cadres_count_while_in_post(tree):
    from tongxin.people.tallies import cadres_in_post

    start = datetime.date(2026, 1, 5)
    appoint_cadre(None, person=tree.people.a1, organization=tree.branch_a, title="secretary", start=start)
    deputy = appoint_cadre(None, person=tree.people.a2, organization=tree.branch_a, title="deputy_secretary",
                           start=start, end=datetime.date(2026, 6, 30))  # fmt: skip
    buckets = tallies.figures(tree.committee1.pk)["cadre"]
    assert cadres_in_post(buckets, "202606") == {"secretary": 1, "deputy_secretary": 1}
    assert cadres_in_post(buckets, "202607") == {"secretary": 1}  # the deputy's post ended in June
    assert deputy.end is not None
    member = appoint_cadre(None, person=tree.people.b1, organization=tree.branch_b, title="member", start=start)
    assert cadres_in_post(tallies.figures(tree.root.pk)["cadre"], "202604")["member"] == 1
    end_cadre(None, member, datetime.date(2026, 3, 31))
    assert cadres_in_post(tallies.figures(tree.root.pk)["cadre"], "202604") == {"secretary": 1, "deputy_secretary": 1}
    assert_tallies_exact()


def test_a_rebuild_writes_what_the_sources_count_rolled_up(tree):
    """``rebuild`` (its roll-up in SQL on PostgreSQL, in Python elsewhere) writes exactly ``expected()``'s rows,
    zeros left out, and returns how many."""
    create_person(None, person_data(tree.branch_b, birth=years_ago(20)))
    want = tallies.expected()
    Tally.objects.filter(organization=tree.root).update(count=99)
    assert tallies.rebuild() == len(want)
    assert tallies.kept() == want
    assert not Tally.objects.filter(count=0).exists()
