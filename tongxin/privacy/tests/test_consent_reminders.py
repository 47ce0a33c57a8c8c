"""The push side of the flag: the scheduled job puts one inbox reminder about the branches with minors lacking
consent in the hands of each branch's secretary (else the committee above, one reminder for all its branches),
keeps it current, and stops once consent is on record."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from tongxin.core.models import Notification
from tongxin.privacy.services import _reminder_text, remind_missing_consent, reminder_url, withdraw_consent
from tongxin.privacy.tests.helpers import consent, minor

pytestmark = pytest.mark.django_db


def reminders(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, url__startswith="/privacy/minors/").order_by("id"))


def test_a_child_without_guardian_consent_reminds_the_branch_secretary_only(tree, users, client_for, settings):
    child = minor(tree.branch_a, 12, name="甲小童")
    with translation.override("en"):
        run = remind_missing_consent()
    assert (run.created, run.updated, run.cleared, run.branches) == (1, 0, 0, 1)
    [note] = reminders(users.secretary_a)
    assert note.url == f"/privacy/minors/?org={tree.branch_a.pk}" == reminder_url(tree.branch_a.pk)
    assert note.read_at is None and note.org_path == tree.branch_a.path
    # The text is stored in the deployment's language; it names the branch and the count, not the child.
    assert note.text == _reminder_text(1, tree.branch_a.name) and child.name not in note.text
    # Run under English, stored in the deployment's language (zh-hans by default).
    assert note.text == f"{tree.branch_a.name}有 1 名未成年人缺少个人信息处理同意记录，请及时补录。"
    settings.LANGUAGE_CODE = "en"
    assert _reminder_text(1, "X") == (
        "1 minor in X has no consent to the processing of their personal data on record: please record it."
    )
    for other in (users.secretary_b, users.committee_admin, users.district, users.outsider, users.viewer):
        assert reminders(other) == []
    # The link opens the minors page narrowed to the branch, with the child on it.
    client = client_for(users.secretary_a)
    page = client.get(note.url).content.decode()
    assert child.name in page and 'data-testid="minors-total"' in page
    # And the secretary sees it in the inbox, unread.
    inbox = client.get("/inbox/").content.decode()
    assert tree.branch_a.name in inbox


def test_a_branch_without_a_secretary_reminds_the_committee_above(tree, users):
    minor(tree.branch_c, 13, name="丙小童")
    remind_missing_consent()
    assert len(reminders(users.outsider)) == 1  # the admin of committee 2, nearest above branch C
    assert reminders(users.secretary_a) == reminders(users.secretary_b) == reminders(users.district) == []


def test_someone_answering_for_several_branches_gets_one_reminder_with_the_total(tree, users, settings):
    # Branches C and D have no secretary: committee 2's admin answers for both.
    minor(tree.branch_c, 13, name="丙小童")
    minor(tree.branch_c, 15, name="丙少年")
    child_d = minor(tree.branch_d, 12, name="丁小童")
    remind_missing_consent()
    [note] = reminders(users.outsider)
    assert note.text == _reminder_text(3, "", 2) and "丙小童" not in note.text
    assert note.url == reminder_url()  # the minors page with every branch of theirs
    assert note.org_path == tree.committee2.path
    assert note.text == "你负责的 2 个支部中有 3 名未成年人缺少个人信息处理同意记录，请及时补录。"
    # Branch D's gap closes: the same reminder now names branch C and links to it.
    consent(users.outsider, child_d)
    run = remind_missing_consent()
    assert (run.created, run.updated, run.cleared) == (0, 1, 0)
    [note] = reminders(users.outsider)
    assert (note.text, note.url) == (_reminder_text(2, tree.branch_c.name), reminder_url(tree.branch_c.pk))
    settings.LANGUAGE_CODE = "en"
    assert _reminder_text(3, "", 2) == (
        "3 minors in 2 branches you answer for have no consent to the processing of their personal data on "
        "record: please record it."
    )


def test_running_twice_keeps_one_reminder_with_the_current_count(tree, users):
    minor(tree.branch_a, 12, name="甲小童")
    remind_missing_consent()
    first = remind_missing_consent()
    assert (first.created, first.updated) == (0, 0)
    assert len(reminders(users.secretary_a)) == 1
    minor(tree.branch_a, 16, name="甲少年")
    minor(tree.branch_a, 13, name="甲小妹")
    with translation.override("en"):
        again = remind_missing_consent()
    assert (again.created, again.updated) == (0, 1)
    [note] = reminders(users.secretary_a)
    assert note.read_at is None
    with translation.override("en"):
        call_command("remind_missing_consent")  # the cron entry point: nothing new either
    assert len(reminders(users.secretary_a)) == 1
    assert Notification.objects.get(pk=note.pk).text == _reminder_text(3, tree.branch_a.name)


def test_a_reminder_read_today_is_not_repeated_until_the_next_day(tree, users, client_for):
    minor(tree.branch_a, 12)
    remind_missing_consent()
    [note] = reminders(users.secretary_a)
    client_for(users.secretary_a).post(f"/inbox/{note.pk}/open/")
    note.refresh_from_db()
    assert note.read_at is not None
    assert remind_missing_consent().created == 0
    assert len(reminders(users.secretary_a)) == 1
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Notification.objects.filter(pk=note.pk).update(created_at=yesterday, read_at=yesterday)
    assert remind_missing_consent().created == 1  # the gap is still there the next day: a fresh reminder
    assert [n.read_at is None for n in reminders(users.secretary_a)] == [False, True]


def test_recording_consent_clears_the_unread_reminder_and_stops_reminding(tree, users, capsys):
    child = minor(tree.branch_a, 12, name="甲小童")
    teen = minor(tree.branch_a, 16, name="甲少年")
    remind_missing_consent()
    consent(users.secretary_a, child)  # a guardian's
    with translation.override("en"):
        run = remind_missing_consent()
    assert (run.created, run.updated, run.cleared) == (0, 1, 0)  # one left: the count goes down
    [note] = reminders(users.secretary_a)
    assert note.text == _reminder_text(1, tree.branch_a.name)
    consent(users.secretary_a, teen, given_by="self")
    with translation.override("en"):
        call_command("remind_missing_consent")
    out = capsys.readouterr().out
    assert "Branches with minors lacking consent: 0. Reminders created: 0, updated: 0, cleared: 1." in out
    assert reminders(users.secretary_a) == []  # an unread reminder that no longer holds is removed
    assert remind_missing_consent().created == 0  # and the next run does not remind again
    # A withdrawal opens the gap again: the next run reminds.
    record = teen.consents.get()
    withdraw_consent(users.secretary_a, record)
    assert remind_missing_consent().created == 1


def test_a_read_reminder_stays_in_the_inbox_when_the_gap_closes(tree, users):
    child = minor(tree.branch_a, 12)
    remind_missing_consent()
    Notification.objects.filter(recipient=users.secretary_a).update(read_at=timezone.now())
    consent(users.secretary_a, child)
    assert remind_missing_consent().cleared == 0
    assert len(reminders(users.secretary_a)) == 1


def test_people_of_18_and_over_never_count(tree, users):
    minor(tree.branch_b, 18, name="乙成年", days=0)  # 18 today
    minor(tree.branch_b, 25, name="乙青年")
    run = remind_missing_consent()
    assert (run.created, run.branches) == (0, 0)
    assert reminders(users.secretary_b) == []
    minor(tree.branch_b, 17, name="乙少年", days=300)
    assert remind_missing_consent().created == 1
    [note] = reminders(users.secretary_b)
    assert note.text == _reminder_text(1, tree.branch_b.name)


def test_a_new_secretary_gets_the_reminder_and_the_former_ones_unread_copy_goes(tree, users):
    from tongxin.accounts.models import RoleAssignment

    minor(tree.branch_b, 13)
    remind_missing_consent()
    assert len(reminders(users.secretary_b)) == 1
    RoleAssignment.objects.filter(user=users.secretary_b).update(organization=tree.branch_a)
    run = remind_missing_consent()
    assert (run.created, run.cleared) == (1, 1)
    assert reminders(users.secretary_b) == []  # no longer answers for branch B
    assert len(reminders(users.committee_admin)) == 1  # nearest above branch B now


def test_the_job_costs_queries_per_branch_not_per_minor(tree, users, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    minor(tree.branch_a, 12)
    minor(tree.branch_c, 13)
    with CaptureQueriesContext(connection) as few:
        remind_missing_consent()
    for n in range(6):
        minor(tree.branch_a, 12, name=f"甲童{n}")
        minor(tree.branch_c, 15, name=f"丙童{n}")
    with django_assert_max_num_queries(len(few)):
        run = remind_missing_consent()
    assert run.updated == 2
