"""Study (思想): 青年大学习 campaigns, their periods (期) with a video and a quiz, the question bank, attempts,
participations (the record that replaces the screenshot) and the roll-up rows of the participation rate.

A campaign belongs to an organisation and is for the members of its subtree whose political status is in
``audience_statuses`` (league members by default). A member opens a period, watches, answers: an
``Attempt`` keeps the seed his question and option order come from, so a reload shows the same order; the
server grades it; his best score is kept on his one ``Participation`` of the period. ``PeriodStats`` holds,
per organisation and period, the members of its subtree counted at the period's opening and the
participants, kept by the submission service in its transaction (never a COUNT per page view).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.fields import IntRange, InWindow, SafeText, Wording
from tongxin.core.models import StoredFile
from tongxin.core.scoping import Scope, ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import Organization
from tongxin.people.models import MembershipStatus, Person

DEFAULT_AUDIENCE = "03"  # GB/T 4762: league members
DEFAULT_TIERS = "95,90,80"


class StudyCampaign(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="study_campaigns", verbose_name=_("organisation")
    )
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=100, validators=[Wording()])
    # Political status codes (GB/T 4762) of the audience, comma-separated: league members by default.
    audience_statuses = models.CharField(_("audience"), max_length=64, default=DEFAULT_AUDIENCE)
    # Tiers (95 / 90 / 80 %) are the organisation's own choice, off by default, never a ranking of people.
    tiers_enabled = models.BooleanField(_("show tiers"), default=False)
    tier_thresholds = models.CharField(_("tier thresholds (%)"), max_length=32, default=DEFAULT_TIERS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Deactivated (ended early): no new period or question; its periods not yet open when it was deactivated are
    # withdrawn, those already open stay answerable until they close (``offered_q``).
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = [
        "organization", "title", "audience_statuses", "tiers_enabled", "tier_thresholds", "deactivated_at",
    ]  # fmt: skip

    class Meta:
        verbose_name = _("study campaign")
        verbose_name_plural = _("study campaigns")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def statuses(self) -> list[str]:
        return [code for code in self.audience_statuses.split(",") if code]

    @property
    def tiers(self) -> list[int]:
        return sorted((int(t) for t in self.tier_thresholds.split(",") if t.strip().isdigit()), reverse=True)

    @property
    def active(self) -> bool:
        return self.deactivated_at is None


class Selection(models.TextChoices):
    FIXED = "fixed", _("Fixed questions")
    RANDOM = "random", _("Random questions from a category")


class StudyPeriod(models.Model):
    campaign = models.ForeignKey(
        StudyCampaign, on_delete=models.CASCADE, related_name="periods", verbose_name=_("campaign")
    )
    org_path = models.CharField(max_length=255, editable=False)  # the campaign's organisation
    number = models.PositiveSmallIntegerField(_("period number"))
    title = models.CharField(_("title"), max_length=200, validators=[Wording()])
    opens_at = models.DateTimeField(pgettext_lazy("study period", "opens at"))
    closes_at = models.DateTimeField(pgettext_lazy("study period", "closes at"))
    video_url = models.URLField(_("video link (intranet)"), max_length=500, blank=True)
    min_watch_seconds = models.PositiveIntegerField(_("minimum watch time (seconds)"), default=0)
    selection = models.CharField(_("questions"), max_length=8, choices=Selection.choices, default=Selection.FIXED)
    questions: models.ManyToManyField = models.ManyToManyField(
        "Question", blank=True, related_name="periods", verbose_name=_("fixed questions")
    )
    category = models.CharField(_("category"), max_length=50, blank=True, validators=[SafeText()])
    question_count = models.PositiveSmallIntegerField(_("number of questions"), default=5)
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=3)
    # When the members of each subtree were counted (the rate's denominator, "at the period's opening").
    members_counted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = [
        "campaign",
        "number",
        "title",
        "opens_at",
        "closes_at",
        "video_url",
        "min_watch_seconds",
        "selection",
        "category",
        "question_count",
        "max_attempts",
    ]

    class Meta:
        verbose_name = _("study period")
        verbose_name_plural = _("study periods")
        ordering = ["campaign", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="study_period_number_once")]
        indexes = [models.Index(fields=["opens_at", "closes_at"], name="study_period_open_idx")]

    def __str__(self) -> str:
        return _("Period %(number)s: %(title)s") % {"number": self.number, "title": self.title}


def offered_q(prefix: str = "") -> Q:
    """The periods still offered to members: those of an active campaign, and those of a deactivated one that had
    opened when it was deactivated (they stay answerable until they close). ``prefix`` reaches the period."""
    deactivated_at = F(f"{prefix}campaign__deactivated_at")
    return Q(**{f"{prefix}campaign__deactivated_at__isnull": True}) | Q(**{f"{prefix}opens_at__lte": deactivated_at})


def is_offered(period: StudyPeriod, campaign: StudyCampaign | None = None) -> bool:
    """:func:`offered_q` for one period (``campaign``: its campaign, when the caller has it at hand)."""
    deactivated_at = (campaign or period.campaign).deactivated_at
    return deactivated_at is None or period.opens_at <= deactivated_at


class StudyVideo(models.Model):
    """A period's uploaded video (checked by its content), served with HTTP range requests."""

    period = models.OneToOneField(StudyPeriod, on_delete=models.CASCADE, related_name="video")
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("study video")
        verbose_name_plural = _("study videos")

    def __str__(self) -> str:
        return self.file_name


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")


class Question(models.Model):
    """A question of a campaign's bank. ``options`` is the list of option texts; ``answer`` the indexes of
    the right ones (one for single choice and true/false). Never sent to a member before he submits."""

    campaign = models.ForeignKey(
        StudyCampaign, on_delete=models.CASCADE, related_name="questions", verbose_name=_("campaign")
    )
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text = models.TextField(_("question"), max_length=1000, validators=[SafeText(multiline=True)])
    options = models.JSONField(_("options"), default=list)
    answer = models.JSONField(_("answer"), default=list)
    explanation = models.TextField(_("explanation"), max_length=2000, blank=True, validators=[SafeText(multiline=True)])
    category = models.CharField(_("category"), max_length=50, blank=True, validators=[SafeText()])
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["kind", "text", "options", "answer", "explanation", "category", "active"]

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["campaign", "id"]
        indexes = [models.Index(fields=["campaign", "category", "active"], name="study_question_draw_idx")]

    def __str__(self) -> str:
        return self.text[:50]


class Attempt(models.Model):
    """One go at a period's quiz. ``question_ids`` is the draw (in the order shown); the option order of each
    question comes from ``seed``. ``token`` is the client's: a second submission of the same attempt (a
    double tap, a retry after a dropped connection) answers the first one's result and writes nothing."""

    period = models.ForeignKey(StudyPeriod, on_delete=models.CASCADE, related_name="attempts",
                               verbose_name=_("period"))  # fmt: skip
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="study_attempts",
                               verbose_name=_("person"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)  # the member's branch when he started
    seed = models.PositiveIntegerField()
    token = models.CharField(max_length=32, unique=True, editable=False)
    question_ids = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)  # {question id: [option index, ...]}
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)  # 0-100
    started_at = models.DateTimeField(_("started at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="person")

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["period", "person"], name="study_attempt_person_idx")]

    def __str__(self) -> str:
        return f"{self.period_id}/{self.person_id}"


class Source(models.TextChoices):
    QUIZ = "quiz", _("Quiz answered here")
    IMPORT = "import", _("Imported from the national platform")


class Participation(models.Model):
    """A member took part in a period: one row per person and period (the proof; no screenshot)."""

    period = models.ForeignKey(
        StudyPeriod, on_delete=models.CASCADE, related_name="participations", verbose_name=_("period")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="study_participations", verbose_name=_("person")
    )
    org_path = models.CharField(max_length=255, editable=False)  # the member's branch when he took part
    best_score = models.PositiveSmallIntegerField(_("best score"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.QUIZ)
    completed_at = models.DateTimeField(_("completed at"))

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="person")

    class Meta:
        verbose_name = _("study participation")
        verbose_name_plural = _("study participations")
        ordering = ["-completed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["period", "person"], name="study_participation_once")]
        indexes = [models.Index(fields=["period", "org_path"], name="study_participation_org_idx")]

    def __str__(self) -> str:
        return f"{self.period} {self.person}"


class PeriodStats(models.Model):
    """Roll-up of one organisation in one period: members of its subtree in the audience when counted (at
    the period's opening) and participants among them. Kept by the services, read by the pages."""

    period = models.ForeignKey(StudyPeriod, on_delete=models.CASCADE, related_name="stats")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    members = models.PositiveIntegerField(_("members"), default=0)
    participants = models.PositiveIntegerField(_("participants"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))

    class Meta:
        verbose_name = _("period statistics")
        verbose_name_plural = _("period statistics")
        constraints = [models.UniqueConstraint(fields=["period", "organization"], name="study_stats_once")]
        indexes = [models.Index(fields=["period", "org_path"], name="study_stats_path_idx")]

    def __str__(self) -> str:
        return f"{self.period_id}/{self.organization_id}: {self.participants}/{self.members}"


class CheckIn(models.Model):
    """学习打卡: a member's own log of what he studied and for how long. Private to him: no path column, so no
    role holder sees it; counts for himself, never a ranking, never compulsory."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="study_checkins")
    day = models.DateField(_("day"), validators=[InWindow("history")])
    what = models.CharField(_("what I studied"), max_length=200, validators=[SafeText()])
    minutes = models.PositiveSmallIntegerField(_("minutes"), validators=[IntRange(1, 1440)])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(own="person")  # the member alone

    class Meta:
        verbose_name = _("study check-in")
        verbose_name_plural = _("study check-ins")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["person", "day"], name="study_checkin_person_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.what[:30]}"


# --- study notes (微心得) -------------------------------------------------------------------------------------

NOTE_MAX_CHARS = 1000
COMMENT_MAX_CHARS = 300
REASON_MAX_CHARS = 200


class NoteStatus(models.TextChoices):
    SHOWN = "shown", _("Shown to the branch")
    FEATURED = "featured", _("Featured")
    HIDDEN = "hidden", _("Hidden")


def _branch_reader(prefix: str = ""):
    """A member reads the notes of his own branch that are not hidden, and his own notes whatever their state
    (VIEW only: the scope's ``owner_id``). ``prefix`` reaches the note from a comment or an image."""

    def rule(scope: Scope) -> Q | None:
        if not scope.owner_id:
            return None
        own = Q(**{f"{prefix}author_id": scope.owner_id})
        branch_path = (
            Person.objects.filter(pk=scope.owner_id, status=MembershipStatus.ACTIVE, branch__isnull=False)
            .values_list("org_path", flat=True)
            .first()
        )
        if not branch_path:
            return own
        return own | (Q(**{f"{prefix}org_path": branch_path}) & ~Q(**{f"{prefix}status": NoteStatus.HIDDEN}))

    return rule


class StudyNote(models.Model):
    """微心得: a member's short study note (plain text, line breaks kept, escaped on output), with an optional
    image. It belongs to the author's branch when he posted it (``org_path``) and to the month it was posted in.
    The branch's members read and comment on it; role holders over the branch see every note (hidden ones with
    the reason); the secretary (CHANGE over the branch) features or hides it. Never required of anyone."""

    author = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="study_notes", verbose_name=pgettext_lazy("note", "author")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="study_notes", verbose_name=_("branch")
    )
    org_path = models.CharField(max_length=255, editable=False)
    month = models.DateField(_("month"), validators=[InWindow("history")])  # the first day of the month
    text = models.TextField(_("note"), max_length=NOTE_MAX_CHARS, validators=[SafeText(multiline=True)])
    status = models.CharField(_("status"), max_length=16, choices=NoteStatus.choices, default=NoteStatus.SHOWN)
    reason = models.CharField(_("reason for hiding"), max_length=REASON_MAX_CHARS, blank=True, validators=[SafeText()])
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), also=_branch_reader())
    audit_fields = ["author", "organization", "month", "text", "status", "reason"]

    class Meta:
        verbose_name = _("study note")
        verbose_name_plural = _("study notes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org_path", "month"], name="study_note_branch_month_idx"),
            models.Index(fields=["author", "created_at"], name="study_note_author_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:30]


class StudyNoteImage(StoredFile):
    """A note's optional image (JPEG or PNG, checked by its content), served only to those who see the note."""

    note = models.OneToOneField(StudyNote, on_delete=models.CASCADE, related_name="image", verbose_name=_("note"))

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("note__org_path",), also=_branch_reader("note__"))

    class Meta:
        verbose_name = _("study note image")
        verbose_name_plural = _("study note images")


class StudyNoteComment(models.Model):
    """A short comment on a note by someone who reads it (plain text, escaped on output)."""

    note = models.ForeignKey(StudyNote, on_delete=models.CASCADE, related_name="comments", verbose_name=_("note"))
    author = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="study_note_comments",
        verbose_name=pgettext_lazy("note", "author"),
    )  # fmt: skip
    text = models.TextField(_("comment"), max_length=COMMENT_MAX_CHARS, validators=[SafeText(multiline=True)])
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("note__org_path",), also=_branch_reader("note__"))
    audit_fields = ["note", "author", "text"]

    class Meta:
        verbose_name = _("study note comment")
        verbose_name_plural = _("study note comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]
