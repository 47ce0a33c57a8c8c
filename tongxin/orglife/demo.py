"""A year of organisational life in the demo district: the seed_demo step registered in ``OrglifeConfig.ready()``
(after the demo accounts, which are its actors).

Every branch (league and party) holds the meetings its requirements ask for (三会两制一课, 三会一课;
``MeetingRequirement``) over the last twelve months: most branches nearly always (steady), some often
(lagging), a few seldom (failing), so the compliance board (一表通) tells that story. A missed period sometimes
leaves a planned meeting never recorded (overdue) or a cancelled one; the current period has meetings still to
come. Attendance follows the members: most attend, some send their excuses, and the few who drifted away
(``accounts.demo.drifting_members``, who also stopped paying dues) are absent since they left, so the lapse list
shows them and no one else. The four lists (四清单) hold a few items at the demo committee and branch.

The demo secretary's branch is written through the services themselves (``plan_meeting``, ``record_meeting``,
``cancel_meeting``, the checklist services) by the secretary, as she would have. The other branches' meetings,
about twenty thousand with half a million attendance rows, are written in bulk by the account whose scope they
lie in, after the same checks as ``plan_meeting`` and ``record_meeting`` (the kinds the organisation may hold,
a topic, a lecturer for a lesson, a mark and a reason for every member, no held meeting in the future, the
counts and the quorum computed by the same rules); they leave no ChangeLog row, as the bulk-seeded roster does not.
Those of this month and the last offer their attendance to the points hooks in batches, as ``record_meeting``
offers one meeting's (``offer_points``), so every branch's members have points, not only the demo branch's.

Data (topics, places, reasons) is Chinese by nature: it is sample content, not UI text.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from tongxin.accounts.demo import DemoActors, demo_actors, drifting_members
from tongxin.accounts.models import User
from tongxin.core.achievements import Achievement, offer_many
from tongxin.core.bounds import Window, plan_window
from tongxin.core.bulkload import insert_rows
from tongxin.core.exceptions import DomainError
from tongxin.core.registry import DemoRun
from tongxin.orglife.models import (
    COMMITTEE_QUORUM_KINDS,
    LESSON_KINDS,
    MEMBER_QUORUM_KINDS,
    Attendance,
    AttendanceStatus,
    ChecklistKind,
    Frequency,
    LessonTurn,
    Meeting,
    MeetingKind,
    MeetingRequirement,
    MeetingStatus,
)
from tongxin.orglife.services import checklists, lessons, meetings
from tongxin.orgs.models import Organization, OrgKind, OrgStatus
from tongxin.people.demo import draw_ids
from tongxin.people.models import CadrePosition, CadreTitle, Person

MONTHS = 12  # the year of life seeded: this month and the eleven before it
# The bulk-written meetings of this month and the last earn points (offer_points): the months a branch's points
# are still under review. Each month more is about 28,000 entries per 1× of the district, booked at about a
# millisecond each (points.receive_many).
POINTS_MONTHS = 2
OFFER_BATCH = 5_000  # achievements per offer_many (the points app reads their sources with one IN list)
# (name, share of branches, chance of holding each required meeting of a period)
TIERS = (("steady", 0.70, 0.97), ("lagging", 0.22, 0.72), ("failing", 0.08, 0.25))
# A period missed: sometimes planned and never recorded (overdue), sometimes cancelled.
MISSED_PLANNED, MISSED_CANCELLED = 0.4, 0.1
# How often a member attends: most often, a few less.
ATTENDANCE = ((0.93, 80), (0.75, 15), (0.5, 5))

TOPICS: dict[str, list[str]] = {
    MeetingKind.LEAGUE_GENERAL: ["学习团章，开展团员教育评议", "传达上级团组织会议精神", "讨论本季度支部工作计划",
                                 "表决推优入党人选", "总结上季度工作，部署下一阶段任务"],
    MeetingKind.LEAGUE_COMMITTEE: ["研究本月团支部工作安排", "讨论团员发展对象", "研究主题团日活动方案",
                                   "研究团费收缴和团籍注册", "研究志愿服务活动分工"],
    MeetingKind.LEAGUE_GROUP: ["交流青年大学习心得", "学习身边榜样事迹", "讨论团小组志愿服务安排",
                               "分享读书心得", "交流学习和工作体会"],
    MeetingKind.LEAGUE_LESSON: ["五四精神与新时代青年", "团的光辉历史", "青年的责任与担当", "学习宪法，增强法治意识"],
    MeetingKind.LEAGUE_DAY: ["志愿服务进社区", "参观红色教育基地", "清洁家园环保行动", "关爱空巢老人",
                             "文明交通志愿劝导", "重温入团誓词", "学雷锋志愿服务"],
    MeetingKind.PARTY_GENERAL: ["传达学习上级会议精神", "讨论发展党员工作", "总结上季度支部工作"],
    MeetingKind.PARTY_COMMITTEE: ["研究本月支部工作", "研究党费收缴", "研究主题党日安排"],
    MeetingKind.PARTY_GROUP: ["交流学习体会", "学习党章党规", "讨论党员志愿服务安排"],
    MeetingKind.PARTY_LESSON: ["学习党的创新理论", "党的历史与优良传统", "加强作风建设"],
    MeetingKind.PARTY_DAY: ["重温入党誓词", "党员进社区志愿服务", "参观党史教育基地", "学习先进典型"],
    MeetingKind.LIFE_MEETING: ["年度组织生活会"],
    MeetingKind.DEMOCRATIC_REVIEW: ["年度民主评议党员"],
}  # fmt: skip
PLACES = ["团支部活动室", "会议室", "青年之家", "党群服务中心", "多功能厅", "线上会议"]
LEAVE_REASONS = ["工作冲突", "外出学习", "身体不适", "参加考试", "家中有事", "出差"]
ABSENT_REASON = "未请假，会后已联系说明"
DRIFTED_REASON = "未到会，多次联系未果"
NOT_COMMITTEE = "非支委委员，无需参加"
# Plain strings for the half a million marks (an enum member's attribute lookup is slow at that count).
PRESENT, LEAVE, ABSENT = str(AttendanceStatus.PRESENT), str(AttendanceStatus.LEAVE), str(AttendanceStatus.ABSENT)
STATUSES = frozenset(AttendanceStatus.values)
COMMITTEE_KINDS = frozenset(str(k) for k in COMMITTEE_QUORUM_KINDS)


@dataclass
class OrglifeResult:
    meetings: int
    held: int
    attendance: int
    items: int
    seconds: float = 0.0


@dataclass
class _Branch:
    org: Organization
    members: list[int]  # active members, in roster order
    paths: dict[int, str]
    cadres: list[tuple[int, datetime.date, datetime.date | None]]  # (person, start, end) in this organisation
    secretary: int | None
    recorder: int | None
    secretary_name: str
    # Aligned with ``members``, filled by seed_meetings: the member's branch path, how often they attend, and
    # the month they drifted away (or None).
    member_paths: list[str] = field(default_factory=list)
    habits: list[float] = field(default_factory=list)
    drifted: list[datetime.date | None] = field(default_factory=list)

    def committee(self, day: datetime.date) -> set[int]:
        """``meetings.committee_ids``: the persons holding a position in the organisation on ``day``."""
        return {pk for pk, start, end in self.cadres if start <= day and (end is None or end > day)}


def _month(today: datetime.date, back: int) -> datetime.date:
    index = today.year * 12 + today.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _periods(frequency: str, first: datetime.date, today: datetime.date) -> Iterator[list[datetime.date]]:
    """The periods of ``frequency`` (calendar months, quarters, years) from ``first``'s month to today's, each
    as its months within that span."""
    size = {str(Frequency.MONTHLY): 1, str(Frequency.QUARTERLY): 3, str(Frequency.YEARLY): 12}[frequency]
    months = [_month(today, back) for back in range(MONTHS - 1, -1, -1)]
    groups: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
    for month in months:
        if month >= first:
            groups[(month.year, (month.month - 1) // size)].append(month)
    yield from groups.values()


class _Planner:
    """Decides, deterministically, the meetings of one organisation."""

    def __init__(self, rng: random.Random, today: datetime.date, now: datetime.datetime):
        self.rng, self.today, self.now = rng, today, now
        self.tz = timezone.get_current_timezone()
        self.current_month = today.replace(day=1)

    def when(self, months: list[datetime.date]) -> datetime.datetime:
        month = self.rng.choice(months)
        day = month.replace(day=self.rng.randint(3, 26))
        hour, minute = self.rng.choice([(9, 0), (14, 30), (15, 0), (16, 0), (19, 0), (19, 30)])
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    def plan(self, kind: str, frequency: str, chance: float) -> Iterator[tuple[str, datetime.datetime]]:
        """(status, start) of the meetings of ``kind`` over the year: held, planned (overdue or to come) or
        cancelled."""
        for months in _periods(frequency, _month(self.today, MONTHS - 1), self.today):
            when = self.when(months)
            held = self.rng.random() < chance
            missed_roll = self.rng.random()
            current = months[-1] >= self.current_month
            if when > self.now:  # later in the current period: planned ahead, if the branch plans at all
                if held:
                    yield MeetingStatus.PLANNED, when
            elif held:
                yield MeetingStatus.HELD, when
            elif not current and missed_roll < MISSED_PLANNED:
                yield MeetingStatus.PLANNED, when  # planned, never recorded: overdue
            elif not current and missed_roll < MISSED_PLANNED + MISSED_CANCELLED:
                yield MeetingStatus.CANCELLED, when


# The marks as tuples made once (status, reason as record_meeting stores it: cut to 200, none when present).
PRESENT_MARK = (PRESENT, "")
NOT_COMMITTEE_MARK = (LEAVE, NOT_COMMITTEE[:200])
ABSENT_MARK = (ABSENT, ABSENT_REASON[:200])
DRIFTED_MARK = (ABSENT, DRIFTED_REASON[:200])
LEAVE_MARKS = tuple((LEAVE, reason[:200]) for reason in LEAVE_REASONS)


def _marks(branch: _Branch, kind: str, day: datetime.date, rng: random.Random) -> list[tuple[str, str]]:
    """The marks a secretary enters for a held meeting on ``day``, one per active member in ``branch.members``'
    order: every one of them, a reason for every absence (one draw of ``rng`` per member, whatever the kind)."""
    draw = rng.random
    rolls = [draw() for _pk in branch.members]
    if kind in COMMITTEE_KINDS:
        committee = branch.committee(day)
        return [PRESENT_MARK if pk in committee else NOT_COMMITTEE_MARK for pk in branch.members]
    leave = len(LEAVE_MARKS)
    return [
        DRIFTED_MARK if drifted is not None and day >= drifted
        else PRESENT_MARK if roll < usual
        else ABSENT_MARK if roll < usual + 0.04
        else LEAVE_MARKS[int(roll * 1000) % leave]
        for roll, usual, drifted in zip(rolls, branch.habits, branch.drifted, strict=True)
    ]  # fmt: skip


def _check_marks(marks: list[tuple[str, str]], branch: _Branch) -> None:
    """``record_meeting``'s checks on the attendance: every member once, nobody else (one mark per member, in
    their order), a reason for each absence."""
    if len(marks) != len(branch.members):
        raise DomainError("attendance", f"attendance of {branch.org.name} does not list its members")
    if any(status not in STATUSES or (status == ABSENT and not reason) for status, reason in set(marks)):
        raise DomainError("attendance", "an unknown mark, or an absence without a reason")


def _quorum(kind: str, expected: int, present: set[int], committee: set[int]) -> bool | None:
    """``record_meeting``'s quorum rule."""
    if kind in MEMBER_QUORUM_KINDS:
        return len(present) * 2 > expected
    if kind in COMMITTEE_QUORUM_KINDS:
        return len(committee & present) * 2 > len(committee) > 0
    return None


def _branches(orgs: list[Organization]) -> dict[int, _Branch]:
    members: dict[int, list[int]] = defaultdict(list)
    paths: dict[int, dict[int, str]] = defaultdict(dict)
    names: dict[int, str] = {}
    # ``meetings.members_of``: the active members, in roster order.
    for pk, branch_id, path, name in (
        meetings.members_of(o.pk for o in orgs).values_list("id", "branch_id", "org_path", "name").iterator(2000)
    ):
        members[branch_id].append(pk)
        paths[branch_id][pk] = path
        names[pk] = name
    cadres: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = defaultdict(list)
    secretary: dict[int, int] = {}
    recorder: dict[int, int] = {}
    rows = CadrePosition.objects.filter(organization__in=orgs).order_by("id")
    for org_id, pk, start, end, title in rows.values_list("organization_id", "person_id", "start", "end", "title"):
        cadres[org_id].append((pk, start, end))
        if end is None and title == CadreTitle.SECRETARY:
            secretary.setdefault(org_id, pk)
        if end is None and title == CadreTitle.ORGANISATION:
            recorder.setdefault(org_id, pk)
    return {
        o.pk: _Branch(o, members[o.pk], paths[o.pk], cadres[o.pk], secretary.get(o.pk), recorder.get(o.pk),
                      names.get(secretary.get(o.pk, 0), "区团委讲师团"))
        for o in orgs
    }  # fmt: skip


def _topic(rng: random.Random, kind: str) -> str:
    topic = " ".join(rng.choice(TOPICS[kind]).split())  # plan_meeting's normalisation
    if not topic:
        raise DomainError("topic", "a meeting without a topic")
    return topic[:200]


_MINUTES = "".join(
    [
        "<p>会议主题：{topic}。应到 {expected} 人，实到 {present} 人。</p>",
        "<p>会议按议程进行，与会人员充分发言，形成一致意见。</p>",
    ]
)
# ``record_meeting`` sanitises the minutes: the template is sanitised once, the values are escaped into it.
_SAFE_MINUTES = meetings.sanitise_minutes(_MINUTES)


def _minutes(topic: str, present: int, expected: int) -> str:
    return _SAFE_MINUTES.format(topic=escape(topic), present=present, expected=expected)


# The columns of a bulk-written meeting (insert_rows: every one named, no defaults applied).
MEETING_COLUMNS = ("id", "organization", "org_path", "kind", "status", "starts_at", "place", "topic", "host",
                   "recorder", "lecturer", "minutes", "expected", "present", "quorum_met", "created_by",
                   "created_at", "updated_at")  # fmt: skip


@dataclass
class _Held:
    """A bulk-written meeting held: its id once drawn, its organisation, its day, the marks of its members."""

    index: int  # in the list of meeting rows
    organization_id: int
    day: datetime.date
    marks: list[tuple[str, str]]
    pk: int = 0


def seed_meetings(run: DemoRun, actors: DemoActors, drifting: dict[int, datetime.date]) -> tuple[int, int, int]:
    """The year of meetings of every branch; (meetings, held, attendance rows)."""
    today = timezone.localdate()
    # Meetings before today are past, today's are still to come: the same year whatever the hour of the
    # seed (with the hour, a meeting at 16:00 today flipped from planned to held between two runs a minute
    # apart, and every draw after it changed).
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    rng = random.Random(run.seed + 301)
    planner = _Planner(rng, today, now)
    window = plan_window(today)
    required: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for org_kind, kind, frequency in (
        MeetingRequirement.objects.filter(active=True)
        .order_by("org_kind", "meeting_kind")
        .values_list("org_kind", "meeting_kind", "frequency")
    ):
        required[org_kind].append((kind, frequency))
    orgs = list(Organization.objects.filter(kind__in=list(required), status=OrgStatus.ACTIVE).order_by("path"))
    branches = _branches(orgs)
    habit: dict[int, float] = {}
    usual, weights = [h for h, _w in ATTENDANCE], [w for _h, w in ATTENDANCE]
    for branch in branches.values():
        for pk in branch.members:
            habit[pk] = rng.choices(usual, weights=weights)[0]
    for branch in branches.values():
        branch.member_paths = [branch.paths[pk] for pk in branch.members]
        branch.habits = [habit.get(pk, 0.93) for pk in branch.members]
        branch.drifted = [drifting.get(pk) for pk in branch.members]

    # The bulk-written meetings as rows (without their ids, drawn once all are known) and those held.
    rows: list[tuple] = []
    held: list[_Held] = []
    served = 0
    moment = timezone.now()  # no held meeting after it (record_meeting's check, with the time of the seed)
    for org in orgs:
        branch = branches[org.pk]
        tier = rng.choices(TIERS, weights=[t[1] for t in TIERS])[0]
        if org.pk == actors.branch.pk or org.kind == OrgKind.PARTY_BRANCH:
            tier = TIERS[0]  # the demo branch and the organ's party branch keep their meetings
        allowed = meetings.kinds_for(org)  # plan_meeting: league organisations hold league meetings, …
        actor = actors.for_path(org.path)
        by_service = org.pk == actors.branch.pk
        for kind, frequency in required[org.kind]:
            if kind not in allowed:
                raise DomainError("kind", f"{org.name} cannot hold {kind}")
            for status, when in planner.plan(kind, frequency, tier[2]):
                topic = _topic(rng, kind)
                place = rng.choice(PLACES)
                day = timezone.localdate(when)
                marks = _marks(branch, kind, day, rng) if status == MeetingStatus.HELD else None
                if by_service:
                    _through_services(actor, branch, kind, status, when, topic, place, marks)
                    served += 1
                    continue
                if marks is not None:
                    held.append(_Held(len(rows), org.pk, day, marks))
                rows.append(_meeting(actor, branch, kind, str(status), when, day, topic, place, marks, window, moment))
    # COPY on PostgreSQL (core.bulkload.insert_rows), the ids drawn from the sequence first.
    ids = draw_ids(Meeting, len(rows))
    stamp = timezone.now()
    insert_rows(Meeting, MEETING_COLUMNS, ((pk, *row, stamp, stamp) for pk, row in zip(ids, rows, strict=True)))
    insert_rows(Meeting.organizations.through, ("meeting", "organization"),
                ((pk, row[0]) for pk, row in zip(ids, rows, strict=True)))  # fmt: skip
    for meeting in held:
        meeting.pk = ids[meeting.index]
    # Millions of rows at 10×: plain tuples, with the values record_meeting writes: the member's branch path,
    # the mark, the reason of an absence or a leave (the marks carry them as it stores them).
    attendance = insert_rows(
        Attendance,
        ("meeting", "person", "org_path", "status", "reason"),
        (
            (meeting.pk, pk, path, status, reason)
            for meeting in held
            for pk, path, (status, reason) in zip(
                branches[meeting.organization_id].members, branches[meeting.organization_id].member_paths,
                meeting.marks, strict=True,
            )
        ),
    )  # fmt: skip
    run.progress(f"attendance offered to the points hooks: {offer_points(held, branches, today)}")
    return len(rows) + served, len(held), attendance


def offer_points(held: list[_Held], branches: dict[int, _Branch], today: datetime.date) -> int:
    """What ``record_meeting`` offers the points hooks for each bulk-written meeting held in the last
    ``POINTS_MONTHS`` months: one achievement per member present or absent without leave
    (``meetings.attendance_achievement``), offered in batches (``offer_many``: the points app books them with the
    same rules, caps and monthly roll-ups as one meeting's, in a fixed number of queries per batch). The earlier
    months earn nothing: the whole year would make the ledger about ten times as long and the seed minutes longer
    at 10×. Returns the achievements offered."""
    since = _month(today, POINTS_MONTHS - 1)
    offered = 0
    batch: list[Achievement] = []
    for meeting in held:
        day = meeting.day
        if day < since:
            continue
        branch = branches[meeting.organization_id]
        for pk, path, (status, _reason) in zip(branch.members, branch.member_paths, meeting.marks, strict=True):
            if achievement := meetings.attendance_achievement(meeting.pk, pk, path, status, day):
                batch.append(achievement)
        if len(batch) >= OFFER_BATCH:
            offer_many(batch)
            offered += len(batch)
            batch = []
    if batch:
        offer_many(batch)
        offered += len(batch)
    return offered


def _meeting(
    actor: User, branch: _Branch, kind: str, status: str, when: datetime.datetime, day: datetime.date, topic: str,
    place: str, marks: list[tuple[str, str]] | None, window: Window, moment: datetime.datetime,
) -> tuple:  # fmt: skip
    """A meeting row (MEETING_COLUMNS but the id and the timestamps) as ``plan_meeting`` (and
    ``record_meeting``, ``cancel_meeting``) would leave it; ``day`` is ``when``'s local date."""
    org = branch.org
    if refusal := window.refusal(day):  # the meeting form's window (core.bounds)
        raise DomainError("starts_at", refusal)
    if marks is None:
        return (org.pk, org.path, kind, status, when, place, topic, None, None, "", "", 0, 0, None, actor.pk)
    if when > moment:
        raise DomainError("starts_at", "a meeting dated in the future cannot be recorded as held")
    _check_marks(marks, branch)
    present = {pk for pk, (s, _r) in zip(branch.members, marks, strict=True) if s == PRESENT}
    committee = branch.committee(day) if kind in COMMITTEE_QUORUM_KINDS else set()
    expected = len(marks)
    return (org.pk, org.path, kind, status, when, place, topic, branch.secretary, branch.recorder,
            branch.secretary_name if kind in LESSON_KINDS else "", _minutes(topic, len(present), expected),
            expected, len(present), _quorum(kind, expected, present, committee), actor.pk)  # fmt: skip


def _through_services(
    actor: User, branch: _Branch, kind: str, status: str, when: datetime.datetime, topic: str, place: str,
    marks: list[tuple[str, str]] | None,
) -> None:  # fmt: skip
    """One meeting of the demo branch, by the secretary through the services."""
    meeting = meetings.plan_meeting(actor, organization=branch.org, kind=kind, starts_at=when, topic=topic,
                                    place=place)  # fmt: skip
    if status == MeetingStatus.CANCELLED:
        meetings.cancel_meeting(actor, meeting)
    elif status == MeetingStatus.HELD:
        assert marks is not None
        attendance = dict(zip(branch.members, marks, strict=True))
        people = Person.objects.in_bulk([pk for pk in (branch.secretary, branch.recorder) if pk])
        present = sum(1 for s, _r in marks if s == PRESENT)
        # A lesson of a quarter the rota plans: its lecturer comes from the turn (record_meeting prefills it).
        planned = lessons.turn_of(branch.org.pk, kind, timezone.localdate(when)) is not None
        meetings.record_meeting(
            actor, meeting, attendance=attendance, host=people.get(branch.secretary or 0),
            recorder=people.get(branch.recorder or 0),
            lecturer=branch.secretary_name if kind in LESSON_KINDS and not planned else "",
            minutes=_minutes(topic, present, len(marks)),
        )  # fmt: skip


# --- lessons in turn (轮流讲党课/团课) ---------------------------------------------------------------------------

LESSON_TOPICS: dict[str, list[str]] = {
    MeetingKind.LEAGUE_LESSON: ["五四精神与新时代青年", "团的光辉历史", "青年的责任与担当", "学习宪法，增强法治意识",
                                "弘扬志愿精神", "传承红色基因"],
    MeetingKind.PARTY_LESSON: ["学习党的创新理论", "党的历史与优良传统", "加强作风建设", "学习党章党规"],
}  # fmt: skip
OTHER_ROTA_BRANCHES = 3  # league branches besides the demo branch whose secretaries keep a rota


def _next_quarter(today: datetime.date) -> tuple[int, int]:
    quarter = lessons.quarter_of(today)
    return (today.year + 1, 1) if quarter == 4 else (today.year, quarter + 1)


def seed_demo_branch_rota(run: DemoRun, actors: DemoActors, drifting: dict[int, datetime.date]) -> int:
    """The demo branch's rota, planned by its secretary before the year's meetings are recorded (so each lesson
    recorded takes its lecturer from the turn and gives it): this year's four quarters in turn among four members
    (the secretary first), and the next quarter's lesson given by the demo member, coming up. Returns the turns."""
    branch = actors.branch
    kind = lessons.lesson_kinds_for(branch)
    if not kind:
        return 0
    today = timezone.localdate()
    members = list(lessons.members_for_rota(branch))
    secretary = next((p for p in members if p.pk == actors.secretary.person_id), None)
    member = next((p for p in members if p.pk == actors.member.person_id), None)
    others = [p for p in members if p.pk not in actors.people and p.pk not in drifting][:3]
    lecturers = [p for p in [secretary, *others] if p is not None]
    if not lecturers:
        return 0
    rng = random.Random(run.seed + 311)
    turns = lessons.plan_rota(actors.secretary, organization=branch, year=today.year, kind=kind[0],
                              lecturers=lecturers)  # fmt: skip
    for turn in turns:
        lessons.change_turn(actors.secretary, turn, topic=rng.choice(LESSON_TOPICS[kind[0]]),
                            reason="确定讲课题目")  # fmt: skip
    year, quarter = _next_quarter(today)
    upcoming = member or lecturers[-1]
    coming = LessonTurn.objects.filter(organization=branch, year=year, quarter=quarter, kind=kind[0]).first()
    if coming is None:
        lessons.plan_turn(actors.secretary, organization=branch, year=year, quarter=quarter, kind=kind[0],
                          lecturer=upcoming, topic="新时代青年的使命担当")  # fmt: skip
    else:
        lessons.change_turn(actors.secretary, coming, lecturer=upcoming, topic="新时代青年的使命担当")
    return len(turns) + (coming is None)


def seed_other_rotas(run: DemoRun, actors: DemoActors) -> int:
    """A few more branches (league, and the organ's party branch) keep a rota, planned after their lessons were
    recorded: the past quarters' turns are the secretary's (who gave them, as recorded; linked at once), the
    quarters to come rotate among two members. Returns the turns."""
    today = timezone.localdate()
    current = lessons.quarter_of(today)
    league = (Organization.objects.filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
              .exclude(pk=actors.branch.pk).order_by("path")[:OTHER_ROTA_BRANCHES])  # fmt: skip
    party = Organization.objects.filter(kind=OrgKind.PARTY_BRANCH, status=OrgStatus.ACTIVE).order_by("path")[:1]
    count = 0
    for org in [*league, *party]:
        kind = lessons.lesson_kinds_for(org)[0]
        secretary_id = (CadrePosition.objects.filter(organization=org, end__isnull=True, title=CadreTitle.SECRETARY)
                        .values_list("person_id", flat=True).first())  # fmt: skip
        members = list(lessons.members_for_rota(org)[:6])
        secretary = Person.objects.filter(pk=secretary_id).first() if secretary_id else None
        secretary = secretary or (members[0] if members else None)
        if secretary is None:
            continue
        others = [p for p in members if p != secretary][:2] or [secretary]
        actor = actors.for_path(org.path)
        # The quarters whose lesson the secretary already gave (as recorded): the past ones, and this one if held.
        given = [
            q
            for q in lessons.QUARTERS
            if q < current or (q == current and lessons.held_lesson(org.pk, kind, today.year, q))
        ]
        if given:
            count += len(lessons.plan_rota(actor, organization=org, year=today.year, kind=kind, lecturers=[secretary],
                                           quarters=given))  # fmt: skip
        rest = [q for q in lessons.QUARTERS if q not in given]
        if rest:
            count += len(
                lessons.plan_rota(
                    actor,
                    organization=org,
                    year=today.year,
                    kind=kind,
                    lecturers=others,
                    quarters=rest,
                    topic=LESSON_TOPICS[kind][count % len(LESSON_TOPICS[kind])],
                )
            )
    return count


# --- the four lists ------------------------------------------------------------------------------------------


def seed_checklists(run: DemoRun, actors: DemoActors) -> int:
    """A few items of the four lists at the demo committee and the demo branch, through the services: the
    committee's problem and the branch's rectification of it, responsibilities with their owners, a project
    under way, an item closed after the committee verified it (not by whoever asked), one overdue."""
    today = timezone.localdate()
    committee_org = Organization.objects.get(path=actors.committee_path)
    branch = actors.branch
    members = list(meetings.members_of([branch.pk]))
    positions = CadrePosition.objects.filter(organization=branch, end__isnull=True)
    cadre_ids = set(positions.values_list("person_id", flat=True))
    others = [p for p in members if p.pk not in cadre_ids and p.pk not in actors.people]
    organiser = next((p for p in members if p.pk in cadre_ids and p.pk != actors.secretary.person_id), None)
    count = 0

    def add(actor: User, org: Organization, kind: str, content: str, owner: Person | None, days: int, **kw):
        nonlocal count
        count += 1
        return checklists.add_item(actor, organization=org, kind=kind, content=content, owner=owner,
                                   deadline=today + datetime.timedelta(days=days), **kw)  # fmt: skip

    problem = add(actors.committee, committee_org, ChecklistKind.PROBLEM,
                  "部分团支部三会两制一课记录不完整，会议纪要缺少到会情况", None, 45)  # fmt: skip
    rectification = add(actors.secretary, branch, ChecklistKind.RECTIFICATION,
                        "补齐本支部近三个月会议纪要和考勤记录", organiser, 30, problem=problem)  # fmt: skip
    checklists.add_note(actors.secretary, rectification, text="已补齐两个月的会议纪要，剩余一个月本周内完成。")
    add(actors.committee, committee_org, ChecklistKind.RESPONSIBILITY, "指导所属团支部按时开展主题团日活动",
        None, 90)  # fmt: skip
    add(actors.secretary, branch, ChecklistKind.RESPONSIBILITY, "按月收缴团费并在支部公示", organiser, 60)
    project = add(actors.secretary, branch, ChecklistKind.PROJECT, "“青春护河”志愿服务项目",
                  others[0] if others else None, 75)  # fmt: skip
    checklists.add_note(actors.secretary, project, text="已组织两次河道清洁活动，参与团员二十余人次。")
    closed = add(actors.secretary, branch, ChecklistKind.PROJECT, "团员先锋岗评选", organiser, 20)
    checklists.add_note(actors.secretary, closed, text="评选结果已在支部大会上公布。")
    checklists.request_closing(actors.secretary, closed)
    checklists.verify(actors.committee, closed)  # the committee verifies: not the secretary who asked
    # Due twelve days ago and still open: the inbox and the overdue counts show it.
    add(actors.secretary, branch, ChecklistKind.PROBLEM, "部分团员未按时参加青年大学习",
        others[1] if len(others) > 1 else None, -12)  # fmt: skip
    return count


def seed_duties_and_joint_activity(run: DemoRun, actors: DemoActors) -> int:
    """定人定岗定责 in the demo branch (by the secretary), and one joint party-league activity (党建带团建) of
    the organ's party branch with the district committee last month, planned and recorded by the district
    admin through the services; the number of meetings added."""
    branch = actors.branch
    for position in CadrePosition.objects.filter(organization=branch, end__isnull=True).select_related("person"):
        post, duty = {
            CadreTitle.SECRETARY: ("团支部书记", "主持团支部全面工作，召集支委会和团员大会，联系上级团组织。"),
            CadreTitle.ORGANISATION: ("组织委员", "负责团员发展、团籍注册、团费收缴和组织生活考勤。"),
        }.get(position.title, ("支部委员", "协助书记做好团支部日常工作。"))  # type: ignore[call-overload]
        checklists.set_duty(actors.secretary, organization=branch, person=position.person, post=post,
                            responsibilities=duty)  # fmt: skip
    party = Organization.objects.filter(kind=OrgKind.PARTY_BRANCH, status=OrgStatus.ACTIVE).order_by("path").first()
    if party is None or party.paired_org is None:
        return 0
    today = timezone.localdate()
    day = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=20)  # the 20th of last month
    when = datetime.datetime(day.year, day.month, day.day, 9, 30, tzinfo=timezone.get_current_timezone())
    meeting = meetings.plan_meeting(actors.district, organization=party, kind=MeetingKind.JOINT_ACTIVITY,
                                    starts_at=when, topic="党建带团建：重温入党入团誓词", place="党群服务中心",
                                    organizations=[party.paired_org])  # fmt: skip
    attendees = list(meetings.members_of(meetings.holding_ids(meeting)))
    marks = {p.pk: (PRESENT, "") for p in attendees}
    meetings.record_meeting(actors.district, meeting, attendance=marks,
                            minutes=_minutes(meeting.topic, len(marks), len(marks)))  # fmt: skip
    return 1


def seed(run: DemoRun) -> OrglifeResult:
    started = time.monotonic()
    actors = demo_actors()
    drifting = drifting_members(run.seed, timezone.localdate())
    with transaction.atomic():
        turns = seed_demo_branch_rota(run, actors, drifting)
        total, held, attendance = seed_meetings(run, actors, drifting)
        turns += seed_other_rotas(run, actors)
        run.progress(f"lessons in turn: {turns}")
        run.progress(f"meetings: {total} ({held} held), attendance: {attendance}")
        items = seed_checklists(run, actors)
        joint = seed_duties_and_joint_activity(run, actors)
    return OrglifeResult(total + joint, held + joint, attendance, items, time.monotonic() - started)


def summary(result: OrglifeResult) -> str:
    return _("Organisational life seeded: %(meetings)d meetings (%(held)d held) in %(s).1f s.") % {
        "meetings": result.meetings,
        "held": result.held,
        "s": result.seconds,
    }
