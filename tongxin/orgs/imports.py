"""Importing the organisation tree from a spreadsheet, so a committee can load its structure before its roster.

Each row is one organisation: its full name, code, kind and parent (named by full name or code). The parent
is an organisation the importer manages, or another row of the same file, above or below it: a committee
loads a whole structure in one file. A new row with an empty parent cell goes under the organisation chosen
on the import page (``options["org_id"]``). A code already in the tree updates that organisation (an empty
cell keeps the value on record, and re-importing the same file changes nothing); an import never moves an
organisation to another parent, that is the move page's job. The tree's rules are the services' rules
(``orgs.services.validate_placement`` and the rules of a change of kind), applied to the whole file with a
few queries, never one per row. Written through :func:`tongxin.orgs.services.import_organizations`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core.exceptions import DomainError
from tongxin.core.imports import (
    NEW,
    UNCHANGED,
    UPDATED,
    Progress,
    Row,
    display_value,
    find_duplicates,
    normalise_text,
)
from tongxin.core.scoping import MANAGE, VIEW, Actor, scope_for
from tongxin.orgs import services
from tongxin.orgs.columns import (
    CATEGORY_TABLE,
    KIND_TABLE,
    LEVEL_TABLE,
    ORG_COLUMN_BY_KEY,
    ORG_COLUMNS,
    kind_code,
    split_kind,
)
from tongxin.orgs.models import (
    ALLOWED_PARENT_KINDS,
    MEMBER_HOLDING_KINDS,
    STEP_WIDTH,
    Organization,
    OrgKind,
    OrgStats,
    OrgStatus,
)
from tongxin.orgs.validators import division_code_refusal, org_value_errors

BATCH = 2000  # values per lookup query (SQLite allows 32,766 parameters)
# Fields a row may set; an empty cell never clears a value already on record. The code is the row's key.
UPDATABLE = (
    "name", "short_name", "kind", "is_joint", "level", "category", "division_code", "established", "term_start",
    "term_end",
)  # fmt: skip
ORG_VALUES = ("pk", "code", "parent_id", "path", "status", *UPDATABLE)
MAX_PATH = 255  # Organization.path's max_length
TEXT_LIMITS = {"name": 200, "short_name": 100, "code": 32}  # the columns' max_length


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(eq=False)
class Node:
    """One organisation of the structure: an existing one (``org``), a row of the file (``row``), or both."""

    org: dict[str, Any] | None = None
    row: Row | None = None
    parent: Node | None = None
    parent_text: str = ""

    @property
    def is_new(self) -> bool:
        return self.org is None

    @property
    def kind(self) -> str:
        """The kind the organisation will have: the file's, else the one on record."""
        if self.row is not None and "kind" in self.row.data:
            return str(self.row.data["kind"])
        return str(self.org["kind"]) if self.org else ""

    @property
    def status(self) -> str:
        return str(self.org["status"]) if self.org else OrgStatus.ACTIVE

    @property
    def name(self) -> str:
        if self.row is not None and self.row.data.get("name"):
            return str(self.row.data["name"])
        return str(self.org["name"]) if self.org else ""


@dataclass
class Structure:
    """The file's rows and the existing organisations they name, linked into one tree."""

    actor: Actor
    nodes: list[Node] = field(default_factory=list)  # one per row that has a code, in file order
    by_pk: dict[int, Node] = field(default_factory=dict)
    by_code: dict[str, Node] = field(default_factory=dict)
    by_name: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list))
    default: Node | None = None  # the organisation chosen on the import page

    def may(self, action: str, path: str | None) -> bool:
        if self.actor is None:
            return True
        scope = scope_for(self.actor, action)
        return scope.everything or (path is not None and scope.covers_path(path))

    def existing(self, org: dict[str, Any]) -> Node:
        node = self.by_pk.get(org["pk"])
        if node is None:
            node = self.by_pk[org["pk"]] = Node(org=org)
        return node

    def index(self, node: Node, *names: str) -> None:
        for name in names:
            if name and node not in self.by_name[name]:
                self.by_name[name].append(node)


def typed_text(value: Any) -> str:
    """A name as typed, spaces trimmed and runs of spaces made one, but no width folding: （集团） stays."""
    return " ".join(display_value(value).split())


def _field_label(key: str) -> str:
    return str(ORG_COLUMN_BY_KEY[key].label)


def _shown(key: str, value: Any) -> Any:
    """A value as the preview's diff shows it: codes by the names written in files, dates as ISO dates."""
    if value in (None, ""):
        return ""
    if key == "level":
        return LEVEL_TABLE.name(value)
    if key == "category":
        return CATEGORY_TABLE.name(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _placement_stub(node: Node) -> Organization:
    """An unsaved organisation carrying what ``validate_placement`` reads of a parent (its kind and status)."""
    return Organization(kind=node.kind, status=node.status)


class OrgImport:
    kind = "orgs"
    label = gettext_lazy("Organisation tree")
    columns = ORG_COLUMNS

    def check(self, actor: Actor, rows: list[Row], options: dict[str, Any], progress: Progress) -> None:
        total = len(rows)
        for done, row in enumerate(rows, 1):
            self._check_cells(row)
            if done % 500 == 0:
                progress(done, total * 2)
        find_duplicates(rows, "code", _("This code is already on row %(row)d of this file."))
        structure = self._load(actor, rows, options.get("org_id"))
        self._link(structure)
        self._check_cycles(structure)
        self._check_names(structure)
        self._check_placement(structure)
        self._check_kind_changes(structure)
        self._check_rejected_parents(structure)
        for node in structure.nodes:
            self._set_outcome(node)
            self._check_identity_from_above(actor, node)
        progress(total * 2, total * 2)

    def _check_identity_from_above(self, actor: Actor, node: Node) -> None:
        """Four eyes: a row changing an organisation the importer holds a role on is refused, as
        ``services.update_organization`` refuses it (the organisation above changes its identity)."""
        row = node.row
        if row is None or row.status != UPDATED or row.rejected or node.org is None:
            return
        org = Organization(pk=node.org["pk"], path=node.org["path"], name=node.org.get("name", ""))
        try:
            services.check_identity_from_above(actor, org, row.data)
        except DomainError as exc:
            row.reject_error(exc)

    # -------------------------------------------------------------------------------------- cells

    def _check_cells(self, row: Row) -> None:
        values = row.values
        for key in ("name", "short_name", "parent"):
            if key in row.raw:  # as typed: official names keep their full-width brackets
                values[key] = typed_text(row.raw[key])
        data: dict[str, Any] = {}
        for key, limit in TEXT_LIMITS.items():
            value = values.get(key, "")
            if len(value) > limit:
                row.reject(key, _("This is longer than %(limit)d characters, the most this field holds.") % {
                    "limit": limit
                })  # fmt: skip
            elif value:
                data[key] = value
        row.label = values.get("name") or values.get("code") or ""
        if not values.get("name") and not row.has_issue("name"):
            row.reject("name", _("The full name is required."))
        if not values.get("code") and not row.has_issue("code"):
            row.reject("code", _("The code is required."))
        if "kind" in values:
            kind, is_joint, level = split_kind(values["kind"])
            data["kind"], data["is_joint"] = kind, is_joint
            if level:
                data["level"] = level
        if "level" in values:
            if data.get("level", values["level"]) != values["level"]:
                row.reject(
                    "level",
                    _("The level does not match the kind (%(kind)s).") % {"kind": KIND_TABLE.name(values["kind"])},
                )
            else:
                data["level"] = values["level"]
        for key in ("category", "established", "term_start", "term_end"):
            if key in values:
                data[key] = values[key]
        division = values.get("division_code")
        if division:
            refusal = division_code_refusal(division)
            if refusal:
                row.reject("division_code", refusal)
            else:
                data["division_code"] = division
        row.data = data

    # -------------------------------------------------------------------------------------- tree

    def _load(self, actor: Actor, rows: list[Row], default_id: int | None) -> Structure:
        """Three queries per batch: the codes of the file, the parents it names, the current parents; and one
        for the organisation chosen on the import page (the parent of new rows whose parent cell is empty)."""
        structure = Structure(actor)
        if default_id:
            default = Organization.objects.for_actor(actor, VIEW).filter(pk=default_id).values(*ORG_VALUES).first()
            if default is not None:
                structure.default = structure.existing(default)
        firsts = [row for row in rows if row.data.get("code") and not row.has_issue("code")]
        codes = [row.data["code"] for row in firsts]
        on_record: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(codes):
            for org in Organization.objects.filter(code__in=chunk).values(*ORG_VALUES):
                on_record[org["code"]] = org
        typed = {row.values["parent"] for row in rows if row.values.get("parent")}
        texts = sorted(typed | {normalise_text(text) for text in typed})
        visible = Organization.objects.for_actor(actor, VIEW)
        for chunk in _chunks(texts, BATCH // 2):
            for org in visible.filter(Q(code__in=chunk) | Q(name__in=chunk)).values(*ORG_VALUES):
                node = structure.existing(org)
                structure.by_code[org["code"]] = node
                structure.index(node, org["name"])
        current_parents = sorted({org["parent_id"] for org in on_record.values() if org["parent_id"]})
        for chunk in _chunks(current_parents):
            for org in Organization.objects.filter(pk__in=chunk).values(*ORG_VALUES):
                structure.existing(org)  # not indexed: named by a row, a parent must be visible to the importer
        for row in firsts:
            code = row.data["code"]
            org = on_record.get(code)
            if org is not None and not structure.may(MANAGE, org["path"]):
                if structure.may(VIEW, org["path"]):
                    message = _("The code %(code)s belongs to %(org)s, which you do not manage.")
                    row.reject("code", message % {"code": code, "org": org["name"]})
                else:  # do not name an organisation the importer may not see
                    row.reject("code", _("The code %(code)s is already used by another organisation.") % {"code": code})
            node = structure.existing(org) if org is not None else Node()
            node.row = row
            node.parent_text = row.values.get("parent", "")
            structure.nodes.append(node)
            structure.by_code[code] = node
            structure.index(node, row.data.get("name", ""))
            if org is not None and not row.rejected:
                structure.index(node, org["name"])
        return structure

    def _resolve(self, structure: Structure, text: str) -> Node | str:
        """The node a parent cell names (by code, else by full name), or the message saying why there is none.

        The text is tried as typed, then with full-width letters, digits and brackets folded (Ｔ１ is T1)."""
        folded = normalise_text(text)
        node = structure.by_code.get(text) or structure.by_code.get(folded)
        if node is not None:
            return node
        candidates = structure.by_name.get(text) or structure.by_name.get(folded) or []
        if len(candidates) > 1:
            rows = sorted(n.row.number for n in candidates if n.row is not None)
            if rows:
                return _(
                    "Several organisations are named %(name)s (rows %(rows)s of this file, or already in the tree): "
                    "write the parent's code instead."
                ) % {"name": text, "rows": ", ".join(map(str, rows))}
            return _("Several of your organisations are named %(name)s: write the parent's code instead.") % {
                "name": text
            }
        if not candidates:
            return _(
                "The parent %(parent)s is neither an organisation you manage nor a row of this file: "
                "name it by its full name or code."
            ) % {"parent": text}
        return candidates[0]

    def _link(self, structure: Structure) -> None:
        """Find each row's parent; an organisation on record keeps the one it has."""
        for node in structure.nodes:
            row = node.row
            assert row is not None
            text = node.parent_text
            org = node.org
            if org is not None:
                if not structure.may(MANAGE, org["path"]):
                    continue  # refused on its code; say nothing more about an organisation out of reach
                current = structure.by_pk.get(org["parent_id"]) if org["parent_id"] else None
                if not text or (
                    current is not None and current.org and text in (current.org["code"], current.org["name"])
                ):
                    node.parent = current  # stays where it is
                    continue
            if not text and structure.default is None:
                # A new root: only the system or whoever manages everything may add one.
                if not structure.may(MANAGE, None):
                    row.reject("parent", _("Name the parent organisation, by its full name or code."))
                continue
            found = self._resolve(structure, text) if text else structure.default
            assert found is not None
            if isinstance(found, str):
                row.reject("parent", found)
                continue
            if org is not None:
                if found is structure.by_pk.get(org["parent_id"] or 0):
                    node.parent = found  # the current parent, named by its new name in this file
                    continue
                row.reject(
                    "parent",
                    _("%(org)s already sits under another parent and an import does not move organisations: "
                      "use the move page of %(org)s.") % {"org": org["name"]},
                )  # fmt: skip
                continue
            node.parent = found
            if found.org is not None and found.row is None and not structure.may(MANAGE, found.org["path"]):
                row.reject(
                    "parent",
                    _("You do not manage %(parent)s, so you cannot add organisations under it.")
                    % {"parent": found.name},
                )

    def _check_cycles(self, structure: Structure) -> None:
        """New rows naming each other as parents in a circle: none of them can be placed."""
        state: dict[int, int] = {}  # id(node) -> 1 on the current walk, 2 done
        for start in structure.nodes:
            walk: list[Node] = []
            node: Node | None = start
            while node is not None and node.is_new and state.get(id(node)) is None:
                state[id(node)] = 1
                walk.append(node)
                node = node.parent
            if node is not None and state.get(id(node)) == 1:  # came back to a node of this walk
                circle = walk[walk.index(node) :]
                rows = ", ".join(str(n.row.number) for n in circle if n.row is not None)
                if len(circle) == 1:
                    message = _("An organisation cannot be its own parent.")
                else:
                    message = _(
                        "The parents named on rows %(rows)s go round in a circle: one of them must sit under an "
                        "existing organisation."
                    ) % {"rows": rows}
                for member in circle:
                    assert member.row is not None
                    member.row.reject("parent", message)
                    member.parent = None
            for member in walk:
                state[id(member)] = 2

    def _check_names(self, structure: Structure) -> None:
        """Two rows with the same full name under the same parent are one organisation written twice."""
        seen: dict[tuple[int, str], int] = {}
        for node in structure.nodes:
            row = node.row
            assert row is not None
            name = row.data.get("name")
            if not name or node.parent is None:
                continue
            first = seen.setdefault((id(node.parent), name), row.number)
            if first != row.number:
                row.reject(
                    "name", _("Row %(row)d of this file has the same full name under the same parent.") % {"row": first}
                )

    def _check_placement(self, structure: Structure) -> None:
        """Which kind may sit under which: the rules of ``validate_placement``, for new rows and new kinds."""
        for node in structure.nodes:
            row = node.row
            assert row is not None
            kind = node.kind
            if node.is_new:
                if not kind:
                    if not row.has_issue("kind"):
                        row.reject(
                            "kind" if "kind" in row.cols else None, _("The kind of a new organisation is required.")
                        )
                    continue
                if node.parent is None and (row.has_issue("parent") or node.parent_text):
                    continue  # the parent is already refused
                parent_kind = node.parent.kind if node.parent is not None else None
                if node.parent is not None and not parent_kind:
                    continue  # the parent row has no kind: refused on its own row
            else:
                assert node.org is not None
                if kind == node.org["kind"] or row.has_issue("parent") or not structure.may(MANAGE, node.org["path"]):
                    continue
            stub = _placement_stub(node.parent) if node.parent is not None else None
            try:
                services.validate_placement(kind, stub)
            except DomainError as exc:
                row.reject_error(exc)

    def _check_kind_changes(self, structure: Structure) -> None:
        """An organisation on record that changes kind: its members and children must still fit (two queries)."""
        changing = {
            node.org["pk"]: node
            for node in structure.nodes
            if node.org is not None and node.row is not None and not node.row.rejected and node.kind != node.org["kind"]
        }
        if not changing:
            return
        stats = {
            s["organization_id"]: s
            for s in OrgStats.objects.filter(pk__in=list(changing)).values(
                "organization_id", "members_direct", "children_count"
            )
        }
        child_kinds: dict[int, set[str]] = defaultdict(set)
        children = Organization.objects.filter(parent_id__in=list(changing)).values_list("parent_id", "kind")
        for parent_id, kind in children.distinct():
            child_kinds[parent_id].add(kind)
        for pk, node in changing.items():
            row, old, new = node.row, node.org["kind"] if node.org else "", node.kind
            assert row is not None
            counts = stats.get(pk, {"members_direct": 0, "children_count": 0})
            if old in MEMBER_HOLDING_KINDS and new not in MEMBER_HOLDING_KINDS and counts["members_direct"]:
                row.reject("kind", _("A branch with members must stay a branch: move its members out before changing "
                                     "its kind."))  # fmt: skip
            if new in MEMBER_HOLDING_KINDS and counts["children_count"]:
                row.reject("kind", _("A branch cannot have child organisations; move them out first."))
            for child_kind in sorted(child_kinds[pk]):
                if new not in ALLOWED_PARENT_KINDS.get(child_kind, frozenset()):
                    row.reject(
                        "kind",
                        _("A %(kind)s cannot sit under a %(parent)s.")
                        % {"kind": OrgKind(child_kind).label, "parent": OrgKind(new).label},
                    )

    def _check_rejected_parents(self, structure: Structure) -> None:
        """A new row whose parent row has errors cannot be placed either, to any depth; nor can a row that would
        make the tree deeper than its paths hold."""
        done: set[int] = set()
        depth: dict[int, int] = {}  # id(node) -> depth of a new organisation
        for start in structure.nodes:
            chain: list[Node] = []  # from ``start`` up to the first node already seen or on record
            node: Node | None = start
            while node is not None and node.is_new and id(node) not in done:
                done.add(id(node))
                chain.append(node)
                node = node.parent
            for child in reversed(chain):  # parents first
                row, parent = child.row, child.parent
                assert row is not None
                if parent is None:
                    depth[id(child)] = 0
                    continue
                if parent.row is not None and parent.row.rejected:
                    row.reject(
                        "parent",
                        _("The parent organisation on row %(row)d has errors: correct that row first.")
                        % {"row": parent.row.number},
                    )
                    continue
                if parent.org is not None:
                    parent_depth: int | None = len(parent.org["path"]) // STEP_WIDTH - 1
                else:
                    parent_depth = depth.get(id(parent))
                if parent_depth is None:
                    continue
                depth[id(child)] = parent_depth + 1
                if (parent_depth + 2) * STEP_WIDTH > MAX_PATH:
                    row.reject(
                        "parent",
                        _("The tree can be at most %(levels)d levels deep; this row would go deeper.")
                        % {"levels": MAX_PATH // STEP_WIDTH},
                    )

    # -------------------------------------------------------------------------------------- outcome

    def _set_outcome(self, node: Node) -> None:
        row = node.row
        assert row is not None
        data = row.data
        record = {**(node.org or {}), **{key: data[key] for key in UPDATABLE if key in data}}
        # The same formats, windows and cross-field rules as the forms and the API (orgs.validators), for what
        # this row sets.
        touched = set(data) | ({"term_end"} if "term_start" in data else set())
        for key, messages in org_value_errors({**record, "code": data.get("code", "")}).items():
            if key in touched and not row.has_issue(key):
                for message in messages:
                    row.reject(key, message)
        if row.rejected:
            return
        if node.org is None:
            parent = node.parent
            row.status = NEW
            row.data = {
                **{key: data[key] for key in UPDATABLE if key in data},
                "code": data["code"],
                "parent_id": parent.org["pk"] if parent is not None and parent.org is not None else None,
                "parent_code": parent.row.data["code"] if parent is not None and parent.org is None and parent.row
                else None,
            }  # fmt: skip
            return
        org = node.org
        changed = {key: data[key] for key in UPDATABLE if key in data and org.get(key) != data[key]}
        row.target = org["pk"]
        row.data = changed
        row.status = UPDATED if changed else UNCHANGED
        row.changes = []
        if "kind" in changed or "is_joint" in changed:
            old = KIND_TABLE.name(kind_code(org["kind"], org["is_joint"]))
            new = KIND_TABLE.name(kind_code(record["kind"], record["is_joint"]))
            row.changes.append((_field_label("kind"), old, new))
        for key, value in changed.items():
            if key not in ("kind", "is_joint"):
                row.changes.append((_field_label(key), _shown(key, org.get(key)), _shown(key, value)))

    def write(self, actor: Actor, rows: list[Row], options: dict[str, Any]) -> None:
        services.import_organizations(
            actor,
            new=[row.data for row in rows if row.status == NEW],
            updates=[(row.target, row.data) for row in rows if row.status == UPDATED],
        )
