"""Flow: secretary A transfers a member to branch B; secretary B finds it waiting and accepts it; the member
then shows in B's roster and no longer in A's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login, shoot, url, zh

pytestmark = pytest.mark.e2e


def test_two_secretaries_carry_out_a_transfer(context_for, tree, users):
    a1 = tree.people.a1
    sender = context_for("zh-CN").new_page()
    login(sender, "secretary_a")
    sender.goto(url("people:detail", a1.pk))
    sender.get_by_test_id("transfer-link").click()
    sender.get_by_label(zh("Receiving organisation")).fill(tree.branch_b.code)
    sender.get_by_label(zh("Reason")).select_option("further_study")
    sender.get_by_role("button", name=zh("Start the transfer")).click()
    expect(sender.get_by_test_id("transfer-status")).to_have_text(zh("Waiting for the receiving side's acceptance"))
    shoot(sender, "transfer-started")

    receiver = context_for("zh-CN").new_page()
    login(receiver, "secretary_b")
    receiver.goto(url("lifecycle:transfers"))
    waiting = receiver.get_by_test_id("transfers")
    expect(waiting).to_contain_text(a1.name)
    shoot(receiver, "transfers-waiting")
    waiting.get_by_role("link", name=a1.name).click()
    receiver.get_by_test_id("accept").click()
    expect(receiver.get_by_test_id("transfer-status")).to_have_text(zh("Completed"))

    receiver.goto(url("people:roster"))
    expect(receiver.locator("#roster-table")).to_contain_text(a1.name)
    sender.goto(url("people:roster"))
    expect(sender.locator("#roster-table")).not_to_contain_text(a1.name)
