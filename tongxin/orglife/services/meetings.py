"""Meetings (三会两制一课, 三会一课): plan ahead, record once held (attendance, minutes, quorum), cancel, attach
photos and PDFs; a planned meeting whose time has passed unrecorded is overdue.

Who acts: planning needs CHANGE over every organisation holding the meeting (each organisation of a joint
activity); recording, cancelling and attaching need CHANGE over the recording organisation.

Recording locks the meeting row first, so of two people recording the same meeting at once exactly one
succeeds and the other is told it was already recorded. Attendance has one row per active member of the
organising organisations, written in one bulk INSERT; the counts and the quorum flag are kept on the
meeting (the compliance board reads them). Each write leaves a ChangeLog row; a joint activity's other
organisations are notified in their inbox.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

import nh3
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongxin.accounts.notify import notice, notify_actors
from tongxin.core.achievements import Achievement, offer, offer_many, withdraw
from tongxin.core.audit import record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date, checked_text
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import CHANGE, Actor, by, require
from tongxin.core.uploads import IMAGE_TYPES, check_upload
from tongxin.core.workflow import Workflow
from tongxin.orglife import tallies
from tongxin.orglife.models import (
    COMMITTEE_QUORUM_KINDS,
    LESSON_KINDS,
    MEMBER_QUORUM_KINDS,
    Attachment,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from tongxin.orglife.services import lessons
from tongxin.orgs import tallies as org_tallies
from tongxin.orgs.models import LEAGUE_KINDS, PARTY_KINDS, Organization, OrgStatus
from tongxin.people.models import CadrePosition, MembershipStatus, Person

LEAGUE_MEETING_KINDS = (
    MeetingKind.LEAGUE_GENERAL,
    MeetingKind.LEAGUE_COMMITTEE,
    MeetingKind.LEAGUE_GROUP,
    MeetingKind.LEAGUE_LESSON,
    MeetingKind.LEAGUE_DAY,
)
PARTY_MEETING_KINDS = (
    MeetingKind.PARTY_GENERAL,
    MeetingKind.PARTY_COMMITTEE,
    MeetingKind.PARTY_GROUP,
    MeetingKind.PARTY_LESSON,
    MeetingKind.PARTY_DAY,
    MeetingKind.LIFE_MEETING,
    MeetingKind.DEMOCRATIC_REVIEW,
)

# Minutes keep basic formatting only: everything else (scripts, styles, images, event handlers) is dropped.
MINUTES_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "h3", "h4", "blockquote", "a"}
MINUTES_ATTRIBUTES = {"a": {"href"}}
MINUTES_URL_SCHEMES = {"http", "https", "mailto"}

# Attachments: the type is read from the content (magic bytes), and must agree with the file's extension.


# The state machine: which status each transition leaves from, and where it goes.
MEETING_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "record": ((MeetingStatus.PLANNED,), MeetingStatus.HELD),
    "cancel": ((MeetingStatus.PLANNED,), MeetingStatus.CANCELLED),
}

MEETINGS: Workflow[Meeting] = Workflow(
    Meeting,
    MEETING_TRANSITIONS,
    refusal=gettext_lazy("This meeting is already “%(status)s”; someone acted on it before you. Reload the page."),
    related=("organization",),
    url_name="orglife:meeting_detail",
)


def kinds_for(organization: Organization, *, joint: bool = False) -> list[str]:
    """The meeting kinds ``organization`` may hold: league kinds for league organisations, party kinds for
    party organisations, the joint activity when several organisations hold it together."""
    if joint:
        return [MeetingKind.JOINT_ACTIVITY]
    if organization.kind in PARTY_KINDS:
        return list(PARTY_MEETING_KINDS)
    if organization.kind in LEAGUE_KINDS:
        return list(LEAGUE_MEETING_KINDS)
    return []


def holding_ids(meeting: Meeting) -> list[int]:
    """Ids of every organisation holding ``meeting`` (the recording one first)."""
    ids = [meeting.organization_id, *meeting.organizations.values_list("pk", flat=True)]
    return list(dict.fromkeys(ids))


def members_of(org_ids: Iterable[int]) -> QuerySet[Person]:
    """The active members of the organisations (one query), ordered as on the roster."""
    return Person.objects.filter(branch_id__in=list(org_ids), status=MembershipStatus.ACTIVE).order_by(
        "org_path", "name_pinyin", "id"
    )


def committee_ids(organization_id: int, day: datetime.date) -> set[int]:
    """Persons holding a current position in the organisation's committee on ``day``."""
    positions = CadrePosition.objects.filter(organization_id=organization_id, start__lte=day)
    positions = positions.filter(Q(end__isnull=True) | Q(end__gt=day))
    return set(positions.values_list("person_id", flat=True))


def sanitise_minutes(html: str) -> str:
    """``html`` with basic formatting only (paragraphs, bold, italics, lists, headings, links)."""
    return nh3.clean(
        html or "",
        tags=MINUTES_TAGS,
        attributes=MINUTES_ATTRIBUTES,
        url_schemes=MINUTES_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


MINUTES_MAX = 50_000  # characters of minutes (HTML) a record may hold: refused beyond, not cut


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# --- plan ---------------------------------------------------------------------------------------------------


@transaction.atomic
def plan_meeting(
    actor: Actor,
    *,
    organization: Organization,
    kind: str,
    starts_at: datetime.datetime,
    topic: str,
    place: str = "",
    organizations: Iterable[Organization] = (),
) -> Meeting:
    """Plan a meeting of ``organization`` (which records it); ``organizations`` are the others holding a
    joint activity with it."""
    wanted = list(dict.fromkeys([organization.pk, *(org.pk for org in organizations)]))
    by_id = Organization.objects.in_bulk(wanted)
    orgs = [by_id[pk] for pk in wanted if pk in by_id]
    if len(orgs) != len(wanted):
        raise DomainError("organizations", _("One of the organisations no longer exists."))
    for org in orgs:
        require(actor, CHANGE, org.path)
        if org.status != OrgStatus.ACTIVE:
            raise DomainError("organization", _("%(org)s has been dissolved.") % {"org": org.name})
    recording = orgs[0]
    joint = len(orgs) > 1
    if kind not in MeetingKind.values:
        raise DomainError("kind", _("Unknown meeting kind."))
    if kind == MeetingKind.JOINT_ACTIVITY and not joint:
        raise DomainError("organizations", _("A joint activity is held by several organisations: name the others."))
    if joint and kind != MeetingKind.JOINT_ACTIVITY:
        raise DomainError("kind", _("A meeting held by several organisations is a joint activity."))
    if not joint and kind not in kinds_for(recording):
        raise DomainError(
            "kind",
            _("%(org)s cannot hold a “%(kind)s”: league organisations hold league meetings, party organisations "
              "party meetings.") % {"org": recording.name, "kind": MeetingKind(kind).label},
        )  # fmt: skip
    # issue 12 §3: a meeting is planned within the plan window; its texts bounded with an error, never cut
    checked_date("starts_at", starts_at, "plan")
    topic = checked_text("topic", topic, max_length=200)
    if not topic:
        raise DomainError("topic", _("Give the meeting's topic."))
    place = checked_text("place", place, max_length=200)
    meeting = Meeting.objects.create(
        organization=recording, org_path=recording.path, kind=kind, starts_at=_aware(starts_at), topic=topic,
        place=place, created_by=by(actor) if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    meeting.organizations.set(orgs)
    MEETINGS.record(actor, meeting, ChangeLog.Action.CREATE)
    for other in orgs[1:]:
        text = notice(gettext_noop("%(org)s invites you to a joint activity: %(topic)s on %(when)s."),
                      org=recording.name, topic=meeting.topic,
                      when=timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"))  # fmt: skip
        notify_actors(CHANGE, other.path, text=text, url=MEETINGS.url(meeting), exclude=actor)
    return meeting


# --- record -------------------------------------------------------------------------------------------------


def _names(person_ids: Iterable[int], known: Mapping[int, Person], actor: Actor) -> str:
    ids = list(person_ids)
    names = {pk: p.name for pk, p in known.items() if pk in ids}
    missing = [pk for pk in ids if pk not in names]
    if missing:  # someone outside the members: named only if the actor may see them
        visible = Person.objects.for_actor(actor).filter(pk__in=missing).values_list("pk", "name")
        names.update(dict(visible))
    return "、".join(names.get(pk, f"#{pk}") for pk in ids)


@transaction.atomic
def record_meeting(
    actor: Actor,
    meeting: Meeting,
    *,
    attendance: Mapping[int, tuple[str, str]],
    host: Person | None = None,
    recorder: Person | None = None,
    lecturer: str = "",
    minutes: str = "",
    place: str | None = None,
    starts_at: datetime.datetime | None = None,
) -> Meeting:
    """Record ``meeting`` as held: ``attendance`` maps each member's person id to (status, reason).

    Every active member of the organising organisations gets one row; someone else is refused by name, as
    is a member left out; absence needs a reason. The counts and the quorum flag are computed here.
    """
    meeting = MEETINGS.lock(actor, meeting, "record")
    require(actor, CHANGE, meeting.org_path)
    before = snapshot(meeting)
    counted_before = tallies.meeting_counts(meeting)
    when = _aware(checked_date("starts_at", starts_at, "plan")) if starts_at is not None else meeting.starts_at
    if when > timezone.now():
        raise DomainError("starts_at", _("A meeting dated in the future cannot be recorded as held."))
    # The compliance cells of each organisation holding it, in the year planned and the year held, before.
    holders = list(Organization.objects.filter(pk__in=holding_ids(meeting)).only("id", "path", "kind", "status"))
    years = {timezone.localtime(meeting.starts_at).year, timezone.localtime(when).year}
    done_before = tallies.done_counts(holders, years)
    members = {person.pk: person for person in members_of(holding_ids(meeting)).only("id", "name", "org_path")}
    marks = {int(pk): (status, checked_text("attendance", reason, max_length=200))
             for pk, (status, reason) in attendance.items()}  # fmt: skip
    strangers = [pk for pk in marks if pk not in members]
    if strangers:
        raise DomainError(
            "attendance",
            _("Not active members of the organising organisations: %(names)s.")
            % {"names": _names(strangers, members, actor)},
        )
    unmarked = [pk for pk in members if pk not in marks]
    if unmarked:
        raise DomainError("attendance", _("Mark the attendance of: %(names)s.")
                          % {"names": _names(unmarked, members, actor)})  # fmt: skip
    if any(status not in AttendanceStatus.values for status, _reason in marks.values()):
        raise DomainError("attendance", _("Attendance is present, on leave or absent."))
    no_reason = [pk for pk, (status, reason) in marks.items() if status == AttendanceStatus.ABSENT and not reason]
    if no_reason:
        raise DomainError("attendance", _("Give the reason for each absence: %(names)s.")
                          % {"names": _names(no_reason, members, actor)})  # fmt: skip
    lecturer = checked_text("lecturer", lecturer, max_length=100)  # was cut to 100 characters (issue 12 §3)
    minutes = checked_text("minutes", minutes, max_length=MINUTES_MAX, multiline=True)
    place = checked_text("place", place, max_length=200) if place is not None else None
    if meeting.kind in LESSON_KINDS and not lecturer:  # the lesson in turn's lecturer, when the rota names one
        lecturer = lessons.planned_lecturer(meeting, when)
    if meeting.kind in LESSON_KINDS and not lecturer:
        raise DomainError("lecturer", _("Name the lecturer of the lesson."))
    for field, person in (("host", host), ("recorder", recorder)):
        if person is not None and not Person.objects.for_actor(actor).filter(pk=person.pk).exists():
            raise DomainError(field, _("No such person in your scope."))

    present_ids = {pk for pk, (status, _reason) in marks.items() if status == AttendanceStatus.PRESENT}
    meeting.expected, meeting.present = len(members), len(present_ids)
    if meeting.kind in MEMBER_QUORUM_KINDS:
        meeting.quorum_met = meeting.present * 2 > meeting.expected
    elif meeting.kind in COMMITTEE_QUORUM_KINDS:
        committee = committee_ids(meeting.organization_id, timezone.localdate(when))
        meeting.quorum_met = len(committee & present_ids) * 2 > len(committee) > 0
    else:
        meeting.quorum_met = None
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=meeting,
                person_id=pk,
                org_path=members[pk].org_path,
                status=status,
                reason=reason if status != AttendanceStatus.PRESENT else "",
            )
            for pk, (status, reason) in marks.items()
        ],
        batch_size=500,
    )
    meeting.starts_at = when
    day = timezone.localdate(when)
    offered = (
        attendance_achievement(meeting.pk, pk, members[pk].org_path, status, day) for pk, (status, _r) in marks.items()
    )
    offer_many([achievement for achievement in offered if achievement is not None])
    meeting.host, meeting.recorder, meeting.lecturer = host, recorder, lecturer
    meeting.minutes = sanitise_minutes(minutes)
    if place is not None:
        meeting.place = place
    meeting = MEETINGS.move(actor, meeting, "record", before=before)
    # The dashboards' figures: one meeting held in its month, at the organisation and its ancestors; and the
    # compliance cells it fills for each organisation holding it.
    org_tallies.adjust(
        org_tallies.difference(
            counted_before + done_before, tallies.meeting_counts(meeting) + tallies.done_counts(holders, years)
        )
    )
    lessons.link_recorded_lesson(actor, meeting)  # a lesson in turn is given by it (same transaction)
    return meeting


# --- the points hooks (core.achievements) -----------------------------------------------------------------

ATTENDANCE_KINDS = {AttendanceStatus.PRESENT: "orglife.attended", AttendanceStatus.ABSENT: "orglife.absent_unexcused"}


def attendance_source(meeting_id: int, person_id: int) -> str:
    return f"orglife.attendance:{meeting_id}:{person_id}"


def attendance_achievement(
    meeting_id: int, person_id: int, org_path: str, status: str, day: datetime.date
) -> Achievement | None:
    """What one member's attendance earns (present) or costs (absent without leave; leave is neither)."""
    kind = ATTENDANCE_KINDS.get(status)  # type: ignore[call-overload]
    if kind is None:
        return None
    return Achievement(kind, person_id=person_id, org_path=org_path, occurred_on=day,
                       source=attendance_source(meeting_id, person_id))  # fmt: skip


@transaction.atomic
def correct_attendance(actor: Actor, meeting: Meeting, *, person: Person, status: str, reason: str = "") -> Attendance:
    """Correct one member's attendance of a held meeting: the counts and quorum follow, the points hooks
    withdraw what the old mark earned and offer what the new one does."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require(actor, CHANGE, meeting.org_path)
    if meeting.status != MeetingStatus.HELD:
        raise DomainError("status", _("Only a held meeting's attendance is corrected."))
    row = Attendance.objects.select_for_update().filter(meeting=meeting, person=person).first()
    if row is None:
        raise DomainError("person", _("This person has no attendance at the meeting."))
    if status not in AttendanceStatus.values:
        raise DomainError("status", _("Attendance is present, on leave or absent."))
    reason = checked_text("reason", reason, max_length=200)
    if status == AttendanceStatus.ABSENT and not reason:
        raise DomainError("reason", _("Give the reason for each absence: %(names)s.") % {"names": person.name})
    if status == row.status and reason == row.reason:
        return row
    before = snapshot(row, ["status", "reason"])
    source = attendance_source(meeting.pk, person.pk)
    for kind in ATTENDANCE_KINDS.values():
        withdraw(kind, source=source)
    row.status, row.reason = status, (reason if status != AttendanceStatus.PRESENT else "")
    row.save(update_fields=["status", "reason"])
    record_change(actor, row, ChangeLog.Action.UPDATE, before=before, after=snapshot(row, ["status", "reason"]),
                  org_path=row.org_path)  # fmt: skip
    present = Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.PRESENT)
    meeting_before = snapshot(meeting)
    meeting.present = present.count()
    if meeting.kind in MEMBER_QUORUM_KINDS:
        meeting.quorum_met = meeting.present * 2 > meeting.expected
    elif meeting.kind in COMMITTEE_QUORUM_KINDS:
        committee = committee_ids(meeting.organization_id, timezone.localdate(meeting.starts_at))
        present_ids = set(present.values_list("person_id", flat=True))
        meeting.quorum_met = len(committee & present_ids) * 2 > len(committee) > 0
    meeting.save(update_fields=["present", "quorum_met", "updated_at"])
    MEETINGS.record(actor, meeting, ChangeLog.Action.UPDATE, before=meeting_before)
    achievement = attendance_achievement(meeting.pk, person.pk, row.org_path, status,
                                         timezone.localdate(meeting.starts_at))  # fmt: skip
    if achievement is not None:
        offer(achievement)
    return row


# --- a meeting already held, recorded directly ----------------------------------------------------------------


@transaction.atomic
def record_held_meeting(
    actor: Actor,
    *,
    organization: Organization,
    kind: str,
    starts_at: datetime.datetime,
    topic: str,
    attendance: Mapping[int, tuple[str, str]],
    place: str = "",
    host: Person | None = None,
    recorder: Person | None = None,
    lecturer: str = "",
    minutes: str = "",
) -> Meeting:
    """Record a meeting held yesterday that nobody planned: planned and recorded in one transaction (both or
    neither), with every rule of each step (the plan window, the kinds the organisation holds, every member's
    attendance, the lecturer of a lesson) and both ChangeLog rows."""
    if _aware(starts_at) > timezone.now():
        raise DomainError("starts_at", _("A meeting dated in the future cannot be recorded as held."))
    meeting = plan_meeting(actor, organization=organization, kind=kind, starts_at=starts_at, topic=topic, place=place)
    return record_meeting(
        actor, meeting, attendance=attendance, host=host, recorder=recorder, lecturer=lecturer, minutes=minutes
    )


# --- cancel -------------------------------------------------------------------------------------------------


@transaction.atomic
def cancel_meeting(actor: Actor, meeting: Meeting) -> Meeting:
    """Cancel a planned meeting (a held one stays on record)."""
    meeting = MEETINGS.lock(actor, meeting, "cancel")
    require(actor, CHANGE, meeting.org_path)
    MEETINGS.move(actor, meeting, "cancel")
    others = Organization.objects.filter(pk__in=holding_ids(meeting)[1:]).only("path")
    for other in others:
        text = notice(gettext_noop("The joint activity “%(topic)s” was cancelled."), topic=meeting.topic)
        notify_actors(CHANGE, other.path, text=text, url=MEETINGS.url(meeting), exclude=actor)
    return meeting


# --- attachments --------------------------------------------------------------------------------------------


@transaction.atomic
def add_attachment(actor: Actor, meeting: Meeting, *, file_name: str, content: bytes) -> Attachment:
    """Attach a photo (JPEG, PNG) or a PDF to ``meeting``; the type is checked by content, the size limited."""
    # Locked, so an attachment racing a cancellation waits for it and is refused, not stored after it.
    meeting = Meeting.objects.select_for_update(no_key=True).get(pk=meeting.pk)
    require(actor, CHANGE, meeting.org_path)
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError("file", _("The meeting was cancelled: nothing can be attached to it."))
    name, expected = check_upload(file_name, content)
    attachment = Attachment.objects.create(
        meeting=meeting, file_name=name, content_type=expected, size=len(content), content=content,
        uploaded_by=by(actor) if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    after = {"meeting": meeting.pk, "file_name": name, "content_type": expected, "size": len(content)}
    record_change(actor, attachment, ChangeLog.Action.CREATE, after=after, org_path=meeting.org_path)
    return attachment


def is_image(attachment: Attachment) -> bool:
    return attachment.content_type in IMAGE_TYPES


# --- lists --------------------------------------------------------------------------------------------------


def overdue(qs: QuerySet[Meeting], now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """Planned meetings whose time has passed without a record."""
    return qs.filter(status=MeetingStatus.PLANNED, starts_at__lt=now or timezone.now())


def of_organization(qs: QuerySet[Meeting], organization: Organization) -> QuerySet[Meeting]:
    """Meetings ``organization`` records or holds with others (a joint activity)."""
    joint = Meeting.objects.filter(organizations=organization).values("pk")
    return qs.filter(Q(organization=organization) | Q(pk__in=joint))
