"""Lessons in turn (轮流讲党课/团课): an organisation's rota of who gives which quarter's league or party lesson.

A secretary plans the year (``plan_rota`` fills the quarters still free, rotating through the members chosen,
in order, and goes on after whoever gave the last lesson before; ``plan_turn`` names one quarter's lecturer) and
changes a turn (``change_turn``: once its quarter has begun, only with a reason). The lecturer is one of the
organisation's own: an active member of it (of its subtree, for a general branch or a committee) or a member of
its committee.

When a lesson meeting of that kind is recorded as held in the turn's quarter, ``meetings.record_meeting`` calls
``link_recorded_lesson`` inside its transaction: the turn points at the meeting from then on (given, with its
date). The record form's lecturer is prefilled from the turn (``planned_lecturer``). A turn planned after its
lesson was recorded is linked at once.

Reminders: a turn not given whose quarter begins within ``lesson_turn_reminder_days`` (rule, default 14) or is
under way waits in the inbox of its lecturer and of the organisation's secretaries (``pending_lesson_turns``);
``manage.py remind_lesson_turns`` (daily) notifies them once (``reminded_at``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongxin.accounts.models import User
from tongxin.accounts.notify import notice, notify_actors, notify_users
from tongxin.core.audit import record_change, record_update, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_text
from tongxin.core.inbox import PendingItem
from tongxin.core.models import ChangeLog
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, Actor, by, require, scope_for, subtree_q
from tongxin.orglife.models import LESSON_KINDS, LessonTurn, Meeting, MeetingKind, MeetingStatus
from tongxin.orgs.models import LEAGUE_KINDS, PARTY_KINDS, Organization, OrgStatus, path_ids
from tongxin.people.models import CadrePosition, MembershipStatus, Person

QUARTERS = (1, 2, 3, 4)


# --- quarters -----------------------------------------------------------------------------------------------


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> datetime.date:
    return datetime.date(year, 3 * (quarter - 1) + 1, 1)


def quarter_end(year: int, quarter: int) -> datetime.date:
    """The last day of the quarter."""
    if quarter == 4:
        return datetime.date(year, 12, 31)
    return quarter_start(year, quarter + 1) - datetime.timedelta(days=1)


def has_started(turn: LessonTurn, today: datetime.date | None = None) -> bool:
    return (today or timezone.localdate()) >= quarter_start(turn.year, turn.quarter)


def is_overdue(turn: LessonTurn, today: datetime.date | None = None) -> bool:
    """Not given and its quarter is over."""
    return turn.meeting_id is None and (today or timezone.localdate()) > quarter_end(turn.year, turn.quarter)


def lesson_kinds_for(organization: Organization) -> list[str]:
    """The lesson an organisation holds: the league lesson (团课) for league organisations, the party lesson (党课)
    for party organisations."""
    if organization.kind in PARTY_KINDS:
        return [MeetingKind.PARTY_LESSON]
    if organization.kind in LEAGUE_KINDS:
        return [MeetingKind.LEAGUE_LESSON]
    return []


def _window(today: datetime.date, days: int) -> Q:
    """Turns whose quarter is under way, or begins within ``days`` of ``today``."""
    year, quarter = today.year, quarter_of(today)
    pairs = Q(year=year, quarter=quarter)
    horizon = today + datetime.timedelta(days=days)
    while True:
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        if quarter_start(year, quarter) > horizon:
            return pairs
        pairs |= Q(year=year, quarter=quarter)


def due_q(today: datetime.date | None = None) -> Q:
    """Turns not given whose quarter is under way or begins within the rule's days."""
    today = today or timezone.localdate()
    return Q(meeting__isnull=True) & _window(today, int(rule("lesson_turn_reminder_days")))


def overdue_q(today: datetime.date | None = None) -> Q:
    """Turns not given whose quarter is over (this year or last: older ones are history)."""
    today = today or timezone.localdate()
    year, quarter = today.year, quarter_of(today)
    return Q(meeting__isnull=True) & (Q(year=year, quarter__lt=quarter) | Q(year=year - 1))


# --- checks -------------------------------------------------------------------------------------------------


def _check_year(year: int, today: datetime.date | None = None) -> int:
    this = (today or timezone.localdate()).year
    if not isinstance(year, int) or not this - 1 <= year <= this + 1:
        raise DomainError("year", _("A rota is planned for last year, this year or next year."))
    return year


def _check_quarter(quarter: Any) -> int:
    if quarter not in QUARTERS:
        raise DomainError("quarter", _("A quarter is 1, 2, 3 or 4."))
    return int(quarter)


def _check_kind(organization: Organization, kind: str) -> str:
    if organization.status != OrgStatus.ACTIVE:
        raise DomainError("organization", _("%(org)s has been dissolved.") % {"org": organization.name})
    kinds = lesson_kinds_for(organization)
    if kind not in kinds:
        if not kinds:
            raise DomainError("organization", _("%(org)s holds no league or party lessons.")
                              % {"org": organization.name})  # fmt: skip
        raise DomainError("kind", _("%(org)s gives the “%(kind)s”: league organisations league lessons, party "
                                    "organisations party lessons.") % {"org": organization.name,
                                                                      "kind": MeetingKind(kinds[0]).label})  # fmt: skip
    return kind


def is_lecturer_of(organization: Organization, person: Person, day: datetime.date | None = None) -> bool:
    """An active member of the organisation (of its subtree) or a member of its committee on ``day``."""
    if person.status == MembershipStatus.ACTIVE and person.org_path.startswith(organization.path):
        return True
    day = day or timezone.localdate()
    positions = CadrePosition.objects.filter(organization=organization, person=person, start__lte=day)
    return positions.filter(Q(end__isnull=True) | Q(end__gt=day)).exists()


def _check_lecturer(organization: Organization, person: Person | None) -> Person:
    if person is None:
        raise DomainError("lecturer", _("Choose who gives the lesson."))
    if not is_lecturer_of(organization, person):
        message = _("The lecturer must be a member of %(org)s: each organisation's lessons are given in turn by its "
                    "own members.")  # fmt: skip
        raise DomainError("lecturer", message % {"org": organization.name})
    return person


def _taken_message(organization: Organization, year: int, quarter: int, kind: str) -> str:
    return _("%(org)s already has a lecturer for the %(kind)s of quarter %(quarter)d of %(year)d: change that turn "
             "instead.") % {"org": organization.name, "kind": MeetingKind(kind).label, "quarter": quarter,
                            "year": year}  # fmt: skip


# --- plan and change ----------------------------------------------------------------------------------------


def held_lesson(organization_id: int, kind: str, year: int, quarter: int) -> Meeting | None:
    """The first lesson meeting of that kind the organisation recorded as held in the quarter that no turn
    points at yet."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(quarter_start(year, quarter), datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(quarter_end(year, quarter) + datetime.timedelta(days=1), datetime.time.min,
                                    tzinfo=tz)  # fmt: skip
    held = Meeting.objects.filter(organization_id=organization_id, kind=kind, status=MeetingStatus.HELD,
                                  starts_at__gte=start, starts_at__lt=end, lesson_turn__isnull=True)  # fmt: skip
    return held.order_by("starts_at", "id").first()


@transaction.atomic
def plan_turn(
    actor: Actor,
    *,
    organization: Organization,
    year: int,
    quarter: int,
    kind: str,
    lecturer: Person | None,
    topic: str = "",
) -> LessonTurn:
    """Name who gives the organisation's lesson of one quarter. One turn per organisation, year, quarter and
    lesson; a lesson of that quarter already recorded as held is linked at once."""
    require(actor, CHANGE, organization.path)
    _check_kind(organization, kind)
    year, quarter = _check_year(year), _check_quarter(quarter)
    lecturer = _check_lecturer(organization, lecturer)
    topic = checked_text("topic", topic, max_length=200)
    taken = LessonTurn.objects.filter(organization=organization, year=year, quarter=quarter, kind=kind)
    if taken.exists():
        raise DomainError("quarter", _taken_message(organization, year, quarter, kind))
    try:
        with transaction.atomic():
            turn = LessonTurn.objects.create(
                organization=organization, org_path=organization.path, year=year, quarter=quarter, kind=kind,
                lecturer=lecturer, topic=topic, meeting=held_lesson(organization.pk, kind, year, quarter),
                created_by=by(actor) if getattr(actor, "pk", None) else None,
            )  # fmt: skip
    except IntegrityError:  # planned by someone else at the same moment
        raise DomainError("quarter", _taken_message(organization, year, quarter, kind)) from None
    record_change(actor, turn, ChangeLog.Action.CREATE, after=snapshot(turn), org_path=turn.org_path)
    return turn


def rotation(
    lecturers: Sequence[Person], quarters: Sequence[int], after: int | None = None
) -> list[tuple[int, Person]]:
    """Each quarter with its lecturer, rotating through ``lecturers`` in order, starting after the person
    ``after`` when he is among them (so the rota goes on where the last one stopped)."""
    ids = [person.pk for person in lecturers]
    start = ids.index(after) + 1 if after in ids else 0
    return [(quarter, lecturers[(start + i) % len(lecturers)]) for i, quarter in enumerate(quarters)]


@transaction.atomic
def plan_rota(
    actor: Actor,
    *,
    organization: Organization,
    year: int,
    kind: str,
    lecturers: Iterable[Person],
    quarters: Iterable[int] = QUARTERS,
    topic: str = "",
) -> list[LessonTurn]:
    """Fill the quarters of ``year`` that have no lecturer yet (of those chosen) with ``lecturers`` in turn; the
    quarters already planned keep theirs. Returns the turns made."""
    require(actor, CHANGE, organization.path)
    people = list({person.pk: person for person in lecturers}.values())
    if not people:
        raise DomainError("lecturers", _("Choose the members who give the lessons, in the order they take turns."))
    chosen = sorted({_check_quarter(q) for q in quarters})
    if not chosen:
        raise DomainError("quarters", _("Choose the quarters to plan."))
    _check_kind(organization, kind)
    year = _check_year(year)
    for person in people:
        _check_lecturer(organization, person)
    mine = LessonTurn.objects.filter(organization=organization, kind=kind)
    taken = set(mine.filter(year=year).values_list("quarter", flat=True))
    free = [q for q in chosen if q not in taken]
    if not free:
        raise DomainError("quarters", _("Every quarter chosen already has its lecturer: change a turn instead."))
    before = mine.filter(Q(year__lt=year) | Q(year=year, quarter__lt=free[0]))
    last = before.order_by("-year", "-quarter").values_list("lecturer_id", flat=True).first()
    turns = []
    for quarter, person in rotation(people, free, after=last):
        turns.append(plan_turn(actor, organization=organization, year=year, quarter=quarter, kind=kind,
                               lecturer=person, topic=topic))  # fmt: skip
    return turns


@transaction.atomic
def change_turn(
    actor: Actor,
    turn: LessonTurn,
    *,
    lecturer: Person | None = None,
    topic: str | None = None,
    reason: str = "",
) -> LessonTurn:
    """Change the lecturer or the topic of a turn. Once its quarter has begun the change needs a reason (kept in
    the audit row); a lesson already given keeps its lecturer. A new lecturer is reminded afresh."""
    turn = LessonTurn.objects.select_for_update().get(pk=turn.pk)
    require(actor, CHANGE, turn.org_path)
    organization = Organization.objects.get(pk=turn.organization_id)
    reason = checked_text("reason", reason, max_length=200)
    new_topic = checked_text("topic", topic, max_length=200) if topic is not None else turn.topic
    new_lecturer = lecturer is not None and lecturer.pk != turn.lecturer_id
    if not new_lecturer and new_topic == turn.topic:
        return turn
    if new_lecturer and turn.meeting_id is not None:
        raise DomainError("lecturer", _("This lesson has been given: its lecturer is on the meeting's record."))
    if has_started(turn) and not reason:
        raise DomainError("reason", _("The quarter of this turn has begun: say why it changes."))
    before = snapshot(turn)
    if new_lecturer:
        turn.lecturer = _check_lecturer(organization, lecturer)
        turn.reminded_at = None  # the new lecturer hears of it, once
    turn.topic = new_topic
    turn.save()
    after = snapshot(turn)
    if reason:
        before["reason"], after["reason"] = "", reason
    record_change(actor, turn, ChangeLog.Action.UPDATE, before=before, after=after, org_path=turn.org_path)
    return turn


# --- linking the lesson meeting -----------------------------------------------------------------------------


def turn_of(organization_id: int, kind: str, day: datetime.date) -> LessonTurn | None:
    """The organisation's turn for the lesson of ``kind`` in the quarter of ``day``."""
    if kind not in LESSON_KINDS:
        return None
    turns = LessonTurn.objects.filter(organization_id=organization_id, kind=kind, year=day.year,
                                      quarter=quarter_of(day))  # fmt: skip
    return turns.select_related("lecturer").first()


def planned_lecturer(meeting: Meeting, when: datetime.datetime | None = None) -> str:
    """The name of the lecturer the rota names for a lesson meeting (the record form prefills it), or ""."""
    turn = turn_of(meeting.organization_id, meeting.kind, timezone.localdate(when or meeting.starts_at))
    return turn.lecturer.name if turn is not None else ""


def link_recorded_lesson(actor: Actor, meeting: Meeting) -> LessonTurn | None:
    """Called by ``record_meeting`` in its transaction, once the meeting is held: the turn of its quarter is
    given by it (a second lesson in the same quarter leaves the turn with the first)."""
    if meeting.kind not in LESSON_KINDS or meeting.status != MeetingStatus.HELD:
        return None
    day = timezone.localdate(meeting.starts_at)
    turn = (
        LessonTurn.objects.select_for_update()
        .filter(organization_id=meeting.organization_id, kind=meeting.kind, year=day.year, quarter=quarter_of(day))
        .first()
    )
    if turn is None or turn.meeting_id is not None:
        return None
    before = snapshot(turn, ["meeting"])
    turn.meeting = meeting
    turn.save(update_fields=["meeting", "updated_at"])
    record_update(actor, turn, before, ["meeting"], org_path=turn.org_path)
    return turn


# --- reminders ----------------------------------------------------------------------------------------------


def turn_url(turn: LessonTurn) -> str:
    return reverse("orglife:lesson_turn", args=[turn.pk])


def remind_lesson_turns(now: datetime.datetime | None = None) -> int:
    """The reminder before a turn (daily job): each turn not given whose quarter begins within the rule's days
    (or has begun) and that nobody was reminded of yet: one notification to the lecturer and one to the
    organisation's secretaries. Run twice, it reminds nobody twice. Returns the turns reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = LessonTurn.objects.filter(due_q(today), reminded_at__isnull=True)
    count = 0
    for turn in due.select_related("organization", "lecturer").order_by("year", "quarter", "id"):
        with transaction.atomic():
            if not LessonTurn.objects.filter(pk=turn.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # another run took it
            values = {"kind": MeetingKind(turn.kind).label, "org": turn.organization.name, "quarter": turn.quarter,
                      "year": turn.year, "start": quarter_start(turn.year, turn.quarter).isoformat()}  # fmt: skip
            mine = notice(gettext_noop("Your turn: you give the %(kind)s of %(org)s in quarter %(quarter)d of "
                                       "%(year)d (from %(start)s)."), **values)  # fmt: skip
            lecturer_users = list(User.objects.filter(person_id=turn.lecturer_id, is_active=True))
            notify_users(lecturer_users, text=mine, url=turn_url(turn), org_path=turn.org_path)
            theirs = notice(gettext_noop("%(name)s gives the %(kind)s of %(org)s in quarter %(quarter)d of %(year)d "
                                         "(from %(start)s)."), name=turn.lecturer.name, **values)  # fmt: skip
            # A secretary giving the lesson herself is told once, as the lecturer.
            notify_actors(CHANGE, turn.org_path, text=theirs, url=turn_url(turn),
                          exclude=lecturer_users[0] if lecturer_users else None)  # fmt: skip
            count += 1
    return count


def _own_org_id(user: Any) -> int | None:
    prefixes = scope_for(user, CHANGE).prefixes
    return path_ids(prefixes[0])[-1] if prefixes else None


def pending_lesson_turns(user: Any) -> list[PendingItem]:
    """Inbox provider: the lecturer's turns coming up (one COUNT), and for a secretary the turns of her own
    organisations coming up or overdue (one COUNT)."""
    items = []
    today = timezone.localdate()
    person_id = getattr(user, "person_id", None)
    if person_id:
        mine = LessonTurn.objects.filter(due_q(today), lecturer_id=person_id).count()
        items.append(PendingItem(_("My lesson to give"), mine, reverse("orglife:my_lessons")))
    scope = scope_for(user, CHANGE)
    if scope.prefixes:
        theirs = LessonTurn.objects.filter(scope.at_q("org_path")).filter(due_q(today) | overdue_q(today)).count()
        url = reverse("orglife:lessons", args=[_own_org_id(user)])
        items.append(PendingItem(_("Lessons in turn due"), theirs, url))
    return items


# --- reads --------------------------------------------------------------------------------------------------


def next_turn(person_id: int | None, today: datetime.date | None = None) -> LessonTurn | None:
    """The person's next lesson to give: the earliest turn not given whose quarter is not over."""
    if not person_id:
        return None
    today = today or timezone.localdate()
    year, quarter = today.year, quarter_of(today)
    turns = LessonTurn.objects.filter(lecturer_id=person_id, meeting__isnull=True)
    turns = turns.filter(Q(year=year, quarter__gte=quarter) | Q(year__gt=year))
    return turns.select_related("organization").order_by("year", "quarter", "id").first()


def next_turn_text(user: Any) -> str | None:
    """The member's home card: his next lesson to give ("2027 第1季度 团课"), or no card."""
    turn = next_turn(getattr(user, "person_id", None))
    if turn is None:
        return None
    return _("Q%(quarter)d %(year)d · %(kind)s") % {"quarter": turn.quarter, "year": turn.year,
                                                   "kind": turn.get_kind_display()}  # fmt: skip


def rota_of(organization: Organization, year: int) -> QuerySet[LessonTurn]:
    return (
        LessonTurn.objects.filter(organization=organization, year=year)
        .select_related("lecturer", "meeting")
        .order_by("quarter", "kind", "id")
    )


def members_for_rota(organization: Organization) -> QuerySet[Person]:
    """Who may give the organisation's lessons, in roster order: its active members (of its subtree) and the
    members of its committee."""
    today = timezone.localdate()
    cadres = CadrePosition.objects.filter(organization=organization, start__lte=today)
    in_post = cadres.filter(Q(end__isnull=True) | Q(end__gt=today)).values("person_id")
    members = Q(status=MembershipStatus.ACTIVE) & subtree_q("org_path", organization.path)
    return Person.objects.filter(members | Q(pk__in=in_post)).order_by("org_path", "name_pinyin", "id")
