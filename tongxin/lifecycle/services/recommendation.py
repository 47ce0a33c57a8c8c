"""Party recommendation (推优入党): proposal, the branch's secret ballot, the committee's approval, hand-over to
the paired party organisation, and the party's decision.

The state machine is ``RECOMMENDATION_STEPS`` below (``RecommendationStatus`` in ``lifecycle.models``). Who
acts at each step:

* propose, the ballot and withdrawal: the branch side (CHANGE over the member's branch);
* approval and hand-over: the committee above the branch (CHANGE over the branch's parent path);
* the party's decision: someone with CHANGE over the receiving party organisation or over the committee.

Each step locks the record first, refuses a step out of order naming the status the record is in, refuses a
date in the future or before the previous step's date, stores who acted in ``actors``, writes a ChangeLog row
and notifies whoever acts next. When the party admits the member, the person becomes a probationary party
member (political status 02) from that date through ``people.services.update_person``.

Eligibility (DOMAIN.md, "Party recommendation"; all configurable rules): aged 18 or more, a year in the League
(from the league join date), the party application filed six months ago or more, an active league member
(political status 03), and the branch quota: at most 20% of the branch's active members recommended in a year,
counting every recommendation of the current year that was not withdrawn.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongxin.accounts.notify import notice, notify_actors
from tongxin.core.codes import PoliticalStatus
from tongxin.core.exceptions import DomainError
from tongxin.core.inbox import PendingItem
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, Actor, scope_for
from tongxin.core.workflow import Workflow
from tongxin.lifecycle.models import PartyRecommendation, RecommendationStatus
from tongxin.lifecycle.services.common import add_months, check_count, check_step_date, committee_path
from tongxin.lifecycle.services.recruitment import members_of_branch
from tongxin.orgs.models import PARTY_KINDS, Organization, OrgKind, OrgStatus, path_ids
from tongxin.people.models import MembershipStatus, Person
from tongxin.people.services import update_person

OPEN_STATUSES = (RecommendationStatus.PROPOSED, RecommendationStatus.VOTED, RecommendationStatus.APPROVED)

# Each step: the status it leaves from and the one it leads to (record_outcome is the party's decision: it
# leads to either outcome).
RECOMMENDATION_STEPS: dict[str, tuple[str, str | tuple[str, ...]]] = {
    "record_vote": (RecommendationStatus.PROPOSED, RecommendationStatus.VOTED),
    "approve": (RecommendationStatus.VOTED, RecommendationStatus.APPROVED),
    "hand_over": (RecommendationStatus.APPROVED, RecommendationStatus.HANDED_OVER),
    "record_outcome": (
        RecommendationStatus.HANDED_OVER,
        (RecommendationStatus.ADMITTED, RecommendationStatus.NOT_ADMITTED),
    ),
}
# Beside the steps in order: the branch withdraws an open recommendation (before the hand-over).
OTHER_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "withdraw": (OPEN_STATUSES, RecommendationStatus.WITHDRAWN),
}
NEXT_STEP: dict[str, str] = {source: step for step, (source, _target) in RECOMMENDATION_STEPS.items()}
COMMITTEE_STEPS = ("approve", "hand_over")

STEP_LABELS = {
    "record_vote": gettext_lazy("Branch general meeting ballot"),
    "approve": gettext_lazy("Committee approval"),
    "hand_over": gettext_lazy("Hand-over to the party organisation"),
    "record_outcome": gettext_lazy("The party's decision"),
}


def _status_label(status: str) -> str:
    return str(RecommendationStatus(status).label)


def _notice(message: str, rec: PartyRecommendation, **params: Any) -> str:
    return notice(message, name=rec.person.name, org=rec.branch.name, **params)


def step_path(rec: PartyRecommendation, step: str) -> str:
    return committee_path(rec.org_path) if step in COMMITTEE_STEPS else rec.org_path


def may_act(actor: Actor, rec: PartyRecommendation, step: str) -> bool:
    """Whether ``actor`` may take ``step`` (the system, ``None``, may do anything)."""
    if actor is None:
        return True
    scope = scope_for(actor, CHANGE)
    if scope.everything:
        return True
    if step == "record_outcome":
        paths = [committee_path(rec.org_path)] + ([rec.party_org.path] if rec.party_org_id and rec.party_org else [])
        return any(path and scope.covers_path(path) for path in paths)
    path = step_path(rec, step)
    return bool(path) and scope.covers_path(path)


def _require(actor: Actor, rec: PartyRecommendation, step: str) -> None:
    if not may_act(actor, rec, step):
        raise PermissionDenied


def out_of_order_message(rec: PartyRecommendation, step: str) -> str:
    if rec.status not in NEXT_STEP:
        return _("This recommendation is closed (“%(status)s”): “%(step)s” cannot be recorded any more.") % {
            "status": _status_label(rec.status),
            "step": STEP_LABELS[step],
        }
    return _(
        "This recommendation is “%(status)s”: the next step is “%(next)s”, not “%(step)s”. Someone may have "
        "acted on it before you: reload the page."
    ) % {"status": _status_label(rec.status), "next": STEP_LABELS[NEXT_STEP[rec.status]], "step": STEP_LABELS[step]}


def _refusal(rec: PartyRecommendation, step: str) -> str:
    """Why ``step`` cannot leave the status ``rec`` is in."""
    if step == "withdraw":
        return _("This recommendation is “%(status)s”: it can no longer be withdrawn.") % {
            "status": _status_label(rec.status)
        }
    return out_of_order_message(rec, step)


RECOMMENDATIONS: Workflow[PartyRecommendation] = Workflow(
    PartyRecommendation,
    {**RECOMMENDATION_STEPS, **OTHER_TRANSITIONS},
    refusal=_refusal,
    related=("person", "branch", "party_org"),
    authorize=_require,
    url_name="lifecycle:recommendation_detail",
    subject=lambda rec: rec.person_id,
    self_service=("withdraw",),  # the member may step back; the ballot, approval and decision are others'
)


def _actor_id(actor: Actor) -> int | None:
    return getattr(actor, "pk", None)


def _save(
    actor: Actor, rec: PartyRecommendation, step: str, changes: dict[str, Any], *, outcome: str | None = None
) -> PartyRecommendation:
    """Move ``rec`` along ``step`` (the status from the table), noting who acted; notify the next actor."""
    changes = {**changes, "actors": {**rec.actors, step: _actor_id(actor)}}
    RECOMMENDATIONS.move(actor, rec, step, changes=changes, outcome=outcome)
    _notify_next(actor, rec)
    return rec


def _notify_next(actor: Actor, rec: PartyRecommendation) -> None:
    status = rec.status
    if status == RecommendationStatus.PROPOSED:
        text = gettext_noop("%(name)s of %(org)s is proposed for recommendation to the Party: hold the ballot.")
        path = rec.org_path
    elif status == RecommendationStatus.VOTED:
        text = gettext_noop("The branch general meeting of %(org)s recommends %(name)s to the Party: please approve.")
        path = committee_path(rec.org_path)
    elif status == RecommendationStatus.APPROVED:
        text = gettext_noop("The recommendation of %(name)s was approved: hand it over to the party organisation.")
        path = committee_path(rec.org_path)
    elif status == RecommendationStatus.HANDED_OVER and rec.party_org is not None:
        text = gettext_noop("%(name)s of %(org)s is recommended to you by the League: record the Party's decision.")
        path = rec.party_org.path
    else:
        text = gettext_noop("The recommendation of %(name)s to the Party is now “%(status)s”.")
        path = rec.org_path
    message = _notice(text, rec, status=_status_label(status))
    # A voted recommendation is what pending_recommendations counts for the committee: the badge counts it once.
    pending = status == RecommendationStatus.VOTED
    notify_actors(
        CHANGE, path or rec.org_path, text=message, url=RECOMMENDATIONS.url(rec), exclude=actor, about_pending=pending
    )


# --- eligibility and the quota ---------------------------------------------------------------------------------


def quota(branch: Organization) -> tuple[int, int, int]:
    """(active members of the branch, places this year, places taken): at most the configured share of the
    members, rounded down; every recommendation of the current year counts unless withdrawn."""
    members = members_of_branch(branch)
    share = Decimal(str(rule("recommendation_branch_quota")))
    places = int(members * share)
    year = timezone.localdate().year
    taken = (
        PartyRecommendation.objects.filter(branch=branch, created_at__year=year)
        .exclude(status=RecommendationStatus.WITHDRAWN)
        .count()
    )
    return members, places, taken


def eligibility_problems(person: Person, party_application_on: datetime.date | None) -> dict[str, list[str]]:
    """Every eligibility rule ``person`` fails today, by field, each naming the rule (empty: eligible)."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if person.status != MembershipStatus.ACTIVE or person.political_status != PoliticalStatus.LEAGUE_MEMBER:
        add(
            "person",
            _("%(name)s is not an active League member: only League members are recommended to the Party (推优入党).")
            % {"name": person.name},
        )
    min_age = rule("recommendation_min_age")
    if person.age_on(today) < min_age:
        add(
            "person",
            _("A member is recommended to the Party from age %(min)d (推优入党); %(name)s is %(age)d.")
            % {"min": min_age, "name": person.name, "age": person.age_on(today)},
        )
    years = rule("recommendation_min_league_years")
    if person.league_join_date is None:
        add(
            "person",
            _("The league join date of %(name)s is not recorded: it is needed to count their years in the League.")
            % {"name": person.name},
        )
    elif add_months(person.league_join_date, 12 * years) > today:
        add(
            "person",
            _(
                "A member is recommended after at least %(years)d year(s) in the League (推优入党); %(name)s "
                "joined on %(date)s, so the earliest day is %(earliest)s."
            )
            % {
                "years": years,
                "name": person.name,
                "date": person.league_join_date.isoformat(),
                "earliest": add_months(person.league_join_date, 12 * years).isoformat(),
            },
        )
    if party_application_on is None:
        add("party_application_on", _("Enter the date the member applied to join the Party."))
    elif party_application_on > today:
        add(
            "party_application_on",
            _("The party application date %(date)s is in the future.") % {"date": party_application_on.isoformat()},
        )
    else:
        months = rule("recommendation_min_application_months")
        earliest = add_months(party_application_on, months)
        if earliest > today:
            add(
                "party_application_on",
                _(
                    "The party application is filed at least %(months)d months before the "
                    "recommendation (推优入党); the earliest day is %(date)s."
                )
                % {"months": months, "date": earliest.isoformat()},
            )
    return errors


def _quota_message(branch: Organization, members: int, places: int, taken: int) -> str:
    share = Decimal(str(rule("recommendation_branch_quota"))) * 100
    return _(
        "A branch recommends at most %(share)s%% of its active members to the Party a year (推优入党): %(org)s has "
        "%(members)d members, so %(places)d places, and %(taken)d are taken this year."
    ) % {"share": f"{share.normalize():f}", "org": branch.name, "members": members, "places": places, "taken": taken}


def _open_message(person: Person) -> str:
    return _("%(name)s already has a recommendation in progress.") % {"name": person.name}


# --- the steps ---------------------------------------------------------------------------------------------


@transaction.atomic
def propose(actor: Actor, *, person: Person, party_application_on: datetime.date) -> PartyRecommendation:
    """The branch proposes an active League member for recommendation to the Party."""
    person = Person.objects.select_for_update(of=("self",)).select_related("branch").get(pk=person.pk)
    if actor is not None and not scope_for(actor, CHANGE).covers_path(person.org_path):
        raise PermissionDenied
    errors = eligibility_problems(person, party_application_on)
    if errors:
        raise DomainError(errors=errors)
    branch = person.branch
    if branch is None or branch.kind != OrgKind.BRANCH or branch.status != OrgStatus.ACTIVE:
        raise DomainError("person", _("%(name)s is not in an active League branch.") % {"name": person.name})
    # The branch row is the quota's lock: two proposals in one branch are counted one after the other.
    # FOR NO KEY UPDATE, like check_member_branch: the deferred foreign-key checks of other transactions
    # referencing the branch (a transfer out of it, at commit) must not wait for it (docs/architecture.md).
    Organization.objects.select_for_update(no_key=True).filter(pk=branch.pk).first()
    if PartyRecommendation.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        raise DomainError("person", _open_message(person))
    members, places, taken = quota(branch)
    if taken + 1 > places:
        raise DomainError("person", _quota_message(branch, members, places, taken))
    rec = PartyRecommendation(
        person=person, branch=branch, org_path=branch.path, party_application_on=party_application_on
    )
    rec.actors = {"propose": _actor_id(actor)}
    # A concurrent proposal for the same person may have won.
    RECOMMENDATIONS.create(actor, rec, conflict=lambda: DomainError("person", _open_message(person)))
    _notify_next(actor, rec)
    return rec


@transaction.atomic
def record_vote(
    actor: Actor,
    rec: PartyRecommendation,
    *,
    on: datetime.date,
    voters_expected: int,
    votes_for: int,
    votes_against: int,
) -> PartyRecommendation:
    """The secret ballot of the branch general meeting: more than half of the expected voters in favour."""
    rec = RECOMMENDATIONS.lock(actor, rec, "record_vote")
    # The proposal carries no date of its own (it may be recorded after the meeting): the party application is
    # the step before.
    on = check_step_date(on, rec.party_application_on, _("party application"))
    expected = check_count(voters_expected, "voters_expected")
    votes_for = check_count(votes_for, "votes_for")
    votes_against = check_count(votes_against, "votes_against")
    if expected == 0:
        raise DomainError("voters_expected", _("Enter how many members were expected to vote."))
    if votes_for + votes_against > expected:
        raise DomainError(
            "votes_for",
            _(
                "The numbers do not add up: %(for)d for and %(against)d against are more than the %(expected)d "
                "expected voters."
            )
            % {"for": votes_for, "against": votes_against, "expected": expected},
        )
    if votes_for * 2 <= expected:
        raise DomainError(
            "votes_for",
            _(
                "More than half of the %(expected)d expected voters must vote in favour in the secret ballot "
                "(推优入党): %(for)d is not enough."
            )
            % {"expected": expected, "for": votes_for},
        )
    changes = {"meeting_on": on, "voters_expected": expected, "votes_for": votes_for, "votes_against": votes_against}
    return _save(actor, rec, "record_vote", changes)


@transaction.atomic
def approve(actor: Actor, rec: PartyRecommendation, *, on: datetime.date) -> PartyRecommendation:
    """The committee above the branch approves the recommendation."""
    rec = RECOMMENDATIONS.lock(actor, rec, "approve")
    on = check_step_date(on, rec.meeting_on, _("branch general meeting"))
    return _save(actor, rec, "approve", {"approved_on": on})


def paired_party_org(branch: Organization) -> Organization | None:
    """The party organisation paired with the branch or, failing that, with its nearest ancestor that has one.

    A pairing is recorded on either side: the league organisation's ``paired_org`` naming the party one, or the
    party organisation's naming the league one (as the deployment's organ party branch does). Two queries.
    """
    ids = path_ids(branch.path)
    orgs = {org.pk: org for org in Organization.objects.filter(pk__in=ids).select_related("paired_org")}
    reverse_pairs: dict[int, Organization] = {}
    for party in Organization.objects.filter(paired_org_id__in=ids, kind__in=PARTY_KINDS).order_by("status", "pk"):
        reverse_pairs.setdefault(party.paired_org_id, party)  # type: ignore[arg-type]
    for org_id in reversed(ids):
        org = orgs.get(org_id)
        if org is not None and org.paired_org is not None and org.paired_org.kind in PARTY_KINDS:
            return org.paired_org
        if org_id in reverse_pairs:
            return reverse_pairs[org_id]
    return None


@transaction.atomic
def hand_over(
    actor: Actor, rec: PartyRecommendation, *, party_org: Organization | None = None, on: datetime.date
) -> PartyRecommendation:
    """Hand the approved recommendation to the paired party organisation (``party_org`` defaults to it)."""
    rec = RECOMMENDATIONS.lock(actor, rec, "hand_over")
    on = check_step_date(on, rec.approved_on, _("committee approval"))
    paired = paired_party_org(rec.branch)
    if paired is None or paired.kind not in PARTY_KINDS:
        raise DomainError(
            "party_org",
            _(
                "No party organisation is paired with %(org)s or an organisation above it: "
                "pair one on the organisation's page first."
            )
            % {"org": rec.branch.name},
        )
    if paired.status != OrgStatus.ACTIVE:
        raise DomainError("party_org", _("%(org)s has been dissolved.") % {"org": paired.name})
    if party_org is not None and party_org.pk != paired.pk:
        raise DomainError(
            "party_org",
            _("The recommendation goes to %(party)s, the party organisation paired with %(org)s.")
            % {"party": paired.name, "org": rec.branch.name},
        )
    return _save(actor, rec, "hand_over", {"party_org": paired, "handed_over_on": on})


@transaction.atomic
def record_outcome(actor: Actor, rec: PartyRecommendation, *, admitted: bool, on: datetime.date) -> PartyRecommendation:
    """What the party organisation decided; an admitted member becomes a probationary party member from ``on``."""
    rec = RECOMMENDATIONS.lock(actor, rec, "record_outcome")
    on = check_step_date(on, rec.handed_over_on, _("hand-over"))
    if admitted:
        person = rec.person
        if person.status != MembershipStatus.ACTIVE:
            raise DomainError("person", _("%(name)s is no longer an active member.") % {"name": person.name})
        # The actor's right was checked above (the party organisation or the committee); the party side may
        # not hold CHANGE over the member's branch, so the roster is written by the system on their behalf.
        writer = actor if actor is None or scope_for(actor, CHANGE).covers_path(person.org_path) else None
        update_person(
            writer, person, {"political_status": PoliticalStatus.PROBATIONARY_PARTY_MEMBER, "party_join_date": on}
        )
    outcome = RecommendationStatus.ADMITTED if admitted else RecommendationStatus.NOT_ADMITTED
    return _save(actor, rec, "record_outcome", {"outcome_on": on}, outcome=outcome)


@transaction.atomic
def withdraw(actor: Actor, rec: PartyRecommendation) -> PartyRecommendation:
    """End an open recommendation (before the hand-over) on the branch side; its quota place is freed."""
    rec = RECOMMENDATIONS.lock(actor, rec, "withdraw")
    return _save(actor, rec, "withdraw", {})


# --- lists and the inbox ---------------------------------------------------------------------------------


def waiting_for(user: Any) -> QuerySet[PartyRecommendation]:
    """Recommendations whose next step is this user's: the ballot for the branch's own holders of CHANGE,
    approval and hand-over for those above the branch."""
    scope = scope_for(user, CHANGE)
    committee = (RecommendationStatus.VOTED, RecommendationStatus.APPROVED)
    qs = PartyRecommendation.objects.all()
    if scope.everything:
        return qs.filter(status__in=(*committee, RecommendationStatus.PROPOSED))
    if not scope.prefixes:
        return qs.none()
    above = scope.below_q("org_path")
    branch = Q(status=RecommendationStatus.PROPOSED) & scope.at_q("org_path")
    return qs.filter((Q(status__in=committee) & above) | branch)


def pending_recommendations(user: Any) -> list[PendingItem]:
    """The inbox's line: recommendations the branch passed that wait for this user's approval (one COUNT)."""
    scope = scope_for(user, CHANGE)
    if not scope.has_subtrees:
        return []
    qs = PartyRecommendation.objects.filter(status=RecommendationStatus.VOTED)
    if not scope.everything:
        qs = qs.filter(scope.below_q("org_path"))
    url = reverse("lifecycle:recommendations") + "?tab=waiting"
    return [PendingItem(gettext_lazy("Party recommendations to approve"), qs.count(), url)]
