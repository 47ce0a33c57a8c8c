"""Recruitment (团员发展): from the written application to the oath, one service per step.

The steps and the stage each leaves from are ``RECRUITMENT_STEPS`` in ``lifecycle.models`` (DOMAIN.md,
"Recruitment, in order"). Who acts at each step:

* the branch side (CHANGE over the branch): the application, naming the activist, the training hours,
  choosing the candidate, the branch general meeting's vote, the oath, and withdrawal;
* the basic-level committee above the branch (CHANGE over the branch's *parent* path, so a branch
  secretary alone may not): the pre-check and the approval.

Every step locks the record first (so of two people acting at once one succeeds and the other is told the
stage someone else left it in), refuses a step out of order naming the step the record is at, refuses a
date in the future or before the previous step's date, stores who acted in ``actors``, writes a ChangeLog
row and notifies whoever acts next. A refused step writes nothing.

The applicant joins the roster on approval: ``people.services.create_person`` makes the league member
(political status 03) of the branch, counted from the date of the branch general meeting, with the member
number issued here (the meeting's year, then a sequence unique across the roster).
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongxin.accounts.notify import notice, notify_actors
from tongxin.core.audit import record_id_lookup
from tongxin.core.codes import PoliticalStatus
from tongxin.core.exceptions import DomainError
from tongxin.core.inbox import PendingItem
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, Actor, scope_for
from tongxin.core.workflow import Workflow
from tongxin.lifecycle import tallies
from tongxin.lifecycle.models import OPEN_RECRUITMENT_STAGES, RECRUITMENT_STEPS, Recruitment, RecruitmentStage
from tongxin.lifecycle.services.common import (
    add_months,
    check_count,
    check_reason,
    check_step_date,
    committee_path,
)
from tongxin.orgs.models import Organization, OrgKind, OrgStats, OrgStatus
from tongxin.people.lookups import sees, taken_elsewhere
from tongxin.people.models import Membership, MembershipStatus, Person
from tongxin.people.services import create_person
from tongxin.people.validators import age_on, check_id_number, check_phone, id_birth_date, normalise_name

# Statuses of a person who is a league member: party members under the age limit keep their league
# membership (保留团籍), so they may sponsor an applicant too.
LEAGUE_MEMBER_STATUSES = (
    PoliticalStatus.PARTY_MEMBER,
    PoliticalStatus.PROBATIONARY_PARTY_MEMBER,
    PoliticalStatus.LEAGUE_MEMBER,
)

# The steps the committee above the branch takes; the branch takes the others.
COMMITTEE_STEPS = ("precheck", "approve")

STEP_LABELS = {
    "name_activist": gettext_lazy("Name the activist"),
    "choose_candidate": gettext_lazy("Choose the candidate"),
    "precheck": gettext_lazy("Committee pre-check"),
    "record_vote": gettext_lazy("Branch general meeting"),
    "approve": gettext_lazy("Committee approval"),
    "record_oath": gettext_lazy("Oath"),
}

# The step that follows each open stage.
NEXT_STEP: dict[str, str] = {source: step for step, (source, _target) in RECRUITMENT_STEPS.items()}

# How many times the approval tries the next member number when a concurrent approval took it.
NUMBER_ATTEMPTS = 5


def step_path(recruitment: Recruitment, step: str) -> str:
    """Where the actor of ``step`` must hold CHANGE: the committee above for its steps, else the branch."""
    return committee_path(recruitment.org_path) if step in COMMITTEE_STEPS else recruitment.org_path


def may_act(actor: Actor, recruitment: Recruitment, step: str) -> bool:
    """Whether ``actor`` may take ``step`` on ``recruitment`` (the system, ``None``, may do anything)."""
    if actor is None:
        return True
    path = step_path(recruitment, step)
    scope = scope_for(actor, CHANGE)
    return scope.everything or (bool(path) and scope.covers_path(path))


def _require(actor: Actor, recruitment: Recruitment, step: str) -> None:
    if not may_act(actor, recruitment, step):
        raise PermissionDenied


def _actor_id(actor: Actor) -> int | None:
    return getattr(actor, "pk", None)


def _notice(message: str, recruitment: Recruitment, **params: Any) -> str:
    """A notification's text, in the deployment's language (the recipient reads it, not the actor)."""
    return notice(message, name=recruitment.name, org=recruitment.branch.name, **params)


def _stage_label(stage: str) -> str:
    return str(RecruitmentStage(stage).label)


def out_of_order_message(recruitment: Recruitment, step: str) -> str:
    stage = recruitment.stage
    if stage not in NEXT_STEP:
        return _("This recruitment is closed (“%(stage)s”): “%(step)s” cannot be recorded any more.") % {
            "stage": _stage_label(stage),
            "step": STEP_LABELS[step],
        }
    return _(
        "This recruitment is at the stage “%(stage)s”: the next step is “%(next)s”, not “%(step)s”. "
        "Someone may have acted on it before you: reload the page."
    ) % {"stage": _stage_label(stage), "next": STEP_LABELS[NEXT_STEP[stage]], "step": STEP_LABELS[step]}


def _refusal(recruitment: Recruitment, step: str) -> str:
    """Why ``step`` cannot leave the stage ``recruitment`` is at."""
    if step == "record_training":
        return _(
            "Training is recorded while the applicant is an activist; this recruitment is at the stage “%(stage)s”."
        ) % {"stage": _stage_label(recruitment.stage)}
    if step == "withdraw":
        if recruitment.stage == RecruitmentStage.APPROVED:
            return _(
                "%(name)s was approved on %(date)s and is a League member: the recruitment can no longer be withdrawn."
            ) % {"name": recruitment.name, "date": recruitment.approved_on}
        return _("This recruitment is closed (“%(stage)s”).") % {"stage": _stage_label(recruitment.stage)}
    return out_of_order_message(recruitment, step)


# Stages a recruitment may be withdrawn from: once approved, the applicant is a member.
WITHDRAWABLE_STAGES = (
    RecruitmentStage.APPLIED,
    RecruitmentStage.ACTIVIST,
    RecruitmentStage.CANDIDATE,
    RecruitmentStage.PRECHECKED,
    RecruitmentStage.VOTED,
)

# The transitions beside the steps in order (``RECRUITMENT_STEPS``): the training hours, recorded while an
# activist (the stage stays), and the withdrawal before approval.
OTHER_TRANSITIONS: dict[str, tuple[Any, str]] = {
    "record_training": (RecruitmentStage.ACTIVIST, RecruitmentStage.ACTIVIST),
    "withdraw": (WITHDRAWABLE_STAGES, RecruitmentStage.WITHDRAWN),
}

RECRUITMENTS: Workflow[Recruitment] = Workflow(
    Recruitment,
    {**RECRUITMENT_STEPS, **OTHER_TRANSITIONS},
    refusal=_refusal,
    field="stage",
    error_field="stage",
    related=("branch",),
    authorize=_require,
    url_name="lifecycle:recruitment_detail",
    # The applicant has a person record from the approval on (before it the ID number is on no record):
    # the oath of a new member who already holds a role is recorded by someone else.
    subject=lambda recruitment: recruitment.person_id,
    self_service=("withdraw",),
)


def _save_step(actor: Actor, recruitment: Recruitment, step: str, changes: dict[str, Any]) -> Recruitment:
    """Move ``recruitment`` along ``step`` (the stage from the table), noting who acted; notify the next actor."""
    changes = {**changes, "actors": {**recruitment.actors, step: _actor_id(actor)}}
    counted_before = tallies.recruitment_counts(recruitment)
    RECRUITMENTS.move(actor, recruitment, step, changes=changes)
    tallies.retally(counted_before, tallies.recruitment_counts(recruitment))  # an oath or a withdrawal closes it
    _notify_next(actor, recruitment)
    return recruitment


def _date_step(actor: Actor, recruitment: Recruitment, step: str, on: datetime.date, *,
               after: str, after_what: str, field: str) -> Recruitment:  # fmt: skip
    """A step that records only its date (``field``), on or after the date of the step before (the field
    ``after`` of the locked record)."""
    recruitment = RECRUITMENTS.lock(actor, recruitment, step)
    on = check_step_date(on, getattr(recruitment, after), after_what)
    return _save_step(actor, recruitment, step, {field: on})


def _notify_next(actor: Actor, recruitment: Recruitment) -> None:
    """Tell whoever takes the next step: the committee above for its steps, else the branch."""
    texts = {
        RecruitmentStage.APPLIED: gettext_noop(
            "%(name)s applied to join the League in %(org)s: the branch committee may name them an activist."
        ),
        RecruitmentStage.ACTIVIST: gettext_noop(
            "%(name)s is an activist in %(org)s: record their League lessons; the branch "
            "may choose them as a candidate after the training."
        ),
        RecruitmentStage.CANDIDATE: gettext_noop(
            "%(name)s of %(org)s was chosen as a candidate: please pre-check the application."
        ),
        RecruitmentStage.PRECHECKED: gettext_noop(
            "The application of %(name)s was pre-checked: the branch general meeting may vote on it."
        ),
        RecruitmentStage.VOTED: gettext_noop(
            "The branch general meeting of %(org)s voted to admit %(name)s: please approve."
        ),
        RecruitmentStage.APPROVED: gettext_noop("%(name)s was approved as a League member: the branch holds the oath."),
        RecruitmentStage.WITHDRAWN: gettext_noop("The recruitment of %(name)s in %(org)s was withdrawn."),
    }
    message = texts.get(recruitment.stage)  # type: ignore[call-overload]
    if message is None:
        return
    step = NEXT_STEP.get(recruitment.stage, "")
    path = step_path(recruitment, step) if step else recruitment.org_path
    notify_actors(
        CHANGE,
        path or recruitment.org_path,
        text=_notice(message, recruitment),
        url=RECRUITMENTS.url(recruitment),
        exclude=actor,
    )


# --- the application -----------------------------------------------------------------------------------------


def _check_branch(branch: Organization | None) -> Organization:
    if branch is None:
        raise DomainError("branch", _("Choose the branch the applicant applies to."))
    branch = Organization.objects.get(pk=branch.pk)
    if branch.kind != OrgKind.BRANCH:
        raise DomainError(
            "branch",
            _("An application to join the League is made to a League branch, not to %(org)s.") % {"org": branch.name},
        )
    if branch.status != OrgStatus.ACTIVE:
        raise DomainError("branch", _("%(org)s has been dissolved.") % {"org": branch.name})
    return branch


def _check_age(birth: datetime.date, day: datetime.date, field: str, when: str) -> None:
    low, high = rule("league_join_min_age"), rule("league_max_age")
    age = age_on(birth, day)
    if age < low or age > high:
        raise DomainError(
            field,
            _("Joining the League is open from age %(min)d to %(max)d (团章); the applicant is %(age)d on %(when)s.")
            % {"min": low, "max": high, "age": age, "when": when},
        )


def _check_not_on_roster(actor: Actor, id_number: str) -> None:
    """Refuse a number already on the roster; who holds it is said only to whom may see them (no oracle)."""
    person = Person.objects.select_related("branch").with_id_number(id_number).first()
    if person is None:
        return
    if not sees(actor, person):
        raise DomainError("id_number", taken_elsewhere())
    org = person.branch.name if person.branch else _("no organisation")
    if person.status == MembershipStatus.ACTIVE and person.political_status in LEAGUE_MEMBER_STATUSES:
        raise DomainError(
            "id_number",
            _("%(name)s is already a member (%(status)s) of %(org)s: there is nobody to recruit.")
            % {"name": person.name, "status": person.political_status_label, "org": org},
        )
    raise DomainError(
        "id_number",
        _(
            "This ID number is already registered to a person in %(org)s: their record "
            "is updated there, not recruited again."
        )
        % {"org": org},
    )


def _open_recruitment_message(actor: Actor, id_number: str) -> str:
    other = (
        Recruitment.objects.select_related("branch").with_id_number(id_number).filter(stage__in=OPEN_RECRUITMENT_STAGES)
    )
    found = other.first()
    if found is None or not Recruitment.objects.for_actor(actor).filter(pk=found.pk).exists():
        return _(
            "This applicant already has a recruitment in progress in another organisation: it must be finished "
            "or withdrawn first."
        )
    return _("This applicant already has a recruitment in progress in %(org)s: finish or withdraw it first.") % {
        "org": found.branch.name
    }


def apply(
    actor: Actor,
    *,
    branch: Organization,
    name: str,
    id_number: str,
    phone: str = "",
    applied_on: datetime.date,
) -> Recruitment:
    """Record a written application to join the League, received by ``branch`` (the branch side).

    The fields are checked first; then the ID number is looked up, which counts towards the user's hourly
    limit and is recorded (``core.audit.record_id_lookup``, in its own transaction, so a refusal still
    counts); then, in the application's transaction, the roster and the open applications are checked
    before anything is written: a refused application writes no row.
    """
    branch = _check_branch(branch)
    if actor is not None and not scope_for(actor, CHANGE).covers_path(branch.path):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    clean_name = normalise_name(name or "")
    if not clean_name:
        errors.setdefault("name", []).append(_("The name is required."))
    number = ""
    try:
        number = check_id_number(id_number or "")
    except DomainError as exc:
        for key, messages in exc.errors.items():
            errors.setdefault(key, []).extend(messages)
    clean_phone = ""
    try:
        clean_phone = check_phone(phone or "")
    except DomainError as exc:
        for key, messages in exc.errors.items():
            errors.setdefault(key, []).extend(messages)
    if applied_on is None:
        errors.setdefault("applied_on", []).append(_("Enter the date of the written application."))
    elif applied_on > timezone.localdate():
        errors.setdefault("applied_on", []).append(
            _("The application date %(date)s is in the future.") % {"date": applied_on.isoformat()}
        )
    if errors:
        raise DomainError(errors=errors)
    birth = id_birth_date(number)
    _check_age(birth, applied_on, "id_number", _("the application date"))
    record_id_lookup(actor, number, purpose="recruitment", org_path=branch.path)
    recruitment = Recruitment(
        branch=branch,
        org_path=branch.path,
        name=clean_name,
        id_number=number,
        birth_date=birth,
        phone=clean_phone,
        applied_on=applied_on,
        actors={"apply": _actor_id(actor)},
    )
    return _record_application(actor, recruitment)


@transaction.atomic
def _record_application(actor: Actor, recruitment: Recruitment) -> Recruitment:
    """The application's transaction: refuse a number on the roster or already applying, else write it."""
    number = recruitment.id_number
    _check_not_on_roster(actor, number)
    if Recruitment.objects.with_id_number(number).filter(stage__in=OPEN_RECRUITMENT_STAGES).exists():
        raise DomainError("id_number", _open_recruitment_message(actor, number))
    # A concurrent application for the same person may have won.
    RECRUITMENTS.create(
        actor, recruitment, conflict=lambda: DomainError("id_number", _open_recruitment_message(actor, number))
    )
    tallies.retally(Counter(), tallies.recruitment_counts(recruitment))  # the dashboards' open recruitments
    _notify_next(actor, recruitment)
    return recruitment


# --- the steps ---------------------------------------------------------------------------------------------


@transaction.atomic
def name_activist(actor: Actor, recruitment: Recruitment, *, on: datetime.date) -> Recruitment:
    """The branch committee names the applicant an activist (入团积极分子)."""
    return _date_step(actor, recruitment, "name_activist", on, after="applied_on", after_what=_("application"),
                      field="activist_on")  # fmt: skip


@transaction.atomic
def record_training(actor: Actor, recruitment: Recruitment, *, hours: Decimal | float | int | str) -> Recruitment:
    """Record the class hours of League lessons the activist has attended so far (a total, not an increment)."""
    recruitment = RECRUITMENTS.lock(actor, recruitment, "record_training")
    try:
        value = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise DomainError("hours", _("Enter the class hours as a number, such as 8 or 2.5.")) from None
    if value < 0 or value > Decimal("999.9"):
        raise DomainError("hours", _("Enter the class hours attended so far, from 0 to 999.9."))
    actors = {**recruitment.actors, "record_training": _actor_id(actor)}
    return RECRUITMENTS.move(actor, recruitment, "record_training", changes={"training_hours": value, "actors": actors})


def earliest_candidate_date(recruitment: Recruitment) -> datetime.date | None:
    """The first day the activist may be chosen as a candidate (the training months after being named)."""
    if recruitment.activist_on is None:
        return None
    return add_months(recruitment.activist_on, rule("recruitment_training_months"))


@transaction.atomic
def choose_candidate(actor: Actor, recruitment: Recruitment, *, on: datetime.date) -> Recruitment:
    """The branch committee chooses the trained activist as a candidate (发展对象)."""
    recruitment = RECRUITMENTS.lock(actor, recruitment, "choose_candidate")
    on = check_step_date(on, recruitment.activist_on, _("named activist"))
    months = rule("recruitment_training_months")
    earliest = earliest_candidate_date(recruitment)
    assert earliest is not None
    if on < earliest:
        raise DomainError(
            "on",
            _(
                "A candidate is chosen at least %(months)d months after being named activist "
                "(团员发展工作细则); the earliest date is %(date)s."
            )
            % {"months": months, "date": earliest.isoformat()},
        )
    hours = Decimal(str(rule("recruitment_training_hours")))
    if recruitment.training_hours < hours:
        raise DomainError(
            "hours",
            _(
                "An activist attends at least %(hours)s class hours of League lessons before "
                "becoming a candidate (团员发展工作细则); %(done)s are recorded."
            )
            % {"hours": format_hours(hours), "done": format_hours(recruitment.training_hours)},
        )
    return _save_step(actor, recruitment, "choose_candidate", {"candidate_on": on})


def format_hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


@transaction.atomic
def precheck(actor: Actor, recruitment: Recruitment, *, on: datetime.date) -> Recruitment:
    """The basic-level committee above the branch pre-checks the candidate and issues the application form."""
    return _date_step(actor, recruitment, "precheck", on, after="candidate_on", after_what=_("chosen as candidate"),
                      field="prechecked_on")  # fmt: skip


def members_of_branch(branch: Organization) -> int:
    """Active members of the branch now, from the roll-ups (never a COUNT over the roster)."""
    return OrgStats.objects.filter(organization=branch).values_list("members_direct", flat=True).first() or 0


def sponsor_choices(recruitment: Recruitment) -> QuerySet[Person]:
    """Who may sponsor the applicant: the active league members of the branch."""
    return Person.objects.filter(
        branch_id=recruitment.branch_id, status=MembershipStatus.ACTIVE, political_status__in=LEAGUE_MEMBER_STATUSES
    ).exclude(id_hash=recruitment.id_hash)


def _check_sponsors(recruitment: Recruitment, sponsors: Any) -> tuple[Person, Person]:
    people = [s for s in (sponsors or ()) if s is not None]
    if len(people) != 2:
        raise DomainError("sponsors", _("Two League members sponsor the applicant (团员发展工作细则): name both."))
    first, second = people
    if first.pk == second.pk:
        raise DomainError("sponsors", _("The two sponsors must be two different members."))
    found = {p.pk: p for p in Person.objects.select_related("branch").filter(pk__in=[first.pk, second.pk])}
    for person in (first, second):
        current = found.get(person.pk)
        if current is None:
            raise DomainError("sponsors", _("A sponsor was not found on the roster."))
        if current.id_number == recruitment.id_number:
            raise DomainError("sponsors", _("The applicant cannot sponsor themselves."))
        if (
            current.status != MembershipStatus.ACTIVE
            or current.branch_id != recruitment.branch_id
            or current.political_status not in LEAGUE_MEMBER_STATUSES
        ):
            raise DomainError(
                "sponsors",
                _("%(name)s cannot sponsor: sponsors are active League members of %(org)s (团员发展工作细则).")
                % {"name": current.name, "org": recruitment.branch.name},
            )
    return found[first.pk], found[second.pk]


@transaction.atomic
def record_vote(
    actor: Actor,
    recruitment: Recruitment,
    *,
    on: datetime.date,
    sponsors: Any,
    present: int,
    votes_for: int,
    votes_against: int,
) -> Recruitment:
    """The branch general meeting's vote, with the two sponsors.

    More than half of the branch's active members present (counted from the roll-ups now, stored as
    ``members_expected``), for + against no more than those present, and more than half of those present in
    favour. Any rule broken: refused, nothing written.
    """
    recruitment = RECRUITMENTS.lock(actor, recruitment, "record_vote")
    on = check_step_date(on, recruitment.prechecked_on, _("committee pre-check"))
    _check_age(recruitment.birth_date, on, "on", _("the meeting date"))
    first, second = _check_sponsors(recruitment, sponsors)
    present = check_count(present, "present")
    votes_for = check_count(votes_for, "votes_for")
    votes_against = check_count(votes_against, "votes_against")
    expected = members_of_branch(recruitment.branch)
    if present > expected:
        raise DomainError(
            "present",
            _("The numbers do not add up: %(present)d present, but the branch has %(expected)d members.")
            % {"present": present, "expected": expected},
        )
    if votes_for + votes_against > present:
        raise DomainError(
            "votes_for",
            _("The numbers do not add up: %(for)d for and %(against)d against are more than the %(present)d present.")
            % {"for": votes_for, "against": votes_against, "present": present},
        )
    if present * 2 <= expected:
        raise DomainError(
            "present",
            _(
                "More than half of the branch's %(expected)d members must be present at the "
                "general meeting (团员发展工作细则); %(present)d were."
            )
            % {"expected": expected, "present": present},
        )
    if votes_for * 2 <= present:
        raise DomainError(
            "votes_for",
            _(
                "More than half of those present must vote in favour (团员发展工作细则): "
                "%(for)d of %(present)d is not enough."
            )
            % {"for": votes_for, "present": present},
        )
    changes = {
        "meeting_on": on,
        "sponsor_1": first,
        "sponsor_2": second,
        "members_expected": expected,
        "members_present": present,
        "votes_for": votes_for,
        "votes_against": votes_against,
    }
    return _save_step(actor, recruitment, "record_vote", changes)


def next_league_number(year: int) -> str:
    """The next member number of ``year``: the year, then an 8-digit sequence (e.g. 202500000042), one past
    the highest number of that shape on the roster."""
    prefix = str(year)
    highest = (
        Person.objects.filter(league_number__startswith=prefix)
        .annotate(n=Length("league_number"))
        .filter(n=len(prefix) + 8)
        .order_by("-league_number")
        .values_list("league_number", flat=True)
        .first()
    )
    sequence = int(highest[len(prefix) :]) + 1 if highest and highest[len(prefix) :].isdigit() else 1
    return f"{prefix}{sequence:08d}"


@transaction.atomic
def approve(actor: Actor, recruitment: Recruitment, *, on: datetime.date) -> Recruitment:
    """The committee above the branch approves: the applicant becomes a League member of the branch from the
    date of the branch general meeting, with a new member number (first four digits: that year)."""
    recruitment = RECRUITMENTS.lock(actor, recruitment, "approve")
    on = check_step_date(on, recruitment.meeting_on, _("branch general meeting"))
    assert recruitment.meeting_on is not None
    data = {
        "name": recruitment.name,
        "id_number": recruitment.id_number,
        "phone": recruitment.phone,
        "branch": recruitment.branch,
        "political_status": PoliticalStatus.LEAGUE_MEMBER,
        "league_join_date": recruitment.meeting_on,
        "status": MembershipStatus.ACTIVE,
    }
    person = None
    for _attempt in range(NUMBER_ATTEMPTS):
        number = next_league_number(recruitment.meeting_on.year)
        try:
            # create_person runs in its own savepoint: a number taken meanwhile rolls back only this try.
            person = create_person(
                actor, {**data, "league_number": number}, since=recruitment.meeting_on, reason=Membership.Reason.JOINED
            )
        except DomainError as exc:
            if set(exc.errors) == {"league_number"}:
                continue  # a concurrent approval took the number: take the next one
            raise
        break
    if person is None:
        raise DomainError(
            "league_number", _("Another approval took the member number at the same time: please approve again.")
        )
    changes = {"approved_on": on, "league_number": person.league_number or "", "person": person}
    return _save_step(actor, recruitment, "approve", changes)


@transaction.atomic
def record_oath(actor: Actor, recruitment: Recruitment, *, on: datetime.date) -> Recruitment:
    """The new member takes the oath (入团宣誓), on or after the approval."""
    return _date_step(actor, recruitment, "record_oath", on, after="approved_on", after_what=_("committee approval"),
                      field="oath_on")  # fmt: skip


@transaction.atomic
def withdraw(actor: Actor, recruitment: Recruitment, *, reason: str) -> Recruitment:
    """End a recruitment before approval (the applicant withdrew, or the branch stopped it); the reason is kept."""
    reason = check_reason(reason, _("Say why the recruitment is withdrawn."))
    recruitment = RECRUITMENTS.lock(actor, recruitment, "withdraw")
    return _save_step(actor, recruitment, "withdraw", {"withdrawn_reason": reason})


# --- lists and the inbox ---------------------------------------------------------------------------------

BRANCH_STAGES = (RecruitmentStage.APPLIED, RecruitmentStage.PRECHECKED, RecruitmentStage.APPROVED)
COMMITTEE_STAGES = (RecruitmentStage.CANDIDATE, RecruitmentStage.VOTED)


def waiting_for(user: Any, today: datetime.date | None = None) -> QuerySet[Recruitment]:
    """Recruitments whose next step is this user's now.

    Branch steps wait for the branch's own holders of CHANGE (a role on the branch itself); an activist waits
    once the training months are over. Committee steps wait for holders of CHANGE above the branch.
    """
    scope = scope_for(user, CHANGE)
    qs = Recruitment.objects.all()
    cutoff = add_months(today or timezone.localdate(), -rule("recruitment_training_months"))
    branch_step = Q(stage__in=BRANCH_STAGES) | Q(stage=RecruitmentStage.ACTIVIST, activist_on__lte=cutoff)
    if scope.everything:
        return qs.filter(Q(stage__in=COMMITTEE_STAGES) | branch_step)
    if not scope.prefixes:
        return qs.none()
    above, own = scope.below_q("org_path"), scope.at_q("org_path")
    return qs.filter((Q(stage__in=COMMITTEE_STAGES) & above) | (branch_step & own))


def pending_recruitment_steps(user: Any) -> list[PendingItem]:
    """The inbox's line for recruitment: how many records wait for this user's step (one COUNT)."""
    change = scope_for(user, CHANGE)
    if not change.has_subtrees:
        return []
    count = waiting_for(user).count()
    url = reverse("lifecycle:recruitments") + "?tab=waiting"
    return [PendingItem(gettext_lazy("Recruitment steps waiting"), count, url)]
