"""The roster shows 50 people a page; Next, Previous, First and Last walk it with no overlap and no gap,
on the page and in the API, whatever the filter and the sort."""

from __future__ import annotations

import pytest

from tongxin.core.testing import person_data, years_ago
from tongxin.people.models import Person
from tongxin.people.services import create_person
from tongxin.people.tests.helpers import pager_links, roster_pks, roster_total

pytestmark = pytest.mark.usefixtures("english")

SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊"]
ORDER_BY = {
    "org": ["org_path", "name_pinyin", "id"],
    "name": ["name_pinyin", "id"],
    "oldest": ["birth_date", "id"],
}


@pytest.fixture
def crowd(tree):
    """120 more people in committee 1's two branches: 60 names, each twice, of ten different ages."""
    for i in range(120):
        branch = tree.branch_a if i % 3 else tree.branch_b
        name = SURNAMES[i % 10] + GIVEN[(i // 10) % 6]
        create_person(None, person_data(branch, name=name, birth=years_ago(17 + i % 10, days=40 + i % 7)))
    return tree


def go(link: str | None) -> str:
    """The roster URL a pager link leads to (the link must be enabled)."""
    assert link is not None, "the link is disabled"
    return "/people/" + link


def expected(order: str = "org", **filters) -> list[int]:
    qs = Person.objects.active().filter(**filters).order_by(*ORDER_BY[order])
    return list(qs.values_list("pk", flat=True))


def test_roster_page_walks_forward_and_back(crowd, users, client_for):
    client = client_for(users.district)
    everyone = expected()
    assert len(everyone) == 125

    first = client.get("/people/")
    page1 = roster_pks(first)
    links1 = pager_links(first)
    assert page1 == everyone[:50]
    assert roster_total(first) == 125
    assert links1["first"] is None and links1["previous"] is None
    assert links1["next"] and links1["last"]

    second = client.get(go(links1["next"]))
    page2 = roster_pks(second)
    links2 = pager_links(second)
    assert page2 == everyone[50:100]
    assert roster_total(second) == 125

    third = client.get(go(links2["next"]))
    page3 = roster_pks(third)
    links3 = pager_links(third)
    assert page3 == everyone[100:]
    assert links3["next"] is None and links3["last"] is None

    # No overlap, no gap.
    assert len(set(page1) | set(page2) | set(page3)) == 125

    # Previous returns to the very same pages; on the first page Previous and First are disabled again.
    back2 = client.get(go(links3["previous"]))
    assert roster_pks(back2) == page2
    back1 = client.get(go(pager_links(back2)["previous"]))
    assert roster_pks(back1) == page1
    assert pager_links(back1)["previous"] is None and pager_links(back1)["first"] is None

    # First from the last page; Last from the first page: the same last page as walking forward (the
    # remainder, 25), so stepping back from it meets the same pages, with the same numbers.
    assert roster_pks(client.get(go(links3["first"]))) == page1
    last = client.get(go(links1["last"]))
    assert roster_pks(last) == page3
    assert pager_links(last)["next"] is None
    assert "第 3/3 页" in last.content.decode() or "Page 3/3" in last.content.decode()
    before_last = client.get(go(pager_links(last)["previous"]))
    assert roster_pks(before_last) == page2


@pytest.mark.parametrize("sort", ["org", "name", "oldest"])
def test_roster_page_keeps_the_filter_and_sort_across_pages(sort, crowd, users, client_for):
    client = client_for(users.district)
    wanted = expected(sort, org_path__startswith=crowd.committee1.path)
    assert len(wanted) == 123

    seen: list[int] = []
    url = f"/people/?org={crowd.committee1.pk}&sort={sort}"
    while url:
        response = client.get(url)
        assert roster_total(response) == 123
        rows = roster_pks(response)
        assert 0 < len(rows) <= 50
        seen += rows
        link = pager_links(response)["next"]
        assert link is None or f"org={crowd.committee1.pk}" in link
        url = "/people/" + link if link else ""
    assert seen == wanted


@pytest.mark.parametrize("sort", ["org", "name", "oldest"])
def test_api_walks_forward_and_back(sort, crowd, users, api_for):
    api = api_for(users.district)
    everyone = expected(sort)

    pages = []
    url: str | None = f"/api/people/?sort={sort}"
    while url:
        body = api.get(url).json()
        assert body["count"] == 125
        pages.append(body)
        url = body["next"]
    assert [len(p["results"]) for p in pages] == [50, 50, 25]
    assert [row["id"] for p in pages for row in p["results"]] == everyone
    assert pages[0]["previous"] is None

    back = api.get(pages[2]["previous"]).json()
    assert [row["id"] for row in back["results"]] == everyone[50:100]
    back = api.get(back["previous"]).json()
    assert [row["id"] for row in back["results"]] == everyone[:50]
    assert back["previous"] is None


def test_a_tampered_cursor_shows_the_first_page(crowd, users, client_for, api_for):
    everyone = expected()
    assert roster_pks(client_for(users.district).get("/people/?cursor=not-a-cursor")) == everyone[:50]
    body = api_for(users.district).get("/api/people/?cursor=%%%").json()
    assert [row["id"] for row in body["results"]] == everyone[:50]


def test_the_pager_says_where_one_is_and_jumps_to_a_page(crowd, users, client_for):
    """ "Page 2/3" on each page, and the page-number form opens any page, from either end of the list."""
    client = client_for(users.district)
    everyone = expected()
    second = client.get(go(pager_links(client.get("/people/"))["next"]))
    assert "Page 2/3" in second.content.decode()
    for number, rows in ((2, everyone[50:100]), (3, everyone[100:]), (1, everyone[:50])):
        page = client.get(f"/people/?page={number}")
        assert roster_pks(page) == rows
        assert f"Page {number}/3" in page.content.decode()
    assert roster_pks(client.get("/people/?page=99")) == everyone[100:]  # past the end: the last page
    assert roster_pks(client.get("/people/?page=x")) == everyone[:50]
    # The form keeps the filter, and the numbering follows it (123 people in committee 1).
    page = client.get(f"/people/?org={crowd.committee1.pk}&page=2")
    body = page.content.decode()
    assert f'<input type="hidden" name="org" value="{crowd.committee1.pk}">' in body
    assert 'name="page"' in body and "Page 2/3" in body
    assert roster_pks(page) == expected(org_path__startswith=crowd.committee1.path)[50:100]
    # Next from a page reached by number carries on the numbering.
    assert "Page 3/3" in client.get(go(pager_links(page)["next"])).content.decode()
