"""The monthly cycle of a branch: self-evaluation (claims), review, publication (线上评) with objections, and
confirmation at the general meeting (现场评), after which the month is locked.

Refused with a message and nothing written: a claim over the item's cap, in a published or locked month,
without the evidence the item requires, by someone for another branch's member, a review of one's own claim
(or of one's own filing: the four-eyes rule), a publication with claims still waiting, a confirmation at a
meeting that is not the branch's recorded general meeting, or with objections unanswered.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongxin.accounts.notify import notice, notify_actors, notify_users
from tongxin.core.achievements import achievement_kinds
from tongxin.core.audit import record_change
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_text
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import CHANGE, Actor, by, require
from tongxin.core.uploads import check_upload
from tongxin.core.workflow import Workflow, refuse_own_case
from tongxin.orgs.models import Organization
from tongxin.people.models import MembershipStatus, Person
from tongxin.points.meetings import confirming_meeting
from tongxin.points.models import (
    CLAIM,
    CORRECTION,
    POINTS_LIMIT,
    Claim,
    Claimant,
    ClaimStatus,
    CycleStatus,
    MonthCycle,
    Objection,
    ObjectionStatus,
    PointEntry,
    Rule,
)
from tongxin.points.services import ledger
from tongxin.points.services.ledger import CENT

CLAIM_TRANSITIONS = {
    "review": ((ClaimStatus.SUBMITTED,), (ClaimStatus.ACCEPTED, ClaimStatus.ADJUSTED, ClaimStatus.REJECTED)),
    "withdraw": ((ClaimStatus.SUBMITTED,), ClaimStatus.WITHDRAWN),
}
CLAIMS: Workflow[Claim] = Workflow(
    Claim,
    CLAIM_TRANSITIONS,
    refusal=gettext_lazy("This claim is already “%(status)s”; someone acted on it before you. Reload the page."),
    url_name="points:claim",
    subject=lambda claim: claim.person_id,
    self_service=("withdraw",),
)

CYCLE_TRANSITIONS = {
    "publish": ((CycleStatus.OPEN,), CycleStatus.PUBLISHED),
    "reopen": ((CycleStatus.PUBLISHED,), CycleStatus.OPEN),
    "confirm": ((CycleStatus.PUBLISHED,), CycleStatus.LOCKED),
}
CYCLES: Workflow[MonthCycle] = Workflow(
    MonthCycle,
    CYCLE_TRANSITIONS,
    refusal=gettext_lazy("This month is already “%(status)s”; someone acted on it before you. Reload the page."),
    related=("organization",),
    url_name="points:cycle",
)

OBJECTION_TRANSITIONS = {"answer": ((ObjectionStatus.OPEN,), ObjectionStatus.ANSWERED)}
OBJECTIONS: Workflow[Objection] = Workflow(
    Objection,
    OBJECTION_TRANSITIONS,
    refusal=gettext_lazy("This objection is already “%(status)s”; someone acted on it before you."),
    url_name="points:objection",
    subject=lambda objection: objection.person_id,
)

OBJECTION_DAYS = 3  # the secretary answers an objection within this many days


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


@transaction.atomic
def open_cycle(actor: Actor, branch: Organization, month: datetime.date) -> MonthCycle:
    """The branch's cycle of ``month``, made (open) the first time someone responsible acts on it."""
    require(actor, CHANGE, branch.path)
    if not branch.holds_members:
        raise DomainError("organization", _("Points are reviewed by the branches."))
    month = ledger.month_of(month)
    if month > this_month():
        raise DomainError("month", _("A month that has not begun cannot be published."))
    cycle = MonthCycle.objects.filter(organization=branch, month=month).first()
    if cycle is None:
        cycle = CYCLES.create(actor, MonthCycle(organization=branch, org_path=branch.path, month=month),
                              conflict=lambda: DomainError("month", _("Try again.")))  # fmt: skip
    return cycle


def _refuse_closed(path: str, month: datetime.date, field: str = "month") -> None:
    status = MonthCycle.objects.filter(org_path=path, month=month).values_list("status", flat=True).first()
    if status == CycleStatus.LOCKED:
        raise DomainError(field, _("%(month)s is locked: it changes only by a recorded correction.")
                          % {"month": month.strftime("%Y-%m")})  # fmt: skip
    if status == CycleStatus.PUBLISHED:
        raise DomainError(field, _("%(month)s is published to the branch: claims and reviews are closed.")
                          % {"month": month.strftime("%Y-%m")})  # fmt: skip


def claimable_versions(person: Person, month: datetime.date, *, by_secretary: bool = False):
    """The items ``person`` (or, ``by_secretary``, the secretary for him) may claim in ``month``."""
    if not person.org_path:
        return []
    rule_set = ledger.rule_set_at(person.org_path)
    if rule_set is None:
        return []
    wanted = Claimant.SECRETARY if by_secretary else Claimant.MEMBER
    return [v for v in ledger.versions_in_force(rule_set, month) if v.source == CLAIM and v.claimant == wanted]


def _pending_points(person: Person, rule: Rule, month: datetime.date) -> Decimal:
    rows = Claim.objects.filter(person=person, rule=rule, month=month, status=ClaimStatus.SUBMITTED)
    return abs(rows.aggregate(total=Sum("points"))["total"] or Decimal(0))


def _refuse_over_cap(person: Person, version, month: datetime.date, points: Decimal, *, pending: Decimal) -> None:
    amount = abs(points)
    if version.cap_month is not None:
        used = ledger.used_points(person.pk, version.rule, month, ledger.next_month(month)) + pending
        if used + amount > version.cap_month:
            raise DomainError("rule", _("Over the item's cap of %(cap)s points a month (%(used)s used or claimed).")
                              % {"cap": version.cap_month.normalize(), "used": used.normalize()})  # fmt: skip
    if version.cap_year is not None:
        start = month.replace(month=1)
        used = ledger.used_points(person.pk, version.rule, start, start.replace(year=start.year + 1)) + pending
        if used + amount > version.cap_year:
            raise DomainError("rule", _("Over the item's cap of %(cap)s points a year (%(used)s used or claimed).")
                              % {"cap": version.cap_year.normalize(), "used": used.normalize()})  # fmt: skip


@transaction.atomic
def submit_claim(
    actor: Actor,
    *,
    person: Person,
    rule: Rule,
    evidence: str = "",
    quantity: Decimal | int = 1,
    photo: tuple[str, bytes] | None = None,
    month: datetime.date | None = None,
) -> Claim:
    """A member claims an item for herself (or the secretary files an item secretaries claim for a member of
    his branch) in an open month, with the evidence the item asks for."""
    person = Person.objects.select_for_update().get(pk=person.pk)  # two claims of one person queue here
    own = getattr(actor, "person_id", None) == person.pk
    if not own:
        require(actor, CHANGE, person.org_path or None)
    if person.status != MembershipStatus.ACTIVE or not person.org_path:
        raise DomainError("person", _("Only active members of a branch earn points."))
    month = ledger.month_of(month or timezone.localdate())
    if month > this_month():
        raise DomainError("month", _("A month that has not begun cannot be claimed."))
    _refuse_closed(person.org_path, month)
    version = next((v for v in claimable_versions(person, month, by_secretary=not own) if v.rule_id == rule.pk), None)
    if version is None:
        raise DomainError("rule", _("This item is not one you may claim in your branch's rules for that month."))
    evidence = checked_text("evidence", evidence, max_length=2000, multiline=True)
    if version.evidence_required and not evidence:
        raise DomainError("evidence", _("This item needs evidence: say what was done, where and when."))
    quantity = Decimal(quantity)
    if not (0 < quantity <= 100):
        raise DomainError("quantity", _("Between 1 and 100."))
    points = version.points * quantity
    _refuse_over_cap(person, version, month, points, pending=_pending_points(person, version.rule, month))
    photo_name, photo_type, content = "", "", None
    if photo is not None:
        photo_name, photo_type = check_upload(photo[0], photo[1], field="photo")
        if not photo_type.startswith("image/"):
            raise DomainError("photo", _("The evidence photo must be a JPEG or PNG."))
        content = photo[1]
    elif version.photo_required:
        raise DomainError("photo", _("This item needs a photo as evidence."))
    claim = Claim(
        person=person, org_path=person.org_path, month=month, rule_id=version.rule_id, version=version, points=points,
        evidence=evidence, photo_name=photo_name, photo_type=photo_type, photo=content, created_by=by(actor),
    )  # fmt: skip
    CLAIMS.create(actor, claim, conflict=lambda: DomainError("rule", _("Try again.")))
    text = notice(gettext_noop("%(name)s claims “%(item)s” for %(month)s."), name=person.name, item=version.name,
                  month=month.strftime("%Y-%m"))  # fmt: skip
    notify_actors(CHANGE, person.org_path, text=text, url=CLAIMS.url(claim), exclude=actor, about_pending=True)
    return claim


@transaction.atomic
def review_claim(
    actor: Actor, claim: Claim, *, decision: str, points: Decimal | None = None, reason: str = ""
) -> Claim:
    """The secretary accepts a claim, adjusts its points with a reason, or rejects it with a reason."""
    claim = CLAIMS.lock(actor, claim, "review")
    require(actor, CHANGE, claim.org_path)
    _refuse_closed(claim.org_path, claim.month, field="decision")
    if claim.created_by_id is not None and claim.created_by_id == getattr(actor, "pk", None):
        raise DomainError("decision", _("You filed this claim: another person responsible reviews it."))
    reason = checked_text("reason", reason, max_length=200)
    awarded: Decimal | None
    if decision == ClaimStatus.ACCEPTED:
        awarded = claim.points
    elif decision == ClaimStatus.ADJUSTED:
        if points is None:
            raise DomainError("points", _("Give the points awarded."))
        awarded = Decimal(points)
        if awarded == claim.points:
            raise DomainError("points", _("The points are those claimed: accept the claim instead."))
        if abs(awarded) > abs(claim.points) or (awarded * claim.points) < 0:
            raise DomainError("points", _("An adjustment lowers the points claimed (between 0 and %(points)s).")
                              % {"points": claim.points.normalize()})  # fmt: skip
        if not reason:
            raise DomainError("reason", _("Give the reason for the adjustment."))
    elif decision == ClaimStatus.REJECTED:
        awarded = None
        if not reason:
            raise DomainError("reason", _("Give the reason for the rejection."))
    else:
        raise DomainError("decision", _("Accept, adjust or reject."))
    CLAIMS.move(actor, claim, "review", outcome=decision,
                changes={"points_awarded": awarded, "review_reason": reason, "reviewed_by": by(actor),
                         "reviewed_at": timezone.now()})  # fmt: skip
    if awarded is not None:
        ledger.book(person_id=claim.person_id, path=claim.org_path, occurred_on=claim.month, version=claim.version,
                    kind=CLAIM, source=f"points.claim:{claim.pk}", quantity=Decimal(1), points=awarded,
                    reason=reason, actor=actor)  # fmt: skip
    user_ids = list(Person.objects.filter(pk=claim.person_id).values_list("user__pk", flat=True))
    text = notice(gettext_noop("Your claim for %(month)s was reviewed: %(status)s."),
                  month=claim.month.strftime("%Y-%m"), status=claim.get_status_display())  # fmt: skip
    notify_users([pk for pk in user_ids if pk], text=text, url=CLAIMS.url(claim), org_path=claim.org_path)
    return claim


@transaction.atomic
def withdraw_claim(actor: Actor, claim: Claim) -> Claim:
    """The member (or whoever filed it) takes back a claim not reviewed yet."""
    claim = CLAIMS.lock(actor, claim, "withdraw")
    if getattr(actor, "person_id", None) != claim.person_id:
        require(actor, CHANGE, claim.org_path)
    return CLAIMS.move(actor, claim, "withdraw")


# --- the month ------------------------------------------------------------------------------------------------


@transaction.atomic
def publish_month(actor: Actor, cycle: MonthCycle) -> MonthCycle:
    """Show the branch's scores of the month to its members for the rule set's number of days (线上评)."""
    cycle = CYCLES.lock(actor, cycle, "publish")
    require(actor, CHANGE, cycle.org_path)
    if cycle.month > this_month():
        raise DomainError("status", _("A month that has not begun cannot be published."))
    waiting = Claim.objects.filter(org_path=cycle.org_path, month=cycle.month, status=ClaimStatus.SUBMITTED).count()
    if waiting:
        raise DomainError("status", _("%(n)s claims await review: review them before publishing.") % {"n": waiting})
    rule_set = ledger.rule_set_for(cycle.org_path, ledger.audience_of(cycle.organization))
    days = rule_set.publish_days if rule_set is not None else 7
    today = timezone.localdate()
    CYCLES.move(actor, cycle, "publish", changes={"published_at": timezone.now(),
                                                  "publish_until": today + datetime.timedelta(days=days)})  # fmt: skip
    members = Person.objects.filter(org_path=cycle.org_path, status=MembershipStatus.ACTIVE, user__isnull=False)
    text = notice(gettext_noop("The points of %(month)s are published until %(until)s: look and object if wrong."),
                  month=cycle.month.strftime("%Y-%m"), until=f"{cycle.publish_until}")  # fmt: skip
    notify_users(list(members.values_list("user__pk", flat=True)), text=text, url=CYCLES.url(cycle),
                 org_path=cycle.org_path)  # fmt: skip
    return cycle


@transaction.atomic
def act_on_month(
    actor: Actor, branch: Organization, month: datetime.date, step: str, *, meeting_id: int = 0
) -> MonthCycle:
    """The branch month page's steps in one transaction: the month's record made if need be, then ``step``
    (publish, reopen, confirm): a refusal leaves nothing, the record included."""
    cycle = open_cycle(actor, branch, month)
    if step == "publish":
        return publish_month(actor, cycle)
    if step == "reopen":
        return reopen_month(actor, cycle)
    if step == "confirm":
        return confirm_month(actor, cycle, meeting_id=meeting_id)
    raise DomainError("step", _("Choose what to do."))


@transaction.atomic
def reopen_month(actor: Actor, cycle: MonthCycle) -> MonthCycle:
    """Take the publication back (an objection upheld): claims and reviews open again."""
    cycle = CYCLES.lock(actor, cycle, "reopen")
    require(actor, CHANGE, cycle.org_path)
    return CYCLES.move(actor, cycle, "reopen", changes={"published_at": None, "publish_until": None})


@transaction.atomic
def confirm_month(actor: Actor, cycle: MonthCycle, *, meeting_id: int) -> MonthCycle:
    """Confirm the month at the branch's recorded general meeting (现场评): the month is locked."""
    cycle = CYCLES.lock(actor, cycle, "confirm")
    require(actor, CHANGE, cycle.org_path)
    since = timezone.localdate(cycle.published_at) if cycle.published_at else cycle.month
    meeting = confirming_meeting(cycle.organization_id, meeting_id, since)
    if meeting is None:
        raise DomainError("meeting", _("Confirm the month at a general meeting of the branch recorded as held "
                                       "after the month was published."))  # fmt: skip
    open_objections = cycle.objections.filter(status=ObjectionStatus.OPEN).count()
    if open_objections:
        raise DomainError("meeting", _("%(n)s objections await an answer.") % {"n": open_objections})
    return CYCLES.move(actor, cycle, "confirm",
                       changes={"meeting": meeting, "locked_at": timezone.now(), "locked_by": by(actor)})  # fmt: skip


@transaction.atomic
def object_to_month(actor: Actor, cycle: MonthCycle, *, text: str) -> Objection:
    """A member of the branch comments on or objects to the published month; the secretary must answer."""
    cycle = MonthCycle.objects.select_for_update().get(pk=cycle.pk)
    person_id = getattr(actor, "person_id", None)
    person = Person.objects.filter(pk=person_id, org_path=cycle.org_path).first() if person_id else None
    if person is None:
        raise PermissionDenied
    if cycle.status != CycleStatus.PUBLISHED:
        raise DomainError("text", _("Objections are made while the month is published."))
    text = checked_text("text", text, max_length=2000, multiline=True)
    if not text:
        raise DomainError("text", _("Say what is wrong."))
    objection = Objection(cycle=cycle, person=person, org_path=cycle.org_path, text=text,
                          answer_by=timezone.localdate() + datetime.timedelta(days=OBJECTION_DAYS))  # fmt: skip
    OBJECTIONS.create(actor, objection, conflict=lambda: DomainError("text", _("Try again.")))
    message = notice(gettext_noop("%(name)s objects to the points of %(month)s: answer by %(by)s."),
                     name=person.name, month=cycle.month.strftime("%Y-%m"),
                     by=objection.answer_by.isoformat())  # fmt: skip
    notify_actors(CHANGE, cycle.org_path, text=message, url=CYCLES.url(cycle), exclude=actor, about_pending=True)
    return objection


@transaction.atomic
def answer_objection(actor: Actor, objection: Objection, *, answer: str) -> Objection:
    objection = OBJECTIONS.lock(actor, objection, "answer")
    require(actor, CHANGE, objection.org_path)
    answer = checked_text("answer", answer, max_length=2000, multiline=True)
    if not answer:
        raise DomainError("answer", _("Write the answer."))
    return OBJECTIONS.move(actor, objection, "answer", changes={"answer": answer, "answered_by": by(actor)})


@transaction.atomic
def correct_entry(actor: Actor, entry: PointEntry, *, reason: str, points: Decimal | None = None) -> PointEntry:
    """A recorded correction of an entry of a locked month, with a reason: the entry reversed (``points``
    None) or an adjusting entry of ``points`` (either sign) under the same item. Like every entry after the
    lock it is booked in the branch's first open month, so the confirmed month stays as confirmed and the
    correction shows where it was made; the roll-up moves with it. Nobody corrects his own entries."""
    entry = PointEntry.objects.select_for_update().get(pk=entry.pk)
    require(actor, CHANGE, entry.org_path)
    refuse_own_case(actor, [entry.person_id], "reason")
    status = MonthCycle.objects.filter(org_path=entry.org_path, month=entry.month).values_list("status", flat=True)
    if status.first() != CycleStatus.LOCKED:
        raise DomainError("reason", _("Only a locked month is corrected here: in an open month correct the record "
                                      "the points came from, or review the claim."))  # fmt: skip
    reason = checked_text("reason", reason, max_length=200)
    if not reason:
        raise DomainError("reason", _("Give the reason for the correction."))
    if points is None:
        if entry.reversal_of_id is not None or PointEntry.objects.filter(reversal_of=entry).exists():
            raise DomainError("reason", _("This entry is already reversed."))
        return ledger.reverse_entry(entry, reason=reason, actor=actor)
    try:
        amount = Decimal(points)
    except (TypeError, ArithmeticError, ValueError):
        raise DomainError("points", _("Give a number of points.")) from None
    if not amount.is_finite() or amount == 0 or abs(amount) > POINTS_LIMIT or amount != amount.quantize(CENT):
        raise DomainError("points", _("Give the points to add or take away (not 0, at most %(limit)s, two decimal "
                                      "places).") % {"limit": POINTS_LIMIT})  # fmt: skip
    # each adjustment its own source (one live entry per source and rule, as for every source)
    earlier = PointEntry.objects.filter(source__startswith=f"points.correction:{entry.pk}:", reversal_of__isnull=True)
    adjusting = ledger.book(person_id=entry.person_id, path=entry.org_path, occurred_on=entry.occurred_on,
                            version=entry.version, kind=CORRECTION,
                            source=f"points.correction:{entry.pk}:{earlier.count() + 1}",
                            quantity=Decimal(1), points=amount, reason=reason, actor=actor)  # fmt: skip
    record_change(actor, adjusting, ChangeLog.Action.CREATE, org_path=entry.org_path,
                  after={"corrects": entry.pk, "points": str(amount), "reason": reason})  # fmt: skip
    return adjusting


def kind_labels() -> dict[str, str]:
    labels = {kind.key: str(kind.label) for kind in achievement_kinds()}
    labels[CLAIM] = _("Claim")
    labels[CORRECTION] = _("Correction of a locked month")
    return labels
