"""The demo district's dues, recruitments and transfers: the seed_demo step registered in
``LifecycleConfig.ready()`` (after the demo accounts, which are its actors).

* Dues (团费, 党费) for the last twelve months: wage earners have a dues profile with their income (the ledger
  needs it), most members are paid up, some owe the last month or two (arrears), and the few who drifted away
  (``accounts.demo.drifting_members``, absent from the meetings since) stopped paying months ago, so the lapse
  list shows them. Each branch collects on its own day of the month. The demo secretary's branch goes through
  ``set_dues_profile`` and ``mark_paid`` by the secretary; the other branches, about 150,000 payments, in bulk
  after ``mark_paid``'s checks (an active member of the branch owing that month, once a month, an amount from
  the current rules and the profile, a payment date not in the future) by the account whose scope holds them.
* Recruitments (团员发展) at every stage before approval, and transfers (关系转接) waiting on either side,
  completed, rejected, through the services by the demo accounts; nobody acts on their own case. A larger
  district (``--scale N``) has more of both across it (three applicants per further 1×, as many as the district
  account may look ID numbers up, and six transfers).

Data (names, destinations, reasons) is Chinese by nature: it is sample content, not UI text.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from faker import Faker

from tongxin.accounts.demo import DemoActors, demo_actors, drifting_members
from tongxin.accounts.models import User
from tongxin.core.audit import id_lookups_left
from tongxin.core.bounds import history_window
from tongxin.core.bulkload import insert_rows
from tongxin.core.codes import PoliticalStatus
from tongxin.core.exceptions import DomainError
from tongxin.core.registry import DemoRun
from tongxin.lifecycle.models import DuesCategory, DuesPayment, DuesProfile, TransferReason, TransferSide
from tongxin.lifecycle.services import dues, recruitment, transfers
from tongxin.lifecycle.services.common import add_months
from tongxin.orgs.models import Organization, OrgKind, OrgStatus
from tongxin.people.demo import _id_number
from tongxin.people.models import CadrePosition, MembershipStatus, Occupation, Person

MONTHS = 12  # dues of this month and the eleven before it
ARREARS_SHARE = 0.08  # members who owe the last one to three months
CENT = Decimal("0.01")
# What the dues rules read of a person (owing_q, owes_month, default_category) and the ledger writes.
DUES_FIELDS = ("id", "status", "political_status", "occupation", "league_join_date", "party_join_date", "branch",
               "org_path", "name")  # fmt: skip


@dataclass
class LifecycleResult:
    payments: int
    recruitments: int
    transfers: int
    seconds: float = 0.0


def _months(today: datetime.date) -> list[datetime.date]:
    first = today.replace(day=1)
    return [add_months(first, -back) for back in range(MONTHS - 1, -1, -1)]


# --- dues ---------------------------------------------------------------------------------------------------


def _income(rng: random.Random, person: Person) -> Decimal:
    if person.political_status in (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY_PARTY_MEMBER):
        low, high = 4500, 12000
    elif person.occupation == Occupation.FARMER:
        low, high = 1500, 4000
    else:
        low, high = 2200, 9000
    return Decimal(rng.randrange(low, high, 100))


def seed_dues(run: DemoRun, actors: DemoActors, drifting: dict[int, datetime.date]) -> int:
    """Profiles and twelve months of payments; the number of payments."""
    today = timezone.localdate()
    rng = random.Random(run.seed + 401)
    months = _months(today)
    # Not the encrypted ID numbers and phones: decrypting 13,000 of each would be a third of the step.
    people = list(
        Person.objects.filter(status=MembershipStatus.ACTIVE, branch__isnull=False)
        .select_related("branch")
        .only(*DUES_FIELDS, "branch__path", "branch__kind")
        .order_by("org_path", "id")
    )

    # Profiles: a wage earner's dues depend on an income (``set_dues_profile``: an income for the income
    # categories, none kept for the flat ones); students and the unemployed need none.
    profiles: dict[int, DuesProfile] = {}
    by_service: list[tuple[Person, Decimal]] = []
    for person in people:
        if dues.default_category(person) != DuesCategory.WAGE:
            continue
        income = _income(rng, person).quantize(CENT)
        if income < 0:
            raise DomainError("monthly_income", "negative income")
        if person.branch_id == actors.branch.pk:
            by_service.append((person, income))
        else:
            profiles[person.pk] = DuesProfile(person=person, category=DuesCategory.WAGE, monthly_income=income)
    DuesProfile.objects.bulk_create(profiles.values(), batch_size=2000)
    for person, income in by_service:
        # Four eyes: the secretary's own dues basis is set by the committee above, not by herself.
        actor = actors.committee if person.pk == actors.secretary.person_id else actors.secretary
        profiles[person.pk] = dues.set_dues_profile(actor, person, DuesCategory.WAGE, income)

    # Who pays what, month by month: the branch's collection day, arrears at the end, none after drifting.
    collection_day = {org_id: rng.randint(5, 20) for org_id in sorted({p.branch_id or 0 for p in people})}
    in_arrears = {p.pk: rng.randint(1, 3) for p in people if rng.random() < ARREARS_SHARE}
    paid: dict[tuple[int, str, datetime.date], list[Person]] = defaultdict(list)  # (branch, kind, month)
    for person in people:
        branch = person.branch
        assert branch is not None
        kind = dues.default_kind(branch)
        if person.political_status not in dues.DUES_STATUSES[kind]:
            continue  # a party member in a league branch pays party dues in his party branch
        owing = [m for m in months if dues.owes_month(person, kind, m)]
        stop = len(owing) - in_arrears.get(person.pk, 0)
        for index, month in enumerate(owing):
            if index >= stop or (person.pk in drifting and month >= drifting[person.pk]):
                continue
            paid[(branch.pk, kind, month)].append(person)

    rows: list[tuple[object, ...]] = []
    history = history_window(today)
    count = 0
    now = timezone.now()
    for (branch_id, kind, month), payers in sorted(paid.items(), key=lambda i: (i[0][0], i[0][1], i[0][2])):
        paid_on = month.replace(day=collection_day[branch_id])
        if paid_on > today:
            continue  # this month's collection day has not come yet
        branch = payers[0].branch
        assert branch is not None
        actor = actors.for_path(branch.path)
        if branch_id == actors.branch.pk:
            # Four eyes: the secretary records her members' payments; the committee above records hers.
            own = [p.pk for p in payers if p.pk == actors.secretary.person_id]
            others = [p.pk for p in payers if p.pk != actors.secretary.person_id]
            for recorder, ids in ((actor, others), (actors.committee, own)):
                if ids:
                    count += len(dues.mark_paid(recorder, branch=branch, kind=kind, month=month,
                                                person_ids=ids, paid_on=paid_on))  # fmt: skip
            continue
        # mark_paid's checks: a branch holding members, a date not in the future, active members of the
        # branch owing that month (above), once each (the dict), and an amount the rules give.
        if not branch.holds_members or paid_on > today:
            raise DomainError("paid_on", f"{branch.name} {month}")
        if refusal := history.refusal(paid_on):  # the payment form's window (core.bounds)
            raise DomainError("paid_on", refusal)
        for person in payers:
            amount = dues.monthly_amount(person, kind, profiles.get(person.pk))
            if amount is None:
                raise DomainError("person_ids", f"{person.pk}: income needed")
            rows.append((person.pk, kind, month, amount, paid_on, actor.pk, now, branch.path))
    count += insert_rows(
        DuesPayment, ("person", "kind", "month", "amount", "paid_on", "recorded_by", "recorded_at", "org_path"), rows
    )
    return count


# --- recruitments -------------------------------------------------------------------------------------------


class _Applicants:
    """New applicants: names that fit the sex in their generated ID numbers, 14 to 17 years old."""

    def __init__(self, seed: int, today: datetime.date):
        self.rng = random.Random(seed + 402)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed + 402)
        self.today = today
        self.used: set[str] = set()

    def next(self) -> tuple[str, str, str]:
        rng = self.rng
        male = rng.random() < 0.5
        birth = self.today.replace(year=self.today.year - rng.randint(15, 17), day=1) - datetime.timedelta(
            days=rng.randint(30, 300)
        )
        number = _id_number(rng, birth, male, self.used)
        # Not one of the roster's: at 100× (1.3 million people born in the same years) a drawn number was someone's,
        # and the service refused the application (nobody to recruit). One lookup an applicant.
        while Person.objects.with_id_number(number).exists():
            number = _id_number(rng, birth, male, self.used)
        given = self.fake.first_name_male() if male else self.fake.first_name_female()
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        return self.fake.last_name() + given, number, phone


def applicants_elsewhere(scale: int, branches: int, district: User) -> int:
    """How many applicants a district of ``scale`` gets outside the demo committee: three per further 1×, one
    branch each at most, and no more than half the lookups by ID number the district account has left."""
    return min(3 * (scale - 1), branches, id_lookups_left(district) // 2)


def seed_recruitments(run: DemoRun, actors: DemoActors) -> int:
    """Applicants at every stage before approval, in the demo branch (the secretary takes the branch's steps,
    the committee admin the committee's) and in a few other branches of the demo committee."""
    today = timezone.localdate()
    days = datetime.timedelta
    applicants = _Applicants(run.seed, today)
    branch = actors.branch
    secretary, committee = actors.secretary, actors.committee
    count = 0

    def apply(org: Organization, actor, ago: int):
        nonlocal count
        name, number, phone = applicants.next()
        count += 1
        return recruitment.apply(actor, branch=org, name=name, id_number=number, phone=phone,
                                 applied_on=today - days(ago))  # fmt: skip

    apply(branch, secretary, 12)  # applied
    r = apply(branch, secretary, 70)  # an activist in training
    r = recruitment.name_activist(secretary, r, on=today - days(50))
    recruitment.record_training(secretary, r, hours=4)
    r = apply(branch, secretary, 200)  # a candidate, waiting for the committee's pre-check
    r = recruitment.name_activist(secretary, r, on=today - days(180))
    r = recruitment.record_training(secretary, r, hours=10)
    recruitment.choose_candidate(secretary, r, on=today - days(40))
    r = apply(branch, secretary, 240)  # voted by the branch general meeting, waiting for approval
    r = recruitment.name_activist(secretary, r, on=today - days(220))
    r = recruitment.record_training(secretary, r, hours=9.5)
    r = recruitment.choose_candidate(secretary, r, on=today - days(100))
    r = recruitment.precheck(committee, r, on=today - days(80))
    members = recruitment.members_of_branch(branch)
    sponsors = list(recruitment.sponsor_choices(r).filter(positions__isnull=True).order_by("id")[:2])
    present = members // 2 + 2
    recruitment.record_vote(secretary, r, on=today - days(30), sponsors=sponsors, present=present,
                            votes_for=present - 1, votes_against=0)  # fmt: skip
    # Elsewhere in the committee: the committee admin keeps the books of branches without an account.
    others = list(
        Organization.objects.in_subtree(actors.committee_path)
        .filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
        .exclude(pk=branch.pk)
        .order_by("path")[:3]
    )
    for i, org in enumerate(others):
        r = apply(org, committee, 20 + 30 * i)
        if i:
            recruitment.name_activist(committee, r, on=today - days(10 + 20 * i))
    # A larger district (--scale N): three more applicants per further 1× of it, across the district, each by
    # the account whose scope holds the branch (the district's), through the services. An application is a
    # lookup by ID number, which the system allows an account TONGXIN_ID_LOOKUPS_PER_HOUR times an hour (no
    # oracle): the district account enters at most half of what it has left, so that whoever opens the demo
    # after seeding can still look numbers up (at 100×: 30 applicants rather than 297, refused from the 61st).
    elsewhere = list(
        Organization.objects.filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
        .exclude(path__startswith=actors.committee_path)
        .order_by("path")
    )
    wanted = applicants_elsewhere(run.scale, len(elsewhere), actors.district)
    for i, org in enumerate(elsewhere[:: max(len(elsewhere) // wanted, 1)][:wanted] if wanted else []):
        actor = actors.for_path(org.path)
        r = apply(org, actor, 15 + (i * 37) % 200)
        if i % 3:
            recruitment.name_activist(actor, r, on=today - days(5 + (i * 37) % 10))
    return count


# --- transfers ----------------------------------------------------------------------------------------------


def seed_transfers(run: DemoRun, actors: DemoActors, drifting: dict[int, datetime.date]) -> int:
    """Transfers waiting on either side, one completed, one rejected, started and decided by the demo accounts
    of each side (the one who starts never decides on the other side, nobody on his own case). None goes out
    of the system: the district keeps its 13,388 members."""
    rng = random.Random(run.seed + 403)
    cadres = set(CadrePosition.objects.filter(end__isnull=True).values_list("person_id", flat=True))
    spared = cadres | actors.people | set(drifting)
    league = Organization.objects.filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE).order_by("path")
    outside = [o for o in league if not o.path.startswith(actors.committee_path)]
    inside = [o for o in league if o.path.startswith(actors.committee_path) and o.pk != actors.branch.pk]

    def member_of(org: Organization) -> Person:
        # The branch's active members less those spared, left out here rather than in the query: at 100× the
        # spared (cadres, drifting members) are some 150,000 ids, which a NOT IN compiled for each of the 600
        # transfers (2 s of Python each: 20 minutes of the seed).
        members = Person.objects.filter(branch=org, status=MembershipStatus.ACTIVE).order_by("id")
        candidates = [person for person in members if person.pk not in spared]
        person = candidates[rng.randrange(len(candidates))]
        spared.add(person.pk)  # one transfer each
        return person

    def start(actor, person: Person, side: str, reason: str, **kw):
        return transfers.start_transfer(actor, person=person, reason=reason, side=side, **kw)

    count = 0
    # From the demo branch to a branch elsewhere: started (and so approved) by the secretary, waiting for the
    # receiving side.
    start(actors.secretary, member_of(actors.branch), TransferSide.SENDING, TransferReason.EMPLOYMENT_WITH_ORG,
          to_org=rng.choice(outside), note="到新单位就业")  # fmt: skip
    # Into the demo branch: approved by the district on the sending side, waiting for the secretary.
    start(actors.district, member_of(rng.choice(outside)), TransferSide.SENDING, TransferReason.FURTHER_STUDY,
          to_org=actors.branch, note="转入本校继续学习")  # fmt: skip
    count += 2
    # Asked by the receiving side (the committee), waiting for the sending side's approval.
    for _i in range(2):
        start(actors.committee, member_of(rng.choice(outside)), TransferSide.RECEIVING,
              TransferReason.EMPLOYMENT_WITH_ORG, to_org=rng.choice(inside))  # fmt: skip
        count += 1
    # Across the district, waiting for the receiving side: six per 1× of the district (--scale).
    for _i in range(6 * run.scale):
        source, target = rng.sample(outside, 2)
        start(actors.district, member_of(source), TransferSide.SENDING,
              rng.choice([TransferReason.FURTHER_STUDY, TransferReason.EMPLOYMENT_WITH_ORG, TransferReason.OTHER]),
              to_org=target)  # fmt: skip
        count += 1
    # Completed: sent by the committee, accepted by the district on the receiving side.
    done = start(actors.committee, member_of(rng.choice(inside)), TransferSide.SENDING,
                 TransferReason.EMPLOYMENT_WITH_ORG, to_org=rng.choice(outside))  # fmt: skip
    transfers.accept_in(actors.district, done)
    # Rejected by the receiving side, with the reason.
    rejected = start(actors.committee, member_of(rng.choice(inside)), TransferSide.SENDING, TransferReason.OTHER,
                     to_org=rng.choice(outside))  # fmt: skip
    transfers.reject(actors.district, rejected, reason="接收支部信息有误，请核实后重新发起")
    return count + 2


def seed(run: DemoRun) -> LifecycleResult:
    started = time.monotonic()
    actors = demo_actors()
    drifting = drifting_members(run.seed, timezone.localdate())
    with transaction.atomic():
        payments = seed_dues(run, actors, drifting)
        run.progress(f"dues payments: {payments}")
        recruitments = seed_recruitments(run, actors)
        moved = seed_transfers(run, actors, drifting)
    return LifecycleResult(payments, recruitments, moved, time.monotonic() - started)


def summary(result: LifecycleResult) -> str:
    return _(
        "Dues, recruitments and transfers seeded: %(payments)d payments, %(recruitments)d recruitments, "
        "%(transfers)d transfers in %(s).1f s."
    ) % {
        "payments": result.payments,
        "recruitments": result.recruitments,
        "transfers": result.transfers,
        "s": result.seconds,
    }
