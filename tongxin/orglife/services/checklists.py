"""The four lists (四清单) and duties (定人定岗定责): every write, and the overdue counts up the tree.

An item of a list (responsibility, project, problem, rectification) moves through the states
``open → in_progress → awaiting → closed`` (``TRANSITIONS`` below, one service each):

* ``add_item``: CHANGE over the organisation. A rectification names the problem item it answers; the
  problem belongs to the organisation or to one above it (the rectification's organisation lies in the
  problem's subtree). A problem may spawn several rectifications.
* ``add_note``: a progress note with evidence (JPEG, PNG or PDF, checked by their first bytes, which must
  match the file name's extension, each at most ``TONGXIN_ATTACHMENT_MAX_BYTES``). The first note moves an
  open item to "in progress". By CHANGE over the organisation, or by the item's owner (their user).
* ``request_closing``: to "awaiting verification"; a rectification only with at least one note carrying
  evidence ("a rectification is closed only with evidence").
* ``verify``: closes it; CHANGE over the organisation, and neither the owner's user nor whoever asked for
  the closing (read from the audit log: the ChangeLog row that moved the item to "awaiting").
* ``reopen``: back to "in progress" from "awaiting" or "closed"; CHANGE over the organisation.

Each transition locks the item row first, so of two verifications at once exactly one closes it and the
other is told it was already closed. Every write leaves a ChangeLog row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongxin.accounts.models import User
from tongxin.accounts.notify import notice, notify_actors, notify_users
from tongxin.core.audit import record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date, checked_text
from tongxin.core.inbox import PendingItem
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import CHANGE, VIEW, Actor, by, require, scope_for, subtree_q
from tongxin.core.uploads import check_upload
from tongxin.core.workflow import Workflow
from tongxin.orglife.models import Attachment, ChecklistItem, ChecklistKind, ChecklistNote, ChecklistStatus, Duty
from tongxin.orgs.models import STEP_WIDTH, Organization, path_ids
from tongxin.people.models import Person

# transition → (statuses it may leave from, status it reaches)
_OPEN, _AWAITING, _CLOSED = ChecklistStatus.OPEN, ChecklistStatus.AWAITING_VERIFICATION, ChecklistStatus.CLOSED
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({_OPEN}), ChecklistStatus.IN_PROGRESS),
    "request_closing": (frozenset({_OPEN, ChecklistStatus.IN_PROGRESS}), _AWAITING),
    "verify": (frozenset({_AWAITING}), _CLOSED),
    "reopen": (frozenset({_AWAITING, _CLOSED}), ChecklistStatus.IN_PROGRESS),
}

MAX_FILES_PER_NOTE = 10


def _user_id(actor: Actor) -> int | None:
    return getattr(actor, "pk", None)


def _owner_user_id(item: ChecklistItem) -> int | None:
    """The user linked to the item's owner (``User.person``), if any."""
    if item.owner_id is None:
        return None

    return User.objects.filter(person_id=item.owner_id).values_list("pk", flat=True).first()


def _require_change_or_owner(actor: Actor, item: ChecklistItem) -> None:
    """CHANGE over the item's organisation, or the item's owner (their user)."""
    if not _is_owner(actor, item):
        require(actor, CHANGE, item.org_path)


def _is_owner(actor: Actor, item: ChecklistItem) -> bool:
    person_id = getattr(actor, "person_id", None)
    return person_id is not None and person_id == item.owner_id


CHECKLIST_ITEMS: Workflow[ChecklistItem] = Workflow(
    ChecklistItem,
    TRANSITIONS,
    refusal=gettext_lazy("This item is already “%(status)s”; someone acted on it before you. Reload the page."),
    partial_save=True,
    url_name="orglife:checklist_item",
    subject=lambda item: item.owner_id,
    self_service=("start", "request_closing"),  # the owner works on it and asks for closing; others verify
)


# --- items ------------------------------------------------------------------------------------------------


@transaction.atomic
def add_item(
    actor: Actor,
    *,
    organization: Organization,
    kind: str,
    content: str,
    owner: Person | None = None,
    deadline: Any = None,
    problem: ChecklistItem | None = None,
) -> ChecklistItem:
    """A new item on one of ``organization``'s four lists (CHANGE over the organisation)."""
    organization = Organization.objects.get(pk=organization.pk)
    require(actor, CHANGE, organization.path)
    if kind not in ChecklistKind.values:
        raise DomainError("kind", _("Choose one of the four lists."))
    content = checked_text("content", content, multiline=True)  # issue 12 §3: bounded, never cut
    if not content:
        raise DomainError("content", _("Say what the item is."))
    checked_date("deadline", deadline, "plan")
    if owner is not None and not Person.objects.for_actor(actor, VIEW).filter(pk=owner.pk).exists():
        raise DomainError("owner", _("Choose an owner among the people of your organisations."))
    if kind == ChecklistKind.RECTIFICATION:
        if problem is None:
            raise DomainError("problem", _("A rectification item names the problem it rectifies."))
        # The problem may belong to an organisation above the actor's (a committee's problem rectified by a
        # branch): it is found without the actor's scope, and must lie on the organisation's own path.
        problem = ChecklistItem.objects.filter(pk=problem.pk).first()
        if problem is None or problem.kind != ChecklistKind.PROBLEM:
            raise DomainError("problem", _("Choose an item of the problem list."))
        if not organization.path.startswith(problem.org_path):
            raise DomainError(
                "problem",
                _("The problem belongs to another organisation: a rectification is made by the organisation "
                  "of the problem or one below it."),
            )  # fmt: skip
    elif problem is not None:
        raise DomainError("problem", _("Only a rectification item names a problem."))
    item = ChecklistItem.objects.create(
        organization=organization, org_path=organization.path, kind=kind, content=content, owner=owner,
        deadline=deadline, problem=problem, created_by=by(actor),
    )  # fmt: skip
    CHECKLIST_ITEMS.record(actor, item, ChangeLog.Action.CREATE)
    owner_user = _owner_user_id(item)
    if owner_user is not None and owner_user != _user_id(actor):
        text = notice(gettext_noop("You are the owner of a new checklist item: %(content)s"), content=str(item))
        notify_users([owner_user], text=text, url=CHECKLIST_ITEMS.url(item), org_path=item.org_path)
    return item


def _check_file(name: str, content: bytes) -> tuple[str, str]:
    """(clean file name, content type) of one piece of evidence, or a DomainError saying what is wrong."""
    return check_upload(name, content, field="files")


@transaction.atomic
def add_note(
    actor: Actor, item: ChecklistItem, *, text: str, files: list[tuple[str, bytes]] | None = None
) -> ChecklistNote:
    """A progress note on ``item`` with its evidence; every file is checked before anything is written."""
    files = list(files or [])
    item = ChecklistItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    _require_change_or_owner(actor, item)
    if item.status == ChecklistStatus.CLOSED:
        raise DomainError("status", _("This item is closed: reopen it before adding progress."))
    text = checked_text("text", text, multiline=True)
    if not text:
        raise DomainError("text", _("Describe the progress."))
    if len(files) > MAX_FILES_PER_NOTE:
        raise DomainError("files", _("At most %(n)d files a note.") % {"n": MAX_FILES_PER_NOTE})
    checked = [(*_check_file(name, content), content) for name, content in files]
    author = by(actor)
    note = ChecklistNote.objects.create(item=item, text=text, author=author)
    Attachment.objects.bulk_create([
        Attachment(note=note, file_name=name, content_type=ctype, size=len(content), content=content,
                   uploaded_by=author)
        for name, ctype, content in checked
    ])  # fmt: skip
    if CHECKLIST_ITEMS.can_leave(item, "start"):  # the first note starts the work
        CHECKLIST_ITEMS.move(actor, item, "start")
    record_change(actor, note, ChangeLog.Action.CREATE, after={"item": item.pk, "text": text[:200],
                  "files": [name for name, _ct, _c in checked]}, org_path=item.org_path)  # fmt: skip
    return note


def has_evidence(item: ChecklistItem) -> bool:
    return Attachment.objects.filter(note__item=item).exists()


@transaction.atomic
def request_closing(actor: Actor, item: ChecklistItem) -> ChecklistItem:
    """Ask for ``item`` to be verified and closed (the owner, or CHANGE over the organisation)."""
    item = CHECKLIST_ITEMS.lock(actor, item, "request_closing")
    _require_change_or_owner(actor, item)
    if item.kind == ChecklistKind.RECTIFICATION and not has_evidence(item):
        raise DomainError(
            "status",
            _("A rectification is closed only with evidence: add a progress note with a photo or a PDF first."),
        )
    CHECKLIST_ITEMS.move(actor, item, "request_closing")
    text = notice(gettext_noop("A checklist item awaits your verification: %(content)s"), content=str(item))
    notify_actors(CHANGE, item.org_path, text=text, url=CHECKLIST_ITEMS.url(item), exclude=actor)
    return item


def closing_requested_by(item: ChecklistItem) -> int | None:
    """The id of the user who last moved ``item`` to "awaiting verification" (from the audit log)."""
    rows = (
        ChangeLog.objects.filter(
            content_type=ContentType.objects.get_for_model(ChecklistItem),
            object_id=str(item.pk),
            action=ChangeLog.Action.UPDATE,
        )
        .order_by("-created_at", "-id")
        .values_list("actor_id", "after")[:50]
    )
    for actor_id, after in rows:
        if (after or {}).get("status") == ChecklistStatus.AWAITING_VERIFICATION:
            return actor_id
    return None


@transaction.atomic
def verify(actor: Actor, item: ChecklistItem) -> ChecklistItem:
    """Close ``item``: CHANGE over its organisation, and not the owner nor who asked for the closing."""
    item = CHECKLIST_ITEMS.lock(actor, item, "verify")
    require(actor, CHANGE, item.org_path)
    actor_id = _user_id(actor)
    if actor_id is not None:
        if _is_owner(actor, item) or actor_id == _owner_user_id(item):
            raise DomainError("status", _("The owner of an item cannot verify it: someone else checks the work."))
        if actor_id == closing_requested_by(item):
            raise DomainError("status", _("You asked for this item to be closed: someone else verifies it."))
    CHECKLIST_ITEMS.move(
        actor, item, "verify", changes={"verified_by": actor if actor_id else None, "closed_at": timezone.now()}
    )
    owner_user = _owner_user_id(item)
    if owner_user is not None and owner_user != actor_id:
        text = notice(gettext_noop("Your checklist item is verified and closed: %(content)s"), content=str(item))
        notify_users([owner_user], text=text, url=CHECKLIST_ITEMS.url(item), org_path=item.org_path)
    return item


@transaction.atomic
def reopen(actor: Actor, item: ChecklistItem) -> ChecklistItem:
    """Send ``item`` back to "in progress" (the verification is refused, or a closed item needs more work)."""
    item = CHECKLIST_ITEMS.lock(actor, item, "reopen")
    require(actor, CHANGE, item.org_path)
    CHECKLIST_ITEMS.move(actor, item, "reopen", changes={"verified_by": None, "closed_at": None})
    owner_user = _owner_user_id(item)
    if owner_user is not None and owner_user != _user_id(actor):
        text = notice(gettext_noop("Your checklist item was reopened: %(content)s"), content=str(item))
        notify_users([owner_user], text=text, url=CHECKLIST_ITEMS.url(item), org_path=item.org_path)
    return item


# --- reads -----------------------------------------------------------------------------------------------


def overdue_q(today: Any = None) -> Q:
    today = today or timezone.localdate()
    return Q(deadline__lt=today) & ~Q(status=ChecklistStatus.CLOSED)


@dataclass
class OverdueRow:
    organization: Organization
    count: int


@dataclass
class OverdueCounts:
    organization: Organization
    own: int  # items of the organisation itself
    rows: list[OverdueRow]  # one per child organisation (its whole subtree)

    @property
    def total(self) -> int:
        return self.own + sum(r.count for r in self.rows)


def overdue_counts(actor: Actor, org: Organization, *, today: Any = None) -> OverdueCounts:
    """Overdue items (deadline passed, not closed) of ``org``'s subtree, per child organisation: one
    aggregate grouped by the path one step below ``org`` (no join to the tree), and one query for the
    children."""
    require(actor, VIEW, org.path)
    key_length = len(org.path) + STEP_WIDTH
    counts = dict(
        ChecklistItem.objects.for_actor(actor, VIEW)
        .filter(subtree_q("org_path", org.path), overdue_q(today))
        .annotate(child=Substr("org_path", 1, key_length))
        .order_by()
        .values("child")
        .annotate(n=Count("id"))
        .values_list("child", "n")
    )
    children = list(Organization.objects.filter(parent=org).order_by("kind", "code", "id"))
    rows = [OverdueRow(child, counts.get(child.path, 0)) for child in children]
    return OverdueCounts(organization=org, own=counts.get(org.path, 0), rows=rows)


# --- duties (定人定岗定责) --------------------------------------------------------------------------------


@transaction.atomic
def set_duty(actor: Actor, *, organization: Organization, person: Person, post: str, responsibilities: str) -> Duty:
    """Record (or change) what ``person`` is responsible for in ``organization``: one duty per person."""
    organization = Organization.objects.get(pk=organization.pk)
    require(actor, CHANGE, organization.path)
    post = checked_text("post", post, max_length=100)  # an error, not a cut (issue 12 §3)
    responsibilities = checked_text("responsibilities", responsibilities, multiline=True)
    if not post:
        raise DomainError("post", _("Name the post."))
    if not responsibilities:
        raise DomainError("responsibilities", _("Say what the post is responsible for."))
    if not Person.objects.for_actor(actor, VIEW).filter(pk=person.pk).exists():
        raise DomainError("person", _("Choose a person of your organisations."))
    duty = Duty.objects.select_for_update().filter(organization=organization, person=person).first()
    if duty is None:
        duty = Duty.objects.create(organization=organization, org_path=organization.path, person=person, post=post,
                                   responsibilities=responsibilities)  # fmt: skip
        record_change(actor, duty, ChangeLog.Action.CREATE, after=snapshot(duty), org_path=duty.org_path)
        return duty
    before = snapshot(duty)
    duty.post, duty.responsibilities = post, responsibilities
    duty.save(update_fields=["post", "responsibilities"])
    record_change(actor, duty, ChangeLog.Action.UPDATE, before=before, after=snapshot(duty), org_path=duty.org_path)
    return duty


@transaction.atomic
def end_duty(actor: Actor, duty: Duty) -> None:
    """Remove ``duty`` (the person leaves the post); the audit log keeps what it was."""
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    require(actor, CHANGE, duty.org_path)
    record_change(actor, duty, ChangeLog.Action.DELETE, before=snapshot(duty), org_path=duty.org_path)
    duty.delete()


# --- the inbox (待我处理) ----------------------------------------------------------------------------------


def pending_overdue_items(user: Any) -> list[Any]:
    """Inbox provider: overdue checklist items in the subtrees the user may change (one COUNT)."""

    scope = scope_for(user, CHANGE)
    if not scope.has_subtrees:
        return []
    count = ChecklistItem.objects.visible_to(user, CHANGE).filter(overdue_q()).count()
    if not count:
        return []
    if scope.prefixes:
        org_id = path_ids(scope.prefixes[0])[-1]
    else:
        org_id = Organization.objects.filter(parent__isnull=True).values_list("pk", flat=True).first() or 0
    url = reverse("orglife:checklists", args=[org_id]) + "?overdue=1" if org_id else ""
    return [PendingItem(_("Overdue checklist items"), count, url)]
