"""The study notes' API: list, share (with an image in base64), comment, feature, hide, delete; scoped."""

from __future__ import annotations

import base64

from tongxin.accounts.models import User
from tongxin.study import services
from tongxin.study.models import NoteStatus, StudyNote

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_share_read_comment_feature_hide_and_delete(tree, users, api_for):
    a1 = User.objects.create(username="a1", person=tree.people.a1)
    b1 = User.objects.create(username="b1", person=tree.people.b1)
    member = api_for(users.member)
    body = {"text": "第十期学习心得\n<b>要落到行动上</b>", "image": {"name": "心得.png",
            "content_base64": base64.b64encode(PNG).decode()}}  # fmt: skip
    answer = member.post("/api/study-notes/", body, format="json")
    assert answer.status_code == 201, answer.content
    note_id = answer.json()["id"]
    assert answer.json()["text"] == body["text"]  # stored as typed: plain text, escaped by whoever shows it
    assert answer.json()["image_url"] == f"/study/notes/{note_id}/image/"

    assert [n["id"] for n in api_for(a1).get("/api/study-notes/").json()["results"]] == [note_id]
    assert api_for(b1).get(f"/api/study-notes/{note_id}/").status_code == 404  # another branch
    assert api_for(b1).post(f"/api/study-notes/{note_id}/comment/", {"text": "路过"}, format="json").status_code == 404
    comment = api_for(a1).post(f"/api/study-notes/{note_id}/comment/", {"text": "同感"}, format="json")
    assert comment.status_code == 200 and comment.json()["author_name"] == tree.people.a1.name

    assert api_for(a1).post(f"/api/study-notes/{note_id}/feature/", {}, format="json").status_code == 403
    secretary = api_for(users.secretary_a)
    assert secretary.post(f"/api/study-notes/{note_id}/feature/", {}, format="json").json()["status"] == "featured"
    assert api_for(a1).get("/api/study-notes/?status=featured").json()["count"] == 1
    assert secretary.post(f"/api/study-notes/{note_id}/hide/", {"reason": ""}, format="json").status_code == 400
    hidden = secretary.post(f"/api/study-notes/{note_id}/hide/", {"reason": "含有他人电话"}, format="json")
    assert hidden.json()["status"] == "hidden" and hidden.json()["reason"] == "含有他人电话"
    assert api_for(a1).get(f"/api/study-notes/{note_id}/").status_code == 404  # hidden from the branch
    assert member.get(f"/api/study-notes/{note_id}/").json()["reason"] == "含有他人电话"  # its author sees why

    assert api_for(a1).post(f"/api/study-notes/{note_id}/delete/", {}, format="json").status_code == 404
    assert member.post(f"/api/study-notes/{note_id}/delete/", {}, format="json").status_code == 200
    assert not StudyNote.objects.exists()


def test_bad_bodies_are_refused_and_nothing_written(tree, users, api_for):
    member = api_for(users.member)
    for body in (
        {"text": "字" * 1001},
        {"text": ""},
        {"text": "心得", "image": {"name": "a.png", "content_base64": "not base64!"}},
        {"text": "心得", "image": {"name": "a.png", "content_base64": base64.b64encode(b"GIF89a").decode()}},
    ):
        assert member.post("/api/study-notes/", body, format="json").status_code == 400, body
    assert api_for(users.secretary_a).post("/api/study-notes/", {"text": "心得"}, format="json").status_code == 400
    assert not StudyNote.objects.exists()


def test_the_secretary_cannot_feature_her_own_note(tree, users, selves, api_for):
    note = services.post_note(selves.secretary, text="我的心得")
    answer = api_for(selves.secretary).post(f"/api/study-notes/{note.pk}/feature/", {}, format="json")
    assert answer.status_code == 400
    note.refresh_from_db()
    assert note.status == NoteStatus.SHOWN
