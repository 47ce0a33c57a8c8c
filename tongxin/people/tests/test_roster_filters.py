"""The roster's filters, the same on the page (/people/) and in the API (/api/people/)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.http import QueryDict

from tongxin.core.testing import person_data, years_ago
from tongxin.people.models import Person
from tongxin.people.services import create_person
from tongxin.people.tests.helpers import add_years, id_number_ending_in_x, roster_pks

pytestmark = pytest.mark.usefixtures("english")

TREE_PEOPLE = {"张甲一", "李甲二", "王乙一", "赵丙一", "孙丁一"}  # all 20 years old, in league branches


@pytest.fixture
def roster(tree):
    """The fixture tree's five 20-year-olds plus a party member, a 15-year-old, one who left, one with an X."""
    party_birth = years_ago(35)
    young_birth = years_ago(15)
    extra = SimpleNamespace(
        party=create_person(
            None,
            person_data(
                tree.party_branch,
                name="钱党员",
                birth=party_birth,
                political_status="01",
                party_join_date=add_years(party_birth, 25),
                occupation="employed",
            ),
        ),
        young=create_person(
            None,
            person_data(
                tree.branch_c,
                name="陈小明",
                birth=young_birth,
                league_join_date=add_years(young_birth, 14) + datetime.timedelta(days=10),
                phone="13712345678",
            ),
        ),
        left=create_person(None, person_data(tree.branch_b, name="周离开", status="left")),
        x=create_person(
            None, person_data(tree.branch_d, name="何晓", id_number=id_number_ending_in_x(years_ago(20), male=False))
        ),
    )
    return SimpleNamespace(tree=tree, **vars(extra))


def page_names(client, query: str) -> set[str]:
    pks = roster_pks(client.get(f"/people/?{query}"))
    assert len(pks) == len(set(pks))
    by_pk = Person.objects.in_bulk(pks)
    return {by_pk[pk].name for pk in pks}


def api_names(api, query: str) -> set[str]:
    """The API's answer: the list for the filters alone; with a search term, the search (the list refuses
    ``?q=``: search terms go in the body of POST /api/people/search/, never in a URL)."""
    params = QueryDict(query)
    if "q" in params:
        response = api.post("/api/people/search/", params.dict(), format="json")
    else:
        response = api.get(f"/api/people/?{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    names = [row["name"] for row in body["results"]]
    assert body["count"] == len(names)
    return set(names)


def active_names_where(test) -> set[str]:
    return {p.name for p in Person.objects.active() if test(p)}


ACTIVE = TREE_PEOPLE | {"钱党员", "陈小明", "何晓"}

FILTERS = [
    # (query, expected names; ``r`` is the roster fixture)
    ("", lambda r: ACTIVE),
    ("org={r.tree.committee1.pk}", lambda r: {"张甲一", "李甲二", "王乙一"}),
    ("org={r.tree.branch_a.pk}", lambda r: {"张甲一", "李甲二"}),
    ("org={r.tree.root.pk}", lambda r: ACTIVE),
    ("org={r.tree.committee1.pk}&status=all", lambda r: {"张甲一", "李甲二", "王乙一", "周离开"}),
    ("status=active", lambda r: ACTIVE),
    ("status=all", lambda r: ACTIVE | {"周离开"}),
    ("status=left", lambda r: {"周离开"}),
    ("org_kind=party_branch", lambda r: {"钱党员"}),
    ("org_kind=branch", lambda r: ACTIVE - {"钱党员"}),
    ("political_status=01", lambda r: {"钱党员"}),
    ("political_status=03", lambda r: ACTIVE - {"钱党员"}),
    ("political_status=13", lambda r: set()),
    ("age_min=30", lambda r: {"钱党员"}),
    ("age_max=16", lambda r: {"陈小明"}),
    ("age_min=15&age_max=15", lambda r: {"陈小明"}),
    ("age_max=14", lambda r: set()),
    ("age_min=16&age_max=34", lambda r: ACTIVE - {"钱党员", "陈小明"}),
    ("age_min=20&age_max=20", lambda r: ACTIVE - {"钱党员", "陈小明"}),
    ("q=甲", lambda r: {"张甲一", "李甲二"}),
    ("q=丙一", lambda r: {"赵丙一"}),
    ("q=zjy", lambda r: {"张甲一"}),
    ("q=ZJY", lambda r: {"张甲一"}),
    ("q=zhangjia", lambda r: {"张甲一"}),
    ("q=zh", lambda r: {"张甲一", "赵丙一"}),  # pinyin prefix "zh": zhang, zhao (zhou has left)
    ("q=sdy", lambda r: {"孙丁一"}),
    ("q=zlk&status=all", lambda r: {"周离开"}),
    ("q=甲&org={r.tree.committee2.pk}", lambda r: set()),
    ("q=一&political_status=03&org={r.tree.committee1.pk}", lambda r: {"张甲一", "王乙一"}),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[q or "no filter" for q, _e in FILTERS])
def test_filter_on_page_and_api(query, expected, roster, users, client_for, api_for):
    query = query.format(r=roster)
    want = expected(roster)

    assert page_names(client_for(users.district), query) == want
    assert api_names(api_for(users.district), query) == want


def test_a_whole_id_number_typed_in_search_finds_nobody(roster, users, client_for, api_for):
    # Confirming a full number must go through the audited reveal, not the search box.
    number = roster.tree.people.a1.id_number
    assert page_names(client_for(users.district), f"q={number}") == set()
    assert api_names(api_for(users.district), f"q={number}") == set()


@pytest.mark.parametrize("digits", [4, 6])
def test_search_by_the_last_digits_of_an_id_number(digits, roster, users, client_for, api_for):
    target = roster.tree.people.a1
    tail = target.id_number[-digits:]
    want = active_names_where(lambda p: p.id_number.endswith(tail) or p.phone.endswith(tail))
    assert target.name in want and len(want) < len(ACTIVE)

    assert page_names(client_for(users.district), f"q={tail}") == want
    assert api_names(api_for(users.district), f"q={tail}") == want


def test_search_by_an_id_number_ending_in_x_typed_lowercase(roster, users, client_for, api_for):
    tail = roster.x.id_number[-5:].lower()
    assert tail.endswith("x")

    assert page_names(client_for(users.district), f"q={tail}") == {"何晓"}
    assert api_names(api_for(users.district), f"q={tail}") == {"何晓"}


@pytest.mark.parametrize("tail", ["5678", "345678", "13712345678"])
def test_search_by_the_last_digits_of_a_phone(tail, roster, users, client_for, api_for):
    want = active_names_where(lambda p: p.id_number.endswith(tail) or p.phone.endswith(tail))
    assert "陈小明" in want

    assert page_names(client_for(users.district), f"q={tail}") == want
    assert api_names(api_for(users.district), f"q={tail}") == want


def test_filters_never_widen_the_scope(roster, users, client_for, api_for):
    client, api = client_for(users.secretary_a), api_for(users.secretary_a)
    tree = roster.tree

    for query in ("", f"org={tree.committee1.pk}", f"org={tree.root.pk}", "status=all", "q=一"):
        assert page_names(client, query) <= {"张甲一", "李甲二"}, query
        assert api_names(api, query) <= {"张甲一", "李甲二"}, query
    assert page_names(client, f"org={tree.root.pk}") == {"张甲一", "李甲二"}
    assert page_names(client, f"org={tree.committee2.pk}") == set()
    assert api_names(api, f"org={tree.branch_c.pk}") == set()
    assert api_names(api, "q=丙") == set()


def test_invalid_filter_values_show_no_one_rather_than_everyone(roster, users, client_for, api_for):
    client = client_for(users.district)
    response = client.get("/people/?political_status=99")
    assert response.status_code == 200
    assert roster_pks(response) == []
    assert api_for(users.district).get("/api/people/?political_status=99").status_code == 400
    assert page_names(client, "org=999999") == set()
