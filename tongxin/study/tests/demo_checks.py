"""The demo seed's study notes: a handful in a few branches over recent months, some featured, one hidden with
its reason, a few comments; most members have none (nobody is asked for a note).

Checked on the demo district that tongxin/core/tests/test_demo_parts.py seeds once for every app's checks.
"""

from __future__ import annotations

from django.db.models import Count

from tongxin.accounts.models import User
from tongxin.people.models import Person
from tongxin.study.models import NoteStatus, StudyNote, StudyNoteComment


def demo_seeds_a_few_notes(client):
    notes = StudyNote.objects.all()
    assert 8 <= notes.count() <= 25
    assert notes.values("org_path").distinct().count() >= 3
    assert notes.values("month").distinct().count() >= 2
    assert notes.filter(status=NoteStatus.FEATURED).count() >= 2
    assert notes.filter(status=NoteStatus.HIDDEN).exclude(reason="").count() == 1
    assert StudyNoteComment.objects.count() >= 2
    for note in notes.filter(status=NoteStatus.FEATURED).select_related("moderated_by"):
        assert note.moderated_by is not None and note.moderated_by.person_id != note.author_id
    member = User.objects.get(username="member")
    assert notes.filter(author_id=member.person_id).exists()
    assert all(note.org_path == note.author.org_path for note in notes.select_related("author"))
    assert StudyNote.objects.aggregate(n=Count("author", distinct=True))["n"] < Person.objects.count() / 100
