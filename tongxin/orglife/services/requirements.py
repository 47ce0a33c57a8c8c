"""The required frequencies of organisational life (``MeetingRequirement``), edited by the district admin.

The defaults of DOMAIN.md are seeded by migration 0002; ``set_requirement`` changes one (or adds one for a
new pair of organisation kind and meeting kind). Only who may edit the rules may do it
(``tongxin.core.services.may_edit_rules``: a superuser or an admin of a root organisation). Each change
writes a ChangeLog row with the values before and after, filed at the admin's root. The compliance board
reads the rows on every request, so a change shows at once.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongxin.core.audit import record_change
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import Actor
from tongxin.core.services import may_edit_rules, rule_admin_roots
from tongxin.orglife.models import Frequency, MeetingKind, MeetingRequirement
from tongxin.orgs.models import OrgKind

FIELDS = ["org_kind", "meeting_kind", "frequency", "active"]


def _values(row: MeetingRequirement) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FIELDS}


def _audit_path(actor: Actor) -> str:
    roots = rule_admin_roots(actor) if actor is not None else []
    return roots[0] if roots else ""


@transaction.atomic
def set_requirement(
    actor: Actor, *, org_kind: str, meeting_kind: str, frequency: str, active: bool
) -> MeetingRequirement | None:
    """Require organisations of ``org_kind`` to hold ``meeting_kind`` at ``frequency`` (``active=False``:
    no longer required). Creates the row when the pair is new; returns it, or None when nothing changed.

    PermissionDenied unless ``actor`` (None: the system) may edit the rules; DomainError for an unknown
    organisation kind, meeting kind or frequency.
    """
    if actor is not None and not may_edit_rules(actor):
        raise PermissionDenied
    if org_kind not in OrgKind.values:
        raise DomainError("org_kind", _("“%(value)s” is not an organisation kind.") % {"value": org_kind})
    if meeting_kind not in MeetingKind.values:
        raise DomainError("meeting_kind", _("“%(value)s” is not a meeting kind.") % {"value": meeting_kind})
    if frequency not in Frequency.values:
        raise DomainError("frequency", _("“%(value)s” is not a frequency.") % {"value": frequency})
    active = bool(active)
    path = _audit_path(actor)
    row = MeetingRequirement.objects.select_for_update().filter(org_kind=org_kind, meeting_kind=meeting_kind).first()
    if row is None:
        try:
            with transaction.atomic():
                row = MeetingRequirement.objects.create(
                    org_kind=org_kind, meeting_kind=meeting_kind, frequency=frequency, active=active
                )
        except IntegrityError:  # someone added the same pair at the same moment
            raise DomainError(
                "meeting_kind", _("Someone else added this requirement just now. Reload the page.")
            ) from None
        record_change(actor, row, ChangeLog.Action.CREATE, after=_values(row), org_path=path)
        return row
    if row.frequency == frequency and row.active == active:
        return None
    before = _values(row)
    row.frequency = frequency
    row.active = active
    row.save(update_fields=["frequency", "active"])
    record_change(actor, row, ChangeLog.Action.UPDATE, before=before, after=_values(row), org_path=path)
    return row
