"""The 一表通 page as a secretary uses it (issue 13, "Pages"): each cell says what the legend says (✓ ○ ✗)
and leads somewhere: to the meeting held, to the planned one still to record, or to plan the missing one;
on a phone the table scrolls inside a region the keyboard can reach."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from tongxin.orglife.models import Meeting, MeetingKind, MeetingStatus

KIND = MeetingKind.LEAGUE_COMMITTEE  # monthly at a branch


def meeting(org, day, status):
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    return Meeting.objects.create(organization=org, org_path=org.path, kind=KIND, status=status, starts_at=starts,
                                  topic="支委会")  # fmt: skip


def month_cells(body: str) -> list[tuple[str, str]]:
    row = re.search(rf'<tr data-kind="{KIND}">(.*?)</tr>', body, re.DOTALL)
    assert row, "no row for the kind"
    return re.findall(r'<td colspan="1" [^>]*data-status="(\w+)"[^>]*>(.*?)</td>', row.group(1), re.DOTALL)


def test_cells_show_the_legend_symbols_and_link_to_the_meeting_or_to_plan_one(tree, users, client_for):
    year = timezone.localdate().year - 1  # a year that has ended: every month held or overdue
    held = meeting(tree.branch_a, datetime.date(year, 3, 5), MeetingStatus.HELD)
    to_record = meeting(tree.branch_a, datetime.date(year, 6, 5), MeetingStatus.PLANNED)
    body = client_for(users.secretary_a).get(f"{reverse('orglife:board')}?org={tree.branch_a.pk}&year={year}")
    body = body.content.decode()
    cells = month_cells(body)
    assert len(cells) == 12
    march, april, june = cells[2], cells[3], cells[5]
    assert march[0] == "done" and "✓" in march[1]
    assert f'href="{reverse("orglife:meeting_detail", args=[held.pk])}"' in march[1]
    assert april[0] == "overdue" and "✗" in april[1]
    assert f'href="{reverse("orglife:meeting_plan", args=[tree.branch_a.pk])}?kind={KIND}"' in april[1]
    assert f'href="{reverse("orglife:meeting_detail", args=[to_record.pk])}"' in june[1]
    # The symbols are those of the legend; the word stays for screen readers only.
    assert "✓ " in body and "○ " in body and "✗ " in body  # the legend
    visible = re.sub(r'<span class="visually-hidden">.*?</span>', "", april[1])
    assert "✗" in visible and "已逾期" not in visible
    # The scrolling region is reachable by keyboard and named.
    assert re.search(r'class="table-responsive tx-board-scroll" tabindex="0" role="region" aria-label="[^"]+"', body)


def test_one_who_may_not_plan_gets_no_plan_link_and_the_plan_form_takes_the_kind(tree, users, client_for):
    year = timezone.localdate().year - 1
    body = client_for(users.viewer).get(f"{reverse('orglife:board')}?org={tree.branch_a.pk}&year={year}")
    assert body.status_code == 200
    assert "/meetings/plan/" not in body.content.decode()
    plan = (
        client_for(users.secretary_a)
        .get(f"{reverse('orglife:meeting_plan', args=[tree.branch_a.pk])}?kind={KIND}")
        .content.decode()
    )
    assert re.search(rf'<option value="{KIND}" selected>', plan)


def test_committee_cells_lead_to_the_branch_board(tree, users, client_for):
    year = timezone.localdate().year - 1
    body = client_for(users.district).get(f"{reverse('orglife:board')}?org={tree.committee1.pk}&year={year}")
    body = body.content.decode()
    row = re.search(rf'<tr data-org="{tree.branch_a.pk}">(.*?)</tr>', body, re.DOTALL)
    assert row
    cells = re.findall(r'<td class="text-center text-nowrap tx-board-cell[^>]*>(.*?)</td>', row.group(1), re.DOTALL)
    assert cells and all(f"?org={tree.branch_a.pk}&amp;year={year}" in c for c in cells)
