"""A request a young person brings to a deputy (issue 16, 团代表工作室): recorded with its due date from the rule,
assigned to an organisation under the congress's, followed up, answered and closed, each step through the one
transition helper with its audit row (the phone masked); a step out of order names the state; overdue requests
are flagged; bad input is refused with the field and the rule named, nothing written; the outsider does nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog, RuleValue
from tongxin.core.rules import clear_cache
from tongxin.core.testing import refused_unchanged
from tongxin.deputies import queries, services
from tongxin.deputies.models import ConstituentRequest, Deputy, RequestStatus, overdue_q
from tongxin.deputies.tests.deputy_helpers import deputy, reception, request

pytestmark = pytest.mark.usefixtures("english")


def test_a_request_goes_from_received_to_closed(tree, users):
    dep = deputy(tree, actor=users.committee_admin)
    day = reception(users.secretary_a, dep, days_ago=2)
    row = request(users.secretary_a, dep, reception_day=day)
    assert row.status == RequestStatus.RECEIVED
    assert row.received_on == timezone.localdate() - datetime.timedelta(days=2)
    assert row.due_on == row.received_on + datetime.timedelta(days=15)
    assert row.deputy_path == tree.branch_a.path and row.congress_path == tree.committee1.path

    row = services.assign_request(users.secretary_a, row, organization=tree.branch_b)
    assert (row.status, row.assigned_to, row.assigned_path) == (
        RequestStatus.ASSIGNED,
        tree.branch_b,
        tree.branch_b.path,
    )
    # the assigned organisation now sees it and handles it
    assert ConstituentRequest.objects.visible_to(users.secretary_b).filter(pk=row.pk).exists()
    row = services.follow_up_request(users.secretary_b, row, note="已电话联系")
    assert row.status == RequestStatus.FOLLOWED_UP and "已电话联系" in row.follow_up
    row = services.answer_request(users.secretary_b, row, answer="已推荐见习岗位三个")
    assert row.status == RequestStatus.ANSWERED and row.answered_at is not None
    with pytest.raises(PermissionDenied):  # closing is the deputy's side
        services.close_request(users.secretary_b, row)
    row = services.close_request(users.secretary_a, row)
    assert row.status == RequestStatus.CLOSED

    logs = ChangeLog.objects.filter(object_id=str(row.pk), content_type__model="constituentrequest")
    assert logs.filter(action=ChangeLog.Action.CREATE).exists()
    created = logs.get(action=ChangeLog.Action.CREATE, org_path=tree.branch_a.path)
    assert created.after is not None and created.after["phone"] == "138****5678"  # masked in the audit row
    assert logs.filter(action=ChangeLog.Action.UPDATE).count() >= 4


def test_a_step_out_of_order_names_the_state(tree, users):
    row = request(users.committee_admin, deputy(tree))
    with pytest.raises(DomainError, match="already “Received”"):
        services.answer_request(users.committee_admin, row, answer="答复")
    row.refresh_from_db()
    assert row.status == RequestStatus.RECEIVED and row.answer == ""


def test_the_due_date_follows_the_rule(tree, users):
    RuleValue.objects.create(key="deputy_request_due_days", value=7)
    clear_cache()
    row = request(users.committee_admin, deputy(tree), received_on=timezone.localdate())
    assert row.due_on == timezone.localdate() + datetime.timedelta(days=7)


def test_overdue_requests_are_flagged_and_counted(tree, users):
    dep = deputy(tree)
    today = timezone.localdate()
    late = request(users.committee_admin, dep, received_on=today - datetime.timedelta(days=20))
    fresh = request(users.committee_admin, dep, received_on=today - datetime.timedelta(days=2))
    answered = request(users.committee_admin, dep, received_on=today - datetime.timedelta(days=30))
    answered = services.assign_request(users.committee_admin, answered, organization=tree.branch_a)
    services.answer_request(users.committee_admin, answered, answer="已答复")
    assert late.is_overdue() and not fresh.is_overdue()
    assert list(ConstituentRequest.objects.filter(overdue_q())) == [late]
    items = {str(i.label): i.count for i in services.pending_requests(users.committee_admin)}
    assert items == {"Deputies' requests overdue": 1, "Deputies' requests to assign": 2}
    assert services.pending_requests(users.member) == []
    assert queries.with_counts(Deputy.objects.filter(pk=dep.pk)).get().overdue_count == 1  # type: ignore[attr-defined]


def test_the_yearly_summary_counts_by_month(tree, users):
    dep = deputy(tree)
    today = timezone.localdate()
    first = today.replace(month=1, day=5) if today.month > 1 else today.replace(day=1)
    row = request(users.committee_admin, dep, received_on=first)
    services.answer_request(users.committee_admin, services.assign_request(users.committee_admin, row,
                            organization=tree.branch_a), answer="已答复")  # fmt: skip
    request(users.committee_admin, dep, received_on=today)
    summary = queries.yearly_summary(dep, today.year)
    assert summary.received == 2 and summary.answered == 1
    assert summary.months[first.month - 1].received >= 1
    assert sum(m.received for m in summary.months) == 2


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": ""}, "name", "Give the young person's name."),
        ({"name": "12345"}, "name", ""),
        ({"phone": "12345"}, "phone", "The phone number is malformed"),
        ({"subject": ""}, "subject", "Say in a few words what the request is about."),
        ({"content": "   "}, "content", "Write down what the young person asks."),
        ({"content": "长" * 2001}, "content", ""),
        ({"received_on": "tomorrow"}, "received_on", "not on a later day"),
    ],
)
def test_a_bad_request_is_refused_and_nothing_is_written(tree, users, values, field, message):
    dep = deputy(tree)
    if values.get("received_on") == "tomorrow":
        values = {"received_on": timezone.localdate() + datetime.timedelta(days=1)}
    error = refused_unchanged(lambda: (ConstituentRequest.objects.count(), ChangeLog.objects.count()),
                              lambda: request(users.committee_admin, dep, **values), message)  # fmt: skip
    assert field in error.errors


def test_assigning_outside_the_congress_is_refused(tree, users):
    row = request(users.committee_admin, deputy(tree))
    refused_unchanged(lambda: ChangeLog.objects.count(),
                      lambda: services.assign_request(users.district, row, organization=tree.branch_c),
                      "under the congress's own")  # fmt: skip
    row.refresh_from_db()
    assert row.status == RequestStatus.RECEIVED and row.assigned_to is None


def test_a_studio_must_be_a_deputies_studio(tree, users):
    from tongxin.deputies.tests.deputy_helpers import congress
    from tongxin.venues.services import create_venue

    home = create_venue(None, host=tree.committee1, name="青年之家", kind="youth_home", address="甲路1号",
                        opens_at=datetime.time(9), closes_at=datetime.time(21), open_days="1234567",
                        capacity=30)  # fmt: skip
    held = congress(tree.committee1)
    error = refused_unchanged(lambda: Deputy.objects.count(),
                              lambda: services.elect_deputy(users.committee_admin, congress=held,
                                                            person=tree.people.a1, studio=home),
                              "is not a league deputies' studio")  # fmt: skip
    assert "studio" in error.errors
    services.elect_deputy(users.committee_admin, congress=held, person=tree.people.a1)
    with pytest.raises(DomainError, match="already a deputy"):
        services.elect_deputy(users.committee_admin, congress=held, person=tree.people.a1)


def test_a_congress_term_ends_after_it_starts(tree, users):
    from tongxin.deputies.models import Congress

    day = timezone.localdate()
    error = refused_unchanged(lambda: Congress.objects.count(),
                              lambda: services.create_congress(users.committee_admin, organization=tree.committee1,
                                                               name="代表大会", term_start=day, term_end=day),
                              "A term ends after it starts.")  # fmt: skip
    assert "term_end" in error.errors


def test_the_outsider_records_and_sees_nothing(tree, users):
    dep = deputy(tree)
    row = request(users.committee_admin, dep)
    with pytest.raises(PermissionDenied):
        request(users.outsider, dep)
    with pytest.raises(PermissionDenied):
        services.assign_request(users.outsider, row, organization=tree.branch_a)
    with pytest.raises(PermissionDenied):
        request(users.secretary_b, dep)
    assert not ConstituentRequest.objects.visible_to(users.outsider).exists()
    assert not ConstituentRequest.objects.visible_to(users.secretary_b).exists()
    assert not Deputy.objects.visible_to(users.secretary_b).exists()
    assert ConstituentRequest.objects.count() == 1
