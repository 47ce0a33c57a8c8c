"""The daily digest: meetings due, political birthdays, the party dues day and overdue checklist items of the
user's subtrees, one email each; nothing for a user with nothing to read or no email; bounded queries."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.core.testing import person_data, years_ago
from tongxin.orglife.management.commands.send_digests import build_digests
from tongxin.orglife.models import ChecklistKind, Meeting
from tongxin.orglife.services.checklists import add_item
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")

DAY = datetime.date(2026, 3, 10)  # not the dues day (the 5th)


def _meeting(org, days, topic, status="planned"):
    starts = timezone.make_aware(datetime.datetime.combine(DAY + datetime.timedelta(days=days), datetime.time(15)))
    return Meeting.objects.create(organization=org, org_path=org.path, kind="league_day", status=status,
                                  starts_at=starts, topic=topic)  # fmt: skip


@pytest.fixture
def news(tree, users):
    for user in (users.secretary_a, users.secretary_b, users.outsider, users.committee_admin):
        user.email = f"{user.username}@example.org"
        user.save()
    _meeting(tree.branch_a, 3, "三月主题团日")
    _meeting(tree.branch_a, -2, "二月支委会")  # overdue: planned, not recorded
    _meeting(tree.branch_a, 20, "远期团课")  # beyond the 7 days
    _meeting(tree.branch_a, -5, "已开的会", status="held")
    create_person(None, person_data(tree.branch_a, name="党员生日", political_status="01",
                                    party_join_date=datetime.date(2020, 3, 18), birth=years_ago(30)))  # fmt: skip
    create_person(None, person_data(tree.branch_a, name="四月党员", political_status="01",
                                    party_join_date=datetime.date(2020, 4, 18), birth=years_ago(30)))  # fmt: skip
    add_item(None, organization=tree.branch_a, kind=ChecklistKind.PROBLEM, content="整改逾期事项",
             deadline=datetime.date(2026, 3, 1))  # fmt: skip


def test_the_digest_lists_what_is_due_in_the_subtree(tree, users, news, mailoutbox):
    call_command("send_digests", "--date", DAY.isoformat(), stdout=StringIO())
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {"secretary_a@example.org", "committee_admin@example.org"}
    body = by_recipient["secretary_a@example.org"].body
    assert "三月主题团日" in body and "二月支委会" in body and "overdue, not recorded" in body
    assert "远期团课" not in body and "已开的会" not in body
    assert "党员生日" in body and "6 years in the Party" in body and "四月党员" not in body
    assert "整改逾期事项" in body and "deadline 2026-03-01" in body
    assert "Party dues are collected on day 5 of each month." in body


def test_a_user_with_nothing_or_no_email_gets_nothing(tree, users, news, mailoutbox):
    users.committee_admin.email = ""
    users.committee_admin.save()
    call_command("send_digests", "--date", DAY.isoformat(), stdout=StringIO())
    recipients = {m.to[0] for m in mailoutbox}
    assert "outsider@example.org" not in recipients  # committee 2: nothing due
    assert "secretary_b@example.org" not in recipients  # branch B: nothing due
    assert recipients == {"secretary_a@example.org"}


def test_the_dues_day_alone_is_worth_a_digest_on_the_day(tree, users, news, mailoutbox):
    call_command("send_digests", "--date", "2026-05-05", stdout=StringIO())
    bodies = {m.to[0]: m.body for m in mailoutbox}
    assert "Today is the party dues day." in bodies["outsider@example.org"]


def test_dry_run_prints_and_sends_nothing(tree, users, news, mailoutbox):
    out = StringIO()
    call_command("send_digests", "--date", DAY.isoformat(), "--dry-run", stdout=out)
    assert mailoutbox == [] and "To: secretary_a@example.org" in out.getvalue()


def test_the_digest_is_in_chinese_by_default(tree, users, news, mailoutbox, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    call_command("send_digests", "--date", DAY.isoformat(), stdout=StringIO())
    assert mailoutbox and "三月主题团日" in mailoutbox[0].body


@pytest.mark.parametrize("extra_users", [0, 20])
def test_bounded_queries_whatever_the_number_of_users(tree, users, news, extra_users):
    for i in range(extra_users):
        user = User.objects.create(username=f"sec{i}", email=f"sec{i}@example.org")
        RoleAssignment.objects.create(user=user, organization=tree.branch_a if i % 2 else tree.branch_c,
                                      role=Role.SECRETARY)  # fmt: skip
    build_digests(DAY)  # the rules read once (cached)
    with CaptureQueriesContext(connection) as queries:
        digests = build_digests(DAY)
    assert len(queries) == 4
    assert len([d for d in digests if d.has_news]) == 2 + extra_users // 2
