"""Every lookup by ID number is limited per user and hour and recorded in the AccessLog (issue 12, §2).

``core.audit.record_id_lookup`` counts the user's LOOKUP rows of the last hour (setting
TONGXIN_ID_LOOKUPS_PER_HOUR); the recruitment, the roster form and API and the transfer in call it before
their own transaction, so a request refused because the number is taken still counts.
"""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.test import override_settings
from django.utils import timezone

from tongxin.core.audit import record_id_lookup
from tongxin.core.exceptions import DomainError
from tongxin.core.models import AccessLog
from tongxin.core.testing import make_id_number, person_data, years_ago
from tongxin.lifecycle.models import Recruitment
from tongxin.lifecycle.tests.recruitment_helpers import APPLIED
from tongxin.people.tests.helpers import api_data, field_errors

pytestmark = pytest.mark.usefixtures("english")

LIMIT_MESSAGE = re.compile(
    r"^You have looked up (\d+) ID numbers in the last hour, the most allowed: try again after (\d\d:\d\d)\.$"
)


def lookups(user) -> list[AccessLog]:
    return list(AccessLog.objects.filter(actor=user, action=AccessLog.Action.LOOKUP).order_by("id"))


def apply(api, tree, number: str):
    body = {"branch": tree.branch_a.pk, "name": "王新", "id_number": number, "applied_on": APPLIED.isoformat()}
    return api.post("/api/recruitments/", body, format="json")


@override_settings(TONGXIN_ID_LOOKUPS_PER_HOUR=3)
def test_the_lookup_after_the_limit_is_refused_with_when_to_try_again(tree, users, api_for):
    api = api_for(users.secretary_a)
    numbers = [make_id_number(years_ago(17)) for _ in range(4)]
    started = time.perf_counter()
    answers = [apply(api, tree, number) for number in numbers]
    elapsed = time.perf_counter() - started

    assert [a.status_code for a in answers] == [201, 201, 201, 400]
    match = LIMIT_MESSAGE.match(answers[3].json()["id_number"][0])
    assert match, answers[3].json()
    rows = lookups(users.secretary_a)
    assert int(match.group(1)) == 3 and len(rows) == 3  # the refusal is not a lookup: not recorded
    again = timezone.localtime(rows[0].created_at + datetime.timedelta(hours=1)).strftime("%H:%M")
    assert match.group(2) == again  # when the oldest lookup leaves the hour
    assert Recruitment.objects.count() == 3  # the refused one wrote nothing
    for row, number in zip(rows, numbers, strict=False):
        assert row.filters == {"id_number": f"{number[:3]}{'*' * 11}{number[-4:]}", "purpose": "recruitment"}
        assert number not in str(row.filters)  # never the number itself
        assert row.org_path == tree.branch_a.path
    codes = [a.status_code for a in answers]
    print(f"\n4 recruitment POSTs with a limit of 3: {elapsed * 1000:.0f} ms, answers {codes}")


def test_the_limit_counts_refused_requests_and_writes_only_the_lookup(tree, users, api_for, settings):
    """50 guesses: before, 49 junk applications and a name; now the limit stops them, and a refused guess
    (the number is taken) leaves no application, only its lookup row."""
    settings.TONGXIN_ID_LOOKUPS_PER_HOUR = 2
    api = api_for(users.secretary_a)
    taken = tree.people.c1.id_number
    before = Recruitment.objects.count()

    first, second = apply(api, tree, taken), apply(api, tree, taken)
    third = apply(api, tree, make_id_number(years_ago(17)))  # a free number, but the hour's lookups are used up

    assert first.status_code == second.status_code == third.status_code == 400
    assert "ask for a transfer in" in first.json()["id_number"][0]
    assert LIMIT_MESSAGE.match(third.json()["id_number"][0])
    assert Recruitment.objects.count() == before
    assert len(lookups(users.secretary_a)) == 2  # the two refused requests were counted


def test_fifty_guesses_find_no_name_and_stop_at_the_limit(tree, users, api_for):
    """The issue's attack, with the default limit: guesses over one birth date, one of them taken."""
    api = api_for(users.secretary_a)
    c1 = tree.people.c1
    guesses = [make_id_number(c1.birth_date) for _ in range(69)] + [c1.id_number]
    started = time.perf_counter()
    answers = [apply(api, tree, number) for number in guesses]
    elapsed = time.perf_counter() - started

    codes = [a.status_code for a in answers]
    assert codes.count(201) == 60 and codes[60:] == [400] * 10
    assert all("赵丙一" not in a.content.decode() for a in answers)
    assert LIMIT_MESSAGE.match(answers[-1].json()["id_number"][0])  # the taken number is never even looked up
    assert len(lookups(users.secretary_a)) == 60
    print(f"\n70 guesses, default limit 60: {codes.count(201)} accepted, {codes.count(400)} refused, "
          f"{elapsed:.2f} s, no name")  # fmt: skip


def test_the_limit_is_per_user_and_per_hour(tree, users, api_for, settings):
    settings.TONGXIN_ID_LOOKUPS_PER_HOUR = 1
    assert apply(api_for(users.secretary_a), tree, make_id_number(years_ago(17))).status_code == 201
    assert apply(api_for(users.secretary_a), tree, make_id_number(years_ago(17))).status_code == 400
    assert apply(api_for(users.committee_admin), tree, make_id_number(years_ago(17))).status_code == 201

    # An hour later the first lookup no longer counts.
    AccessLog.objects.filter(actor=users.secretary_a).update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    assert apply(api_for(users.secretary_a), tree, make_id_number(years_ago(17))).status_code == 201


def test_the_roster_form_and_api_count_a_typed_id_number(tree, users, api_for, client_for, settings):
    settings.TONGXIN_ID_LOOKUPS_PER_HOUR = 2
    api = api_for(users.secretary_a)
    taken = api_data({**person_data(tree.branch_a, name="新来的"), "id_number": tree.people.c1.id_number})
    assert api.post("/api/people/", taken, format="json").status_code == 400
    # Editing a person without changing the number is no lookup.
    assert api.patch(f"/api/people/{tree.people.a1.pk}/", {"phone": "13900002222"}, format="json").status_code == 200
    assert len(lookups(users.secretary_a)) == 1

    fresh = api_data(person_data(tree.branch_a, name="新来的"))
    assert api.post("/api/people/", fresh, format="json").status_code == 201
    refused = api.patch(
        f"/api/people/{tree.people.a1.pk}/", {"id_number": make_id_number(years_ago(20))}, format="json"
    )
    assert refused.status_code == 400 and LIMIT_MESSAGE.match(refused.json()["id_number"][0])
    assert [(row.filters or {}).get("purpose") for row in lookups(users.secretary_a)] == ["person", "person"]


def test_transfer_in_counts_a_lookup(tree, users, client_for, settings):
    settings.TONGXIN_ID_LOOKUPS_PER_HOUR = 1
    client = client_for(users.secretary_b)
    data = {"id_number": make_id_number(years_ago(20)), "to_org": tree.branch_b.pk, "reason": "other"}
    client.post("/lifecycle/transfers/in/", data)  # nobody holds it: refused, counted

    response = client.post("/lifecycle/transfers/in/", {**data, "id_number": tree.people.c1.id_number})

    assert LIMIT_MESSAGE.match(field_errors(response)["id_number"][0])
    assert "赵丙一" not in response.content.decode()
    assert [(row.filters or {}).get("purpose") for row in lookups(users.secretary_b)] == ["transfer_in"]


def test_the_message_says_when_to_try_again_in_chinese(tree, users, settings):
    from django.utils import translation

    settings.TONGXIN_ID_LOOKUPS_PER_HOUR = 1
    record_id_lookup(users.secretary_a, make_id_number(years_ago(20)), purpose="test")
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        record_id_lookup(users.secretary_a, make_id_number(years_ago(20)), purpose="test")

    assert re.fullmatch(
        r"您在最近一小时内已按身份证号查询 1 次，已达上限，请于 \d\d:\d\d 以后再试。", refused.value.messages[0]
    )


def test_the_system_is_not_counted(db, settings):
    settings.TONGXIN_ID_LOOKUPS_PER_HOUR = 1
    for _ in range(3):
        assert record_id_lookup(None, make_id_number(years_ago(20)), purpose="import") is None
    assert not AccessLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_refused_request_keeps_its_lookup_row_when_committed_for_real(tree, users, api_for, settings):
    """As in production (autocommit, no test transaction around the request): the application's
    transaction is rolled back by the refusal, the lookup row written before it stays."""
    settings.TONGXIN_ID_LOOKUPS_PER_HOUR = 1
    api = api_for(users.secretary_a)

    refused = apply(api, tree, tree.people.c1.id_number)
    limited = apply(api, tree, make_id_number(years_ago(17)))

    assert refused.status_code == 400 and "ask for a transfer in" in refused.json()["id_number"][0]
    assert LIMIT_MESSAGE.match(limited.json()["id_number"][0])
    assert Recruitment.objects.count() == 0
    assert len(lookups(users.secretary_a)) == 1
