"""Flow on a phone (375 px wide): a member of branch A shares a study note (微心得) with a photo, the branch's
secretary features it, and another member of the branch sees it featured, with its photo, and comments."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.contrib.auth.hashers import make_password
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.accounts.models import User
from tongxin.core.testing import PASSWORD
from tongxin.study.models import NoteStatus, StudyNote

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def _png(width: int = 24, height: int = 16) -> bytes:
    """A small real PNG (red), so the browser shows it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _width(page) -> int:
    """``page_width`` once the page has loaded: its wait then holds at once (a wait that has to poll evaluates its
    string under the page's CSP, which refuses eval)."""
    page.wait_for_load_state("load")
    return page_width(page)


def test_share_feature_read_and_comment(context_for, tree, users, tmp_path):
    User.objects.create(username="zhang", password=make_password(PASSWORD), person=tree.people.a1)
    photo = tmp_path / "学习现场.png"
    photo.write_bytes(_png())

    member = context_for("zh-CN").new_page()
    member.set_viewport_size(PHONE)
    login(member, "member")
    member.goto(url("study:notes"))
    member.get_by_label(zh("Your note")).fill("今天学习了青年大学习第十期，\n体会到青年要在基层一线经风雨、见世面。")
    member.get_by_label(zh("Image (optional, JPEG or PNG)")).set_input_files(str(photo))
    member.get_by_role("button", name=zh("Share my note")).click()
    expect(member.locator(".alert-success")).to_contain_text(zh("Your note is shared with your branch."))
    expect(member.get_by_test_id("note-text")).to_contain_text("体会到青年要在基层一线经风雨")
    expect(member.get_by_test_id("note-image")).to_be_visible()
    assert member.get_by_test_id("note-image").evaluate("img => img.naturalWidth") == 24
    assert _width(member) <= PHONE["width"]
    shoot(member, "study-note-posted")
    note = StudyNote.objects.get(author=tree.people.a2)

    secretary = context_for("zh-CN").new_page()
    secretary.set_viewport_size(PHONE)
    login(secretary, "secretary_a")
    secretary.goto(url("study:notes"))
    secretary.get_by_test_id(f"note-{note.pk}").click()
    secretary.get_by_role("button", name=zh("Feature"), exact=True).click()
    expect(secretary.locator(".alert-success")).to_contain_text(zh("The note is featured."))
    expect(secretary.get_by_test_id("note-status")).to_have_text(zh("Featured"))
    assert _width(secretary) <= PHONE["width"]
    shoot(secretary, "study-note-featured")
    secretary.set_viewport_size(PHONE)
    secretary.goto(url("study:note_counts"))
    expect(secretary.get_by_test_id("note-counts")).to_contain_text(tree.branch_a.name)
    assert _width(secretary) <= PHONE["width"]
    shoot(secretary, "study-note-counts")

    other = context_for("zh-CN").new_page()
    other.set_viewport_size(PHONE)
    login(other, "zhang")
    other.goto(url("study:notes") + "?featured=1")
    card = other.get_by_test_id(f"note-{note.pk}")
    expect(card).to_contain_text(zh("Featured"))
    expect(card).to_contain_text(tree.people.a2.name)
    assert _width(other) <= PHONE["width"]
    shoot(other, "study-notes-featured")
    other.set_viewport_size(PHONE)  # the screenshots leave it at desktop width
    card.click()
    expect(other.get_by_test_id("note-image")).to_be_visible()
    other.get_by_label(zh("Comment")).fill("写得很实在，我也有同感。")
    other.get_by_role("button", name=zh("Add my comment")).click()
    expect(other.locator(".alert-success")).to_contain_text(zh("Your comment is added."))
    expect(other.get_by_test_id("comments")).to_contain_text("写得很实在，我也有同感。")
    expect(other.get_by_test_id("comments")).to_contain_text(tree.people.a1.name)
    assert _width(other) <= PHONE["width"]
    shoot(other, "study-note-commented")
    note.refresh_from_db()
    assert note.status == NoteStatus.FEATURED and note.comments.count() == 1
