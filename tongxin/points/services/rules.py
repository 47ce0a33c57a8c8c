"""Rules: a rule set per organisation and audience, inherited down the tree; items changed by a new version
valid from the first of a month (never in place once points were booked under it). A change back-dated into
a month some branch under the set has published or locked is refused; the open months it reaches are
re-scored: each system entry under the old version is reversed and booked again under the new one (claims
keep the amount their review gave)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from tongxin.core.achievements import achievement_kinds
from tongxin.core.audit import record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_text
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import MANAGE, Actor, by, require, subtree_q
from tongxin.core.services import may_edit_rules
from tongxin.orgs.models import Organization
from tongxin.points.models import (
    CLAIM,
    CORRECTION,
    POINTS_LIMIT,
    Claimant,
    CycleStatus,
    MonthCycle,
    PointEntry,
    Rule,
    RuleSet,
    RuleSetVersion,
    RuleVersion,
)
from tongxin.points.services import ledger

VERSION_FIELDS = ("name", "points", "source", "claimant", "evidence_required", "photo_required", "cap_month",
                  "cap_year", "active")  # fmt: skip
SET_FIELDS = ("name", "base_score", "floor", "reset", "publish_days", "rankings")
SCORE_FIELDS = ("base_score", "floor")  # versioned like the items (``change_scores``), never set in place


def require_editor(actor: Actor, path: str) -> None:
    """Rules are the committee's: an admin of the organisation (MANAGE); the defaults, the district admin."""
    if path == "":
        if actor is not None and not may_edit_rules(actor):
            raise PermissionDenied
        return
    require(actor, MANAGE, path)


def _check_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"not a rule field: {sorted(unknown)}")
    if "name" in values:
        values["name"] = checked_text("name", values["name"], max_length=100)
        if not values["name"]:
            raise DomainError("name", _("Name the item."))
    for field in ("points", "cap_month", "cap_year"):
        value = values.get(field)
        if value is None:
            continue
        value = Decimal(value)
        if abs(value) > POINTS_LIMIT or (field != "points" and value < 0):
            raise DomainError(field, _("Between 0 and %(limit)s points.") % {"limit": POINTS_LIMIT})
        values[field] = value
    source = values.get("source")
    if source is not None and source != CLAIM and source not in {k.key for k in achievement_kinds()}:
        raise DomainError("source", _("Unknown source of points."))
    claimant = values.get("claimant")
    if claimant is not None and claimant not in Claimant.values:
        raise DomainError("claimant", _("Unknown claimant."))
    if source is not None and claimant is not None and (source == CLAIM) == (claimant == Claimant.SYSTEM):
        raise DomainError("claimant", _("Items claimed are claimed by the member or the secretary; points from "
                                        "records arrive by themselves."))  # fmt: skip
    return values


def refuse_closed_months(rule_set: RuleSet, since: datetime.date) -> None:
    """A change from ``since`` may not reach a month a branch under ``rule_set`` has published or locked."""
    closed = MonthCycle.objects.filter(month__gte=since).exclude(status=CycleStatus.OPEN)
    if rule_set.org_path:  # the defaults (empty path) reach every branch
        closed = closed.filter(subtree_q("org_path", rule_set.org_path))
    first = closed.order_by("month").first()
    if first is not None:
        raise DomainError(
            "valid_from",
            _("%(month)s is already published or locked in %(org)s: a rule change may start from the month after "
              "it at the earliest.") % {"month": first.month.strftime("%Y-%m"), "org": first.organization.name},
        )  # fmt: skip


@transaction.atomic
def add_rule(actor: Actor, rule_set: RuleSet, *, key: str, valid_from: datetime.date, **values: Any) -> Rule:
    require_editor(actor, rule_set.org_path)
    values = _check_values(values)
    valid_from = ledger.month_of(valid_from)
    refuse_closed_months(rule_set, valid_from)
    if Rule.objects.filter(rule_set=rule_set, key=key).exists():
        raise DomainError("key", _("An item with this key exists already."))
    rule = Rule.objects.create(rule_set=rule_set, key=key)
    version = RuleVersion.objects.create(rule=rule, valid_from=valid_from, created_by=by(actor), **values)
    record_change(actor, version, ChangeLog.Action.CREATE, org_path=rule_set.org_path)
    return rule


@transaction.atomic
def change_rule(actor: Actor, rule: Rule, *, valid_from: datetime.date, **values: Any) -> RuleVersion:
    """A new version of ``rule`` from ``valid_from``'s month with ``values`` changed; the open months it
    reaches are re-scored."""
    rule = Rule.objects.select_for_update().select_related("rule_set").get(pk=rule.pk)
    rule_set = rule.rule_set
    require_editor(actor, rule_set.org_path)
    values = _check_values(values)
    valid_from = ledger.month_of(valid_from)
    refuse_closed_months(rule_set, valid_from)
    previous = rule.versions.filter(valid_from__lte=valid_from).order_by("-valid_from").first()
    if previous is None:
        raise DomainError("valid_from", _("The item is not in force yet in that month."))
    fields = {name: getattr(previous, name) for name in VERSION_FIELDS} | values
    _check_values({k: fields[k] for k in ("source", "claimant")})
    if previous.valid_from == valid_from:
        if previous.entries.exists() or previous.claims.exists():
            raise DomainError("valid_from", _("Points were booked under this month's version: change the item "
                                              "from the next month."))  # fmt: skip
        before = snapshot(previous)
        for name, value in fields.items():
            setattr(previous, name, value)
        previous.save()
        record_change(actor, previous, ChangeLog.Action.UPDATE, before=before, after=snapshot(previous),
                      org_path=rule_set.org_path)  # fmt: skip
        version = previous
    else:
        version = RuleVersion.objects.create(rule=rule, valid_from=valid_from, created_by=by(actor), **fields)
        record_change(actor, version, ChangeLog.Action.CREATE, org_path=rule_set.org_path)
    _rescore(actor, rule, version)
    return version


def _rescore(actor: Actor, rule: Rule, version: RuleVersion) -> None:
    """Book again, under ``version``, the system entries of ``rule`` in the months it now governs."""
    later = rule.versions.filter(valid_from__gt=version.valid_from).order_by("valid_from").first()
    entries = ledger.is_live(
        PointEntry.objects.select_for_update(of=("self",)).filter(rule=rule, month__gte=version.valid_from)
    )
    if later is not None:
        entries = entries.filter(month__lt=later.valid_from)
    for entry in entries.exclude(kind__in=(CLAIM, CORRECTION)).order_by("id"):
        ledger.reverse_entry(entry, reason="rule changed", actor=actor)
        if version.active and version.source == entry.kind:
            ledger.book(person_id=entry.person_id, path=entry.org_path, occurred_on=entry.occurred_on, version=version,
                        kind=entry.kind, source=entry.source, quantity=entry.quantity, actor=actor)  # fmt: skip


@transaction.atomic
def override_rule_set(actor: Actor, organization: Organization, audience: str) -> RuleSet:
    """Give ``organization``'s subtree its own rule set: a copy of the one it inherits, every version with it
    (so past months keep their scores), edited from then on without touching the rest of the tree."""
    require_editor(actor, organization.path)
    if RuleSet.objects.filter(org_path=organization.path, audience=audience).exists():
        raise DomainError("organization", _("This organisation has its own rules already."))
    inherited = ledger.rule_set_for(organization.path, audience)
    if inherited is None:
        raise DomainError("organization", _("There are no rules to start from."))
    own = RuleSet.objects.create(
        organization=organization, org_path=organization.path, audience=audience,
        name=f"{organization.name} · {inherited.name}"[:100],
        **{name: getattr(inherited, name) for name in SET_FIELDS if name != "name"},
    )  # fmt: skip
    for rule in inherited.rules.prefetch_related("versions"):
        copy = Rule.objects.create(rule_set=own, key=rule.key)
        RuleVersion.objects.bulk_create([
            RuleVersion(rule=copy, valid_from=v.valid_from, created_by=by(actor),
                        **{name: getattr(v, name) for name in VERSION_FIELDS})
            for v in rule.versions.all()
        ])  # fmt: skip
    RuleSetVersion.objects.bulk_create([
        RuleSetVersion(rule_set=own, valid_from=v.valid_from, base_score=v.base_score, floor=v.floor,
                       created_by=by(actor))
        for v in inherited.versions.all()
    ])  # fmt: skip
    record_change(actor, own, ChangeLog.Action.CREATE, org_path=own.org_path)
    return own


@transaction.atomic
def update_rule_set(actor: Actor, rule_set: RuleSet, **values: Any) -> RuleSet:
    """The set's own settings: name, reset, days published, rankings on or off (the base score and the floor
    change by a new version: :func:`change_scores`)."""
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    require_editor(actor, rule_set.org_path)
    unknown = set(values) - (set(SET_FIELDS) - set(SCORE_FIELDS))
    if unknown:
        raise TypeError(f"not a rule set field: {sorted(unknown)}")
    before = snapshot(rule_set)
    for name, value in values.items():
        setattr(rule_set, name, value)
    rule_set.full_clean()
    rule_set.save()
    record_change(actor, rule_set, ChangeLog.Action.UPDATE, before=before, after=snapshot(rule_set),
                  org_path=rule_set.org_path)  # fmt: skip
    return rule_set


# --- the base score and the floor, versioned --------------------------------------------------------------------


def scores_in_force(rule_set: RuleSet, month: datetime.date) -> tuple[Decimal, Decimal]:
    """``(base score, floor)`` of ``rule_set`` in ``month``: its latest version from that month or before, else
    the set's own values."""
    version = rule_set.versions.filter(valid_from__lte=month).order_by("-valid_from").first()
    if version is None:
        return rule_set.base_score, rule_set.floor
    return version.base_score, version.floor


def _points_value(field: str, value: Any, *, low: int) -> Decimal:
    try:
        value = Decimal(value)
    except (TypeError, ArithmeticError, ValueError):
        raise DomainError(field, _("Give a number of points.")) from None
    if not value.is_finite() or value < low or value > POINTS_LIMIT or value != value.quantize(Decimal("0.01")):
        raise DomainError(field, _("Between %(low)s and %(limit)s points, at most two decimal places.")
                          % {"low": low, "limit": POINTS_LIMIT})  # fmt: skip
    return value


@transaction.atomic
def change_scores(
    actor: Actor, rule_set: RuleSet, *, valid_from: datetime.date, base_score: Any, floor: Any
) -> RuleSetVersion:
    """The base score and the floor of ``rule_set`` from ``valid_from``'s month on: a new version (or the
    version of that very month corrected, no month under it being published or locked)."""
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    require_editor(actor, rule_set.org_path)
    base = _points_value("base_score", base_score, low=0)
    low = _points_value("floor", floor, low=0)
    if low > base:
        raise DomainError("floor", _("The floor is at most the base score."))
    valid_from = ledger.month_of(valid_from)
    refuse_closed_months(rule_set, valid_from)
    version = rule_set.versions.filter(valid_from=valid_from).first()
    if version is None:
        version = RuleSetVersion.objects.create(rule_set=rule_set, valid_from=valid_from, base_score=base, floor=low,
                                                created_by=by(actor))  # fmt: skip
        record_change(actor, version, ChangeLog.Action.CREATE, org_path=rule_set.org_path)
    else:
        before = snapshot(version)
        version.base_score, version.floor = base, low
        version.save(update_fields=["base_score", "floor"])
        record_change(actor, version, ChangeLog.Action.UPDATE, before=before, after=snapshot(version),
                      org_path=rule_set.org_path)  # fmt: skip
    return version


# --- the committee's pages and API: the rules in force for an organisation ----------------------------------------


def set_in_force(organization: Organization) -> RuleSet | None:
    """The rule set an organisation's subtree is scored with: its own, or the nearest one above it."""
    return ledger.rule_set_for(organization.path, ledger.audience_of(organization))


def may_edit(actor: Actor, rule_set: RuleSet) -> bool:
    try:
        require_editor(actor, rule_set.org_path)
    except PermissionDenied:
        return False
    return True


def _editable_set(actor: Actor, organization: Organization) -> RuleSet:
    """The set in force for ``organization``, which the actor (an admin of it) may edit; an inherited set he may
    not edit is refused with the way forward (make the organisation's own rules)."""
    require(actor, MANAGE, organization.path)
    rule_set = set_in_force(organization)
    if rule_set is None:
        raise DomainError("organization", _("There are no rules to start from."))
    if not may_edit(actor, rule_set):
        raise DomainError("organization", _("These rules are inherited from above: make this organisation's own "
                                            "rules first, then edit them."))  # fmt: skip
    return rule_set


@transaction.atomic
def edit_item(actor: Actor, organization: Organization, *, rule: Rule | int, valid_from: datetime.date,
              **values: Any) -> RuleVersion:  # fmt: skip
    """A new version of an item of the rules in force for ``organization`` (see :func:`change_rule`)."""
    rule_set = _editable_set(actor, organization)
    rule_id = rule.pk if isinstance(rule, Rule) else rule
    found = Rule.objects.filter(pk=rule_id, rule_set=rule_set).first()
    if found is None:
        raise DomainError("rule", _("No such item in these rules."))
    return change_rule(actor, found, valid_from=valid_from, **values)


@transaction.atomic
def edit_scores(actor: Actor, organization: Organization, *, valid_from: datetime.date, base_score: Any,
                floor: Any) -> RuleSetVersion:  # fmt: skip
    """New base score and floor of the rules in force for ``organization`` (see :func:`change_scores`)."""
    rule_set = _editable_set(actor, organization)
    return change_scores(actor, rule_set, valid_from=valid_from, base_score=base_score, floor=floor)


@transaction.atomic
def make_own(actor: Actor, organization: Organization) -> RuleSet:
    """``organization``'s own rules for its audience, copied from those it inherits (:func:`override_rule_set`)."""
    require(actor, MANAGE, organization.path)
    return override_rule_set(actor, organization, ledger.audience_of(organization))
