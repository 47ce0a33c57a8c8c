"""Graduation (学社衔接): a school branch sends its graduates on in one batch.

The secretary sets the graduation date and gives each graduate a destination: the employer's
organisation, the community organisation where they live, the school's flow branch (for up to
``flow_branch_max_months``), the school's abroad branch, or a place outside the system. The batch
creates one transfer per graduate, started by the sending side (so already approved by it); each
receiving organisation accepts as for any transfer. All or nothing: one bad line refuses the batch,
naming the graduate and the reason. Graduates left in a flow branch past the limit are listed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.audit import record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, Actor, by, require
from tongxin.lifecycle.models import (
    GraduationBatch,
    GraduationDestination,
    Transfer,
    TransferReason,
    TransferSide,
    TransferStatus,
)
from tongxin.lifecycle.services.common import add_months
from tongxin.lifecycle.services.transfers import start_transfer
from tongxin.orgs.models import Organization
from tongxin.people.models import MembershipStatus, Person

# The transfer reason each destination kind is recorded with.
REASONS: dict[str, str] = {
    GraduationDestination.EMPLOYER: TransferReason.EMPLOYMENT_WITH_ORG,
    GraduationDestination.COMMUNITY: TransferReason.GRADUATION,
    GraduationDestination.FLOW: TransferReason.GRADUATION,
    GraduationDestination.ABROAD: TransferReason.ABROAD_PRIVATE,
    GraduationDestination.OUTSIDE: TransferReason.GRADUATION,
}


@dataclass
class Assignment:
    """One graduate's destination: an organisation in the system, or a place outside it."""

    person: Person
    destination: str
    to_org: Organization | None = None
    external: str = ""


@transaction.atomic
def send_graduates(actor: Actor, *, branch: Organization, graduation_date: datetime.date,
                   assignments: list[Assignment]) -> GraduationBatch:  # fmt: skip
    """Create the batch and one transfer per graduate; refuse the whole batch if any line is wrong."""
    require(actor, CHANGE, branch.path)
    if not assignments:
        raise DomainError("assignments", _("Choose at least one graduate and their destination."))
    if graduation_date > timezone.localdate() + datetime.timedelta(days=366):
        raise DomainError("graduation_date", _("The graduation date is more than a year away."))
    errors: list[str] = []
    for line in assignments:
        person = line.person
        if person.branch_id != branch.pk or person.status != MembershipStatus.ACTIVE:
            errors.append(_("%(name)s is not an active member of this branch.") % {"name": person.name})
        elif line.destination not in GraduationDestination.values:
            errors.append(_("%(name)s: choose where they go.") % {"name": person.name})
        elif line.destination == GraduationDestination.OUTSIDE and not line.external.strip():
            errors.append(_("%(name)s: name the destination outside the system.") % {"name": person.name})
        elif line.destination != GraduationDestination.OUTSIDE and line.to_org is None:
            errors.append(_("%(name)s: choose the receiving organisation.") % {"name": person.name})
    if errors:
        raise DomainError("assignments", " ".join(errors))
    batch = GraduationBatch.objects.create(
        branch=branch, org_path=branch.path, graduation_date=graduation_date,
        created_by=by(actor) if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    record_change(actor, batch, ChangeLog.Action.CREATE, after=snapshot(batch), org_path=branch.path)
    for line in assignments:
        try:
            transfer = start_transfer(
                actor, person=line.person, side=TransferSide.SENDING, reason=REASONS[line.destination],
                to_org=None if line.destination == GraduationDestination.OUTSIDE else line.to_org,
                external_destination=line.external if line.destination == GraduationDestination.OUTSIDE else "",
                note=_("Graduation on %(date)s") % {"date": graduation_date.isoformat()},
            )  # fmt: skip
        except DomainError as exc:
            raise DomainError("assignments", f"{line.person.name}: {' '.join(exc.messages)}") from None
        except PermissionDenied:
            raise DomainError("assignments", _("%(name)s: you may not transfer this member.")
                              % {"name": line.person.name}) from None  # fmt: skip
        Transfer.objects.filter(pk=transfer.pk).update(graduation=batch, graduation_destination=line.destination)
    return batch


def overdue_in_flow(qs: QuerySet[Transfer], today: datetime.date | None = None) -> QuerySet[Transfer]:
    """Completed graduation transfers into a flow branch whose graduate is still there past the limit
    (``flow_branch_max_months``, default 6): the branch should move them on."""
    today = today or timezone.localdate()
    cutoff = add_months(today, -rule("flow_branch_max_months"))
    return qs.filter(
        graduation_destination=GraduationDestination.FLOW,
        status=TransferStatus.COMPLETED,
        in_accepted_at__date__lt=cutoff,
        person__status=MembershipStatus.ACTIVE,
        person__branch_id=F("to_branch_id"),
    ).select_related("person", "to_branch", "from_org")
