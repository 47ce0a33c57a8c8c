"""Dues, transfers and recruitments on the dashboards (lifecycle.tallies): dues collected count in fen in the month
paid at the branch and above, and leave with a payment taken back; an open transfer is counted at the side that
must act (the sending branch, then the receiving organisation) until it ends; an open recruitment at its branch
until the oath or a withdrawal. The figures equal a rebuild's; another committee's dashboard is 404."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from tongxin.lifecycle.models import DuesKind, RecruitmentStage, TransferReason, TransferSide
from tongxin.lifecycle.services import recruitment, transfers
from tongxin.lifecycle.services.dues import mark_paid, set_dues_profile, undo_payment
from tongxin.lifecycle.tests.recruitment_helpers import application, to_stage
from tongxin.orgs import tallies


def trend(client, org, facet: str) -> dict[str, int]:
    data = client.get(reverse("dashboard-detail", args=[org.pk])).json()
    (row,) = [t for t in data["trends"] if t["facet"] == facet]
    return {month: value for month, value in zip(row["months"], row["values"], strict=True) if value}


def open_count(org, facet: str) -> int:
    return tallies.figures(org.pk)[facet][""]  # a Counter: 0 when none


def test_dues_count_in_fen_in_the_month_paid_until_taken_back(client, tree, users):
    paid_on = timezone.localdate() - datetime.timedelta(days=35)
    month = paid_on.replace(day=1) - datetime.timedelta(days=40)  # an earlier month paid late: the day paid counts
    set_dues_profile(None, tree.people.a2, "wage", Decimal("5200"))
    payments = mark_paid(users.secretary_a, branch=tree.branch_a, kind=DuesKind.LEAGUE, month=month,
                         person_ids=[tree.people.a1.pk, tree.people.a2.pk], paid_on=paid_on)  # fmt: skip
    client.force_login(users.committee_admin)
    # kept in fen, shown in yuan: ¥0.20 + ¥10.00
    assert trend(client, tree.committee1, "dues_cents") == {f"{paid_on:%Y-%m}": 10.2}
    assert trend(client, tree.branch_b, "dues_cents") == {}
    undo_payment(users.secretary_a, next(p for p in payments if p.person_id == tree.people.a2.pk))
    assert trend(client, tree.committee1, "dues_cents") == {f"{paid_on:%Y-%m}": 0.2}
    client.force_login(users.outsider)
    assert client.get(reverse("dashboard-detail", args=[tree.branch_a.pk])).status_code == 404
    assert tallies.kept() == tallies.expected()


def test_an_open_transfer_is_counted_at_the_side_that_must_act(tree, users):
    transfer = transfers.start_transfer(users.member, person=tree.people.a2, reason=TransferReason.OTHER,
                                        side=TransferSide.MEMBER, to_org=tree.branch_c)  # fmt: skip
    assert (open_count(tree.branch_a, "transfers_open"), open_count(tree.branch_c, "transfers_open")) == (1, 0)
    assert open_count(tree.root, "transfers_open") == 1
    transfers.approve_out(users.secretary_a, transfer)
    assert (open_count(tree.branch_a, "transfers_open"), open_count(tree.branch_c, "transfers_open")) == (0, 1)
    assert (open_count(tree.committee1, "transfers_open"), open_count(tree.committee2, "transfers_open")) == (0, 1)
    transfers.accept_in(users.district, transfer)
    assert open_count(tree.root, "transfers_open") == 0
    assert tallies.kept() == tallies.expected()


def test_an_open_recruitment_counts_at_its_branch_until_sworn_or_withdrawn(tree, users):
    sworn = to_stage(tree, users, RecruitmentStage.SWORN)
    assert sworn.stage == RecruitmentStage.SWORN
    assert open_count(tree.branch_a, "recruitments_open") == 0
    case = application(tree, users.secretary_a, name="李新")
    assert (open_count(tree.branch_a, "recruitments_open"), open_count(tree.root, "recruitments_open")) == (1, 1)
    recruitment.withdraw(users.secretary_a, case, reason="本人撤回申请")
    assert open_count(tree.root, "recruitments_open") == 0
    assert tallies.kept() == tallies.expected()
