"""Study notes (微心得): a member shares a note with his branch, the branch reads and comments, the secretary
features or hides; bounded, escaped, scoped and audited."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import person_data
from tongxin.people.services import create_person
from tongxin.study import queries, services
from tongxin.study.models import NoteStatus, StudyNote, StudyNoteComment, StudyNoteImage

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def people(tree, users):
    """Members with users: a1 (author) and a2 (``users.member``) in branch A, b1 in branch B."""
    a1 = User.objects.create(username="a1", person=tree.people.a1)
    b1 = User.objects.create(username="b1", person=tree.people.b1)
    return type("People", (), {"a1": a1, "a2": users.member, "b1": b1})


def _log(note, action):
    kind = ContentType.objects.get_for_model(StudyNote)
    return ChangeLog.objects.filter(content_type=kind, object_id=str(note.pk), action=action)


def test_a_member_posts_a_note_of_his_branch_and_month(tree, people):
    note = services.post_note(people.a1, text="学习了第一期，\n收获很大。", image=("学习.png", PNG))
    assert note.organization == tree.branch_a and note.org_path == tree.branch_a.path
    assert note.month.day == 1 and note.status == NoteStatus.SHOWN
    assert note.text == "学习了第一期，\n收获很大。"
    assert StudyNoteImage.objects.get(note=note).content_type == "image/png"
    entry = _log(note, ChangeLog.Action.CREATE).get()
    assert entry.org_path == tree.branch_a.path and entry.after["image"] == "学习.png"


@pytest.mark.parametrize(
    ("text", "image", "field"),
    [
        ("", None, "text"),
        ("字" * 1001, None, "text"),
        ("心得\x00", None, "text"),
        ("心得", ("a.png", b"not a png at all"), "image"),
        ("心得", ("a.pdf", b"%PDF-1.4\n"), "image"),
        ("心得", ("a.gif", b"GIF89a"), "image"),
    ],
)
def test_bad_notes_are_refused_and_nothing_written(people, text, image, field):
    with pytest.raises(DomainError) as refused:
        services.post_note(people.a1, text=text, image=image)
    assert field in refused.value.errors
    assert not StudyNote.objects.exists() and not StudyNoteImage.objects.exists()


def test_a_user_without_a_person_or_branch_posts_nothing(tree, users):
    with pytest.raises(DomainError):
        services.post_note(users.secretary_a, text="心得")
    assert not StudyNote.objects.exists()


def test_script_is_shown_as_text(tree, people, client_for):
    note = services.post_note(people.a1, text="<script>alert(1)</script>\n第二行")
    services.comment_on_note(people.a2, note, text="<img src=x onerror=alert(2)>")
    html = client_for(people.a2).get(reverse("study:note", args=[note.pk])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;<br>第二行" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_the_branch_reads_another_branch_does_not(tree, users, people):
    note = services.post_note(people.a1, text="心得")
    assert queries.visible_notes(people.a2).filter(pk=note.pk).exists()  # same branch
    assert queries.visible_notes(users.secretary_a).filter(pk=note.pk).exists()
    assert queries.visible_notes(users.committee_admin).filter(pk=note.pk).exists()  # role above
    assert not queries.visible_notes(people.b1).filter(pk=note.pk).exists()  # another branch's member
    assert not queries.visible_notes(users.secretary_b).filter(pk=note.pk).exists()
    assert not queries.visible_notes(users.outsider).filter(pk=note.pk).exists()
    with pytest.raises(PermissionDenied):
        services.comment_on_note(people.b1, note, text="路过")
    assert not StudyNoteComment.objects.exists()


def test_comments_are_bounded_and_audited(tree, people):
    note = services.post_note(people.a1, text="心得")
    with pytest.raises(DomainError):
        services.comment_on_note(people.a2, note, text="评" * 301)
    with pytest.raises(DomainError):
        services.comment_on_note(people.a2, note, text="  ")
    comment = services.comment_on_note(people.a2, note, text="说得好，受启发。")
    assert comment.author == people.a2.person
    kind = ContentType.objects.get_for_model(StudyNoteComment)
    assert ChangeLog.objects.filter(content_type=kind, object_id=str(comment.pk), actor=people.a2).exists()


def test_only_the_secretary_features_and_hides(tree, users, people):
    note = services.post_note(people.a1, text="心得")
    for outsider in (people.a2, users.secretary_b, people.b1):
        with pytest.raises(PermissionDenied):
            services.feature_note(outsider, note)
        with pytest.raises(PermissionDenied):
            services.hide_note(outsider, note, reason="不妥")
    note.refresh_from_db()
    assert note.status == NoteStatus.SHOWN
    services.feature_note(users.secretary_a, note)
    note.refresh_from_db()
    assert note.status == NoteStatus.FEATURED and note.moderated_by == users.secretary_a
    with pytest.raises(DomainError):  # someone acted first: already featured
        services.feature_note(users.committee_admin, note)
    entry = _log(note, ChangeLog.Action.UPDATE).get()
    assert entry.before["status"] == "shown" and entry.after["status"] == "featured"
    assert entry.actor == users.secretary_a


def test_nobody_features_her_own_note(tree, users, people):
    RoleAssignment.objects.create(user=people.a1, organization=tree.branch_a, role=Role.SECRETARY)
    note = services.post_note(people.a1, text="我自己的心得")
    with pytest.raises(DomainError):
        services.feature_note(people.a1, note)
    with pytest.raises(DomainError):
        services.hide_note(people.a1, note, reason="自己隐藏")
    note.refresh_from_db()
    assert note.status == NoteStatus.SHOWN


def test_a_hidden_note_is_seen_by_its_author_and_the_secretary_only(tree, users, people):
    note = services.post_note(people.a1, text="心得")
    with pytest.raises(DomainError):
        services.hide_note(users.secretary_a, note, reason="")
    services.hide_note(users.secretary_a, note, reason="含有他人手机号")
    note.refresh_from_db()
    assert note.status == NoteStatus.HIDDEN and note.reason == "含有他人手机号"
    assert not queries.visible_notes(people.a2).filter(pk=note.pk).exists()
    assert queries.visible_notes(people.a1).filter(pk=note.pk).exists()
    assert queries.visible_notes(users.secretary_a).filter(pk=note.pk).exists()
    with pytest.raises(PermissionDenied):
        services.comment_on_note(people.a2, note, text="看不到")
    with pytest.raises(DomainError):  # the author sees it, but a hidden note takes no comments
        services.comment_on_note(people.a1, note, text="补充")
    services.restore_note(users.secretary_a, note)
    note.refresh_from_db()
    assert note.status == NoteStatus.SHOWN and note.reason == ""
    assert queries.visible_notes(people.a2).filter(pk=note.pk).exists()


def test_the_author_deletes_his_own_note_and_only_he(tree, users, people):
    note = services.post_note(people.a1, text="心得", image=("a.png", PNG))
    services.comment_on_note(people.a2, note, text="好")
    with pytest.raises(PermissionDenied):
        services.delete_note(people.a2, note)  # reads it, may not delete it
    with pytest.raises(DomainError):
        services.delete_note(users.secretary_a, note)  # the secretary hides instead
    services.delete_note(people.a1, note)
    assert not StudyNote.objects.exists() and not StudyNoteComment.objects.exists()
    assert not StudyNoteImage.objects.exists()
    entry = _log(note, ChangeLog.Action.DELETE).get()
    assert entry.after["comments"] == 1 and entry.actor == people.a1


def test_counts_per_branch_and_month(tree, users, people):
    n1 = services.post_note(people.a1, text="一")
    services.post_note(people.a2, text="二")
    services.post_note(people.b1, text="三")
    services.feature_note(users.secretary_a, n1)
    c = create_person(None, person_data(tree.branch_c, name="钱丙二"))
    User.objects.create(username="c2", person=c)
    branches = list(queries.subtree_branches(tree.committee1).order_by("name"))
    rows = {row.organization: row for row in queries.note_counts(branches, n1.month)}
    assert (rows[tree.branch_a].posted, rows[tree.branch_a].featured) == (2, 1)
    assert (rows[tree.branch_b].posted, rows[tree.branch_b].featured) == (1, 0)
    assert tree.branch_c not in rows
    totals = queries.subtree_note_totals(tree.committee1, n1.month)
    assert totals == {"posted": 3, "featured": 1, "branches": 2}


def test_the_counts_page_by_month_for_role_holders_only(tree, users, people, client_for):
    note = services.post_note(people.a1, text="心得")
    services.feature_note(users.secretary_a, note)
    month = note.month.strftime("%Y-%m")
    page = client_for(users.committee_admin).get(reverse("study:note_counts"), {"month": month})
    assert page.status_code == 200
    rows = {row.organization: row for row in page.context["rows"]}
    assert set(rows) == {tree.branch_a, tree.branch_b}  # committee 1's branches, by name
    assert (rows[tree.branch_a].posted, rows[tree.branch_a].featured, rows[tree.branch_b].posted) == (1, 1, 0)
    earlier = client_for(users.committee_admin).get(reverse("study:note_counts"), {"month": "2025-01"})
    assert earlier.context["totals"]["posted"] == 0
    assert client_for(users.secretary_b).get(
        reverse("study:note_counts"), {"org": tree.branch_a.pk}
    ).status_code == 404  # fmt: skip
    assert client_for(people.a2).get(reverse("study:note_counts")).status_code == 404  # a member: no counts


def test_the_member_reads_his_branch_and_the_home_card_counts_it(tree, users, people, client_for):
    services.post_note(people.a1, text="甲支部的心得")
    services.post_note(people.b1, text="乙支部的心得")
    page = client_for(people.a2).get(reverse("study:notes"))
    html = page.content.decode()
    assert "甲支部的心得" in html and "乙支部的心得" not in html
    assert queries.branch_notes_this_month(people.a2) == 1
    assert queries.branch_notes_this_month(users.secretary_a) is None  # no person: no card


def test_only_the_system_writes_for_an_author_at_a_past_time(tree, people):
    import datetime

    from django.utils import timezone

    at = timezone.now() - datetime.timedelta(days=40)
    with pytest.raises(TypeError):
        services.post_note(people.a2, text="心得", author=tree.people.a1, at=at)
    note = services.post_note(None, text="心得", author=tree.people.a1, at=at)
    note.refresh_from_db()
    assert note.created_at == at and note.month == timezone.localdate(at).replace(day=1)


def test_the_author_is_told_when_his_note_is_featured_or_hidden(tree, users, people):
    from tongxin.core.models import Notification

    note = services.post_note(people.a1, text="心得")
    services.feature_note(users.secretary_a, note)
    services.hide_note(users.secretary_a, note, reason="与学习无关")
    texts = list(Notification.objects.filter(recipient=people.a1).order_by("pk").values_list("text", "url"))
    assert len(texts) == 2 and all(url == reverse("study:note", args=[note.pk]) for _text, url in texts)
    assert "与学习无关" in texts[1][0]
    assert not Notification.objects.exclude(recipient=people.a1).exists()  # nobody else is told


def test_the_counts_page_picks_an_organisation_in_scope(tree, users, people, client_for):
    services.post_note(people.b1, text="乙支部的心得")
    district = client_for(users.district)
    page = district.get(reverse("study:note_counts"))
    assert [o.name for o in page.context["scopes"]] == [tree.root.name, tree.committee1.name, tree.committee2.name]
    assert {row.organization for row in page.context["rows"]} >= {tree.branch_a, tree.branch_c, tree.party_branch}
    page = district.get(reverse("study:note_counts"), {"org": tree.committee2.pk})
    assert {row.organization for row in page.context["rows"]} == {tree.branch_c, tree.branch_d}
    assert page.context["totals"]["posted"] == 0
    mine = client_for(users.committee_admin).get(reverse("study:note_counts"))
    assert [o.name for o in mine.context["scopes"]] == [tree.committee1.name]
    assert tree.committee2.name not in mine.content.decode()


def test_role_holders_list_the_hidden_notes(tree, users, people, client_for):
    shown = services.post_note(people.a1, text="公开的心得")
    hidden = services.post_note(people.a2, text="被隐藏的心得")
    services.hide_note(users.secretary_a, hidden, reason="与学习无关")
    rows = client_for(users.secretary_a).get(reverse("study:notes"), {"hidden": "1"}).context["rows"]
    assert [note for note, _image, _comments in rows] == [hidden]
    rows = client_for(people.a1).get(reverse("study:notes"), {"hidden": "1"}).context["rows"]
    assert [note for note, _image, _comments in rows] == [shown]  # a member: the filter is not his
