"""Lessons in turn on the pages and the API: the secretary plans and changes, the lecturer sees his own turn and
no more, another branch sees nothing (404), a duplicate turn is a clear 400, the API list costs the same few
queries however many turns it holds."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.core.testing import person_data
from tongxin.orglife.models import LessonTurn, MeetingKind
from tongxin.orglife.services import lessons
from tongxin.people.services import create_person

pytestmark = pytest.mark.django_db

LEAGUE = MeetingKind.LEAGUE_LESSON


def _turn(users, tree, quarter=1, lecturer=None, year=None) -> LessonTurn:
    return lessons.plan_turn(
        users.secretary_a,
        organization=tree.branch_a,
        year=year or timezone.localdate().year,
        quarter=quarter,
        kind=LEAGUE,
        lecturer=lecturer or tree.people.a2,
    )


def test_the_secretary_plans_the_year_on_the_rota_page(client_for, tree, users):
    client = client_for(users.secretary_a)
    url = reverse("orglife:lessons", args=[tree.branch_a.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="rota-form"' in page and tree.people.a1.name in page
    response = client.post(
        url,
        {
            "kind": LEAGUE,
            "quarters": ["1", "2", "3", "4"],
            "lecturers": [tree.people.a1.pk, tree.people.a2.pk],
            "topic": "团的光辉历史",
        },
    )
    assert response.status_code == 302
    lecturers = list(LessonTurn.objects.order_by("quarter").values_list("lecturer_id", flat=True))
    assert lecturers == [tree.people.a2.pk, tree.people.a1.pk] * 2  # roster order: 李 before 张


def test_another_branch_sees_and_changes_nothing(client_for, api_for, tree, users):
    turn = _turn(users, tree)
    client = client_for(users.secretary_b)
    assert client.get(reverse("orglife:lessons", args=[tree.branch_a.pk])).status_code == 404
    assert client.get(reverse("orglife:lesson_turn", args=[turn.pk])).status_code == 404
    post = client.post(reverse("orglife:lesson_turn", args=[turn.pk]), {"lecturer": tree.people.a1.pk, "reason": "x"})
    assert post.status_code == 404
    api = api_for(users.secretary_b)
    assert api.get("/api/lesson-turns/").json()["results"] == []
    assert api.patch(f"/api/lesson-turns/{turn.pk}/", {"topic": "越权"}, format="json").status_code == 404
    assert LessonTurn.objects.get().topic == ""


def test_the_lecturer_sees_his_turn_but_may_not_change_it(client_for, api_for, tree, users):
    turn = _turn(users, tree)  # a2 is the member's person
    other = _turn(users, tree, quarter=2, lecturer=tree.people.a1)
    client = client_for(users.member)
    page = client.get(reverse("orglife:lesson_turn", args=[turn.pk]))
    assert page.status_code == 200 and 'data-testid="turn-form"' not in page.content.decode()
    assert client.get(reverse("orglife:lesson_turn", args=[other.pk])).status_code == 404  # a1's turn is not his
    assert client.post(reverse("orglife:lesson_turn", args=[turn.pk]), {"topic": "我改"}).status_code == 403
    rows = api_for(users.member).get("/api/lesson-turns/").json()["results"]
    assert [row["id"] for row in rows] == [turn.pk]
    assert client.get(reverse("orglife:lessons", args=[tree.branch_a.pk])).status_code == 404
    mine = client.get(reverse("orglife:my_lessons")).content.decode()
    assert 'data-testid="my-turns"' in mine and reverse("orglife:lesson_turn", args=[turn.pk]) in mine


def test_the_api_plans_fills_and_changes_turns(api_for, tree, users, english):
    api = api_for(users.secretary_a)
    year = timezone.localdate().year + 1  # quarters to come: changed without a reason
    created = api.post(
        "/api/lesson-turns/",
        {"organization": tree.branch_a.pk, "year": year, "quarter": 1, "kind": LEAGUE, "lecturer": tree.people.a1.pk},
        format="json",
    )
    assert created.status_code == 201 and created.json()["lecturer_name"] == tree.people.a1.name
    again = api.post(
        "/api/lesson-turns/",
        {"organization": tree.branch_a.pk, "year": year, "quarter": 1, "kind": LEAGUE, "lecturer": tree.people.a2.pk},
        format="json",
    )
    assert again.status_code == 400 and "already has a lecturer" in str(again.json())
    rota = api.post(
        "/api/lesson-turns/rota/",
        {
            "organization": tree.branch_a.pk,
            "year": year,
            "kind": LEAGUE,
            "lecturers": [tree.people.a1.pk, tree.people.a2.pk],
        },
        format="json",
    )
    assert rota.status_code == 201
    # Quarters 2–4, going on after quarter 1's lecturer (a1): a2, a1, a2.
    assert [row["lecturer"] for row in rota.json()] == [tree.people.a2.pk, tree.people.a1.pk, tree.people.a2.pk]
    pk = created.json()["id"]
    changed = api.patch(f"/api/lesson-turns/{pk}/", {"lecturer": tree.people.a2.pk, "topic": "新题目"}, format="json")
    assert changed.status_code == 200 and changed.json()["lecturer"] == tree.people.a2.pk
    outsider = api.post(
        "/api/lesson-turns/",
        {"organization": tree.branch_a.pk, "year": year, "quarter": 2, "kind": LEAGUE, "lecturer": tree.people.b1.pk},
        format="json",
    )
    assert outsider.status_code == 400  # b1 is not in secretary A's scope: "no such person"


def test_the_api_list_costs_the_same_for_many_turns(api_for, tree, users, django_assert_max_num_queries):
    api = api_for(users.committee_admin)
    _turn(users, tree, quarter=1)
    with django_assert_max_num_queries(12) as few:
        api.get("/api/lesson-turns/")
    for quarter in (2, 3, 4):
        _turn(
            users,
            tree,
            quarter=quarter,
            lecturer=create_person(None, person_data(tree.branch_a, name=f"讲师{quarter}")),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/api/lesson-turns/").json()["results"]) == 4
