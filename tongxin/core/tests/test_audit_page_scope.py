"""/audit/ lists the changes and accesses of the viewer's own subtrees only, newest first, a page at a time."""

from __future__ import annotations

from tongxin.core.audit import record_change
from tongxin.core.models import AccessLog, ChangeLog
from tongxin.people.models import Person
from tongxin.people.services import update_person


def test_secretary_b_does_not_see_branch_a_changes(tree, users, client_for):
    update_person(users.secretary_a, tree.people.a1, {"name": "张甲壹"})
    update_person(users.secretary_b, tree.people.b1, {"name": "王乙壹"})

    body = client_for(users.secretary_b).get("/audit/").content.decode()

    assert "王乙壹" in body  # her own branch's change
    assert "张甲壹" not in body and "张甲一" not in body
    assert tree.branch_a.name not in body
    assert tree.committee1.name not in body


def test_secretary_a_sees_her_branch_changes_with_actor_and_fields(tree, users, client_for):
    update_person(users.secretary_a, tree.people.a1, {"name": "张甲壹"})
    body = client_for(users.secretary_a).get("/audit/").content.decode()
    assert "张甲壹" in body
    assert "secretary_a" in body
    assert "全称" in body  # the field's label (verbose name "full name"), not its code name
    assert tree.people.b1.name not in body


def test_committee_admin_sees_both_branches_but_not_committee2(tree, users, client_for):
    update_person(users.secretary_a, tree.people.a1, {"name": "张甲壹"})
    update_person(users.secretary_b, tree.people.b1, {"name": "王乙壹"})
    body = client_for(users.committee_admin).get("/audit/").content.decode()
    assert "张甲壹" in body and "王乙壹" in body
    assert tree.people.c1.name not in body and tree.branch_c.name not in body


def test_the_audit_page_never_shows_full_id_numbers(tree, users, client_for):
    person = Person.objects.get(pk=tree.people.a1.pk)
    update_person(users.secretary_a, person, {"phone": "13700001111"})
    body = client_for(users.district).get("/audit/").content.decode()
    assert "137****1111" in body
    for full in Person.objects.values_list("id_number", flat=True):
        assert full not in body
    assert "13700001111" not in body


def test_the_access_tab_is_scoped_too(tree, users, client_for):
    client_for(users.secretary_a).post(f"/people/{tree.people.a1.pk}/reveal/")
    client_for(users.secretary_b).post(f"/people/{tree.people.b1.pk}/reveal/")
    assert AccessLog.objects.count() == 2

    body_b = client_for(users.secretary_b).get("/audit/?kind=access").content.decode()
    assert tree.people.b1.name in body_b
    assert tree.people.a1.name not in body_b
    body_a = client_for(users.secretary_a).get("/audit/?kind=access").content.decode()
    assert tree.people.a1.name in body_a
    assert tree.people.b1.name not in body_a


def test_people_without_a_role_see_no_audit_rows(tree, users, client_for):
    for user in (users.member, users.nobody):
        response = client_for(user).get("/audit/")
        assert response.status_code in (200, 404)
        body = response.content.decode()
        for person in (tree.people.a1, tree.people.a2, tree.people.b1, tree.people.c1):
            assert person.name not in body


def test_the_audit_page_is_paged_newest_first(tree, users, client_for):
    person = Person.objects.get(pk=tree.people.b1.pk)
    for i in range(60):
        record_change(users.secretary_b, person, ChangeLog.Action.UPDATE, before={"name": f"旧{i:02d}"},
                      after={"name": f"新{i:02d}"}, org_path=person.org_path)  # fmt: skip
    visible = list(ChangeLog.objects.visible_to(users.secretary_b).order_by("-created_at", "-id"))
    assert len(visible) == 62  # branch B and b1 created, then the 60 updates
    client = client_for(users.secretary_b)

    first = client.get("/audit/").context["page"]

    assert [row.pk for row in first.rows] == [row.pk for row in visible[:50]]
    assert first.rows[0].after == {"name": "新59"}
    assert first.prev_cursor is None and first.first_cursor is None  # already at the newest
    assert first.next_cursor and first.last_cursor

    older = client.get("/audit/", {"cursor": first.next_cursor}).context["page"]
    assert [row.pk for row in older.rows] == [row.pk for row in visible[50:]]
    assert older.next_cursor is None and older.prev_cursor

    back = client.get("/audit/", {"cursor": older.prev_cursor}).context["page"]
    assert [row.pk for row in back.rows] == [row.pk for row in visible[:50]]

    oldest = client.get("/audit/", {"cursor": first.last_cursor}).context["page"]
    assert oldest.rows[-1].pk == visible[-1].pk  # the very first entry ends the last page
    assert oldest.next_cursor is None and oldest.last_cursor is None
