"""Flow: a secretary imports her branch's roster from a spreadsheet: upload, preview with the bad row named,
download the marked file, import the valid rows, find the new members in the roster."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login, shoot, url, zh
from tongxin.core.testing import person_data

pytestmark = pytest.mark.e2e


def test_secretary_imports_the_valid_rows_of_a_roster(page, tree, users, tmp_path):
    lines = ["2026 年团员名册", "姓名,身份证号,民族,政治面貌,入团年月"]
    for name in ("导入甲", "导入乙"):
        lines.append(f"{name},{person_data(tree.branch_a, name=name)['id_number']},汉族,共青团员,")
    lines.append("错号码,110101200001011234,汉族,共青团员,")
    roster = tmp_path / "名册.csv"
    roster.write_text("\n".join(lines), encoding="utf-8")

    login(page, "secretary_a")
    page.goto(url("people:roster"))
    page.get_by_role("button", name=zh("More Excel actions")).click()
    page.get_by_test_id("import-link").click()
    expect(page.get_by_label(zh("Organisation"))).to_have_value(str(tree.branch_a.pk))
    page.get_by_label(zh("Spreadsheet")).set_input_files(str(roster))
    page.get_by_role("button", name=zh("Upload and check")).click()

    counts = page.get_by_test_id("counts")
    expect(counts).to_contain_text(zh("with problems"))
    expect(page.get_by_test_id("issues")).to_contain_text("110***********1234")  # masked, as in the roster
    expect(page.get_by_test_id("issues")).not_to_contain_text("110101200001011234")
    expect(page.get_by_test_id("issues")).to_contain_text("4")  # the row number the user sees in the file
    shoot(page, "import-preview")

    with page.expect_download() as download:
        page.get_by_test_id("error-report").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_test_id("commit-valid").click()
    expect(page.get_by_test_id("done")).to_be_visible()
    shoot(page, "import-done")

    page.goto(url("people:roster"))
    expect(page.locator("#roster-table")).to_contain_text("导入甲")
    expect(page.locator("#roster-table")).to_contain_text("导入乙")
    expect(page.locator("#roster-table")).not_to_contain_text("错号码")
