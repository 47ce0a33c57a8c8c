"""The donations app's choice labels read as a drive and a donor do in Chinese (issue 15): their msgids are shared
with other apps (a form's "Open" is 打开, the roster's "Person" 人员, the tree's "Organisation" 组织), so each has
its own msgctxt: a drive is 募集中 or 已结束, a donor 个人, 单位 or 匿名. The other apps' words are unchanged."""

from __future__ import annotations

import io

from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from tongxin.donations import services
from tongxin.donations.models import DonorKind, DriveStatus
from tongxin.donations.tests.donation_helpers import donate, drive


def test_the_choices_have_their_own_chinese():
    with translation.override("zh-hans"):
        assert [str(label) for label in DonorKind.labels] == ["个人", "单位", "匿名"]
        assert [str(label) for label in DriveStatus.labels] == ["募集中", "已结束"]
        # the shared msgids keep their meaning in the other apps
        assert [translation.gettext(m) for m in ("Open", "Person", "Organisation")] == ["打开", "人员", "组织"]


def test_the_drive_page_and_the_export_read_naturally(tree, users, client_for):
    row = drive(tree.branch_a, users.secretary_a)
    donate(users.secretary_a, row, "50", "R-1")
    donate(users.secretary_a, row, "60", "R-2", donor_kind=DonorKind.ORGANIZATION, donor_name="云南红土书店")
    donate(users.secretary_a, row, "70", "R-3", donor_kind=DonorKind.ANONYMOUS, donor_name="")
    client = client_for(users.secretary_a)  # zh-hans: no language chosen
    page = client.get(reverse("donations:drive", args=[row.pk])).content.decode()
    assert "募集中" in page and "打开" not in page and "匿名" in page
    response = client.get(reverse("donations:export", args=[row.pk]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    cells = {str(c) for name in book.sheet_names for r in book.get_sheet_by_name(name).to_python() for c in r}
    assert {"个人", "单位", "匿名"} <= cells and not {"人员", "组织"} & cells
    services.close_drive(users.secretary_a, row)
    assert "已结束" in client.get(reverse("donations:list")).content.decode()
