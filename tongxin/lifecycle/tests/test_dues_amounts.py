"""Monthly dues amounts from the configurable standards (DOMAIN.md, Dues): bracket edges, the cap, the
defaults of a person without a profile, "income needed" instead of a guess, and a rule changed by the
district admin applying at once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tongxin.core import rules
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog, RuleValue
from tongxin.lifecycle.models import DuesCategory, DuesKind, DuesProfile
from tongxin.lifecycle.services.dues import monthly_amount, set_dues_profile
from tongxin.people.models import Occupation

pytestmark = pytest.mark.usefixtures("english")


def amount(person, kind: str, category: str, income: str | None = None) -> Decimal | None:
    profile = DuesProfile(person=person, category=category, monthly_income=Decimal(income) if income else None)
    return monthly_amount(person, kind, profile)


@pytest.mark.parametrize("category", [DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.RELIEF])
def test_league_flat_categories_pay_twenty_fen(tree, category):
    assert amount(tree.people.a1, DuesKind.LEAGUE, category, "8000") == Decimal("0.20")


@pytest.mark.parametrize(
    ("wage", "expected"),
    [
        ("0", "3.00"),
        ("1999", "3.00"),
        ("1999.99", "3.00"),
        ("2000", "4.00"),
        ("2499.99", "4.00"),
        ("2500", "5.00"),
        ("2999", "5.00"),
        ("3000", "6.00"),
        ("9999.99", "19.00"),
        ("10000", "20.00"),
        ("10499", "20.00"),
        ("10500", "20.00"),  # 21 capped
        ("50000", "20.00"),
    ],
)
def test_league_wage_brackets_round_down_to_the_yuan_and_cap_at_twenty(tree, wage, expected):
    assert amount(tree.people.a1, DuesKind.LEAGUE, DuesCategory.WAGE, wage) == Decimal(expected)


@pytest.mark.parametrize(
    ("income", "expected"),
    [
        ("2000", "10.00"),
        ("3000", "15.00"),  # ≤3000: 0.5%
        ("3000.01", "30.00"),  # above: 1%
        ("5000", "50.00"),
        ("5000.01", "75.00"),  # 1.5%
        ("10000", "150.00"),
        ("10000.01", "200.00"),  # 2%
        ("2999.99", "15.00"),  # 14.99995 rounded half up to the fen
        ("1234.56", "6.17"),
    ],
)
def test_party_income_brackets(tree, income, expected):
    assert amount(tree.people.a1, DuesKind.PARTY, DuesCategory.WAGE, income) == Decimal(expected)


@pytest.mark.parametrize(
    ("pension", "expected"), [("3000", "15.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("8000", "80.00")]
)
def test_party_retiree_brackets(tree, pension, expected):
    assert amount(tree.people.a1, DuesKind.PARTY, DuesCategory.RETIREE, pension) == Decimal(expected)


@pytest.mark.parametrize("category", [DuesCategory.STUDENT, DuesCategory.RELIEF, DuesCategory.UNEMPLOYED])
def test_party_flat_categories(tree, category):
    assert amount(tree.people.a1, DuesKind.PARTY, category) == Decimal("0.20")


@pytest.mark.parametrize(
    ("occupation", "expected"),
    [
        (Occupation.STUDENT, Decimal("0.20")),
        (Occupation.UNEMPLOYED, Decimal("0.20")),
        (Occupation.EMPLOYED, None),  # a wage earner of unknown income: "income needed", not a guess
        (Occupation.FARMER, None),
        (Occupation.OTHER, None),
    ],
)
def test_without_a_profile_the_occupation_decides(tree, occupation, expected):
    person = tree.people.a1
    person.occupation = occupation
    assert monthly_amount(person, DuesKind.LEAGUE, None) == expected


@pytest.mark.parametrize("category", [DuesCategory.WAGE, DuesCategory.RETIREE])
def test_income_categories_without_an_income_need_it(tree, category):
    assert amount(tree.people.a1, DuesKind.LEAGUE, category) is None
    assert amount(tree.people.a1, DuesKind.PARTY, category) is None


def test_a_rule_changed_by_the_district_admin_applies_at_once(tree):
    a1 = tree.people.a1
    assert amount(a1, DuesKind.LEAGUE, DuesCategory.WAGE, "10000") == Decimal("20.00")
    RuleValue.objects.create(key="league_dues_max_yuan", value=15)
    RuleValue.objects.create(key="league_dues_flat_yuan", value="0.50")
    RuleValue.objects.create(key="league_dues_low_wage_limit", value=2500)
    RuleValue.objects.create(key="party_dues_brackets", value=[[4000, "0.005"], [None, "0.01"]])
    rules.clear_cache()
    try:
        assert amount(a1, DuesKind.LEAGUE, DuesCategory.WAGE, "10000") == Decimal("15.00")
        assert amount(a1, DuesKind.LEAGUE, DuesCategory.WAGE, "2400") == Decimal("3.00")
        assert amount(a1, DuesKind.LEAGUE, DuesCategory.WAGE, "2500") == Decimal("5.00")
        assert amount(a1, DuesKind.LEAGUE, DuesCategory.STUDENT) == Decimal("0.50")
        assert amount(a1, DuesKind.PARTY, DuesCategory.WAGE, "4000") == Decimal("20.00")
        assert amount(a1, DuesKind.PARTY, DuesCategory.WAGE, "20000") == Decimal("200.00")
        assert amount(a1, DuesKind.PARTY, DuesCategory.STUDENT) == Decimal("0.20")  # unchanged rule
    finally:
        rules.clear_cache()


def test_set_dues_profile_is_audited_and_needs_an_income_for_wage_earners(tree, users):
    a1 = tree.people.a1
    with pytest.raises(DomainError) as refused:
        set_dues_profile(users.secretary_a, a1, DuesCategory.WAGE, None)
    assert "monthly_income" in refused.value.errors
    with pytest.raises(DomainError):
        set_dues_profile(users.secretary_a, a1, DuesCategory.WAGE, Decimal("-1"))
    assert not DuesProfile.objects.filter(person=a1).exists()

    profile = set_dues_profile(users.secretary_a, a1, DuesCategory.WAGE, Decimal("3456.789"))
    assert (profile.category, profile.monthly_income) == ("wage", Decimal("3456.79"))
    profile = set_dues_profile(users.secretary_a, a1, DuesCategory.STUDENT, Decimal("3000"))
    assert (profile.category, profile.monthly_income) == ("student", None)  # not kept for a flat category
    set_dues_profile(users.secretary_a, a1, DuesCategory.STUDENT, None)  # no change, no audit row

    entries = list(ChangeLog.objects.filter(content_type__model="duesprofile").order_by("id"))
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[0].after == {"category": "wage", "monthly_income": "3456.79"}
    assert entries[1].before == {"category": "wage", "monthly_income": "3456.79"}
    assert entries[0].org_path == a1.org_path and entries[0].actor == users.secretary_a


@pytest.mark.parametrize("who", ["secretary_b", "outsider", "viewer", "member"])
def test_only_the_branch_side_may_set_a_profile(tree, users, who):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        set_dues_profile(getattr(users, who), tree.people.a1, DuesCategory.WAGE, Decimal("5000"))
    assert not DuesProfile.objects.exists()
