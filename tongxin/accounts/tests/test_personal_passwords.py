"""The password policy knows the person: a password built from the user's name in pinyin (or its initials,
either order) with a few digits or the birth date is refused, on every path that sets a password."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tongxin.accounts.models import User
from tongxin.core.testing import PASSWORD, person_data
from tongxin.people.services import create_person

BIRTH = datetime.date(2007, 3, 15)
RULE = "name in pinyin"
GOOD = "Tuanzhibu2026x"


@pytest.fixture
def zhou(tree):
    """周建国 of branch A, born 15 March 2007, with an account."""
    person = create_person(None, person_data(tree.branch_a, name="周建国", birth=BIRTH))
    return User.objects.create_user("tx_zhou", password=PASSWORD, person=person)


@pytest.fixture
def chen(tree):
    person = create_person(None, person_data(tree.branch_a, name="陈杰", birth=BIRTH))
    return User.objects.create_user("tx_chen", password=PASSWORD, person=person)


def refusals(password: str, user: User) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as refused:
        return list(refused.messages)
    return []


@pytest.mark.parametrize(
    "password",
    [
        "zhoujianguo1",  # the issue's example: full pinyin and a digit
        "Zhoujianguo2007",  # the birth year, capitalised
        "zhou.jianguo.0315",  # separators and the birthday
        "jianguozhou88",  # given name first
        "zjg20070315",  # initials and the birth date
        "zhoujg2007ab",  # surname and initials, birth year, two letters
        "zhoujianguo12345678",  # any number of digits adds nothing
        "ZHOUJIANGUO!@#1",  # nor punctuation
    ],
)
def test_zhou_jianguo_cannot_use_his_name_with_digits_or_his_birth_date(english, zhou, password):
    assert any(RULE in text for text in refusals(password, zhou)), refusals(password, zhou)


def test_chen_jie_cannot_use_his_name_and_birth_year(english, chen):
    for password in ("chenjie2007a", "jiechen2007a", "cj20070315xy", "chenjie1234567"):
        assert any(RULE in text for text in refusals(password, chen)), password


@pytest.mark.parametrize("password", [GOOD, "zhoujianguo-Tuanzhibu7", "qx7Zhou9mpw2rt"])
def test_a_password_with_enough_of_its_own_passes(english, zhou, password):
    """The name may appear in a password that has at least six characters of its own, letters among them."""
    assert refusals(password, zhou) == []


def test_the_rule_needs_a_person_or_a_chinese_name(english, db):
    """An account without a roster person is checked against its own name when it is written in Chinese."""
    assert refusals("zhoujianguo1x", User(username="ops")) == []
    assert any(RULE in t for t in refusals("zhoujianguo1x", User(username="ops", last_name="周", first_name="建国")))


def test_heteronym_surnames_are_known_both_ways(english, tree):
    person = create_person(None, person_data(tree.branch_a, name="曾小明", birth=BIRTH))
    user = User(username="tx_zeng", person=person)
    for password in ("zengxiaoming1", "cengxiaoming1"):
        assert any(RULE in text for text in refusals(password, user)), password


def test_the_message_is_in_chinese(zhou):
    messages = refusals("zhoujianguo2007", zhou)
    assert any("姓名拼音" in text for text in messages), messages


# --- every path that sets a password ------------------------------------------------------------------


def test_the_password_page_refuses_it(client_for, zhou, english):
    client = client_for(zhou)
    data = {"old_password": PASSWORD, "new_password1": "zhoujianguo2007", "new_password2": "zhoujianguo2007"}
    response = client.post("/accounts/password/", data)
    assert response.status_code == 200
    assert RULE in response.content.decode()
    zhou.refresh_from_db()
    assert zhou.check_password(PASSWORD)


def test_the_first_password_after_a_one_time_code_refuses_it(client_for, users, zhou, english):
    from tongxin.accounts.services import issue_login_codes

    [issued] = issue_login_codes(users.secretary_a, [zhou.person_id])
    client = client_for(User.objects.get(pk=zhou.pk))
    response = client.post("/accounts/password/", {"new_password1": "jianguozhou1", "new_password2": "jianguozhou1"})
    assert response.status_code == 200
    assert RULE in response.content.decode()
    zhou.refresh_from_db()
    assert zhou.must_change_password and zhou.check_password(issued.code)


def test_the_user_admin_refuses_it(client, zhou, english):
    root = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(root)
    url = f"/admin/accounts/user/{zhou.pk}/password/"
    response = client.post(url, {"password1": "zhoujianguo88", "password2": "zhoujianguo88", "usable_password": "true"})
    assert response.status_code == 200
    assert RULE in response.content.decode()
    zhou.refresh_from_db()
    assert zhou.check_password(PASSWORD)


def test_manage_py_changepassword_refuses_it(zhou, english):
    with mock.patch("getpass.getpass", return_value="zhoujianguo2007"), pytest.raises(CommandError):
        call_command("changepassword", "tx_zhou", stdout=mock.MagicMock(), stderr=mock.MagicMock())
    zhou.refresh_from_db()
    assert zhou.check_password(PASSWORD)
