"""Annual review (教育评议) and registration (团籍注册) of league members, one branch and one year at a time.

The state machine is ``REVIEW_TRANSITIONS`` below (``AnnualReview.status``: draft → submitted → approved,
with "returned for changes" going back from submitted to draft). Who acts at each step:

* open, grade, submit: the branch (CHANGE over the branch's path; a committee above it may as well).
  Opening creates one ReviewEntry per active league member of the branch (political status 03), in bulk.
* approve, return for changes: the committee above the branch (CHANGE over the *parent's* path), so the
  branch secretary alone cannot approve their own branch's grades.
* register (and defer): after approval, the branch or any organisation above it. Members graded
  基本合格 or better are registered (``registered_on``); 不合格 members are deferred
  (``deferred_until``) to a date 3–6 months after registration (rules ``registration_deferral_min_months``
  and ``registration_deferral_max_months``).

Rules checked on submission, each refused with a message naming it and nothing written: every member is
graded; at most ``review_excellent_cap`` (a share, default 0.30) of the members reviewed are graded
优秀 — the count allowed is the share times the members, rounded down (3 of 10, 1 of 5); more than two
thirds of the members attended the review meeting; the meeting is not in the future.

Every transition locks the review row first (``select_for_update``), so of two people acting at once one
succeeds and the other is told. Grading, registering and deferring write all entries in bulk: the number
of queries does not grow with the members (one UPDATE for the entries, one INSERT for their ChangeLog
rows). Notifications go to the next actor (``accounts.notify``), in the deployment's language.

``progress`` is the read of a subtree: per child organisation, how far the year's reviews and
registration have come, from aggregates grouped by path prefix plus the ``OrgStats`` roll-ups.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongxin.accounts.notify import notice, notify_actors
from tongxin.core.audit import record_update, snapshot, update_entry
from tongxin.core.codes import PoliticalStatus
from tongxin.core.exceptions import DomainError
from tongxin.core.inbox import PendingItem
from tongxin.core.models import ChangeLog
from tongxin.core.rates import percent, share
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, VIEW, Actor, by, require, scope_for, subtree_q
from tongxin.core.workflow import Workflow, refuse_own_case
from tongxin.lifecycle.models import AnnualReview, ReviewEntry, ReviewGrade, ReviewStatus
from tongxin.lifecycle.services.common import add_months, check_reason, committee_path
from tongxin.orgs.models import LEAGUE_KINDS, STEP_WIDTH, Organization, OrgKind, OrgStats, OrgStatus
from tongxin.people.models import MembershipStatus, Person

# Grades that register (基本合格 or better); the rest (不合格) are deferred.
REGISTERING_GRADES = (ReviewGrade.EXCELLENT, ReviewGrade.QUALIFIED, ReviewGrade.BASICALLY_QUALIFIED)
GRADE_ORDER = (ReviewGrade.EXCELLENT, ReviewGrade.QUALIFIED, ReviewGrade.BASICALLY_QUALIFIED, ReviewGrade.UNQUALIFIED)

# The state machine: which status each transition leaves from, and where it goes.
REVIEW_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "grade": ((ReviewStatus.DRAFT,), ReviewStatus.DRAFT),
    "submit": ((ReviewStatus.DRAFT,), ReviewStatus.SUBMITTED),
    "approve": ((ReviewStatus.SUBMITTED,), ReviewStatus.APPROVED),
    "return_for_changes": ((ReviewStatus.SUBMITTED,), ReviewStatus.DRAFT),
    "register": ((ReviewStatus.APPROVED,), ReviewStatus.APPROVED),
}

FIRST_YEAR = 2000
ENTRY_FIELDS = ["grade", "registered_on", "deferred_until"]


# --- helpers ---------------------------------------------------------------------------------------------


def excellent_allowed(reviewed: int) -> int:
    """How many of ``reviewed`` members may be graded 优秀: the configured share, rounded down."""
    share = Decimal(str(rule("review_excellent_cap")))
    return int((share * reviewed).to_integral_value(rounding=ROUND_FLOOR))


def attendance_needed(members: int) -> int:
    """The fewest members present that is *more* than two thirds of ``members`` (7 of 9, 3 of 3, 7 of 10)."""
    return members * 2 // 3 + 1


def deferral_window(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(earliest, latest) date a registration on ``on`` may be deferred to (3 and 6 months later by default)."""
    return (
        add_months(on, int(rule("registration_deferral_min_months"))),
        add_months(on, int(rule("registration_deferral_max_months"))),
    )


def _notice(message: str, review: AnnualReview, **params: Any) -> str:
    """A notification's text in the deployment's language (the recipient reads it, not the actor)."""
    return notice(message, branch=review.branch.name, year=review.year, **params)


def may_approve(actor: Actor, review: AnnualReview) -> bool:
    """Whether ``actor`` acts for the committee above the review's branch (CHANGE over the parent's path)."""
    above = committee_path(review.org_path)
    return actor is None or (bool(above) and scope_for(actor, CHANGE).covers_path(above))


REVIEWS: Workflow[AnnualReview] = Workflow(
    AnnualReview,
    REVIEW_TRANSITIONS,
    refusal=gettext_lazy("This review is already “%(status)s”; someone acted on it before you. Reload the page."),
    related=("branch",),
    partial_save=True,
    url_name="lifecycle:review_detail",
    # A review is about each member it grades: the committee's approval and return are refused to a graded
    # member. The branch's grading, submission and registration are its routine: grading checks each entry
    # (nobody grades herself, see ``grade``); submitting and registering decide nothing new.
    subject=lambda review: ReviewEntry.objects.filter(review_id=review.pk).values_list("person_id", flat=True),
    self_service=("grade", "submit", "register"),
)


# --- opening and grading ---------------------------------------------------------------------------------


def league_members(branch: Organization) -> QuerySet[Person]:
    """The members a review of ``branch`` grades: its active league members (political status 03)."""
    return Person.objects.filter(
        branch=branch, status=MembershipStatus.ACTIVE, political_status=PoliticalStatus.LEAGUE_MEMBER
    )


@transaction.atomic
def open_review(actor: Actor, *, branch: Organization, year: int) -> AnnualReview:
    """Open the review of ``year`` for ``branch`` with one ungraded entry per active league member.

    Refused if the branch already has a review of that year (also when two people open it at once).
    """
    branch = Organization.objects.get(pk=branch.pk)
    require(actor, CHANGE, branch.path)
    if branch.kind != OrgKind.BRANCH or branch.status != OrgStatus.ACTIVE:
        raise DomainError(
            "branch", _("Reviews are held by active league branches; %(org)s is not one.") % {"org": branch.name}
        )
    this_year = timezone.localdate().year
    if not FIRST_YEAR <= int(year) <= this_year:
        raise DomainError(
            "year", _("Choose a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": this_year}
        )
    exists_message = _("The review of %(year)d for %(branch)s is already open.") % {"year": year, "branch": branch.name}
    if AnnualReview.objects.filter(branch=branch, year=year).exists():
        raise DomainError("year", exists_message)
    people = list(league_members(branch).values_list("pk", flat=True))
    review = AnnualReview(branch=branch, org_path=branch.path, year=year)
    # Someone may have opened it at the same moment.
    REVIEWS.create(
        actor, review, conflict=lambda: DomainError("year", exists_message), audit_extra={"members": len(people)}
    )
    ReviewEntry.objects.bulk_create(
        [ReviewEntry(review=review, person_id=pk, org_path=branch.path) for pk in people], batch_size=1000
    )
    return review


@transaction.atomic
def grade(actor: Actor, review: AnnualReview, grades: Mapping[int, str]) -> AnnualReview:
    """Set the grades of members of a draft review: ``{person id: grade}`` ("" clears a grade).

    Every person must be an entry of this review; all are written or none. Costs the same queries
    whatever the number of grades.
    """
    review = REVIEWS.lock(actor, review, "grade")
    require(actor, CHANGE, review.org_path)
    wanted: dict[int, str] = {}
    for person_id, value in grades.items():
        value = value or ""
        if value and value not in ReviewGrade.values:
            raise DomainError("grades", _("“%(grade)s” is not a grade.") % {"grade": value})
        wanted[int(person_id)] = value
    if not wanted:
        return review
    entries = list(
        ReviewEntry.objects.filter(review=review, person_id__in=list(wanted))
        .select_related("person")
        .only("id", "review_id", "person_id", "person__name", "org_path", *ENTRY_FIELDS)
    )
    missing = set(wanted) - {entry.person_id for entry in entries}
    if missing:
        raise DomainError(
            "grades", _("%(count)d of the people graded are not members of this review.") % {"count": len(missing)}
        )
    changed, logs = [], []
    for entry in entries:
        if entry.grade == wanted[entry.person_id]:
            continue
        # Four eyes: her own grade is given by another holder of the branch's role or the committee above.
        refuse_own_case(
            actor, entry.person_id, "grades", _("You cannot grade yourself: another person responsible does.")
        )
        before = snapshot(entry, ["grade"])
        entry.grade = wanted[entry.person_id]
        changed.append(entry)
        logs.append(update_entry(actor, entry, before, ["grade"], org_path=review.org_path))
    if changed:
        ReviewEntry.objects.bulk_update(changed, ["grade"], batch_size=1000)
        ChangeLog.objects.bulk_create([log for log in logs if log is not None], batch_size=1000)
    return review


# --- counts of a review ----------------------------------------------------------------------------------


@dataclass
class ReviewCounts:
    """The entries of one review, counted by grade (one aggregate query), with the 优秀 cap."""

    members: int = 0
    by_grade: dict[str, int] = field(default_factory=dict)
    ungraded: int = 0
    registered: int = 0
    deferred: int = 0

    @property
    def excellent(self) -> int:
        return self.by_grade.get(ReviewGrade.EXCELLENT, 0)

    @property
    def excellent_allowed(self) -> int:
        return excellent_allowed(self.members)

    @property
    def over_cap(self) -> bool:
        return self.excellent > self.excellent_allowed

    @property
    def cap_percent(self) -> str:
        return f"{Decimal(str(rule('review_excellent_cap'))) * 100:.0f}%"

    @property
    def attendance_needed(self) -> int:
        return attendance_needed(self.members)

    @property
    def grades(self) -> list[tuple[str, str, int]]:
        """(value, label, count) per grade, best first."""
        return [(g.value, str(g.label), self.by_grade.get(g.value, 0)) for g in GRADE_ORDER]


def review_counts(review: AnnualReview) -> ReviewCounts:
    aggregates: dict[str, Any] = {
        "members": Count("id"),
        "ungraded": Count("id", filter=Q(grade="")),
        "registered": Count("id", filter=Q(registered_on__isnull=False)),
        "deferred": Count("id", filter=Q(deferred_until__isnull=False)),
    }
    aggregates |= {f"g_{g.value}": Count("id", filter=Q(grade=g.value)) for g in GRADE_ORDER}
    row = ReviewEntry.objects.filter(review_id=review.pk).aggregate(**aggregates)
    return ReviewCounts(
        members=row["members"],
        by_grade={g.value: row[f"g_{g.value}"] for g in GRADE_ORDER},
        ungraded=row["ungraded"],
        registered=row["registered"],
        deferred=row["deferred"],
    )


# --- submission, approval, return ------------------------------------------------------------------------


@transaction.atomic
def submit(actor: Actor, review: AnnualReview, *, meeting_on: datetime.date, members_present: int) -> AnnualReview:
    """The branch submits its graded review for the committee's approval, with the review meeting's date
    and attendance. Refused, naming the rule and writing nothing, unless every member is graded, 优秀 is
    within the cap, more than two thirds of the members attended and the meeting is not in the future."""
    review = REVIEWS.lock(actor, review, "submit")
    require(actor, CHANGE, review.org_path)
    counts = review_counts(review)
    if not counts.members:
        raise DomainError("__all__", _("This review has no members to grade."))
    if counts.ungraded:
        raise DomainError(
            "grades",
            _("Every member must be graded before the review is submitted: %(count)d are not graded yet.")
            % {"count": counts.ungraded},
        )
    if counts.over_cap:
        raise DomainError(
            "grades",
            _(
                "At most %(percent)s of the members reviewed may be graded Excellent: %(allowed)d of %(members)d "
                "here, but %(count)d are."
            )
            % {
                "percent": counts.cap_percent,
                "allowed": counts.excellent_allowed,
                "members": counts.members,
                "count": counts.excellent,
            },
        )
    if members_present is None or int(members_present) < 0:
        raise DomainError("members_present", _("Give how many members were present."))
    if int(members_present) > counts.members:
        raise DomainError(
            "members_present",
            _("%(present)d present is more than the %(members)d members.")
            % {"present": members_present, "members": counts.members},
        )
    if int(members_present) < counts.attendance_needed:
        raise DomainError(
            "members_present",
            _(
                "More than two thirds of the members must attend the review meeting: at least %(needed)d of "
                "%(members)d, but %(present)d were present."
            )
            % {"needed": counts.attendance_needed, "members": counts.members, "present": members_present},
        )
    today = timezone.localdate()
    if meeting_on is None or meeting_on > today:
        raise DomainError("meeting_on", _("The review meeting cannot be in the future."))
    if meeting_on.year < review.year:
        raise DomainError(
            "meeting_on", _("The meeting reviewing %(year)d cannot be before that year.") % {"year": review.year}
        )
    changes = {"meeting_on": meeting_on, "members_present": int(members_present), "submitted_at": timezone.now()}
    REVIEWS.move(actor, review, "submit", changes=changes)
    above = committee_path(review.org_path)
    if above:
        text = _notice(
            gettext_noop("The review of %(year)d of %(branch)s was submitted: please approve it or return it."), review
        )
        # pending_reviews counts it for them ("to approve"): the badge counts it once
        notify_actors(CHANGE, above, text=text, url=REVIEWS.url(review), exclude=actor, about_pending=True)
    return review


@transaction.atomic
def approve(actor: Actor, review: AnnualReview) -> AnnualReview:
    """The committee above the branch approves its submitted review (the branch alone may not)."""
    review = REVIEWS.lock(actor, review, "approve")
    if not may_approve(actor, review):
        raise PermissionDenied
    REVIEWS.move(actor, review, "approve", changes={"approved_at": timezone.now(), "approved_by": by(actor)})
    text = _notice(
        gettext_noop("The review of %(year)d of %(branch)s was approved: please register the members."), review
    )
    notify_actors(CHANGE, review.org_path, text=text, url=REVIEWS.url(review), exclude=actor)
    return review


@transaction.atomic
def return_for_changes(actor: Actor, review: AnnualReview, *, reason: str) -> AnnualReview:
    """The committee above sends a submitted review back to the branch (draft again), saying why."""
    reason = check_reason(reason, _("Say why the review is returned: the branch will read it."))
    review = REVIEWS.lock(actor, review, "return_for_changes")
    if not may_approve(actor, review):
        raise PermissionDenied
    REVIEWS.move(
        actor,
        review,
        "return_for_changes",
        changes={"submitted_at": None},
        audit_extra={"returned_because": reason},
    )
    text = _notice(
        gettext_noop("The review of %(year)d of %(branch)s was returned for changes: %(reason)s"),
        review,
        reason=reason,
    )
    # A draft again: pending_reviews counts it for the branch ("to grade"), so the badge counts it once.
    notify_actors(CHANGE, review.org_path, text=text, url=REVIEWS.url(review), exclude=actor, about_pending=True)
    return review


# --- registration ----------------------------------------------------------------------------------------


def _check_deferral(on: datetime.date, until: datetime.date, field: str = "until") -> None:
    earliest, latest = deferral_window(on)
    if not earliest <= until <= latest:
        raise DomainError(
            field,
            _("Registration is deferred by %(min)d to %(max)d months: choose a date from %(earliest)s to %(latest)s.")
            % {
                "min": int(rule("registration_deferral_min_months")),
                "max": int(rule("registration_deferral_max_months")),
                "earliest": earliest.isoformat(),
                "latest": latest.isoformat(),
            },
        )


@dataclass
class Registration:
    registered: int
    deferred: int


@transaction.atomic
def register(
    actor: Actor, review: AnnualReview, *, on: datetime.date, defer_until: datetime.date | None = None
) -> Registration:
    """Register (团籍注册) on ``on`` every member of an approved review graded 基本合格 or better, and defer
    every 不合格 member to ``defer_until`` (default: the shortest deferral, 3 months after ``on``).

    Members already registered or deferred are left as they are; refused when there is nobody left. One
    query for the entries, one UPDATE each for the registered and the deferred, one INSERT for the audit.
    """
    review = REVIEWS.lock(actor, review, "register")
    require(actor, CHANGE, review.org_path)
    if on > timezone.localdate():
        raise DomainError("on", _("The registration date cannot be in the future."))
    if review.meeting_on and on < review.meeting_on:
        raise DomainError("on", _("The registration date cannot be before the review meeting."))
    until = defer_until or deferral_window(on)[0]
    _check_deferral(on, until, "defer_until")
    entries = list(
        ReviewEntry.objects.filter(review=review, registered_on__isnull=True, deferred_until__isnull=True)
        .select_related("person")
        .only("id", "review_id", "person_id", "person__name", "org_path", *ENTRY_FIELDS)
    )
    if not entries:
        raise DomainError("status", _("Every member of this review is already registered or deferred."))
    to_register = [e for e in entries if e.grade in REGISTERING_GRADES]
    to_defer = [e for e in entries if e.grade == ReviewGrade.UNQUALIFIED]
    logs = []
    for entry in to_register + to_defer:
        before = snapshot(entry, ENTRY_FIELDS)
        if entry.grade == ReviewGrade.UNQUALIFIED:
            entry.deferred_until = until
        else:
            entry.registered_on = on
        logs.append(update_entry(actor, entry, before, ENTRY_FIELDS, org_path=review.org_path))
    if to_register:
        ReviewEntry.objects.filter(pk__in=[e.pk for e in to_register]).update(registered_on=on)
    if to_defer:
        ReviewEntry.objects.filter(pk__in=[e.pk for e in to_defer]).update(deferred_until=until)
    ChangeLog.objects.bulk_create([log for log in logs if log is not None], batch_size=1000)
    return Registration(registered=len(to_register), deferred=len(to_defer))


@transaction.atomic
def defer(actor: Actor, entry: ReviewEntry, *, until: datetime.date, on: datetime.date | None = None) -> ReviewEntry:
    """Defer the registration of one 不合格 member of an approved review to ``until``, 3 to 6 months after
    ``on`` (default today); a deferral already set may be moved within the same window."""
    entry = ReviewEntry.objects.select_related("person").get(pk=entry.pk)
    review = REVIEWS.lock(actor, AnnualReview(pk=entry.review_id), "register")
    require(actor, CHANGE, review.org_path)
    if entry.grade != ReviewGrade.UNQUALIFIED:
        raise DomainError(
            "entry",
            _("Only members graded Unqualified are deferred; %(name)s is registered.") % {"name": entry.person.name},
        )
    if entry.registered_on is not None:
        raise DomainError("entry", _("%(name)s is already registered.") % {"name": entry.person.name})
    _check_deferral(on or timezone.localdate(), until)
    before = snapshot(entry, ENTRY_FIELDS)
    entry.deferred_until = until
    entry.save(update_fields=["deferred_until"])
    record_update(actor, entry, before, ENTRY_FIELDS, org_path=review.org_path)
    return entry


# --- the progress of a subtree ---------------------------------------------------------------------------


@dataclass
class ProgressRow:
    """One organisation's subtree (or the total): how far the year's reviews and registration have come."""

    org: Organization | None  # None: the total row
    members: int = 0  # active members (OrgStats roll-up)
    branches: int = 0  # active league branches
    reviews: int = 0  # branches with a review opened
    graded: int = 0  # reviews with every member graded
    submitted: int = 0  # reviews submitted (or approved since)
    approved: int = 0
    reviewed: int = 0  # members in the reviews
    registered: int = 0
    deferred: int = 0

    @property
    def rate(self) -> float | None:
        """Share of the members registered (0–1); None without members."""
        return share(self.registered, self.members)

    @property
    def percent(self) -> str:
        return percent(self.rate)

    def add(self, other: ProgressRow) -> None:
        for name in (
            "members",
            "branches",
            "reviews",
            "graded",
            "submitted",
            "approved",
            "reviewed",
            "registered",
            "deferred",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Progress:
    org: Organization
    year: int
    rows: list[ProgressRow]
    total: ProgressRow


def progress(actor: Actor, org: Organization, year: int) -> Progress:
    """Per active league child of ``org`` (and in total, for the whole subtree): branches, how many opened,
    graded, submitted and had approved the review of ``year``, members reviewed, registered and deferred,
    and the registration rate over the members (OrgStats).

    Four queries whatever the size of the tree: the children with their roll-ups, then the branches, the
    reviews and the entries, each counted once grouped by the child's path prefix (no query per
    organisation). A branch's own row is itself.
    """
    if actor is not None and not scope_for(actor, VIEW).covers_path(org.path):
        raise PermissionDenied
    if org.kind == OrgKind.BRANCH:
        children = [Organization.objects.select_related("stats").get(pk=org.pk)]
        key_length = len(org.path)
    else:
        children = list(
            Organization.objects.filter(parent=org, status=OrgStatus.ACTIVE, kind__in=LEAGUE_KINDS)
            .select_related("stats")
            .order_by("kind", "code", "id")
        )
        key_length = len(org.path) + STEP_WIDTH
    in_tree = subtree_q("path", org.path)
    branches = dict(
        Organization.objects.filter(in_tree, kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
        .annotate(child=Substr("path", 1, key_length))
        .order_by()
        .values("child")
        .annotate(n=Count("id"))
        .values_list("child", "n")
    )
    ungraded = ReviewEntry.objects.filter(review=OuterRef("pk"), grade="")
    reviews: dict[str, Mapping[str, Any]] = {
        row["child"]: row
        for row in AnnualReview.objects.filter(subtree_q("org_path", org.path), year=year)
        .annotate(child=Substr("org_path", 1, key_length), has_ungraded=Exists(ungraded))
        .order_by()
        .values("child")
        .annotate(
            reviews=Count("id"),
            graded=Count("id", filter=Q(has_ungraded=False)),
            submitted=Count("id", filter=Q(status__in=[ReviewStatus.SUBMITTED, ReviewStatus.APPROVED])),
            approved=Count("id", filter=Q(status=ReviewStatus.APPROVED)),
        )
    }
    entries: dict[str, Mapping[str, Any]] = {
        row["child"]: row
        for row in ReviewEntry.objects.filter(subtree_q("org_path", org.path), review__year=year)
        .annotate(child=Substr("org_path", 1, key_length))
        .order_by()
        .values("child")
        .annotate(
            reviewed=Count("id"),
            registered=Count("id", filter=Q(registered_on__isnull=False)),
            deferred=Count("id", filter=Q(deferred_until__isnull=False)),
        )
    }
    rows, total = [], ProgressRow(None)
    for child in children:
        stats: OrgStats | None = getattr(child, "stats", None)
        r, e = reviews.get(child.path, {}), entries.get(child.path, {})
        row = ProgressRow(
            child,
            members=stats.members_total if stats else 0,
            branches=branches.get(child.path, 0),
            reviews=r.get("reviews", 0),
            graded=r.get("graded", 0),
            submitted=r.get("submitted", 0),
            approved=r.get("approved", 0),
            reviewed=e.get("reviewed", 0),
            registered=e.get("registered", 0),
            deferred=e.get("deferred", 0),
        )
        rows.append(row)
        total.add(row)
    return Progress(org=org, year=year, rows=rows, total=total)


# --- what waits for a user -------------------------------------------------------------------------------


def waiting_for_approval(user: Any) -> QuerySet[AnnualReview]:
    """Submitted reviews the user may approve (CHANGE over the branch's parent)."""
    scope = scope_for(user, CHANGE)
    qs = AnnualReview.objects.filter(status=ReviewStatus.SUBMITTED)
    if scope.everything:
        return qs
    if not scope.prefixes:
        return qs.none()
    return qs.filter(scope.below_q("org_path"))  # the branch's parent is covered


def pending_reviews(user: Any) -> list[PendingItem]:
    """The inbox's lines for reviews (one query): drafts of the branches the user's role is on, to grade and
    submit; submitted reviews of branches below the user's organisations, to approve or return."""
    scope = scope_for(user, CHANGE)
    if not scope.has_subtrees:
        return []
    if scope.everything:  # the whole system: approvals only (no branch of one's own to grade)
        counts = {"grade": 0, "approve": AnnualReview.objects.filter(status=ReviewStatus.SUBMITTED).count()}
    else:
        to_grade = Q(status=ReviewStatus.DRAFT) & scope.at_q("org_path")
        to_approve = Q(status=ReviewStatus.SUBMITTED) & scope.below_q("org_path")
        counts = AnnualReview.objects.filter(to_grade | to_approve).aggregate(
            grade=Count("id", filter=to_grade), approve=Count("id", filter=to_approve)
        )
    url = reverse("lifecycle:reviews")
    return [
        PendingItem(gettext_lazy("Annual reviews to grade"), counts["grade"] or 0, url),
        PendingItem(gettext_lazy("Annual reviews to approve"), counts["approve"] or 0, url),
    ]
