"""The transition helper (``core.workflow.Workflow``): it checks the table, moves to the table's target,
writes the audit row, names the state someone else left the row in, and refuses whatever the table does
not have, so the table and the code cannot drift.

The helper is exercised on the checklist item's model with a table of its own (a review-like machine:
open → awaiting → closed, or back to in progress), independent of the checklist services' table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import one_winner, race
from tongxin.core.workflow import TransitionError, Workflow
from tongxin.orglife.models import ChecklistItem, ChecklistKind, ChecklistStatus

pytestmark = pytest.mark.usefixtures("english")

OPEN, IN_PROGRESS = ChecklistStatus.OPEN, ChecklistStatus.IN_PROGRESS
AWAITING, CLOSED = ChecklistStatus.AWAITING_VERIFICATION, ChecklistStatus.CLOSED

TABLE = {
    "submit": ((OPEN, IN_PROGRESS), AWAITING),
    "confirm": (AWAITING, CLOSED),  # one state, not a tuple: both shapes are read
    "decide": ((AWAITING,), (CLOSED, IN_PROGRESS)),  # a decision: the service picks the outcome
    "note": (IN_PROGRESS, IN_PROGRESS),  # a step that keeps the state
}
REFUSAL = gettext_lazy("This item is already “%(status)s”; someone acted on it before you. Reload the page.")


def _workflow(**options) -> Workflow[ChecklistItem]:
    return Workflow(ChecklistItem, TABLE, refusal=options.pop("refusal", REFUSAL), **options)


@pytest.fixture
def item(tree):
    return ChecklistItem.objects.create(
        organization=tree.branch_a, org_path=tree.branch_a.path, kind=ChecklistKind.PROBLEM, content="会议记录不全"
    )


def _rows(item: ChecklistItem) -> list[ChangeLog]:
    kind = ContentType.objects.get_for_model(ChecklistItem)
    return list(ChangeLog.objects.filter(content_type=kind, object_id=str(item.pk)).order_by("id"))


def test_the_target_comes_from_the_table(item, users):
    workflow = _workflow()
    locked = workflow.lock(users.secretary_a, item, "submit")
    workflow.move(users.secretary_a, locked, "submit")
    item.refresh_from_db()
    assert item.status == AWAITING
    workflow.move(users.secretary_a, workflow.lock(users.secretary_a, item, "confirm"), "confirm")
    item.refresh_from_db()
    assert item.status == CLOSED


def test_a_decision_moves_to_the_outcome_chosen_among_the_tables_targets(item, users):
    workflow = _workflow()
    workflow.move(None, workflow.lock(None, item, "submit"), "submit")
    locked = workflow.lock(None, item, "decide")
    workflow.move(None, locked, "decide", outcome=IN_PROGRESS)
    item.refresh_from_db()
    assert item.status == IN_PROGRESS


def test_the_move_writes_one_audit_row_with_before_and_after(item, users):
    workflow = _workflow()
    locked = workflow.lock(users.secretary_a, item, "submit")
    workflow.move(users.secretary_a, locked, "submit", changes={"content": "会议记录补齐"}, audit_extra={"why": "x"})
    (row,) = _rows(item)
    assert row.action == ChangeLog.Action.UPDATE
    assert row.actor == users.secretary_a
    assert row.org_path == item.org_path
    assert row.before == {"status": OPEN, "content": "会议记录不全", "why": None}
    assert row.after == {"status": AWAITING, "content": "会议记录补齐", "why": "x"}


def test_a_row_is_audited_once_per_audit_path(item, tree):
    workflow = _workflow(audit_paths=lambda row: [row.org_path, tree.committee2.path, row.org_path])
    workflow.move(None, workflow.lock(None, item, "submit"), "submit")
    assert [row.org_path for row in _rows(item)] == [item.org_path, tree.committee2.path]


def test_create_saves_the_row_and_writes_the_creation_row(tree, users):
    new = ChecklistItem(organization=tree.branch_a, org_path=tree.branch_a.path, kind="project", content="新项目")
    _workflow().create(users.secretary_a, new, conflict=lambda: DomainError("kind", "taken"), audit_extra={"n": 2})
    (row,) = _rows(new)
    assert row.action == ChangeLog.Action.CREATE and row.before is None
    assert row.after is not None and row.after["status"] == OPEN and row.after["n"] == 2


def test_create_refused_by_the_database_raises_the_workflows_conflict_and_writes_nothing(tree, users):
    before = ChangeLog.objects.count()
    clash = ChecklistItem(org_path=tree.branch_a.path, kind="project", content="无组织")  # NOT NULL refuses it
    with pytest.raises(DomainError) as refused:
        _workflow().create(users.secretary_a, clash, conflict=lambda: DomainError("kind", "taken"))
    assert refused.value.errors == {"kind": ["taken"]}
    assert ChangeLog.objects.count() == before and not ChecklistItem.objects.filter(content="无组织").exists()


def test_someone_who_acted_second_is_told_the_state_the_first_left_it_in(item, users):
    workflow = _workflow()
    first, second = ChecklistItem.objects.get(pk=item.pk), ChecklistItem.objects.get(pk=item.pk)
    workflow.move(users.secretary_a, workflow.lock(users.secretary_a, first, "submit"), "submit")
    with pytest.raises(DomainError) as refused:
        workflow.lock(users.committee_admin, second, "submit")  # ``second`` still says "open" in memory
    assert refused.value.errors == {
        "status": ["This item is already “Awaiting verification”; someone acted on it before you. Reload the page."]
    }
    assert len(_rows(item)) == 1


def test_the_refusal_may_be_a_function_and_name_its_field(item):
    workflow = _workflow(refusal=lambda row, transition: f"{transition}: {row.status}", error_field="stage")
    with pytest.raises(DomainError) as refused:
        workflow.lock(None, item, "confirm")
    assert refused.value.errors == {"stage": ["confirm: open"]}


def test_authorize_is_asked_before_the_state_is_told(item, users):
    def outsiders_out(actor, row, transition):
        if actor == users.outsider:
            raise PermissionDenied

    workflow = _workflow(authorize=outsiders_out)
    with pytest.raises(PermissionDenied):  # not "already open": an outsider learns nothing of the item
        workflow.lock(users.outsider, item, "confirm")
    with pytest.raises(DomainError):
        workflow.lock(users.secretary_a, item, "confirm")


def test_partial_save_writes_only_the_state_and_the_changes(item):
    workflow = _workflow(partial_save=True)
    locked = workflow.lock(None, item, "submit")
    locked.content = "set by hand, not saved"
    workflow.move(None, locked, "submit", changes={"deadline": None})
    item.refresh_from_db()
    assert item.status == AWAITING and item.content == "会议记录不全"


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql_only(reason="needs row locks across connections")
def test_of_two_moves_at_once_one_wins_and_the_other_is_told_where_it_left_the_row(item):
    workflow = _workflow()

    @transaction.atomic
    def submit() -> ChecklistItem:
        return workflow.move(None, workflow.lock(None, item, "submit"), "submit")

    results = race(submit, submit)
    _winner, refusal = one_winner(results, ChecklistItem)
    assert "already “Awaiting verification”" in refusal
    assert len(_rows(item)) == 1


# --- the table and the code cannot drift -------------------------------------------------------------


def test_a_transition_not_in_the_table_is_refused(item):
    workflow = _workflow()
    with pytest.raises(TransitionError):
        workflow.lock(None, item, "close")
    with pytest.raises(TransitionError):
        workflow.move(None, item, "close")
    assert item.status == OPEN and not _rows(item)


def test_a_move_from_a_state_the_transition_does_not_leave_is_refused(item):
    workflow = _workflow()
    with pytest.raises(TransitionError):  # the code forgot to lock, or locked for another transition
        workflow.move(None, item, "confirm")
    item.refresh_from_db()
    assert item.status == OPEN and not _rows(item)


def test_an_outcome_the_table_does_not_name_is_refused(item):
    workflow = _workflow()
    workflow.move(None, workflow.lock(None, item, "submit"), "submit")
    locked = workflow.lock(None, item, "decide")
    with pytest.raises(TransitionError):
        workflow.move(None, locked, "decide", outcome=OPEN)
    with pytest.raises(TransitionError):  # a decision needs its outcome
        workflow.move(None, locked, "decide")
    with pytest.raises(TransitionError):  # a single target cannot be overridden
        workflow.move(None, locked, "confirm", outcome=IN_PROGRESS)


def test_a_table_naming_a_state_the_model_lacks_is_refused_when_declared(db):
    with pytest.raises(TransitionError):
        Workflow(ChecklistItem, {"submit": ((OPEN,), "submitted")}, refusal=REFUSAL)


def test_the_table_answers_what_the_pages_ask(item):
    workflow = _workflow(url_name="orglife:checklist_item")
    assert workflow.sources("confirm") == (AWAITING,)
    assert workflow.target("submit") == AWAITING
    assert workflow.can_leave(item, "submit") and not workflow.can_leave(item, "confirm")
    assert workflow.url(item) == reverse("orglife:checklist_item", args=[item.pk])


WORKFLOW_SERVICES = [
    "lifecycle/services/transfers.py",
    "lifecycle/services/recruitment.py",
    "lifecycle/services/recommendation.py",
    "lifecycle/services/review.py",
    "orglife/services/checklists.py",
    "orglife/services/meetings.py",
    "deputies/services.py",
    "community/services.py",
    "donations/services.py",
    "activities/services.py",
]


@pytest.mark.parametrize("path", WORKFLOW_SERVICES)
def test_no_workflow_service_sets_its_state_by_hand(path):
    """The state is the table's target, set by ``Workflow.move``; a service may only read a target from
    its table (``WORKFLOW.target(...)``) for a row it creates."""
    source = (Path(__file__).resolve().parents[2] / path).read_text()
    by_hand = [
        line.strip()
        for line in source.splitlines()
        if re.search(r"\.(status|stage)\s*=[^=]", line) and ".target(" not in line
    ]
    assert by_hand == []
