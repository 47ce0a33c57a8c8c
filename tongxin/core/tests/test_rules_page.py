"""The rules page: the district admin edits every configurable number; nobody else sees it."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from tongxin.accounts.models import User
from tongxin.core import services
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog, RuleValue
from tongxin.core.rules import DEFAULTS, RULE_GROUPS, RULE_INFO, rule

pytestmark = pytest.mark.usefixtures("english")


def rule_log() -> list[tuple[str, str, dict | None, dict | None]]:
    rows = ChangeLog.objects.filter(content_type=ContentType.objects.get_for_model(RuleValue)).order_by("id")
    return [(row.action, row.actor.username if row.actor else "", row.before, row.after) for row in rows]


def errors_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(str(e) for e in response.context["form"].errors.get("value", []))


# --- every rule is described ---------------------------------------------------------------------------------


def test_every_rule_has_a_label_help_and_one_group():
    assert set(RULE_INFO) == set(DEFAULTS)
    grouped = [key for _label, keys in RULE_GROUPS for key in keys]
    assert sorted(grouped) == sorted(DEFAULTS)
    for label, help_text in RULE_INFO.values():
        assert str(label) and str(help_text)


def test_every_rule_is_editable_as_its_defaults_text():
    """The page's text for each default parses back to the default (the form shows it, saving it is a no-op)."""
    for key, default in DEFAULTS.items():
        assert services.parse_rule_text(key, services.rule_to_text(key, default)) == default, key


# --- who may see it --------------------------------------------------------------------------------------------


def test_the_district_admin_sees_every_rule(users, client_for):
    response = client_for(users.district).get("/rules/")
    assert response.status_code == 200
    html = response.content.decode()
    for label, _help in RULE_INFO.values():
        assert str(label) in html
    assert 'href="/rules/party_dues_brackets/"' in html
    assert 'href="/rules/"' in html  # in the navigation


@pytest.mark.parametrize("who", ["committee_admin", "secretary_a", "viewer", "member", "outsider", "nobody"])
def test_everyone_else_gets_404(who, users, client_for):
    client = client_for(getattr(users, who))
    assert client.get("/rules/").status_code == 404
    assert client.get("/rules/league_max_age/").status_code == 404
    assert client.post("/rules/league_max_age/", {"value": "40"}).status_code == 404
    assert client.post("/rules/league_max_age/", {"reset": "1"}).status_code == 404
    assert not RuleValue.objects.exists() and rule_log() == []
    assert 'href="/rules/"' not in client.get("/inbox/").content.decode()


def test_a_superuser_may_edit_rules(tree, client_for):
    admin = User.objects.create(username="root", is_superuser=True, is_staff=True)
    client = client_for(admin)
    assert client.get("/rules/").status_code == 200
    assert client.post("/rules/league_max_age/", {"value": "30"}).status_code == 302
    assert rule("league_max_age") == 30


def test_unknown_rule_is_404(users, client_for):
    assert client_for(users.district).get("/rules/no_such_rule/").status_code == 404


def test_the_service_refuses_others(users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_rule(users.committee_admin, "league_max_age", "40")
    with pytest.raises(PermissionDenied):
        services.reset_rule(users.secretary_a, "league_max_age")
    assert not RuleValue.objects.exists()


# --- editing --------------------------------------------------------------------------------------------------


def test_edit_an_int(tree, users, client_for):
    client = client_for(users.district)
    assert rule("league_max_age") == 28
    page = client.get("/rules/league_max_age/")
    assert page.status_code == 200 and page.context["form"]["value"].value() == "28"

    response = client.post("/rules/league_max_age/", {"value": " 30 "})
    assert response.status_code == 302 and response["Location"] == "/rules/"
    assert rule("league_max_age") == 30
    assert RuleValue.objects.get(key="league_max_age").value == 30
    assert rule_log() == [("create", "district", {"key": "league_max_age", "value": 28},
                           {"key": "league_max_age", "value": 30})]  # fmt: skip
    entry = ChangeLog.objects.filter(content_type=ContentType.objects.get_for_model(RuleValue)).get()
    assert entry.org_path == tree.root.path  # the district admin's audit log shows it

    client.post("/rules/league_max_age/", {"value": "29"})
    assert rule("league_max_age") == 29
    assert rule_log()[-1] == ("update", "district", {"value": 30}, {"value": 29})  # the row names the rule
    assert ChangeLog.objects.order_by("-id")[0].object_repr == "league_max_age=29"
    client.post("/rules/league_max_age/", {"value": "29"})  # unchanged: no row
    assert len(rule_log()) == 2

    listing = client.get("/rules/").content.decode()
    assert "Changed" in listing


def test_edit_a_decimal(users, client_for):
    client = client_for(users.district)
    assert client.post("/rules/league_dues_flat_yuan/", {"value": "0.3"}).status_code == 302
    assert rule("league_dues_flat_yuan") == "0.30"
    for bad in ("0.205", "-1", "abc", "", "1e3", "０.２"):
        assert errors_of(client.post("/rules/league_dues_flat_yuan/", {"value": bad})), bad
    assert rule("league_dues_flat_yuan") == "0.30"


def test_edit_the_party_dues_brackets(users, client_for):
    client = client_for(users.district)
    page = client.get("/rules/party_dues_brackets/").content.decode()
    assert "3000 0.005\n5000 0.01\n10000 0.015\n- 0.02" in page

    text = "3500 0.005\n\n6000  0.010\r\n12000 0.015\n- 0.02\n"
    assert client.post("/rules/party_dues_brackets/", {"value": text}).status_code == 302
    assert rule("party_dues_brackets") == [[3500, "0.005"], [6000, "0.01"], [12000, "0.015"], [None, "0.02"]]
    _action, _actor, before, after = rule_log()[-1]
    assert before == {"key": "party_dues_brackets", "value": DEFAULTS["party_dues_brackets"]}
    assert after == {"key": "party_dues_brackets", "value": rule("party_dues_brackets")}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("league_max_age", "-1", "Enter a whole number"),
        ("league_max_age", "twenty", "Enter a whole number"),
        ("league_max_age", "28.5", "Enter a whole number"),
        ("league_max_age", "", "Enter a whole number"),
        ("party_dues_brackets", "5000 0.01\n3000 0.005\n- 0.02", "Line 2: the upper bound 3000 must be greater"),
        ("party_dues_brackets", "3000 0.005\n3000 0.01\n- 0.02", "Line 2: the upper bound 3000 must be greater"),
        ("party_dues_brackets", "3000 0.005\n5000 0.01", "Line 2: the last line must have no upper bound"),
        ("party_dues_brackets", "3000 0.005\n- 0.01\n9000 0.02", "Line 2: only the last line"),
        ("party_dues_brackets", "3000 0.005\nlots 0.01\n- 0.02", "Line 2: the upper bound “lots” is not"),
        ("party_dues_brackets", "3000 0.005\n- 1.5", "Line 2: the rate “1.5” is not a number from 0 to 1"),
        ("party_dues_brackets", "3000 -0.1\n- 0.5", "Line 1: the rate “-0.1”"),
        ("party_dues_brackets", "3000\n- 0.5", "Line 1: write an upper bound and a rate"),
        ("party_dues_brackets", "\n  \n", "Enter at least one line"),
        ("party_dues_retiree_brackets", "-3000 0.005\n- 0.01", "Line 1: the upper bound “-3000” is not"),
    ],
)
def test_bad_input_is_refused_naming_the_line_and_nothing_is_saved(key, value, message, users, client_for):
    response = client_for(users.district).post(f"/rules/{key}/", {"value": value})
    assert message in errors_of(response)
    assert "is-invalid" in response.content.decode()
    assert not RuleValue.objects.exists() and rule_log() == []
    assert rule(key) == DEFAULTS[key]


def test_reset_to_default(users, client_for):
    client = client_for(users.district)
    client.post("/rules/branch_min_members/", {"value": "5"})
    assert rule("branch_min_members") == 5
    assert "Reset to default" in client.get("/rules/branch_min_members/").content.decode()

    response = client.post("/rules/branch_min_members/", {"reset": "1"})
    assert response.status_code == 302
    assert rule("branch_min_members") == DEFAULTS["branch_min_members"]
    assert not RuleValue.objects.exists()
    assert rule_log()[-1] == ("delete", "district", {"key": "branch_min_members", "value": 5},
                              {"key": "branch_min_members", "value": DEFAULTS["branch_min_members"]})  # fmt: skip
    client.post("/rules/branch_min_members/", {"reset": "1"})  # nothing to reset: no row
    assert len(rule_log()) == 2
    assert "Reset to default" not in client.get("/rules/branch_min_members/").content.decode()


def test_parse_brackets_directly():
    assert services.parse_brackets("- 0.02") == [[None, "0.02"]]
    assert services.parse_brackets("1000\t0.5\n— 1") == [[1000, "0.5"], [None, "1"]]
    with pytest.raises(DomainError) as exc:
        services.parse_brackets("1000 0.5\n2000 x\n- 1")
    assert exc.value.errors == {"value": ["Line 2: the rate “x” is not a number from 0 to 1, such as 0.005."]}


# --- issue 12 §3: every number rule within its sane range ------------------------------------------------------


def test_every_number_rule_has_a_sane_range_holding_its_default():
    from decimal import Decimal

    from tongxin.core.rules import RULE_RANGES

    numbers = {key for key, value in DEFAULTS.items() if isinstance(value, int | str)}  # str: a decimal
    assert numbers <= set(RULE_RANGES), sorted(numbers - set(RULE_RANGES))
    for key, (low, high) in RULE_RANGES.items():
        assert Decimal(str(low)) <= Decimal(str(DEFAULTS[key])) <= Decimal(str(high)), key


@pytest.mark.parametrize(
    ("key", "value"),
    [("league_max_age", "0"), ("league_max_age", "200"), ("party_dues_day", "31"), ("review_excellent_cap", "0"),
     ("review_excellent_cap", "1.5"), ("transfer_stall_days", "0")],
)  # fmt: skip
def test_a_rule_value_outside_its_range_is_refused_naming_the_range(key, value, users, client_for, english):
    response = client_for(users.district).post(f"/rules/{key}/", {"value": value})
    assert "Enter a value from" in errors_of(response)
    assert not RuleValue.objects.exists() and rule_log() == []
    assert rule(key) == DEFAULTS[key]
