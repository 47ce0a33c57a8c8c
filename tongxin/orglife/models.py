"""Organisational life (三会两制一课, 三会一课): meetings with attendance and attachments, the required
frequencies behind the compliance board (一表通), and the committee's four lists (四清单).

Meetings are planned ahead (``planned``) and recorded once held (``held``); a planned meeting whose time
has passed unrecorded is overdue (derived, not stored). A meeting may be held by several organisations
together (a joint party-league activity): ``organizations`` lists them all, ``organization`` is the one
that records it. Attendance has one row per member of the organising organisations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxin.core.fields import IntRange
from tongxin.core.models import StoredFile
from tongxin.core.scoping import Scope, ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import Organization
from tongxin.people.models import Person


class MeetingKind(models.TextChoices):
    # League branch (三会两制一课)
    LEAGUE_GENERAL = "league_general", _("Branch general meeting")  # 支部团员大会
    LEAGUE_COMMITTEE = "league_committee", _("Branch committee meeting")  # 支委会
    LEAGUE_GROUP = "league_group", _("League group meeting")  # 团小组会
    LEAGUE_LESSON = "league_lesson", _("League lesson")  # 团课
    LEAGUE_DAY = "league_day", _("Theme league day")  # 主题团日
    # Party branch (三会一课)
    PARTY_GENERAL = "party_general", _("Party members' general meeting")  # 党员大会
    PARTY_COMMITTEE = "party_committee", _("Party branch committee meeting")  # 支委会
    PARTY_GROUP = "party_group", _("Party group meeting")  # 党小组会
    PARTY_LESSON = "party_lesson", _("Party lesson")  # 党课
    PARTY_DAY = "party_day", _("Theme party day")  # 主题党日
    LIFE_MEETING = "life_meeting", _("Organisational life meeting")  # 组织生活会
    DEMOCRATIC_REVIEW = "democratic_review", _("Democratic review of party members")  # 民主评议党员
    # Several organisations together (党建带团建)
    JOINT_ACTIVITY = "joint_activity", _("Joint party-league activity")


LESSON_KINDS = frozenset({MeetingKind.LEAGUE_LESSON, MeetingKind.PARTY_LESSON})
# Quorum rules checked and flagged when a meeting is recorded: more than half of the members, or of the
# branch committee, present.
MEMBER_QUORUM_KINDS = frozenset({MeetingKind.LEAGUE_GENERAL, MeetingKind.PARTY_GENERAL})
COMMITTEE_QUORUM_KINDS = frozenset({MeetingKind.LEAGUE_COMMITTEE, MeetingKind.PARTY_COMMITTEE})


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


def _held_jointly(scope: Scope) -> Q | None:
    """A joint activity is seen from every organisation holding it, not only the one recording it."""
    if not scope.prefixes:
        return None
    held = Meeting.organizations.through.objects.filter(scope.q("organization__path"))
    return Q(pk__in=held.values("meeting_id"))


class Meeting(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="meetings",
                                     verbose_name=_("organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    # Every organisation holding it (the recording one included); more than one for a joint activity.
    organizations = models.ManyToManyField(Organization, related_name="joint_meetings", blank=True,
                                           verbose_name=_("organisations holding it"))  # fmt: skip
    kind = models.CharField(_("kind"), max_length=32, choices=MeetingKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)  # fmt: skip
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    host = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("host"))  # fmt: skip
    recorder = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("recorder"))  # fmt: skip
    lecturer = models.CharField(_("lecturer"), max_length=100, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)  # sanitised HTML
    # Counts kept with the record (the attendance rows are the detail): the board and quorum read these.
    expected = models.PositiveIntegerField(_("expected"), default=0)
    present = models.PositiveIntegerField(_("present"), default=0)
    quorum_met = models.BooleanField(_("quorum met"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), also=_held_jointly)
    audit_fields = ["organization", "kind", "status", "starts_at", "place", "topic", "host", "recorder", "lecturer",
                    "expected", "present", "quorum_met"]  # fmt: skip

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["org_path", "kind", "starts_at"], name="meeting_board_idx"),
            models.Index(fields=["status", "starts_at"], name="meeting_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.starts_at:%Y-%m-%d}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance",
                                verbose_name=_("meeting"))  # fmt: skip
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendance")
    org_path = models.CharField(max_length=255, editable=False)  # the person's branch at the meeting
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once")]
        indexes = [models.Index(fields=["person", "status"], name="attendance_person_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_status_display()}"


class Attachment(StoredFile):
    """A photo or PDF of a meeting (or of a checklist item's progress), checked by its content."""

    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    note = models.ForeignKey("ChecklistNote", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="attachments")  # fmt: skip

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class Frequency(models.TextChoices):
    MONTHLY = "month", _("Monthly")
    QUARTERLY = "quarter", _("Quarterly")
    YEARLY = "year", _("Yearly")


class MeetingRequirement(models.Model):
    """How often an organisation of ``org_kind`` must hold a meeting of ``meeting_kind`` (DOMAIN.md,
    organisational life). Defaults are seeded by the migration; the district admin edits them."""

    org_kind = models.CharField(_("organisation kind"), max_length=32)
    meeting_kind = models.CharField(_("meeting kind"), max_length=32, choices=MeetingKind.choices)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    active = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("meeting requirement")
        verbose_name_plural = _("meeting requirements")
        ordering = ["org_kind", "meeting_kind"]
        constraints = [
            models.UniqueConstraint(fields=["org_kind", "meeting_kind"], name="requirement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.org_kind} {self.meeting_kind} {self.frequency}"


# The defaults of DOMAIN.md's table (configurable): the data migration seeds them.
DEFAULT_REQUIREMENTS: list[tuple[str, str, str]] = [
    ("branch", MeetingKind.LEAGUE_GENERAL, Frequency.QUARTERLY),
    ("branch", MeetingKind.LEAGUE_COMMITTEE, Frequency.MONTHLY),
    ("branch", MeetingKind.LEAGUE_GROUP, Frequency.MONTHLY),
    ("branch", MeetingKind.LEAGUE_LESSON, Frequency.QUARTERLY),
    ("branch", MeetingKind.LEAGUE_DAY, Frequency.MONTHLY),
    ("party_branch", MeetingKind.PARTY_GENERAL, Frequency.QUARTERLY),
    ("party_branch", MeetingKind.PARTY_COMMITTEE, Frequency.MONTHLY),
    ("party_branch", MeetingKind.PARTY_GROUP, Frequency.MONTHLY),
    ("party_branch", MeetingKind.PARTY_LESSON, Frequency.QUARTERLY),
    ("party_branch", MeetingKind.PARTY_DAY, Frequency.MONTHLY),
    ("party_branch", MeetingKind.LIFE_MEETING, Frequency.YEARLY),
    ("party_branch", MeetingKind.DEMOCRATIC_REVIEW, Frequency.YEARLY),
]


# --- the four lists (四清单) and duties (定人定岗定责) -----------------------------------------------------


class ChecklistKind(models.TextChoices):
    RESPONSIBILITY = "responsibility", _("Responsibility list")
    PROJECT = "project", _("Project list")
    PROBLEM = "problem", _("Problem list")
    RECTIFICATION = "rectification", _("Rectification list")


class ChecklistStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_VERIFICATION = "awaiting", _("Awaiting verification")
    CLOSED = "closed", _("Closed")


class ChecklistItem(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="checklist_items",
                                     verbose_name=_("organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("list"), max_length=16, choices=ChecklistKind.choices)
    content = models.TextField(_("content"))
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("owner"))  # fmt: skip
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ChecklistStatus.choices,
                              default=ChecklistStatus.OPEN)  # fmt: skip
    # A rectification item comes from a problem item.
    problem = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="rectifications", verbose_name=_("problem"))  # fmt: skip
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), owned_by="owner")  # role holders of the subtree, and the owner
    audit_fields = ["kind", "content", "owner", "deadline", "status", "problem"]

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["org_path", "status", "deadline"], name="checklist_overdue_idx")]

    def __str__(self) -> str:
        return self.content[:50]


class ChecklistNote(models.Model):
    """A progress note on a checklist item, with its evidence (attachments)."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("progress"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class Duty(models.Model):
    """定人定岗定责: what a committee member of an organisation is responsible for."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="duties",
                                     verbose_name=_("organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="duties", verbose_name=_("member"))
    post = models.CharField(_("post"), max_length=100)
    responsibilities = models.TextField(_("responsibilities"))

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["person", "post", "responsibilities"]

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["organization", "post"]

    def __str__(self) -> str:
        return f"{self.person} {self.post}"


# --- lessons in turn (轮流讲党课/团课) --------------------------------------------------------------------------


class LessonKind(models.TextChoices):
    """The lesson meetings (``LESSON_KINDS``) a rota plans: the same values as the meeting kinds."""

    LEAGUE_LESSON = MeetingKind.LEAGUE_LESSON.value, MeetingKind.LEAGUE_LESSON.label  # 团课
    PARTY_LESSON = MeetingKind.PARTY_LESSON.value, MeetingKind.PARTY_LESSON.label  # 党课


class LessonTurn(models.Model):
    """Who gives an organisation's league or party lesson (团课/党课) of one quarter: the rota a branch plans for
    the year. ``meeting`` is the lesson meeting that gave it, linked when that meeting is recorded as held
    (``services.lessons.link_recorded_lesson``, in the recording's transaction); ``reminded_at`` notes the one
    reminder sent before the quarter (``manage.py remind_lesson_turns``)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="lesson_turns",
                                     verbose_name=_("organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), validators=[IntRange(2000, 2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[IntRange(1, 4)])
    kind = models.CharField(_("lesson"), max_length=32, choices=LessonKind.choices)
    lecturer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="lesson_turns",
                                 verbose_name=_("lecturer"))  # fmt: skip
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    meeting = models.OneToOneField(Meeting, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="lesson_turn", verbose_name=_("lesson meeting"))  # fmt: skip
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="lecturer")  # role holders of the subtree, and the lecturer
    audit_fields = ["organization", "year", "quarter", "kind", "lecturer", "topic", "meeting"]

    class Meta:
        verbose_name = _("lesson in turn")
        verbose_name_plural = _("lessons in turn")
        ordering = ["year", "quarter", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "quarter", "kind"], name="lesson_turn_once"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="lesson_turn_quarter"),
        ]
        indexes = [
            models.Index(fields=["org_path", "year", "quarter"], name="lesson_turn_org_idx"),
            models.Index(fields=["lecturer", "year", "quarter"], name="lesson_turn_lecturer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter} {self.get_kind_display()}"
