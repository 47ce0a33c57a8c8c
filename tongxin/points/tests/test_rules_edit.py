"""The committee edits the rules: the set in force for an organisation (inherited, or its own copy for a
subtree), items and the base score and floor changed by new versions from a month, never reaching a month
published or locked; pages, API, scope (an outsider gets 404), audit, bad input writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tongxin.core.models import ChangeLog
from tongxin.core.testing import refused_unchanged
from tongxin.points import queries
from tongxin.points.models import CycleStatus, MonthCycle, PointEntry, Rule, RuleSet, RuleSetVersion, RuleVersion
from tongxin.points.services import ledger, rules
from tongxin.points.tests.helpers import defaults, give, league_rule, league_set, score

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _rules(db):
    defaults()


def counts():
    return (RuleSet.objects.count(), Rule.objects.count(), RuleVersion.objects.count(),
            RuleSetVersion.objects.count(), PointEntry.objects.count(), ChangeLog.objects.count())  # fmt: skip


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def last_month() -> datetime.date:
    return (this_month() - datetime.timedelta(days=1)).replace(day=1)


def lock(branch, month) -> None:
    MonthCycle.objects.create(organization=branch, org_path=branch.path, month=month, status=CycleStatus.LOCKED)


def test_a_subtree_gets_its_own_copy_and_edits_it_without_touching_the_rest(tree, users):
    assert rules.set_in_force(tree.branch_a) == league_set()
    refused_unchanged(counts, lambda: rules.edit_item(users.committee_admin, tree.committee1,
                                                      rule=league_rule("meeting"), valid_from=this_month(),
                                                      points=Decimal(3)), "inherited")  # fmt: skip
    refused_unchanged(counts, lambda: rules.make_own(users.secretary_a, tree.branch_a), "", PermissionDenied)
    refused_unchanged(counts, lambda: rules.make_own(users.outsider, tree.committee1), "", PermissionDenied)
    own = rules.make_own(users.committee_admin, tree.committee1)
    assert rules.set_in_force(tree.branch_a) == own and rules.set_in_force(tree.branch_c) == league_set()
    assert own.rules.count() == league_set().rules.count()
    refused_unchanged(counts, lambda: rules.make_own(users.committee_admin, tree.committee1), "own rules already")
    meeting = own.rules.get(key="meeting")
    rules.edit_item(users.committee_admin, tree.committee1, rule=meeting, valid_from=this_month(), points=Decimal(3))
    give(tree.people.a1, "m:1")  # branch A (committee 1's copy) and branch C (the defaults) attend a meeting
    give(tree.people.c1, "m:2")
    assert score(tree.people.a1, this_month()) == 3 and score(tree.people.c1, this_month()) == 1
    # an item of the defaults is not one of committee 1's rules
    refused_unchanged(counts, lambda: rules.edit_item(users.committee_admin, tree.committee1,
                                                      rule=league_rule("meeting"), valid_from=this_month(),
                                                      points=Decimal(5)), "No such item")  # fmt: skip
    audited = ChangeLog.objects.filter(org_path=tree.committee1.path).values_list("content_type__model", flat=True)
    assert {"ruleset", "ruleversion"} <= set(audited)


def test_an_edit_is_a_new_version_and_never_reaches_a_locked_month(tree, users):
    give(tree.people.a1, "m:1", day=last_month() + datetime.timedelta(days=3))
    lock(tree.branch_a, last_month())
    before = score(tree.people.a1, last_month())
    error = refused_unchanged(counts, lambda: rules.edit_item(users.district, tree.root, rule=league_rule("meeting"),
                                                              valid_from=last_month(), points=Decimal(5)),
                              "already published or locked")  # fmt: skip
    assert last_month().strftime("%Y-%m") in " ".join(error.messages)
    refused_unchanged(
        counts,
        lambda: rules.edit_item(
            users.district, tree.root, rule=league_rule("meeting"), valid_from=this_month(), points=Decimal(5000)
        ),
        "Between",
    )
    refused_unchanged(
        counts,
        lambda: rules.edit_item(
            users.district, tree.root, rule=league_rule("meeting"), valid_from=this_month(), name=""
        ),
        "Name the item",
    )
    refused_unchanged(counts, lambda: rules.edit_item(users.committee_admin, tree.committee1,
                                                      rule=league_rule("meeting"), valid_from=this_month(),
                                                      points=Decimal(5)), "inherited")  # fmt: skip
    version = rules.edit_item(users.district, tree.root, rule=league_rule("meeting"), valid_from=this_month(),
                              points=Decimal(5), cap_month=Decimal(10), evidence_required=True)  # fmt: skip
    assert version.valid_from == this_month() and version.points == 5 and version.cap_month == 10
    assert league_rule("meeting").versions.count() == 2  # the old version stays: last month keeps its rules
    assert score(tree.people.a1, last_month()) == before
    assert ChangeLog.objects.filter(
        action=ChangeLog.Action.CREATE, content_type__model="ruleversion", object_id=str(version.pk)
    ).exists()


def test_base_score_and_floor_change_by_version(tree, users):
    rule_set = league_set()
    lock(tree.branch_a, last_month())
    refused_unchanged(
        counts,
        lambda: rules.edit_scores(users.district, tree.root, valid_from=last_month(), base_score=70, floor=0),
        "already published or locked",
    )
    refused_unchanged(
        counts,
        lambda: rules.edit_scores(users.district, tree.root, valid_from=this_month(), base_score=50, floor=60),
        "at most the base score",
    )
    refused_unchanged(
        counts,
        lambda: rules.edit_scores(users.district, tree.root, valid_from=this_month(), base_score="x", floor=0),
        "number",
    )
    refused_unchanged(
        counts,
        lambda: rules.edit_scores(users.secretary_a, tree.branch_a, valid_from=this_month(), base_score=70, floor=0),
        "",
        PermissionDenied,
    )
    with pytest.raises(TypeError):
        rules.update_rule_set(None, rule_set, base_score=Decimal(70))  # never in place
    rules.edit_scores(users.district, tree.root, valid_from=this_month(), base_score=Decimal(70), floor=Decimal(5))
    assert rules.scores_in_force(rule_set, this_month()) == (70, 5)
    assert rules.scores_in_force(rule_set, last_month()) == (60, 0)  # the past keeps its base score
    give(tree.people.a2, "m:1")
    assert queries.year_total(tree.people.a2, rule_set, this_month()) == 70 + score(tree.people.a2, this_month())
    # the same month again corrects that version (no month under it closed)
    rules.edit_scores(users.district, tree.root, valid_from=this_month(), base_score=Decimal(65), floor=Decimal(5))
    assert rule_set.versions.count() == 1 and rules.scores_in_force(rule_set, this_month()) == (65, 5)
    own = rules.make_own(users.committee_admin, tree.committee1)  # the copy keeps the versions
    assert rules.scores_in_force(own, this_month()) == (65, 5) and rules.scores_in_force(own, last_month()) == (60, 0)


def test_a_rule_change_leaves_corrections_alone(tree, users):
    from tongxin.points.services import cycle

    give(tree.people.a1, "m:1", day=last_month() + datetime.timedelta(days=3))
    lock(tree.branch_a, last_month())
    entry = PointEntry.objects.get(person=tree.people.a1)
    cycle.correct_entry(users.secretary_a, entry, reason="补记", points=Decimal(2))
    rules.edit_item(users.district, tree.root, rule=league_rule("meeting"), valid_from=this_month(),
                    points=Decimal(4))  # fmt: skip
    assert ledger.kept_scores() == ledger.scores_from_ledger()
    assert score(tree.people.a1, this_month()) == 2  # the correction stands, not re-scored as an attendance


def test_rules_pages(tree, users, client_for):
    page = reverse("points:rules", args=[tree.branch_a.pk])
    body = client_for(users.secretary_a).get(page).content.decode()
    assert "Inherited from" in body and 'data-testid="rules-override"' not in body  # read only for a secretary
    assert client_for(users.outsider).get(page).status_code == 404
    assert client_for(users.secretary_a).get(reverse("points:rule_edit", args=[tree.branch_a.pk])).status_code == 404
    admin = client_for(users.committee_admin)
    body = admin.get(reverse("points:rules", args=[tree.committee1.pk])).content.decode()
    assert 'data-testid="rules-override"' in body and 'data-testid="rule-edit"' not in body
    assert admin.post(reverse("points:rules_override", args=[tree.committee1.pk])).status_code == 302
    own = RuleSet.objects.get(org_path=tree.committee1.path)
    meeting = own.rules.get(key="meeting")
    form = reverse("points:rule_edit", args=[tree.committee1.pk])
    assert admin.get(form + f"?rule={meeting.pk}").status_code == 200
    data = {"rule": meeting.pk, "valid_from": ledger.next_month(this_month()).strftime("%Y-%m"), "name": "参加组织生活",
            "points": "2", "claimant": "system", "active": "on"}  # fmt: skip
    lock(tree.branch_a, this_month())
    before = counts()
    refused = admin.post(form, data | {"valid_from": this_month().strftime("%Y-%m")})
    assert refused.status_code == 400 and "already published or locked" in refused.content.decode()
    assert counts() == before
    assert admin.post(form, data).status_code == 302
    assert meeting.versions.filter(valid_from=ledger.next_month(this_month()), points=2).exists()
    body = admin.get(reverse("points:rules", args=[tree.committee1.pk])).content.decode()
    assert "From " + ledger.next_month(this_month()).strftime("%Y-%m") in body
    scores = reverse("points:rule_scores", args=[tree.committee1.pk])
    assert admin.post(scores, {"valid_from": ledger.next_month(this_month()).strftime("%Y-%m"), "base_score": "80",
                               "floor": "10"}).status_code == 302  # fmt: skip
    assert own.versions.get().base_score == 80
    assert client_for(users.outsider).post(scores, {"valid_from": "2030-01", "base_score": "1",
                                                    "floor": "0"}).status_code == 404  # fmt: skip


def test_rules_api(tree, users, api_for):
    admin, district = api_for(users.committee_admin), api_for(users.district)
    url = f"/api/point-rules/{tree.committee1.pk}/"
    answer = admin.get(url)
    assert answer.status_code == 200 and answer.json()["own"] is False and answer.json()["items"]
    assert api_for(users.outsider).get(url).status_code == 404
    assert api_for(users.secretary_a).post(f"/api/point-rules/{tree.branch_a.pk}/own/").status_code == 403
    change = {"rule": league_rule("meeting").pk, "valid_from": this_month().strftime("%Y-%m"), "points": "2"}
    refused = admin.post(url + "change-item/", change, format="json")
    assert refused.status_code == 400 and "inherited" in str(refused.json())
    done = admin.post(url + "own/")
    assert done.status_code == 200 and done.json()["own"] is True
    own_meeting = RuleSet.objects.get(org_path=tree.committee1.path).rules.get(key="meeting")
    lock(tree.branch_b, this_month())
    before = counts()
    refused = admin.post(url + "change-item/", change | {"rule": own_meeting.pk}, format="json")
    assert refused.status_code == 400 and counts() == before
    later = ledger.next_month(this_month()).strftime("%Y-%m")
    done = admin.post(url + "change-item/", change | {"rule": own_meeting.pk, "valid_from": later}, format="json")
    assert done.status_code == 200, done.json()
    assert any(item["valid_from"] == f"{later}-01" and item["points"] == "2.00" for item in done.json()["items"])
    assert admin.post(url + "change-scores/", {"valid_from": later, "base_score": "10", "floor": "20"},
                      format="json").status_code == 400  # fmt: skip
    assert (
        district.post(
            f"/api/point-rules/{tree.root.pk}/change-scores/",
            {"valid_from": later, "base_score": "70", "floor": "0"},
            format="json",
        ).status_code
        == 200
    )
