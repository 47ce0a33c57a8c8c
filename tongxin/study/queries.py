"""Reads of the study pages and home cards: the periods open to a member, the drill-down from an
organisation to its children (from the roll-up rows, worst first) and the members who have not taken part."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Case, Count, F, Max, Min, Q, QuerySet, Sum, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from tongxin.core.inbox import PendingItem
from tongxin.core.rates import percent, share
from tongxin.core.scoping import CHANGE, VIEW, scope_for, subtree_q
from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization, OrgStatus, path_ids
from tongxin.people.models import Person
from tongxin.study.models import (
    NoteStatus,
    Participation,
    PeriodStats,
    StudyCampaign,
    StudyNote,
    StudyPeriod,
    offered_q,
)
from tongxin.study.services import audience_people


def ancestor_paths(path: str) -> list[str]:
    """Every prefix of ``path`` that names an organisation (the root first, the organisation itself last)."""
    step = len(path) // len(path_ids(path)) if path else 0
    return [path[: step * n] for n in range(1, len(path_ids(path)) + 1)] if step else []


def member_periods(person: Person, *, only_open: bool = True) -> QuerySet[StudyPeriod]:
    """Periods of the campaigns of the member's organisation and its ancestors whose audience holds him, still
    offered (a deactivated campaign's periods that had not opened are withdrawn)."""
    if person is None or not person.org_path:
        return StudyPeriod.objects.none()
    now = timezone.now()
    qs = StudyPeriod.objects.filter(
        offered_q(),
        org_path__in=ancestor_paths(person.org_path),
        campaign__audience_statuses__contains=person.political_status,
    ).select_related("campaign")
    if only_open:
        qs = qs.filter(opens_at__lte=now, closes_at__gt=now)
    return qs.order_by("closes_at", "id")


def open_period_for(user: Any) -> StudyPeriod | None:
    """The member's home card: the first open period he has not done yet."""
    person = getattr(user, "person", None)
    if person is None:
        return None
    done = Participation.objects.filter(person=person).values("period_id")
    return member_periods(person).exclude(pk__in=done).first()


def receipts_count(user: Any) -> int | None:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return None
    n = Participation.objects.filter(person_id=person_id).count()
    return n or None


@dataclass
class RateRow:
    organization: Organization
    members: int
    participants: int

    @property
    def rate(self) -> float | None:
        return share(self.participants, self.members)

    @property
    def percent(self) -> str:
        return percent(self.rate)

    @property
    def missing(self) -> int:
        return max(self.members - self.participants, 0)


def _worst_first(rows: list[RateRow]) -> list[RateRow]:
    return sorted(rows, key=lambda r: (r.rate is None, r.rate if r.rate is not None else 0, r.organization.path))


def start_org(user: Any, campaign: StudyCampaign, org_id: int | None) -> Organization | None:
    """Where a drill-down starts: the campaign's organisation when the user sees it, else her own top
    organisation inside the campaign's subtree; ``org_id`` picks one within both. ``None``: none she sees."""
    if org_id is not None:
        org = Organization.objects.visible_to(user).filter(pk=org_id).first()
        return org if org is not None and org.path.startswith(campaign.org_path) else None
    scope = scope_for(user, VIEW)
    if scope.covers_path(campaign.org_path):
        return campaign.organization
    inside = [p for p in scope.prefixes if p.startswith(campaign.org_path)]
    return Organization.objects.filter(pk=path_ids(inside[0])[-1]).first() if inside else None


def drill_down(period: StudyPeriod, org: Organization) -> tuple[RateRow, list[RateRow]]:
    """``org``'s row and its active children's rows for ``period``, worst first (two reads of PeriodStats)."""
    own = PeriodStats.objects.filter(period=period, organization=org).first()
    children = {c.pk: c for c in Organization.objects.filter(parent=org, status=OrgStatus.ACTIVE)}
    rows = PeriodStats.objects.filter(period=period, organization_id__in=list(children))
    child_rows = [RateRow(children[r.organization_id], r.members, r.participants) for r in rows]
    return RateRow(org, own.members if own else 0, own.participants if own else 0), _worst_first(child_rows)


def season(campaign: StudyCampaign, org: Organization) -> tuple[RateRow, list[RateRow]]:
    """The same over every period of the campaign (sums of the rows: participations ÷ member-periods)."""
    periods = StudyPeriod.objects.filter(campaign=campaign).values("pk")
    children = {c.pk: c for c in Organization.objects.filter(parent=org, status=OrgStatus.ACTIVE)}
    sums = (
        PeriodStats.objects.filter(period__in=periods, organization_id__in=[org.pk, *children])
        .values("organization_id")
        .annotate(m=Sum("members"), p=Sum("participants"))
    )
    by_org = {row["organization_id"]: (row["m"] or 0, row["p"] or 0) for row in sums}
    own = RateRow(org, *by_org.get(org.pk, (0, 0)))
    return own, _worst_first([RateRow(c, *by_org.get(pk, (0, 0))) for pk, c in children.items()])


def period_rates(campaign: StudyCampaign, org: Organization) -> list[tuple[StudyPeriod, RateRow]]:
    """``org``'s rate in each period of the campaign (the chart and the campaign page)."""
    periods = list(StudyPeriod.objects.filter(campaign=campaign).order_by("number"))
    stats = {s.period_id: s for s in PeriodStats.objects.filter(period__in=periods, organization=org)}
    return [
        (p, RateRow(org, getattr(stats.get(p.pk), "members", 0), getattr(stats.get(p.pk), "participants", 0)))
        for p in periods
    ]


def not_taken_part(period: StudyPeriod, branch: Organization) -> QuerySet[Person]:
    """Members of ``branch`` in the campaign's audience without a participation in ``period`` (the list the
    secretary reads instead of collecting screenshots)."""
    done = Participation.objects.filter(period=period).values("person_id")
    return audience_people(period.campaign).filter(branch=branch).exclude(pk__in=done).order_by("name_pinyin", "id")


def tier_of(campaign: StudyCampaign, rate: float | None) -> int | None:
    """The highest tier (95, 90, 80 …) the rate reaches, when the organisation switched tiers on."""
    if not campaign.tiers_enabled or rate is None:
        return None
    return next((t for t in campaign.tiers if rate * 100 >= t), None)


class CampaignState(models.TextChoices):
    """Where a campaign's season stands, derived from its periods (no column holds it)."""

    IN_PROGRESS = "in_progress", pgettext_lazy("study campaign", "In progress")
    NOT_STARTED = "not_started", pgettext_lazy("study campaign", "Not started")
    ENDED = "ended", pgettext_lazy("study campaign", "Ended")


STATE_ORDER = [CampaignState.IN_PROGRESS, CampaignState.NOT_STARTED, CampaignState.ENDED]
# The periods a campaign's span is made of: every period of an active campaign; of a deactivated one, those still
# offered (opened before it was deactivated), so that its span ends with the last period it still runs.
_OFFERED = Q(deactivated_at__isnull=True) | Q(periods__opens_at__lte=F("deactivated_at"))


def with_span(campaigns: QuerySet[StudyCampaign], now: datetime.datetime | None = None) -> QuerySet[StudyCampaign]:
    """``campaigns`` with their season's span and state, in the same query (one GROUP BY over the periods):
    ``first_opens_at`` (the first offered period's opening), ``last_closes_at`` (the last one's closing), both null
    without periods, and ``state`` (:class:`CampaignState`): not started before the first opening (or without any
    period yet), ended once the last period closed (a deactivated campaign without an offered period too), in
    progress between, gaps between periods included. The span is derived from the periods, never stored."""
    now = now or timezone.now()
    qs = campaigns.annotate(
        first_opens_at=Min("periods__opens_at", filter=_OFFERED),
        last_closes_at=Max("periods__closes_at", filter=_OFFERED),
    )
    ended = Q(last_closes_at__lte=now) | Q(deactivated_at__isnull=False, last_closes_at__isnull=True)
    not_started = Q(first_opens_at__isnull=True) | Q(first_opens_at__gt=now)
    return qs.annotate(
        state=Case(
            When(ended, then=Value(CampaignState.ENDED.value)),
            When(not_started, then=Value(CampaignState.NOT_STARTED.value)),
            default=Value(CampaignState.IN_PROGRESS.value),
            output_field=models.CharField(),
        )
    )


def current_first(campaigns: QuerySet[StudyCampaign]) -> QuerySet[StudyCampaign]:
    """:func:`with_span`'s campaigns in the secretary's order: in progress (the soonest to end first), then not
    started (the soonest to open first, those without a period last), then ended (the latest to end first)."""
    rank = Case(
        *(When(state=s.value, then=Value(n)) for n, s in enumerate(STATE_ORDER)), output_field=models.IntegerField()
    )
    ended = Q(state=CampaignState.ENDED.value)
    soonest = Case(
        When(state=CampaignState.IN_PROGRESS.value, then=F("last_closes_at")),
        When(state=CampaignState.NOT_STARTED.value, then=F("first_opens_at")),
        default=Value(None),
        output_field=models.DateTimeField(),
    )
    latest_end = Case(When(ended, then=F("last_closes_at")), default=Value(None), output_field=models.DateTimeField())
    return campaigns.order_by(
        rank, soonest.asc(nulls_last=True), latest_end.desc(nulls_last=True), "-created_at", "-id"
    )


@dataclass
class Span:
    first_opens_at: datetime.datetime | None
    last_closes_at: datetime.datetime | None
    state: str

    @property
    def state_label(self) -> str:
        return str(CampaignState(self.state).label)


def span_of(campaign: StudyCampaign) -> Span:
    """A campaign's span and state: from :func:`with_span`'s annotations when it was read with them, else read
    (one query) the same way."""
    if not hasattr(campaign, "state"):
        row = with_span(StudyCampaign.objects.filter(pk=campaign.pk)).values(*SPAN_FIELDS).get()
        for name in SPAN_FIELDS:  # kept on the object: read once
            setattr(campaign, name, row[name])
    return Span(*(getattr(campaign, name) for name in SPAN_FIELDS))


SPAN_FIELDS = ("first_opens_at", "last_closes_at", "state")


def visible_campaigns(user: Any) -> QuerySet[StudyCampaign]:
    """Campaigns a role holder sees: those of her subtrees and those of the organisations above them (her
    branch takes part in a campaign of the district)."""
    q = visible_campaigns_q(user)
    return StudyCampaign.objects.filter(q) if q is not None else StudyCampaign.objects.none()


def visible_campaigns_q(user: Any) -> Q | None:
    """:func:`visible_campaigns` as a condition on the campaign's ``org_path`` (None: no campaign at all)."""
    scope = scope_for(user, VIEW)
    if scope.everything:
        return Q()
    if not scope.prefixes:
        return None
    q = Q(org_path__in=[p for prefix in scope.prefixes for p in ancestor_paths(prefix)])
    for prefix in scope.prefixes:
        q |= subtree_q("org_path", prefix)
    return q


def worst_rate(user: Any) -> str | None:
    """The secretary's card: the open periods of her campaigns and her own organisation's worst rate."""
    scope = scope_for(user, VIEW)
    if not scope.prefixes:
        return None
    now = timezone.now()
    open_ids = list(
        StudyPeriod.objects.filter(
            offered_q(), campaign__in=visible_campaigns(user), opens_at__lte=now, closes_at__gt=now
        ).values_list("pk", flat=True)[:20]
    )
    if not open_ids:
        return None
    own_id = path_ids(scope.prefixes[0])[-1]
    rows = PeriodStats.objects.filter(period_id__in=open_ids, organization_id=own_id).values_list(
        "members", "participants"
    )
    rates = [rate for m, p in rows if (rate := share(p, m)) is not None]
    worst = min(rates) if rates else None
    return f"{len(open_ids)} · {percent(worst)}"


def pending_periods(user: Any) -> list[Any]:
    """Inbox provider: the open periods the member has not taken part in yet (one COUNT; none for a user
    linked to no person)."""
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    if person is None:
        return []
    done = Participation.objects.filter(person=person).values("period_id")
    count = member_periods(person).exclude(pk__in=done).count()
    return [PendingItem(_("Study periods to take part in"), count, reverse("study:mine"))] if count else []


# --- study notes (微心得) ---------------------------------------------------------------------------------------

NOTE_KEYS = [("created_at", "study_studynote.created_at"), ("id", "study_studynote.id")]
BRANCH_KEYS = [("name", "orgs_organization.name"), ("id", "orgs_organization.id")]


def visible_notes(user: Any) -> QuerySet[StudyNote]:
    """The notes ``user`` reads: his branch's (not hidden) and his own as a member; every note of the subtrees
    of his roles (hidden ones too, with the reason)."""
    return StudyNote.objects.visible_to(user).select_related("author", "organization")


def may_moderate(user: Any, note: StudyNote) -> bool:
    """The secretary of the note's branch, or a role holder above who may change it."""
    return scope_for(user, CHANGE).covers_path(note.org_path)


def branch_notes_this_month(user: Any) -> int | None:
    """The member's home card: notes shared in his branch this month (none: no card). A count to read, never a
    target: nobody is asked to post."""
    person = getattr(user, "person", None)
    if person is None or not person.branch_id:
        return None
    month = timezone.localdate().replace(day=1)
    n = StudyNote.objects.filter(org_path=person.org_path, month=month).exclude(status=NoteStatus.HIDDEN).count()
    return n or None


@dataclass
class NoteCountRow:
    organization: Organization
    posted: int
    featured: int
    hidden: int


def note_counts(rows: list[Organization], month: Any) -> list[NoteCountRow]:
    """Notes posted, featured and hidden in ``month`` for each branch of ``rows`` (one grouped query)."""
    counts = {
        path: (posted, featured, hidden)
        for path, posted, featured, hidden in StudyNote.objects.filter(
            org_path__in=[org.path for org in rows], month=month
        )
        .order_by()
        .values_list("org_path")
        .annotate(
            posted=Count("id"),
            featured=Count("id", filter=Q(status=NoteStatus.FEATURED)),
            hidden=Count("id", filter=Q(status=NoteStatus.HIDDEN)),
        )
    }
    return [NoteCountRow(org, *counts.get(org.path, (0, 0, 0))) for org in rows]


def subtree_note_totals(org: Organization, month: Any) -> dict[str, int]:
    """The subtree's figures for the month: notes posted and featured, branches with at least one note."""
    qs = StudyNote.objects.filter(subtree_q("org_path", org.path), month=month)
    totals = qs.aggregate(posted=Count("id"), featured=Count("id", filter=Q(status=NoteStatus.FEATURED)))
    totals["branches"] = qs.order_by().values("org_path").distinct().count()
    return totals


def subtree_branches(org: Organization) -> QuerySet[Organization]:
    """The branches (league or party: those that hold members) of ``org``'s subtree, itself when it is one,
    active ones."""
    return Organization.objects.filter(
        subtree_q("path", org.path), kind__in=MEMBER_HOLDING_KINDS, status=OrgStatus.ACTIVE
    )


def count_scopes(user: Any, limit: int = 300) -> QuerySet[Organization]:
    """The organisations above branches the user may look at on the counts page (the picker), in tree order."""
    return (
        Organization.objects.visible_to(user)
        .exclude(kind__in=MEMBER_HOLDING_KINDS)
        .filter(status=OrgStatus.ACTIVE)
        .order_by("path")[:limit]
    )
