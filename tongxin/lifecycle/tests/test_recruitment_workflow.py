"""A recruitment from the written application to the oath (团员发展): each step by the side whose work it is,
the new member on the branch's roster from the date of the branch general meeting, with a member number
of that year; who acted, the audit trail, the notifications and the inbox along the way."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.accounts.models import User
from tongxin.core.models import ChangeLog, Notification
from tongxin.core.testing import today
from tongxin.lifecycle.models import Recruitment, RecruitmentStage
from tongxin.lifecycle.services import recruitment as services
from tongxin.lifecycle.tests import recruitment_helpers as h
from tongxin.people.models import Membership, Person

pytestmark = pytest.mark.usefixtures("english")


def test_a_recruitment_runs_from_application_to_oath(tree, users, rollups):
    members_before = rollups()[tree.branch_a.pk][0]

    r = h.to_stage(tree, users, RecruitmentStage.SWORN)

    r.refresh_from_db()
    assert (r.applied_on, r.activist_on, r.candidate_on, r.prechecked_on, r.meeting_on, r.approved_on, r.oath_on) == (
        h.APPLIED,
        h.ACTIVIST,
        h.CANDIDATE,
        h.PRECHECKED,
        h.MEETING,
        h.APPROVED,
        h.OATH,
    )
    assert (r.members_expected, r.members_present, r.votes_for, r.votes_against) == (2, 2, 2, 0)
    assert {r.sponsor_1_id, r.sponsor_2_id} == {tree.people.a1.pk, tree.people.a2.pk}
    assert r.actors == {
        "apply": users.secretary_a.pk,
        "name_activist": users.secretary_a.pk,
        "record_training": users.secretary_a.pk,
        "choose_candidate": users.secretary_a.pk,
        "precheck": users.committee_admin.pk,
        "record_vote": users.secretary_a.pk,
        "approve": users.committee_admin.pk,
        "record_oath": users.secretary_a.pk,
    }

    assert r.person_id is not None
    person = Person.objects.get(pk=r.person_id)
    assert (person.name, person.id_number, person.branch, person.political_status) == (
        "王新",
        r.id_number,
        tree.branch_a,
        "03",
    )
    assert person.league_join_date == h.MEETING and person.league_number == r.league_number
    assert person.league_number.startswith(str(h.MEETING.year)) and len(person.league_number) == 12
    stay = Membership.objects.get(person=person)
    assert stay.start == h.MEETING and stay.start_reason == Membership.Reason.JOINED and stay.end is None
    assert rollups()[tree.branch_a.pk][0] == members_before + 1

    recruitment_type = ContentType.objects.get_for_model(Recruitment)
    trail = ChangeLog.objects.filter(content_type=recruitment_type, object_id=str(r.pk))
    assert trail.count() == 8  # the application, the training and six steps
    assert set(trail.values_list("org_path", flat=True)) == {tree.branch_a.path}
    assert ChangeLog.objects.filter(object_id=str(person.pk), action=ChangeLog.Action.CREATE).exists()


def test_each_step_tells_whoever_acts_next(tree, users):
    r = h.application(tree, users.district)
    assert Notification.objects.filter(recipient=users.secretary_a).count() == 1  # the branch names the activist
    r = services.name_activist(users.secretary_a, r, on=h.ACTIVIST)
    r = services.record_training(users.secretary_a, r, hours=8)
    Notification.objects.all().delete()

    r = services.choose_candidate(users.secretary_a, r, on=h.CANDIDATE)
    told = Notification.objects.get()
    assert told.recipient == users.committee_admin and "pre-check" in told.text
    assert told.url == f"/lifecycle/recruitment/{r.pk}/"

    Notification.objects.all().delete()
    services.precheck(users.committee_admin, r, on=h.PRECHECKED)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [users.secretary_a.pk]


def test_the_notification_is_in_the_deployment_language(tree, users, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    h.application(tree, users.committee_admin)
    text = Notification.objects.get(recipient=users.secretary_a).text
    assert "王新" in text


def test_the_member_number_takes_the_meeting_year_and_the_next_sequence(tree, users):
    year = h.MEETING.year
    Person.objects.filter(pk=tree.people.b1.pk).update(league_number=f"{year}00000041")
    Person.objects.filter(pk=tree.people.c1.pk).update(league_number=f"{year}0000009")  # another shape: ignored

    r = h.to_stage(tree, users, RecruitmentStage.APPROVED)

    assert r.league_number == f"{year}00000042"
    assert services.next_league_number(year) == f"{year}00000043"
    assert services.next_league_number(1999) == "199900000001"


def test_a_number_taken_meanwhile_is_skipped(tree, users, monkeypatch):
    """A concurrent approval that took the number first (simulated): the next one is issued."""
    r = h.to_stage(tree, users, RecruitmentStage.VOTED)
    taken = f"{h.MEETING.year}00000001"
    Person.objects.filter(pk=tree.people.b1.pk).update(league_number=taken)
    real = services.next_league_number
    answers = iter([taken])
    monkeypatch.setattr(services, "next_league_number", lambda year: next(answers, None) or real(year))

    r = services.approve(users.committee_admin, r, on=h.APPROVED)

    assert r.league_number == f"{h.MEETING.year}00000002"


def test_withdrawal_keeps_the_reason_and_frees_the_applicant(tree, users):
    r = h.to_stage(tree, users, RecruitmentStage.CANDIDATE)

    r = services.withdraw(users.secretary_a, r, reason="本人申请撤回")

    assert r.stage == RecruitmentStage.WITHDRAWN and r.withdrawn_reason == "本人申请撤回"
    assert r.actors["withdraw"] == users.secretary_a.pk
    again = services.apply(
        users.secretary_a, branch=tree.branch_a, name=r.name, id_number=r.id_number, applied_on=today()
    )
    assert again.stage == RecruitmentStage.APPLIED


def test_the_inbox_counts_the_steps_waiting_for_each_side(tree, users):
    fresh = h.application(tree, users.secretary_a)  # waits for branch A
    candidate = h.to_stage(tree, users, RecruitmentStage.CANDIDATE)  # waits for committee 1
    early = services.name_activist(users.secretary_a, h.application(tree, users.secretary_a, name="李早"), on=today())

    def waiting(user):
        return set(services.waiting_for(User.objects.get(pk=user.pk)).values_list("pk", flat=True))

    assert waiting(users.secretary_a) == {fresh.pk}  # the activist named today is still in training
    assert waiting(users.committee_admin) == {candidate.pk}
    assert waiting(users.district) == {candidate.pk}
    assert waiting(users.secretary_b) == waiting(users.outsider) == waiting(users.nobody) == set()
    assert early.pk not in waiting(users.secretary_a)

    admin = User.objects.get(pk=users.committee_admin.pk)
    admin.get_scope("change")
    with CaptureQueriesContext(connection) as ctx:
        items = services.pending_recruitment_steps(admin)
    assert len(ctx.captured_queries) == 1
    assert [(str(i.label), i.count) for i in items] == [("Recruitment steps waiting", 1)]
    assert services.pending_recruitment_steps(User.objects.get(pk=users.nobody.pk)) == []


def test_months_are_added_as_on_the_calendar():
    assert services.add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert services.add_months(datetime.date(2024, 11, 30), 3) == datetime.date(2025, 2, 28)
    assert services.add_months(datetime.date(2025, 5, 15), -3) == datetime.date(2025, 2, 15)
