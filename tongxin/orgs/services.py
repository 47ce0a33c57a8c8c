"""Every write to the organisation tree, and the roll-up counters other apps keep current."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from tongxin.core.audit import change_entry, record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import MANAGE, Actor, path_columns, require, scope_for, subtree_q
from tongxin.orgs import moves, tallies
from tongxin.orgs.models import (
    ALLOWED_PARENT_KINDS,
    MEMBER_HOLDING_KINDS,
    Organization,
    OrgKind,
    OrgStats,
    OrgStatus,
    path_ids,
    path_step,
)
from tongxin.orgs.validators import org_value_errors


def _check_manage(actor: Actor, path: str | None) -> None:
    require(actor, MANAGE, path)


def validate_placement(kind: str, parent: Organization | None) -> None:
    allowed = ALLOWED_PARENT_KINDS.get(kind)
    if allowed is None:
        raise DomainError("kind", _("Unknown organisation kind."))
    parent_kind = parent.kind if parent else None
    if parent is not None and parent.kind in MEMBER_HOLDING_KINDS:
        raise DomainError(
            "parent",
            _("A branch cannot have child organisations; choose a committee, working committee or general branch."),
        )
    if parent is not None and parent.status != OrgStatus.ACTIVE:
        raise DomainError("parent", _("The parent organisation has been dissolved."))
    if parent_kind not in allowed:
        kind_label = OrgKind(kind).label
        if parent is None:
            raise DomainError("parent", _("A %(kind)s needs a parent organisation.") % {"kind": kind_label})
        if kind == OrgKind.WORKING_COMMITTEE:
            raise DomainError("parent", _("A working committee must sit under a League committee."))
        raise DomainError(
            "parent",
            _("A %(kind)s cannot sit under a %(parent)s.") % {"kind": kind_label, "parent": OrgKind(parent.kind).label},
        )


def _check_code_free(actor: Actor, code: str, exclude_pk: int | None = None) -> None:
    qs = Organization.objects.filter(code=code)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    other = qs.first()
    if other is not None:
        if actor is not None and not scope_for(actor).covers_path(other.path):
            # Say the code is taken, but not by whom: that organisation is outside the actor's scope.
            raise DomainError("code", _("The code %(code)s is already used by another organisation.") % {"code": code})
        raise DomainError(
            "code", _("The code %(code)s is already used by %(org)s.") % {"code": code, "org": other.name}
        )


@transaction.atomic
def create_organization(actor: Actor, *, parent: Organization | None, kind: str, name: str, code: str,
                        **fields: Any) -> Organization:  # fmt: skip
    if parent is not None:
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
    _check_manage(actor, parent.path if parent else None)
    validate_placement(kind, parent)
    name, code = name.strip(), code.strip()
    if not name:
        raise DomainError("name", _("The full name is required."))
    if not code:
        raise DomainError("code", _("The code is required."))
    # The values' formats, windows and cross-field rules (issue 12 §3), before anything is written.
    errors = org_value_errors({"status": OrgStatus.ACTIVE, **fields, "name": name, "code": code})
    if errors:
        raise DomainError(errors=errors)
    _check_code_free(actor, code)
    org = Organization(parent=parent, kind=kind, name=name, code=code, **fields)
    org.path = f"~{uuid.uuid4().hex}"  # placeholder until the id is known
    org.depth = parent.depth + 1 if parent else 0
    org.save()
    org.path = (parent.path if parent else "") + path_step(org.pk)
    Organization.objects.filter(pk=org.pk).update(path=org.path)
    OrgStats.objects.create(organization=org)
    tallies.adjust(tallies.org_counts(org))
    if parent is not None and org.status == OrgStatus.ACTIVE:  # children_count counts active children only
        OrgStats.objects.filter(pk=parent.pk).update(children_count=F("children_count") + 1)
    record_change(actor, org, ChangeLog.Action.CREATE, after=snapshot(org), org_path=org.path)
    return org


# The fields update_organization may change; anything else is refused (the parent changes through
# move_organization, the path and depth follow the parent, the counts are roll-ups).
UPDATABLE_FIELDS = frozenset({
    "kind", "level", "category", "is_joint", "name", "short_name", "code", "division_code", "established",
    "term_start", "term_end", "status", "dissolved_on", "paired_org",
})  # fmt: skip


# --- four eyes: an organisation's identity is changed from above -------------------------------------------

# What makes an organisation the one it is: its name, code, kind and standing, where it sits, whether it
# still exists. Nobody changes these on an organisation she holds a role on (the top of her own scope,
# issue 12): a role on an organisation above it does. The tree's root has none above: only a platform
# administrator (a superuser, whose scope is everything) or the system (a management command, actor None).
# Its term of office stays the organisation's own to record.
IDENTITY_FIELDS = (UPDATABLE_FIELDS - {"term_start", "term_end"}) | {"parent"}


def check_identity_from_above(actor: Actor, org: Organization, changed: Iterable[str]) -> None:
    """Refuse changing the identity fields ``changed`` of ``org`` unless ``actor`` holds MANAGE on an
    organisation above it (each field named); every write of an organisation's identity calls it."""
    fields = sorted(set(changed) & IDENTITY_FIELDS)
    if actor is None or not fields or scope_for(actor, MANAGE).covers_below(org.path):
        return
    message = _(
        "You hold a role on %(org)s: its name, code, kind, place and status are changed by the organisation "
        "above it (for the top of the tree, by the platform administrator)."
    ) % {"org": org.name}
    raise DomainError(errors={name: [message] for name in fields})


def _differs(org: Organization, key: str, value: Any) -> bool:
    """Whether ``value`` changes ``org``'s field ``key`` (a form sends every field; a code is compared
    trimmed, as it is saved)."""
    current = getattr(org, key)
    if key == "code" and isinstance(value, str):
        value = value.strip()
    if isinstance(current, models.Model) or isinstance(value, models.Model):
        return getattr(current, "pk", None) != getattr(value, "pk", None)
    return current != value


@transaction.atomic
def update_organization(actor: Actor, org: Organization, **changes: Any) -> Organization:
    """Change ``org``'s own fields (``UPDATABLE_FIELDS``; a ``parent`` given is ignored: moving is
    :func:`move_organization`). Any other name is a caller's mistake, not a user's: TypeError naming it,
    like an unexpected keyword argument, before anything is read."""
    changes.pop("parent", None)  # moving is its own service (the API passes the parent it left unchanged)
    refused = sorted(set(changes) - UPDATABLE_FIELDS)
    if refused:
        raise TypeError(f"update_organization() cannot change {', '.join(refused)}: not in UPDATABLE_FIELDS")
    # "of self": PostgreSQL cannot lock the nullable side of the outer joins to parent and stats.
    org = Organization.objects.select_for_update(of=("self",)).select_related("parent").get(pk=org.pk)
    # The counts are read after the lock, in their own locked statement: a member added meanwhile is seen.
    org.stats = OrgStats.objects.select_for_update().get(pk=org.pk)
    _check_manage(actor, org.path)
    check_identity_from_above(actor, org, [key for key, value in changes.items() if _differs(org, key, value)])
    before = snapshot(org)
    new_kind = changes.get("kind", org.kind)
    if new_kind != org.kind:
        validate_placement(new_kind, org.parent)
        if org.kind in MEMBER_HOLDING_KINDS and new_kind not in MEMBER_HOLDING_KINDS and org.stats.members_direct:
            raise DomainError(
                "kind", _("A branch with members must stay a branch: move its members out before changing its kind.")
            )
        if new_kind in MEMBER_HOLDING_KINDS and org.stats.children_count:
            raise DomainError("kind", _("A branch cannot have child organisations; move them out first."))
        # The children must still be allowed under the new kind (a committee cannot sit under a general branch).
        for child_kind in Organization.objects.filter(parent=org).values_list("kind", flat=True).distinct():
            if new_kind not in ALLOWED_PARENT_KINDS.get(child_kind, frozenset()):
                raise DomainError(
                    "kind",
                    _("A %(kind)s cannot sit under a %(parent)s.")
                    % {"kind": OrgKind(child_kind).label, "parent": OrgKind(new_kind).label},
                )
    if "code" in changes:
        changes["code"] = changes["code"].strip()
        _check_code_free(actor, changes["code"], exclude_pk=org.pk)
    new_status = changes.get("status", org.status)
    if new_status == OrgStatus.DISSOLVED and org.status != OrgStatus.DISSOLVED:
        if org.stats.members_total:
            raise DomainError("status", _("An organisation with members cannot be dissolved; move them first."))
        if org.stats.children_count:
            raise DomainError("status", _("Dissolve or move its child organisations first."))
        if org.parent_id:
            OrgStats.objects.filter(pk=org.parent_id).update(children_count=F("children_count") - 1)
    elif new_status == OrgStatus.ACTIVE and org.status == OrgStatus.DISSOLVED:
        if org.parent is not None and org.parent.status != OrgStatus.ACTIVE:
            raise DomainError("status", _("The parent organisation has been dissolved."))
        changes.setdefault("dissolved_on", None)
        if org.parent_id:
            OrgStats.objects.filter(pk=org.parent_id).update(children_count=F("children_count") + 1)
    # The values' formats, windows and cross-field rules (issue 12 §3), as the organisation will be.
    # Only what this change touches is judged: a value on record that an older rule let in stays editable.
    touched = {key for key, value in changes.items() if value != getattr(org, key)}
    touched |= {"term_end"} if "term_start" in touched else set()
    touched |= {"dissolved_on"} if touched & {"status", "established"} else set()
    record = {name: getattr(org, name) for name in UPDATABLE_FIELDS} | changes
    errors = {field: messages for field, messages in org_value_errors(record).items() if field in touched}
    if errors:
        raise DomainError(errors=errors)
    own = bool(touched & {"kind", "status"})  # the other sources' own cells move only with these two
    counted_before = tallies.org_counts(org, own=own)
    for key, value in changes.items():
        setattr(org, key, value)
    org.save()
    tallies.adjust(tallies.difference(counted_before, tallies.org_counts(org, own=own)))
    record_change(actor, org, ChangeLog.Action.UPDATE, before=before, after=snapshot(org), org_path=org.path)
    return org


@transaction.atomic
def move_organization(actor: Actor, org: Organization, new_parent: Organization) -> Organization:
    """Put ``org`` and its whole subtree under ``new_parent``: every path is rewritten at once."""
    locked = {
        o.pk: o
        for o in Organization.objects.select_for_update().filter(pk__in=[org.pk, new_parent.pk]).order_by("path")
    }
    org, new_parent = locked[org.pk], locked[new_parent.pk]
    # Lock the whole subtree (members are added under a lock on their branch), then read the counts:
    # nobody can add, move or count members inside it until the move commits.
    list(Organization.objects.select_for_update().filter(subtree_q("path", org.path)).order_by("path").values("pk"))
    org.stats = OrgStats.objects.select_for_update().get(pk=org.pk)
    _check_manage(actor, org.path)
    _check_manage(actor, new_parent.path)
    if new_parent.path.startswith(org.path):
        raise DomainError("parent", _("An organisation cannot be moved under itself or its own subtree."))
    if org.parent_id == new_parent.pk:
        return org
    check_identity_from_above(actor, org, ["parent"])
    validate_placement(org.kind, new_parent)
    old_path, old_parent_id = org.path, org.parent_id
    new_path = new_parent.path + path_step(org.pk)
    depth_delta = new_parent.depth + 1 - org.depth
    total = org.stats.members_total
    old_ancestors = path_ids(old_path)[:-1]
    # Roll-ups: the subtree's members leave the old ancestors and join the new ones.
    if total:
        OrgStats.objects.filter(pk__in=old_ancestors).update(members_total=F("members_total") - total)
        OrgStats.objects.filter(pk__in=path_ids(new_parent.path)).update(members_total=F("members_total") + total)
    if org.status == OrgStatus.ACTIVE:  # a dissolved organisation is not in its parent's children_count
        if old_parent_id:
            OrgStats.objects.filter(pk=old_parent_id).update(children_count=F("children_count") - 1)
        OrgStats.objects.filter(pk=new_parent.pk).update(children_count=F("children_count") + 1)
    # Every figure of the subtree (members, organisations, the features' figures) moves the same way.
    tallies.move_subtree(org.pk, old_path[: -len(path_step(org.pk))], new_parent.path)
    rest = len(old_path) + 1
    # Every column that holds a copy of a path, as the models declare it (ScopeSpec): one UPDATE each.
    for model, column in path_columns():
        changes: dict[str, Any] = {
            column: Concat(Value(new_path), Substr(column, rest), output_field=models.CharField())
        }
        if model is Organization:
            changes["depth"] = F("depth") + depth_delta
        model._default_manager.filter(subtree_q(column, old_path)).update(**changes)
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    # The apps' own roll-ups per organisation (registered in their ready(): orgs.moves), paths already rewritten.
    moves.subtree_moved(org, old_path, new_path)
    record_change(
        actor, org, ChangeLog.Action.MOVE,
        before={"parent": old_parent_id}, after={"parent": new_parent.pk}, org_path=org.path,
    )  # fmt: skip
    return org


def check_member_branch(org: Organization | None, field: str = "branch") -> Organization:
    """The organisation a member is placed in must be an active branch.

    ``org`` is first refreshed from the database (and locked inside a transaction): the caller's copy may
    be stale (the branch was dissolved or moved since it was loaded) and the member's path is copied from it.
    """
    if org is None:
        raise DomainError(field, _("Choose the branch the person belongs to."))
    current = Organization.objects.filter(pk=org.pk)
    if transaction.get_connection().in_atomic_block:
        # FOR NO KEY UPDATE: it still waits for a move or a dissolution (FOR UPDATE) and for another member
        # being added, but not for the foreign-key checks (FOR KEY SHARE) that other transactions referencing
        # this branch run when they commit. A full FOR UPDATE here deadlocked with a transfer out of this
        # branch: it held the roll-up rows this one waited for, while its commit waited for this lock.
        current = current.select_for_update(no_key=True)
    row = current.values("kind", "status", "path", "depth").first()
    if row is None:
        raise DomainError(field, _("Choose the branch the person belongs to."))
    for key, value in row.items():
        setattr(org, key, value)
    if org.kind not in MEMBER_HOLDING_KINDS:
        raise DomainError(
            field,
            _("Only branches hold members: %(org)s is a %(kind)s.") % {"org": org.name, "kind": org.get_kind_display()},
        )
    if org.status != OrgStatus.ACTIVE:
        raise DomainError(field, _("%(org)s has been dissolved.") % {"org": org.name})
    return org


def adjust_member_counts(branch_path: str, delta: int) -> None:
    """Add ``delta`` active members to the branch at ``branch_path`` and all its ancestors."""
    adjust_member_counts_many({branch_path: delta})


ROLLUP_CHUNK = 500  # organisations per UPDATE when many branches change at once


def adjust_member_counts_many(deltas: dict[str, int]) -> None:
    """Apply ``{branch path: delta}`` for many branches at once (an age-out batch, an import).

    Each organisation's change is summed first; organisations with the same change are then written
    together, 500 per UPDATE, in id order (so two batches lock rows in the same order). A district-wide
    age-out touches thousands of branches but only a few dozen distinct changes.
    """
    total: dict[int, int] = defaultdict(int)
    direct: dict[int, int] = defaultdict(int)
    for path, delta in deltas.items():
        if not delta:
            continue
        ids = path_ids(path)
        for pk in ids:
            total[pk] += delta
        direct[ids[-1]] += delta
    # Lock every row first, ancestors before descendants (path order): two transactions moving members in
    # different branches both take the root's row first, so one waits for the other instead of each holding
    # a row the other needs (an UPDATE locks its rows in scan order: tests/test_rollup_lock_order.py).
    # (SQLite has no row locks: it serialises writers on the whole file.)
    if transaction.get_connection().features.has_select_for_update and total:
        locked = OrgStats.objects.select_for_update(of=("self",)).filter(pk__in=list(total))
        list(locked.order_by("organization__path").values_list("pk", flat=True))
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pk in sorted(total):
        change = (total[pk], direct.get(pk, 0))
        if change != (0, 0):
            groups[change].append(pk)
    for (total_delta, direct_delta), ids in sorted(groups.items(), key=lambda item: item[1][0]):
        for start in range(0, len(ids), ROLLUP_CHUNK):
            OrgStats.objects.filter(pk__in=ids[start : start + ROLLUP_CHUNK]).update(
                members_total=F("members_total") + total_delta,
                members_direct=F("members_direct") + direct_delta,
            )


def rebuild_rollups(count_direct: Callable[[], dict[int, int]]) -> int:
    """Recompute every OrgStats row; ``count_direct()`` gives active members per branch id.

    Runs in one transaction that first locks the roll-up table (on PostgreSQL), so writers that add,
    move or remove members wait: each change is either counted here or applied after the rebuild.
    Returns the number of rows written. Used by the ``rebuild_rollups`` command and after bulk loads.
    """
    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {OrgStats._meta.db_table} IN EXCLUSIVE MODE")
        direct_counts = count_direct()
        orgs = list(Organization.objects.values_list("pk", "path", "parent_id", "status"))
        totals: dict[int, int] = defaultdict(int)
        children: dict[int, int] = defaultdict(int)
        for pk, path, parent_id, status in orgs:
            count = direct_counts.get(pk, 0)
            if count:
                for ancestor in path_ids(path):
                    totals[ancestor] += count
            if parent_id and status == OrgStatus.ACTIVE:
                children[parent_id] += 1
        rows = [
            OrgStats(organization_id=pk, members_direct=direct_counts.get(pk, 0), members_total=totals[pk],
                     children_count=children[pk])
            for pk, _path, _parent, _status in orgs
        ]  # fmt: skip
        OrgStats.objects.all().delete()
        OrgStats.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def ancestors_of(org: Organization) -> Iterable[Organization]:
    ids = org.ancestor_ids()
    by_id = Organization.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


IMPORT_BATCH = 2000  # codes per lookup query


def import_organizations(actor: Actor, *, new: list[dict[str, Any]],
                         updates: list[tuple[int, dict[str, Any]]]) -> list[Organization]:  # fmt: skip
    """Write the checked rows of an organisation-tree import (``orgs.imports``); returns the new organisations.

    ``updates``: (organisation id, changed fields), applied first through :func:`update_organization` (a
    structure file has hundreds of rows, and that service holds the rules of a change of kind; the parent is
    never changed). ``new``: one dict per organisation with its fields and ``code``, and its parent as
    ``parent_id`` (an existing organisation) or ``parent_code`` (the code of another entry of ``new``, before
    or after it), neither for a root. They are created parents first, one generation at a time, each in a
    few bulk statements: paths and depths as :func:`create_organization` sets them, an OrgStats row each,
    the parents' ``children_count`` and one ChangeLog row per organisation. The existing parents are locked
    and checked again (MANAGE rights, placement, dissolved since the check), as are the codes: a rule broken
    since the check raises DomainError (PermissionDenied for rights) and the caller's transaction writes nothing.
    """
    with transaction.atomic():
        for pk, changes in sorted(updates, key=lambda update: update[0]):
            update_organization(actor, Organization(pk=pk), **changes)
        if not new:
            return []
        by_code: dict[str, dict[str, Any]] = {}
        for data in new:
            name, code = str(data.get("name") or "").strip(), str(data.get("code") or "").strip()
            if not name:
                raise DomainError("name", _("The full name is required."))
            if not code:
                raise DomainError("code", _("The code is required."))
            if code in by_code:
                raise DomainError("code", _("The code %(code)s is given to two new organisations.") % {"code": code})
            by_code[code] = {**data, "name": name, "code": code}
        codes = list(by_code)
        for start in range(0, len(codes), IMPORT_BATCH):
            taken = Organization.objects.filter(code__in=codes[start : start + IMPORT_BATCH]).values_list("code")
            for (code,) in taken[:1]:
                _check_code_free(actor, code)  # raises, naming the holder only if the actor may see it
        parent_ids = sorted({data["parent_id"] for data in by_code.values() if data.get("parent_id")})
        parents = {org.pk: org for org in Organization.objects.select_for_update().filter(pk__in=parent_ids)}
        for parent_id in parent_ids:
            parent = parents.get(parent_id)
            if parent is None:
                raise DomainError("parent", _("The parent organisation no longer exists."))
            _check_manage(actor, parent.path)
        if any(not data.get("parent_id") and not data.get("parent_code") for data in by_code.values()):
            _check_manage(actor, None)
        created: dict[str, Organization] = {}
        pending = list(by_code.values())
        while pending:
            generation: list[tuple[dict[str, Any], Organization | None]] = []
            waiting: list[dict[str, Any]] = []
            for data in pending:
                if data.get("parent_code"):
                    if data["parent_code"] not in created:
                        waiting.append(data)
                        continue
                    generation.append((data, created[data["parent_code"]]))
                else:
                    generation.append((data, parents[data["parent_id"]] if data.get("parent_id") else None))
            if not generation:
                raise DomainError(
                    "parent",
                    _("The parents of %(codes)s are neither organisations in the tree nor new ones in this import.")
                    % {"codes": "、".join(sorted(data["code"] for data in waiting))},
                )
            for org in _create_generation(generation):
                created[org.code] = org
            pending = waiting
        orgs = list(created.values())
        per_parent: dict[int, int] = defaultdict(int)
        for org in orgs:
            if org.parent_id:
                per_parent[org.parent_id] += 1  # new organisations are active: each counts in its parent
        by_count: dict[int, list[int]] = defaultdict(list)
        for parent_id, count in per_parent.items():
            by_count[count].append(parent_id)
        for count, ids in by_count.items():
            OrgStats.objects.filter(pk__in=ids).update(children_count=F("children_count") + count)
        entries = [change_entry(actor, org, ChangeLog.Action.CREATE, after=snapshot(org), org_path=org.path)
                   for org in orgs]  # fmt: skip
        ChangeLog.objects.bulk_create([entry for entry in entries if entry is not None], batch_size=1000)
        tallies.adjust(sum((tallies.org_counts(org) for org in orgs), Counter()))
        return orgs


def _create_generation(generation: list[tuple[dict[str, Any], Organization | None]]) -> list[Organization]:
    """Create organisations whose parents exist already: placement checked, paths set, OrgStats rows added."""
    orgs: list[Organization] = []
    for data, parent in generation:
        kind = data.get("kind") or ""
        validate_placement(kind, parent)
        fields = {key: value for key, value in data.items() if key not in ("parent_id", "parent_code", "parent")}
        fields.pop("status", None)  # a new organisation starts active
        fields.pop("dissolved_on", None)
        org = Organization(parent=parent, **fields)
        org.path = f"~{uuid.uuid4().hex}"  # placeholder until the id is known
        org.depth = parent.depth + 1 if parent else 0
        orgs.append(org)
    Organization.objects.bulk_create(orgs, batch_size=500)
    for org in orgs:
        assert org.pk is not None, "the database returns the ids of bulk-created rows"
        org.path = (org.parent.path if org.parent else "") + path_step(org.pk)
    Organization.objects.bulk_update(orgs, ["path"], batch_size=500)
    OrgStats.objects.bulk_create([OrgStats(organization=org) for org in orgs], batch_size=1000)
    return orgs
