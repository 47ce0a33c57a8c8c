"""Every write of the study app: campaigns, the question bank, periods and their videos, attempts, the
submission (graded here, on the server only) and the roll-up rows of the participation rate.

The submission (``submit_attempt``) is the hot path of the weekly peak. In one transaction it locks the
attempt, checks the window, the retries and the answers, grades, creates or improves the member's one
``Participation`` (unique per person and period) and, for a first participation, adds one participant to
the period's ``PeriodStats`` row of his branch and of every ancestor up to the campaign's organisation (the
way ``orgs.services.adjust_member_counts`` keeps OrgStats): the rows are locked root first, so two
submissions never hold each other's rows. A second submission of the same attempt (a double tap, a retry
after a dropped connection) answers the first one's result and writes nothing; the unique constraint makes
one participation whatever the timing. A refusal writes nothing.

The points hook: a first participation offers a ``study.period_done`` achievement (core.achievements) in
the same transaction.
"""

from __future__ import annotations

import datetime
import functools
import random
import secrets
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import connections, router, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongxin.accounts.models import User
from tongxin.accounts.notify import notice, notify_users
from tongxin.core.achievements import Achievement, offer, offer_many
from tongxin.core.audit import record_change, record_update, snapshot
from tongxin.core.bulkload import insert_rows
from tongxin.core.codes import PoliticalStatus
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date, checked_text
from tongxin.core.models import ChangeLog
from tongxin.core.prepared import Columns, fetch_all, fetch_one, insert, update
from tongxin.core.prepared import cursor as prepared_cursor
from tongxin.core.scoping import CHANGE, Actor, actor_scope, by, require, subtree_q
from tongxin.core.uploads import IMAGE_TYPES, check_upload, clean_name
from tongxin.core.workflow import Workflow
from tongxin.orgs.models import PARTY_KINDS, STEP_WIDTH, Organization, OrgStatus, path_ids, path_step
from tongxin.people.models import MembershipStatus, Person
from tongxin.study.models import (
    COMMENT_MAX_CHARS,
    DEFAULT_AUDIENCE,
    DEFAULT_TIERS,
    NOTE_MAX_CHARS,
    REASON_MAX_CHARS,
    Attempt,
    CheckIn,
    NoteStatus,
    Participation,
    PeriodStats,
    Question,
    QuestionKind,
    Selection,
    Source,
    StudyCampaign,
    StudyNote,
    StudyNoteComment,
    StudyNoteImage,
    StudyPeriod,
    StudyVideo,
    is_offered,
)

ACHIEVEMENT = "study.period_done"
RECEIPT_SALT = "tongxin.study.receipt"
MAX_OPTIONS = 8
MAX_QUESTIONS = 50


def video_max_bytes() -> int:
    return int(getattr(settings, "TONGXIN_STUDY_VIDEO_MAX_BYTES", 200 * 1024 * 1024))


# --- campaigns ----------------------------------------------------------------------------------------------


def _audience(statuses: Iterable[str]) -> str:
    codes = list(dict.fromkeys(statuses))
    if not codes:
        raise DomainError("audience_statuses", _("Choose at least one political status for the audience."))
    unknown = [code for code in codes if code not in PoliticalStatus.values]
    if unknown:
        raise DomainError(
            "audience_statuses", _("Unknown political status: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    return ",".join(codes)


def _tiers(text: str) -> str:
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not parts or not all(p.isascii() and p.isdigit() and 0 < int(p) <= 100 for p in parts) or len(parts) > 5:
        raise DomainError("tier_thresholds", _("Give up to five percentages between 1 and 100, such as 95,90,80."))
    return ",".join(str(t) for t in sorted({int(p) for p in parts}, reverse=True))


@transaction.atomic
def create_campaign(
    actor: Actor,
    *,
    organization: Organization,
    title: str,
    audience_statuses: Iterable[str] = (DEFAULT_AUDIENCE,),
    tiers_enabled: bool = False,
    tier_thresholds: str = DEFAULT_TIERS,
) -> StudyCampaign:
    """A campaign of ``organization`` for the members of its subtree (CHANGE over it)."""
    require(actor, CHANGE, organization.path)
    if organization.status != OrgStatus.ACTIVE:
        raise DomainError("organization", _("%(org)s has been dissolved.") % {"org": organization.name})
    if organization.kind in PARTY_KINDS:
        raise DomainError("organization", _("A study campaign is run by a League organisation."))
    title = checked_text("title", title, max_length=100)
    if not title:
        raise DomainError("title", _("Give the campaign's title."))
    campaign = StudyCampaign.objects.create(
        organization=organization,
        org_path=organization.path,
        title=title,
        audience_statuses=_audience(audience_statuses),
        tiers_enabled=bool(tiers_enabled),
        tier_thresholds=_tiers(tier_thresholds),
        created_by=by(actor),
    )
    record_change(actor, campaign, ChangeLog.Action.CREATE, org_path=campaign.org_path)
    return campaign


def _check_active(campaign: StudyCampaign) -> None:
    """A deactivated campaign takes nothing new (read again: the caller's copy may be older than the step)."""
    if StudyCampaign.objects.filter(pk=campaign.pk, deactivated_at__isnull=False).exists():
        raise DomainError(None, _("This campaign has been deactivated: it takes no new periods or questions."))


def _lock_campaign(actor: Actor, campaign: StudyCampaign) -> StudyCampaign:
    """The campaign's row locked (two secretaries may edit it at once), CHANGE over its organisation."""
    require(actor, CHANGE, campaign.org_path)
    return StudyCampaign.objects.select_for_update().select_related("organization").get(pk=campaign.pk)


@transaction.atomic
def update_campaign(
    actor: Actor,
    campaign: StudyCampaign,
    *,
    title: str | None = None,
    audience_statuses: Iterable[str] | None = None,
    tiers_enabled: bool | None = None,
    tier_thresholds: str | None = None,
) -> StudyCampaign:
    """Change a campaign's title, audience or tiers (CHANGE over its organisation; what is left out stays).

    The audience is the rate's denominator: it changes only while none of the campaign's periods has opened (the
    members of the periods still to open are counted again with it); a deactivated campaign is not edited."""
    campaign = _lock_campaign(actor, campaign)
    if campaign.deactivated_at is not None:
        raise DomainError(None, _("This campaign has been deactivated: it is no longer edited."))
    before = snapshot(campaign)
    if title is not None:
        title = checked_text("title", title, max_length=100)
        if not title:
            raise DomainError("title", _("Give the campaign's title."))
        campaign.title = title
    audience_changed = False
    if audience_statuses is not None:
        audience = _audience(audience_statuses)
        if set(audience.split(",")) != set(campaign.statuses):
            if StudyPeriod.objects.filter(campaign=campaign, opens_at__lte=timezone.now()).exists():
                raise DomainError(
                    "audience_statuses",
                    _("A period of this campaign has opened: its audience is fixed, the rates count its members."),
                )
            campaign.audience_statuses = audience
            audience_changed = True
    if tiers_enabled is not None:
        campaign.tiers_enabled = bool(tiers_enabled)
    if tier_thresholds is not None:
        campaign.tier_thresholds = _tiers(tier_thresholds)
    campaign.save(update_fields=["title", "audience_statuses", "tiers_enabled", "tier_thresholds"])
    if audience_changed:  # the periods still to open: their members counted again with the new audience
        for period in StudyPeriod.objects.filter(campaign=campaign).select_for_update().order_by("pk"):
            _count_members(period, campaign)
    record_update(actor, campaign, before, org_path=campaign.org_path)
    return campaign


@transaction.atomic
def deactivate_campaign(actor: Actor, campaign: StudyCampaign) -> StudyCampaign:
    """End a campaign early (CHANGE over its organisation). It takes no new period or question and is no longer
    edited; its periods that have not opened yet are withdrawn (no longer offered to members, counting nobody);
    the periods already open stay answerable until they close, and every participation is kept."""
    campaign = _lock_campaign(actor, campaign)
    if campaign.deactivated_at is not None:
        raise DomainError(None, _("This campaign has already been deactivated."))
    before = snapshot(campaign)
    campaign.deactivated_at = now = timezone.now()
    campaign.save(update_fields=["deactivated_at"])
    # A withdrawn period counts nobody: no rate is shown for it (pages, the dashboards' trend).
    PeriodStats.objects.filter(period__campaign=campaign, period__opens_at__gt=now).update(members=0)
    record_update(actor, campaign, before, org_path=campaign.org_path)
    return campaign


@transaction.atomic
def reactivate_campaign(actor: Actor, campaign: StudyCampaign) -> StudyCampaign:
    """Undo a deactivation (CHANGE over the campaign's organisation, as to deactivate it). The campaign takes new
    periods and questions and is edited again; its withdrawn periods (those not open when it was deactivated) are
    offered again as before, their members counted again from the roster (the deactivation set them to nobody):
    a period still to open is counted once more at its opening, one that opened meanwhile counts the members now.
    The periods that stayed open are left as they are."""
    campaign = _lock_campaign(actor, campaign)
    if campaign.deactivated_at is None:
        raise DomainError(None, _("This campaign is active: there is nothing to reactivate."))
    before = snapshot(campaign)
    withdrawn = list(
        StudyPeriod.objects.filter(campaign=campaign, opens_at__gt=campaign.deactivated_at)
        .select_for_update()
        .order_by("pk")
    )
    campaign.deactivated_at = None
    campaign.save(update_fields=["deactivated_at"])
    for period in withdrawn:
        _count_members(period, campaign)
    record_update(actor, campaign, before, org_path=campaign.org_path)
    return campaign


# --- the question bank -----------------------------------------------------------------------------------------


def _checked_question(kind: str, options: list[str], answer: list[int]) -> tuple[list[str], list[int]]:
    if kind not in QuestionKind.values:
        raise DomainError("kind", _("Unknown question kind."))
    if kind == QuestionKind.TRUE_FALSE:
        options = [str(_("True")), str(_("False"))]
    options = [checked_text("options", o, max_length=200) for o in options]
    options = [o for o in options if o]
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise DomainError("options", _("A question has between 2 and %(n)s options.") % {"n": MAX_OPTIONS})
    if len(set(options)) != len(options):
        raise DomainError("options", _("Two options have the same text."))
    answer = sorted(set(answer))
    if not answer or any(not isinstance(i, int) or not 0 <= i < len(options) for i in answer):
        raise DomainError("answer", _("Mark the right answer among the options."))
    if kind != QuestionKind.MULTIPLE and len(answer) != 1:
        raise DomainError("answer", _("A single-choice or true/false question has exactly one right answer."))
    return options, answer


@transaction.atomic
def add_question(
    actor: Actor,
    campaign: StudyCampaign,
    *,
    kind: str,
    text: str,
    options: list[str],
    answer: list[int],
    explanation: str = "",
    category: str = "",
) -> Question:
    require(actor, CHANGE, campaign.org_path)
    _check_active(campaign)
    text = checked_text("text", text, max_length=1000, multiline=True)
    if not text:
        raise DomainError("text", _("Write the question."))
    options, answer = _checked_question(kind, options, answer)
    question = Question.objects.create(
        campaign=campaign,
        org_path=campaign.org_path,
        kind=kind,
        text=text,
        options=options,
        answer=answer,
        explanation=checked_text("explanation", explanation, max_length=2000, multiline=True),
        category=checked_text("category", category, max_length=50),
    )
    record_change(actor, question, ChangeLog.Action.CREATE, org_path=campaign.org_path)
    return question


def question_in_use(question: Question) -> bool:
    """Whether a period that has opened asks the question (fixed, or drawn from its category): members' attempts
    were graded with its options and answer."""
    opened = StudyPeriod.objects.filter(campaign_id=question.campaign_id, opens_at__lte=timezone.now())
    return (
        opened.filter(selection=Selection.FIXED, questions=question).exists()
        or opened.filter(selection=Selection.RANDOM, category=question.category).exists()
    )


@transaction.atomic
def update_question(
    actor: Actor,
    question: Question,
    *,
    kind: str | None = None,
    text: str | None = None,
    options: list[str] | None = None,
    answer: list[int] | None = None,
    explanation: str | None = None,
    category: str | None = None,
    active: bool | None = None,
) -> Question:
    """Change a question of the bank (CHANGE over the campaign's organisation; what is left out stays). Once a
    period that has opened asks it, its kind, options and answer stay as the members were graded with them (add
    a new question and take this one out of use instead); its text, explanation, category and use may change."""
    require(actor, CHANGE, question.org_path)
    question = Question.objects.select_for_update().get(pk=question.pk)
    before = snapshot(question)
    if text is not None:
        text = checked_text("text", text, max_length=1000, multiline=True)
        if not text:
            raise DomainError("text", _("Write the question."))
        question.text = text
    key_given = {"kind": kind, "options": options, "answer": answer}
    new_kind = kind if kind is not None else question.kind
    new_options = options if options is not None else question.options
    new_answer = answer if answer is not None else question.answer
    if any(value is not None for value in key_given.values()):
        checked_options, checked_answer = _checked_question(new_kind, list(new_options), list(new_answer))
        changed = (new_kind, checked_options, checked_answer) != (question.kind, question.options, question.answer)
        if changed and question_in_use(question):
            field = next(name for name, value in key_given.items() if value is not None)
            raise DomainError(
                field,
                _("A period that has opened asks this question: its options and answer stay as members were graded "
                  "with them. Add a new question instead."),
            )  # fmt: skip
        question.kind, question.options, question.answer = new_kind, checked_options, checked_answer
    if explanation is not None:
        question.explanation = checked_text("explanation", explanation, max_length=2000, multiline=True)
    if category is not None:
        question.category = checked_text("category", category, max_length=50)
    if active is not None:
        question.active = bool(active)
    question.save()
    record_update(actor, question, before, org_path=question.org_path)
    return question


# --- periods ---------------------------------------------------------------------------------------------------


@transaction.atomic
def create_period(
    actor: Actor,
    campaign: StudyCampaign,
    *,
    number: int,
    title: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    video_url: str = "",
    min_watch_seconds: int = 0,
    selection: str = Selection.FIXED,
    questions: Iterable[Question] = (),
    category: str = "",
    question_count: int = 5,
    max_attempts: int = 3,
) -> StudyPeriod:
    """A period (期) of ``campaign``; the members of every subtree are counted now (and again at the first
    start after the opening, see :func:`count_members`)."""
    require(actor, CHANGE, campaign.org_path)
    _check_active(campaign)
    title = checked_text("title", title, max_length=200)
    if not title:
        raise DomainError("title", _("Give the period's title."))
    checked_date("opens_at", opens_at, "plan")
    checked_date("closes_at", closes_at, "plan")
    if closes_at <= opens_at:
        raise DomainError("closes_at", _("A period closes after it opens."))
    if not 1 <= number <= 999:
        raise DomainError("number", _("A period number is between 1 and 999."))
    if StudyPeriod.objects.filter(campaign=campaign, number=number).exists():
        raise DomainError("number", _("This campaign already has a period %(n)s.") % {"n": number})
    if not 0 <= min_watch_seconds <= 4 * 3600:
        raise DomainError("min_watch_seconds", _("A minimum watch time is at most four hours."))
    if not 1 <= max_attempts <= 20:
        raise DomainError("max_attempts", _("Allow between 1 and 20 attempts."))
    if video_url and not video_url.startswith(("http://", "https://")):
        raise DomainError("video_url", _("A video link starts with http:// or https://."))
    chosen = list(questions)
    if selection == Selection.FIXED:
        if not chosen:
            raise DomainError("questions", _("Choose the period's questions."))
        if any(q.campaign_id != campaign.pk for q in chosen):
            raise DomainError("questions", _("A question of another campaign cannot be used."))
        if len(chosen) > MAX_QUESTIONS:
            raise DomainError("questions", _("A quiz has at most %(n)s questions.") % {"n": MAX_QUESTIONS})
    elif selection == Selection.RANDOM:
        category = checked_text("category", category, max_length=50)
        if not 1 <= question_count <= MAX_QUESTIONS:
            raise DomainError("question_count", _("A quiz has between 1 and %(n)s questions.") % {"n": MAX_QUESTIONS})
        available = Question.objects.filter(campaign=campaign, category=category, active=True).count()
        if available < question_count:
            raise DomainError("question_count", _("The category has only %(n)s questions.") % {"n": available})
    else:
        raise DomainError("selection", _("Unknown question selection."))
    period = StudyPeriod.objects.create(
        campaign=campaign,
        org_path=campaign.org_path,
        number=number,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        video_url=checked_text("video_url", video_url, max_length=500),
        min_watch_seconds=min_watch_seconds,
        selection=selection,
        category=category,
        question_count=len(chosen) if selection == Selection.FIXED else question_count,
        max_attempts=max_attempts,
    )
    if chosen:
        period.questions.set(chosen)
    _count_members(period, campaign)
    record_change(actor, period, ChangeLog.Action.CREATE, org_path=period.org_path)
    return period


def audience_people(campaign: StudyCampaign):
    """The active members of the campaign's subtree in its audience (political statuses)."""
    return Person.objects.filter(
        subtree_q("org_path", campaign.org_path),
        status=MembershipStatus.ACTIVE,
        political_status__in=campaign.statuses,
        branch__isnull=False,
    )


def _rolled_up(per_path: Iterable[tuple[str, int]], root_path: str) -> dict[int, int]:
    """Counts per branch path summed up the tree, from each branch to the organisation at ``root_path``."""
    totals: dict[int, int] = defaultdict(int)
    root_depth = len(path_ids(root_path))
    for path, n in per_path:
        for pk in path_ids(path)[root_depth - 1 :]:
            totals[pk] += n
    return totals


def _member_totals(campaign: StudyCampaign, root_path: str) -> dict[int, int]:
    """The campaign's audience in each organisation of the subtree at ``root_path`` (one grouped COUNT)."""
    per_branch = (
        audience_people(campaign).filter(subtree_q("org_path", root_path)).order_by().values_list("org_path")
        .annotate(n=Count("id"))
    )  # fmt: skip
    return _rolled_up(per_branch, root_path)


def _participant_totals(periods: Iterable[int], root_path: str) -> dict[tuple[int, int], int]:
    """Participants of each period in each organisation of the subtree at ``root_path``: {(period, org): n}."""
    rows = (
        Participation.objects.filter(subtree_q("org_path", root_path), period_id__in=list(periods))
        .order_by().values_list("period_id", "org_path").annotate(n=Count("id"))
    )  # fmt: skip
    by_period: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for period_id, path, n in rows:
        by_period[period_id].append((path, n))
    return {
        (period_id, pk): n for period_id, paths in by_period.items() for pk, n in _rolled_up(paths, root_path).items()
    }


def expected_stats(period: StudyPeriod) -> dict[int, tuple[int, int]]:
    """What a recount from the records gives for ``period``: {organisation id: (members, participants)} for every
    organisation of the campaign's subtree. Members are the audience now (the rows keep them as counted at the
    opening: the two agree while the roster has not changed since); a withdrawn period counts nobody."""
    campaign = StudyCampaign.objects.get(pk=period.campaign_id)  # its path as stored now (a move may rewrite it)
    members = _member_totals(campaign, campaign.org_path) if is_offered(period, campaign) else {}
    participants = _participant_totals([period.pk], campaign.org_path)
    orgs = Organization.objects.filter(subtree_q("path", campaign.org_path)).values_list("pk", flat=True)
    return {pk: (members.get(pk, 0), participants.get((period.pk, pk), 0)) for pk in orgs}


def kept_stats(period: StudyPeriod) -> dict[int, tuple[int, int]]:
    """The roll-up rows kept for ``period``: {organisation id: (members, participants)}."""
    rows = PeriodStats.objects.filter(period=period).values_list("organization_id", "members", "participants")
    return {pk: (members, participants) for pk, members, participants in rows}


STATS_COLUMNS = ("period", "organization", "org_path", "members", "participants")


def _count_members(period: StudyPeriod, campaign: StudyCampaign) -> None:
    """(Re)write the ``members`` of every organisation of the subtree for ``period`` from the roster: one
    grouped COUNT, summed up the tree here; rows are created for every organisation, so a submission always
    finds its rows. ``participants`` are left as they are."""
    totals = _member_totals(campaign, campaign.org_path)
    orgs = list(Organization.objects.filter(subtree_q("path", campaign.org_path)).values_list("pk", "path"))
    existing = {row.organization_id: row for row in PeriodStats.objects.filter(period=period)}
    new: list[tuple[int, int, str, int, int]] = []  # STATS_COLUMNS: tuples, 7,000 a period in the 10× demo
    changed = []
    for pk, path in orgs:
        row = existing.get(pk)
        if row is None:
            new.append((period.pk, pk, path, totals.get(pk, 0), 0))
        elif row.members != totals.get(pk, 0):
            row.members = totals.get(pk, 0)
            changed.append(row)
    if new:
        insert_rows(PeriodStats, STATS_COLUMNS, new)
    PeriodStats.objects.bulk_update(changed, ["members"], batch_size=500)
    StudyPeriod.objects.filter(pk=period.pk).update(members_counted_at=timezone.now())
    period.members_counted_at = timezone.now()


@transaction.atomic
def count_members(actor: Actor, period: StudyPeriod) -> StudyPeriod:
    """Count the members of every subtree again (CHANGE over the campaign's organisation)."""
    require(actor, CHANGE, period.org_path)
    period = StudyPeriod.objects.select_for_update().select_related("campaign").get(pk=period.pk)
    _check_offered(period)
    _count_members(period, period.campaign)
    record_change(
        actor,
        period,
        ChangeLog.Action.UPDATE,
        after={"members_counted_at": timezone.now().isoformat()},
        before={},
        org_path=period.org_path,
    )
    return period


def _count_at_opening(period: StudyPeriod) -> None:
    """The denominator is the members at the period's opening: the first start after it counts them again
    (once, under the period's lock)."""
    if period.members_counted_at is not None and period.members_counted_at >= period.opens_at:
        return
    with transaction.atomic():
        locked = StudyPeriod.objects.select_for_update().select_related("campaign").get(pk=period.pk)
        if locked.members_counted_at is None or locked.members_counted_at < locked.opens_at:
            _count_members(locked, locked.campaign)
    period.members_counted_at = timezone.now()


VIDEO_TYPES: dict[str, str] = {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm"}


def check_video(file_name: str, content: bytes, *, field: str = "video") -> tuple[str, str]:
    """(clean name, content type) of an MP4 or WebM video, read from its content, within the size cap."""
    name = clean_name(file_name)
    ext = name[name.rfind(".") :].lower() if "." in name else ""
    content_type = VIDEO_TYPES.get(ext)
    if content_type is None:
        raise DomainError(field, _("“%(name)s”: only MP4 and WebM videos are accepted.") % {"name": name})
    if not content:
        raise DomainError(field, _("“%(name)s” is empty.") % {"name": name})
    limit = video_max_bytes()
    if len(content) > limit:
        raise DomainError(
            field,
            _("“%(name)s” is larger than the limit of %(mb)s MB.") % {"name": name, "mb": f"{limit / 1024 / 1024:g}"},
        )
    is_mp4 = content[4:8] == b"ftyp"
    is_webm = content.startswith(b"\x1a\x45\xdf\xa3")
    if not (is_mp4 if content_type == "video/mp4" else is_webm):
        raise DomainError(
            field, _("“%(name)s” is not what its name says: its content is not a real video.") % {"name": name}
        )
    return name, content_type


@transaction.atomic
def upload_video(actor: Actor, period: StudyPeriod, *, file_name: str, content: bytes) -> StudyVideo:
    require(actor, CHANGE, period.org_path)
    name, content_type = check_video(file_name, content)
    StudyVideo.objects.filter(period=period).delete()
    video = StudyVideo.objects.create(
        period=period,
        file_name=name,
        content_type=content_type,
        size=len(content),
        content=content,
        uploaded_by=by(actor),
    )
    record_change(
        actor, video, ChangeLog.Action.CREATE, after={"file_name": name, "size": len(content)}, org_path=period.org_path
    )
    return video


# --- a subtree moves (orgs.moves) --------------------------------------------------------------------------------


def _prefixes(path: str) -> list[str]:
    """The paths of the organisations on ``path`` (the root first, the organisation itself last)."""
    return [path[:end] for end in range(STEP_WIDTH, len(path) + 1, STEP_WIDTH)]


def carry_period_stats(org: Organization, old_path: str, new_path: str) -> None:
    """An organisation moved (``orgs.moves`` handler, in the move's transaction, every path already rewritten):
    the periods' roll-up rows follow it, as ``orgs.tallies.move_subtree`` carries the tallies.

    For each period of a campaign of an organisation above it, at its old place or its new one:
    - its own row (its subtree's members and participants) leaves the rows of the old ancestors and joins those
      of the new ones (an ancestor of both keeps it; rows exist only inside the campaign's subtree, so a campaign
      it leaves loses it, one it joins gains it);
    - a campaign it leaves drops the rows of its subtree (they are no longer in the campaign's tree);
    - a campaign it joins gets rows for its subtree, counted now, for the periods that have not closed (its
      members may take part from now on); a closed period keeps the members it had: the subtree was never asked.
    A campaign of an organisation inside the subtree moves with it (its paths were rewritten), nothing to do."""
    step = len(path_step(org.pk))
    old_above, new_above = set(_prefixes(old_path[:-step])), set(_prefixes(new_path[:-step]))
    campaigns = list(StudyCampaign.objects.filter(org_path__in=old_above | new_above))
    if not campaigns:
        return
    periods = StudyPeriod.objects.filter(campaign__in=campaigns)
    old_ids, new_ids = set(path_ids(old_path[:-step])), set(path_ids(new_path[:-step]))
    touched = PeriodStats.objects.filter(period__in=periods, organization_id__in=old_ids ^ new_ids)
    if transaction.get_connection().features.has_select_for_update:
        # The rows of the ancestors, locked in the order every submission takes them (the root first).
        list(touched.select_for_update().order_by("org_path", "period_id").values_list("pk", flat=True))
    now = timezone.now()
    # A campaign it joins: rows for its subtree in the periods still to close, counted now.
    new_rows = []
    for campaign in (c for c in campaigns if c.org_path not in old_above):
        open_ids = list(periods.filter(campaign=campaign, closes_at__gt=now).values_list("pk", flat=True))
        if not open_ids:
            continue
        offered = {p.pk for p in periods.filter(pk__in=open_ids).select_related("campaign") if is_offered(p)}
        members = _member_totals(campaign, new_path)
        participants = _participant_totals(open_ids, new_path)
        orgs = list(Organization.objects.filter(subtree_q("path", new_path)).values_list("pk", "path"))
        PeriodStats.objects.filter(period_id__in=open_ids, organization_id__in=[pk for pk, _p in orgs]).delete()
        new_rows += [
            PeriodStats(period_id=period_id, organization_id=pk, org_path=path,
                        members=members.get(pk, 0) if period_id in offered else 0,
                        participants=participants.get((period_id, pk), 0))
            for period_id in open_ids for pk, path in orgs
        ]  # fmt: skip
    PeriodStats.objects.bulk_create(new_rows, batch_size=500)
    # Its own row, per period, leaves the old ancestors and joins the new ones (none where it has no row).
    own = PeriodStats.objects.filter(period_id=OuterRef("period_id"), organization_id=org.pk)
    number = IntegerField()
    own_members = Coalesce(Subquery(own.values("members")[:1]), 0, output_field=number)
    own_participants = Coalesce(Subquery(own.values("participants")[:1]), 0, output_field=number)
    # Never below zero: a row made after the count (an organisation created later) may hold less than it.
    touched.filter(organization_id__in=old_ids - new_ids).update(
        members=Greatest(F("members") - own_members, 0, output_field=number),
        participants=Greatest(F("participants") - own_participants, 0, output_field=number),
    )
    touched.filter(organization_id__in=new_ids - old_ids).update(
        members=F("members") + own_members, participants=F("participants") + own_participants
    )
    # A campaign it leaves: its subtree's rows are no longer in the campaign's tree.
    leaving = [c.pk for c in campaigns if c.org_path not in new_above]
    if leaving:
        PeriodStats.objects.filter(subtree_q("org_path", new_path), period__campaign__in=leaving).delete()


# --- attempts --------------------------------------------------------------------------------------------------


def in_audience(campaign: StudyCampaign, person: Person | Member | None) -> bool:
    return bool(
        person is not None and _eligible(person, campaign.statuses) and person.org_path.startswith(campaign.org_path)
    )


def _eligible(person: Person | Member, statuses: Collection[str]) -> bool:
    """The person's own part of :func:`in_audience`: an active member, in a branch, of one of ``statuses`` (the
    campaign's political statuses); the other part is where his branch lies."""
    return (
        person.status == MembershipStatus.ACTIVE
        and person.branch_id is not None
        and person.political_status in statuses
    )


def _person_of(actor: Actor) -> Person:
    person = getattr(actor, "person", None) if getattr(actor, "pk", None) else None
    if person is None:
        raise DomainError(None, _("Only a member linked to his person record takes part in a study period."))
    return person


# What the start and the submission read of the member: the audience check's columns, his branch's path and his
# name (the audit entry's). Never his whole row: no ID number decrypted on the hot path.
MEMBER_COLUMNS = ("name", "status", "branch", "political_status", "org_path")


def _person_id_of(actor: Actor) -> int:
    """The actor's person id, read from the user's own row (no query); refused for a user linked to nobody."""
    person_id = getattr(actor, "person_id", None) if getattr(actor, "pk", None) else None
    if person_id is None:
        raise DomainError(None, _("Only a member linked to his person record takes part in a study period."))
    return person_id


@dataclass(frozen=True)
class _Columns:
    """What the start and the submission read: every column of the attempt, of its period, of its campaign and of
    a question, and the person's :data:`MEMBER_COLUMNS` (all the others unread)."""

    attempt: Columns[Attempt]
    period: Columns[StudyPeriod]
    campaign: Columns[StudyCampaign]
    member: Columns[Person]
    question: Columns[Question]


@functools.cache
def _columns() -> _Columns:
    return _Columns(Columns(Attempt), Columns(StudyPeriod), Columns(StudyCampaign), Columns(Person, MEMBER_COLUMNS),
                    Columns(Question))  # fmt: skip


@dataclass(frozen=True)
class _Statements:
    """The hot path's reads, written once per database (issue 14: the ORM built and compiled the two heavy ones on
    every request, about a third of the requests' Python), each with the semantics of the queryset it replaces."""

    lock_member: str  # Person.objects.select_for_update().only(*MEMBER_COLUMNS).get(pk=…)
    # StudyPeriod.objects.select_related("campaign").get(pk=…) with three columns more: the id of his open attempt
    # at it (the latest started), the number of his attempts at it submitted, and its fixed questions
    # (period.questions.all(), unordered, as Columns.json_rows: one round trip less, issue 14)
    period: str
    questions: str  # Question.objects.in_bulk(ids), unordered ("{}": a placeholder per id)
    # Attempt.objects.select_for_update(of=("self",)).select_related("period__campaign", "person") (the person's
    # MEMBER_COLUMNS only) .get(pk=…, person_id=…) with the number of his attempts at its period submitted and
    # the attempt's questions (Question.objects.in_bulk(attempt.question_ids), as Columns.json_rows)
    submission: str


@functools.cache
def _statements(alias: str) -> _Statements:
    connection = connections[alias]
    quote = connection.ops.quote_name
    c = _columns()
    locking = connection.features.has_select_for_update  # not SQLite's: a write there locks the whole database

    def col(model: type[Any], alias: str, name: str) -> str:
        return f"{alias}.{quote(model._meta.get_field(name).column)}"

    def his(period_id: str, *, submitted: bool) -> str:
        """His attempts (the person id is bound) at the period ``period_id`` of the outer row: submitted or not."""
        return (
            f"FROM {c.attempt.table(connection)} u WHERE {col(Attempt, 'u', 'period')} = {period_id} "
            f"AND {col(Attempt, 'u', 'person')} = %s "
            f"AND {col(Attempt, 'u', 'submitted_at')} IS {'NOT NULL' if submitted else 'NULL'}"
        )

    a_id, a_period, a_person = col(Attempt, "a", "id"), col(Attempt, "a", "period"), col(Attempt, "a", "person")
    p_id, p_campaign, c_id = (
        col(StudyPeriod, "p", "id"),
        col(StudyPeriod, "p", "campaign"),
        col(StudyCampaign, "c", "id"),
    )
    u_id, u_started = col(Attempt, "u", "id"), col(Attempt, "u", "started_at")
    m2m: Any = StudyPeriod._meta.get_field("questions")
    through = quote(m2m.remote_field.through._meta.db_table)
    member_table, question_table = c.member.table(connection), c.question.table(connection)
    period_table, campaign_table = c.period.table(connection), c.campaign.table(connection)
    q_id, questions = col(Question, "q", "id"), c.question.json_rows(connection, "q")
    # The question ids of the attempt ``a`` (its JSON array) as rows.
    attempt_ids = (
        f"SELECT (jsonb_array_elements_text({col(Attempt, 'a', 'question_ids')}))::bigint"
        if connection.vendor == "postgresql"
        else f"SELECT value FROM json_each({col(Attempt, 'a', 'question_ids')})"  # noqa: S608 - names
    )
    # Names only (the models' own, quoted), every value bound: S608 does not apply.
    return _Statements(
        lock_member=(
            f"SELECT {c.member.select(connection, 'm')} FROM {member_table} m "  # noqa: S608
            f"WHERE {col(Person, 'm', 'id')} = %s{' FOR UPDATE' if locking else ''}"
        ),
        period=(
            f"SELECT {c.period.select(connection, 'p')}, "  # noqa: S608
            f"(SELECT {u_id} {his(p_id, submitted=False)} ORDER BY {u_started} DESC, {u_id} DESC LIMIT 1), "
            f"(SELECT COUNT(*) {his(p_id, submitted=True)}), {c.campaign.select(connection, 'c')}, "
            f"(SELECT {questions} FROM {question_table} q INNER JOIN {through} t "
            f"ON t.{quote(m2m.m2m_reverse_name())} = {q_id} WHERE t.{quote(m2m.m2m_column_name())} = {p_id}) "
            f"FROM {period_table} p INNER JOIN {campaign_table} c ON {p_campaign} = {c_id} WHERE {p_id} = %s"
        ),
        questions=(
            f"SELECT {c.question.select(connection, 'q')} FROM {question_table} q "  # noqa: S608
            f"WHERE {col(Question, 'q', 'id')} IN ({{}})"
        ),
        submission=(
            f"SELECT {c.attempt.select(connection, 'a')}, (SELECT COUNT(*) {his(a_period, submitted=True)}), "  # noqa: S608
            f"{c.period.select(connection, 'p')}, {c.campaign.select(connection, 'c')}, "
            f"{c.member.select(connection, 'm')}, "
            f"(SELECT {questions} FROM {question_table} q WHERE {q_id} IN ({attempt_ids})) "
            f"FROM {c.attempt.table(connection)} a "
            f"INNER JOIN {period_table} p ON {a_period} = {p_id} "
            f"INNER JOIN {campaign_table} c ON {p_campaign} = {c_id} "
            f"INNER JOIN {member_table} m ON {a_person} = {col(Person, 'm', 'id')} "
            f"WHERE {a_id} = %s AND {a_person} = %s{' FOR UPDATE OF a' if locking else ''}"
        ),
    )


def _check_audience(period: StudyPeriod, person: Person | Member) -> None:
    if not in_audience(period.campaign, person):
        raise DomainError(
            None,
            _("This period is not for you: it is for the members of %(org)s in its audience.")
            % {"org": period.campaign.organization.name},
        )


def _check_offered(period: StudyPeriod) -> None:
    """A period of a deactivated campaign that had not opened when it was deactivated is withdrawn."""
    if not is_offered(period):
        raise DomainError(None, _("This period was withdrawn: its campaign was deactivated before it opened."))


def _check_window(period: StudyPeriod, now: datetime.datetime) -> None:
    if now < period.opens_at:
        raise DomainError(
            None,
            _("This period opens on %(at)s.") % {"at": timezone.localtime(period.opens_at).strftime("%Y-%m-%d %H:%M")},
        )
    if now >= period.closes_at:
        raise DomainError(
            None,
            _("This period closed on %(at)s.")
            % {"at": timezone.localtime(period.closes_at).strftime("%Y-%m-%d %H:%M")},
        )


def submitted_count(period: StudyPeriod, person: Person) -> int:
    return Attempt.objects.filter(period=period, person=person, submitted_at__isnull=False).count()


def _draw(period: StudyPeriod, seed: int, fixed: list[Question]) -> tuple[list[int], dict[int, Question] | None]:
    """The question ids of an attempt, in the order shown: the period's fixed questions (``fixed``, read with the
    period), or ``question_count`` drawn from its category, shuffled by ``seed``; with the fixed questions' rows
    (the attempt shows them next), None for a draw from a category."""
    rng = random.Random(seed)
    rows = None
    if period.selection == Selection.FIXED:
        rows = {q.pk: q for q in fixed}
        ids = sorted(rows)
    else:
        pool = sorted(
            Question.objects.filter(campaign_id=period.campaign_id, category=period.category, active=True).values_list(
                "pk", flat=True
            )
        )
        ids = sorted(rng.sample(pool, min(period.question_count, len(pool))))
    rng.shuffle(ids)
    return ids, rows


def option_order(seed: int, question_id: int, count: int) -> list[int]:
    """The order in which a question's options are shown in one attempt (indexes into ``options``)."""
    order = list(range(count))
    random.Random(f"{seed}:{question_id}").shuffle(order)
    return order


@transaction.atomic
def start_attempt(actor: Actor, period: StudyPeriod | int) -> Attempt:
    """The actor's open attempt at ``period`` (the same one on a reload), or a new one when retries are left.

    ``period`` (or its id: the API's, unread) is read here, once, after the member's row is locked, with his
    attempts at it counted in the same query. A period named by its id alone that is not his (one of an
    organisation above another branch, or of another audience) is "no such period", as a missing one: its
    organisation is not named to someone who cannot see it."""
    person_id = _person_id_of(actor)
    connection = transaction.get_connection()
    statements, c = _statements(connection.alias), _columns()
    # One start at a time per member: his row locked, and read (only what the checks and the attempt need).
    row = fetch_one(connection, statements.lock_member, [person_id])
    if row is None:
        raise Person.DoesNotExist("Person matching query does not exist.")
    person = c.member.build(connection, row)
    # After the lock, so this statement sees the attempt of a start that held it before us.
    period_id = period if isinstance(period, int) else period.pk
    row = fetch_one(connection, statements.period, [person_id, person_id, period_id])
    found, open_attempt, used, fixed = None, None, 0, None
    if row is not None:
        found = c.period.build(connection, row)
        at = len(c.period)
        open_attempt, used = row[at], row[at + 1]
        c.campaign.build_into(found, "campaign", connection, row, at + 2)
        fixed = row[at + 2 + len(c.campaign)]
    campaign = found.campaign if found is not None else None
    his = (
        campaign is not None
        and person.org_path.startswith(campaign.org_path)
        and person.political_status in campaign.statuses
    )
    if found is None or (isinstance(period, int) and not his):
        raise DomainError("period", _("No such period is open to you."))
    _check_audience(found, person)
    _check_offered(found)
    now = timezone.now()
    _check_window(found, now)
    questions = c.question.build_json(connection, fixed)
    if open_attempt is not None:
        attempt = Attempt.objects.get(pk=open_attempt)
        held = {q.pk: q for q in questions}
        if all(pk in held for pk in attempt.question_ids):  # shown next: read with the period
            attempt._questions = {pk: held[pk] for pk in attempt.question_ids}  # type: ignore[attr-defined]
        return attempt
    if used >= found.max_attempts:
        raise DomainError(None, _("You have used the %(n)s attempts this period allows.") % {"n": found.max_attempts})
    _count_at_opening(found)
    seed = secrets.randbelow(2**31)
    question_ids, rows = _draw(found, seed, questions)
    attempt = Attempt(
        period=found,
        person=person,
        org_path=person.org_path,
        seed=seed,
        token=secrets.token_hex(16),
        question_ids=question_ids,
        started_at=now,
    )
    insert(attempt)
    if rows is not None:
        attempt._questions = {pk: rows[pk] for pk in question_ids}  # type: ignore[attr-defined]  # shown next
    return attempt


_KINDS = frozenset(QuestionKind.values)


@dataclass
class ShownQuestion:
    """A question as the member sees it before submitting: no answer, no explanation."""

    id: int
    number: int
    kind: str
    text: str
    options: list[tuple[int, str]]  # (index into the question's options, text) in this attempt's order

    @property
    def kind_label(self) -> str:
        """The kind's name (the quiz page's): made when shown, not for the API's answer, which has none (building
        it was a ninth of a start's Python, issue 14)."""
        return str(QuestionKind(self.kind).label) if self.kind in _KINDS else self.kind


def questions_of(attempt: Attempt) -> dict[int, Question]:
    """The attempt's questions by id, read once per attempt object (the page or the API answer shows them
    and, once submitted, the results)."""
    cached = getattr(attempt, "_questions", None)
    if cached is None:
        ids = [int(pk) for pk in attempt.question_ids]
        cached = {}
        if ids:
            connection = connections[router.db_for_read(Question)]
            sql = _statements(connection.alias).questions.format(", ".join(["%s"] * len(ids)))
            build = _columns().question.build
            cached = {q.pk: q for q in (build(connection, row) for row in fetch_all(connection, sql, ids))}
        attempt._questions = cached  # type: ignore[attr-defined]
    return cached


def shown_questions(attempt: Attempt) -> list[ShownQuestion]:
    by_id = questions_of(attempt)
    shown = []
    for number, qid in enumerate(attempt.question_ids, start=1):
        q = by_id.get(qid)
        if q is None:
            continue
        order = option_order(attempt.seed, qid, len(q.options))
        shown.append(ShownQuestion(qid, number, q.kind, q.text, [(i, q.options[i]) for i in order]))
    return shown


def _checked_answers(
    attempt: Attempt, answers: Mapping[Any, Any], questions: dict[int, Question]
) -> dict[str, list[int]]:
    clean: dict[str, list[int]] = {}
    for key, value in answers.items():
        try:
            qid = int(key)
        except (TypeError, ValueError):
            qid = -1
        if qid not in attempt.question_ids or qid not in questions:
            raise DomainError("answers", _("An answer was given to a question that is not in this quiz."))
        values = value if isinstance(value, list | tuple) else [value]
        try:
            chosen = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise DomainError("answers", _("An answer names an option that does not exist.")) from None
        q = questions[qid]
        if any(not 0 <= i < len(q.options) for i in chosen):
            raise DomainError("answers", _("An answer names an option that does not exist."))
        if q.kind != QuestionKind.MULTIPLE and len(chosen) > 1:
            raise DomainError("answers", _("A single-choice question takes one answer."))
        clean[str(qid)] = chosen
    return clean


def grade(attempt: Attempt, answers: dict[str, list[int]], questions: dict[int, Question]) -> int:
    """The score (0–100): the share of questions answered exactly right."""
    total = len(attempt.question_ids)
    right = sum(
        1
        for qid in attempt.question_ids
        if qid in questions and answers.get(str(qid), []) == sorted(questions[qid].answer)
    )
    return round(100 * right / total) if total else 0


def _add_participant(period: StudyPeriod, org_path: str, delta: int = 1) -> None:
    """One more participant in the period's rows of the branch and of every ancestor up to the campaign's
    organisation; the rows are locked root first (the order every submission takes them in), so that two
    submissions never wait for each other's rows. On PostgreSQL in one statement: its subquery locks the rows in
    that order (``ORDER BY org_path FOR UPDATE`` locks each row as the sort hands it over) and gives the UPDATE
    their ids, so the UPDATE changes only rows it already holds."""
    root_depth = len(path_ids(period.org_path))
    ids = path_ids(org_path)[root_depth - 1 :]
    connection = transaction.get_connection()
    if not connection.features.has_select_for_update:
        PeriodStats.objects.filter(period=period, organization_id__in=ids).update(
            participants=F("participants") + delta
        )
        return
    quote = connection.ops.quote_name
    table, pk, participants = quote(PeriodStats._meta.db_table), quote("id"), quote("participants")
    # The same rows on both sides: the UPDATE finds them by the (period, organisation) key, the subquery locks them.
    rows = f"{quote('period_id')} = %s AND {quote('organization_id')} IN ({', '.join(['%s'] * len(ids))})"
    sql = (
        f"UPDATE {table} SET {participants} = {participants} + %s WHERE {rows} AND {pk} IN ("  # noqa: S608 - names
        f"SELECT {pk} FROM {table} WHERE {rows} ORDER BY {quote('org_path')} FOR UPDATE)"
    )
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, [delta, period.pk, *ids, period.pk, *ids])


def _insert_once(row: Participation) -> bool:
    """INSERT ``row`` unless a participation of its person in its period is there already: one statement
    (``ON CONFLICT`` on the unique key ``study_participation_once``, PostgreSQL and SQLite alike) that waits for
    a concurrent one of the same key to commit or roll back. Whether it was made (then its id is set)."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    fields = [field for field in Participation._meta.concrete_fields if field.name in PARTICIPATION_COLUMNS]
    values = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    sql = (
        f"INSERT INTO {quote(Participation._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({quote('period_id')}, {quote('person_id')}) DO NOTHING RETURNING {quote('id')}"
    )
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, values)
        made = cursor.fetchone()
    if made is None:
        return False
    row.pk = made[0]
    row._state.adding, row._state.db = False, connection.alias
    return True


def _take_part(
    period: StudyPeriod,
    person: Person,
    org_path: str,
    score: int | None,
    at: datetime.datetime,
    source: str,
    attempts: int = 1,
) -> tuple[Participation, bool]:
    """The person's one participation of the period, created or improved; (row, created). A first one is made
    by one INSERT that does nothing when the row is there (a double tap, a concurrent submission of his that made
    it first); only then is the row read, locked and improved: the attempts added, the best score kept. The
    caller counts a created one in the roll-up rows (:func:`_add_participant`), last before its commit."""
    row = Participation(period=period, person=person, org_path=org_path, best_score=score, attempts=attempts,
                        source=source, completed_at=at)  # fmt: skip
    if _insert_once(row):
        offer(
            Achievement(
                ACHIEVEMENT,
                person_id=person.pk,
                org_path=org_path,
                occurred_on=timezone.localdate(at),
                source=f"study.participation:{row.pk}",
            )
        )
        return row, True
    existing = Participation.objects.select_for_update().get(period=period, person=person)
    existing.period, existing.person = period, person  # already read: they name the audit entry
    existing.attempts += attempts
    if score is not None and (existing.best_score is None or score > existing.best_score):
        existing.best_score, existing.completed_at = score, at
    existing.save(update_fields=["attempts", "best_score", "completed_at"])
    return existing, False


@transaction.atomic
def submit_attempt(actor: Actor, attempt: Attempt, *, answers: Mapping[Any, Any], token: str) -> Attempt:
    """Grade the actor's attempt and record his participation. Idempotent: the same attempt submitted again
    (same token) answers the recorded result and writes nothing.

    ``attempt`` (or an unsaved one carrying its id: the API's) is read here, once: locked, with its period and
    campaign, the member's columns the checks read and the number of his attempts already submitted, in one
    query."""
    person_id = _person_id_of(actor)
    connection = transaction.get_connection()
    c = _columns()
    row = fetch_one(connection, _statements(connection.alias).submission, [person_id, attempt.pk, person_id])
    locked, used = None, 0
    if row is not None:
        locked = c.attempt.build(connection, row)
        at = len(c.attempt)
        used = row[at]
        found = c.period.build_into(locked, "period", connection, row, at + 1)
        at += 1 + len(c.period)
        c.campaign.build_into(found, "campaign", connection, row, at)
        at += len(c.campaign)
        c.member.build_into(locked, "person", connection, row, at)
        # questions_of(locked): read with it
        locked._questions = {q.pk: q for q in c.question.build_json(connection, row[at + len(c.member)])}  # type: ignore[attr-defined]
    if locked is None or not secrets.compare_digest(str(token or ""), locked.token):
        raise DomainError(None, _("This quiz is not yours or has expired: open the period again."))
    if locked.submitted_at is not None:
        return locked  # a double tap or a retry: the first submission stands
    period, person = locked.period, locked.person
    _check_audience(period, person)
    _check_offered(period)
    now = timezone.now()
    _check_window(period, now)
    if used >= period.max_attempts:
        raise DomainError(None, _("You have used the %(n)s attempts this period allows.") % {"n": period.max_attempts})
    if period.min_watch_seconds and now < locked.started_at + datetime.timedelta(seconds=period.min_watch_seconds):
        raise DomainError(
            None,
            _("Watch the video first: answers are taken %(n)s seconds after you open it.")
            % {"n": period.min_watch_seconds},
        )
    questions = questions_of(locked)
    clean = _checked_answers(locked, answers, questions)
    locked.answers = clean
    locked.score = grade(locked, clean, questions)
    locked.submitted_at = now
    update(locked, ["answers", "score", "submitted_at"])
    participation, created = _take_part(period, person, locked.org_path, locked.score, now, Source.QUIZ)
    record_change(
        actor,
        participation,
        ChangeLog.Action.UPDATE if not created else ChangeLog.Action.CREATE,
        after={"period": period.pk, "score": locked.score, "best_score": participation.best_score},
        org_path=locked.org_path,
    )
    if created:
        # Last: every submission of the evening updates the same roll-up rows (the district's, its committee's),
        # each holding their locks until its commit; taken after the task row and the audit entry, they are held
        # for this statement and the commit only, not for two more round trips (issue 14).
        _add_participant(period, locked.org_path)
    return locked


def results(attempt: Attempt) -> list[dict[str, Any]]:
    """After submission only: each question with the member's answer, the right one and the explanation."""
    if attempt.submitted_at is None:
        raise DomainError(None, _("The answers are shown once the quiz is submitted."))
    by_id = questions_of(attempt)
    rows = []
    for number, qid in enumerate(attempt.question_ids, start=1):
        q = by_id.get(qid)
        if q is None:
            continue
        mine = attempt.answers.get(str(qid), [])
        rows.append(
            {
                "number": number,
                "text": q.text,
                "options": q.options,
                "mine": mine,
                "answer": q.answer,
                "right": mine == sorted(q.answer),
                "explanation": q.explanation,
                "mine_text": [q.options[i] for i in mine if i < len(q.options)],
                "answer_text": [q.options[i] for i in q.answer if i < len(q.options)],
            }
        )
    return rows


# --- receipts --------------------------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def receipt_token(participation: Participation) -> str:
    """A signed token of the receipt: the name masked, the period, the time and the score."""
    period = participation.period
    data = {
        "p": participation.pk,
        "n": mask_name(participation.person.name),
        "c": period.campaign.title,
        "t": str(period),
        "at": timezone.localtime(participation.completed_at).strftime("%Y-%m-%d %H:%M"),
        "s": participation.best_score,
    }
    return signing.dumps(data, salt=RECEIPT_SALT, compress=True)


def verify_receipt(token: str) -> dict[str, Any]:
    """The receipt's content, or a DomainError: a forged or altered token, or a participation that no longer
    exists."""
    try:
        data = signing.loads(token, salt=RECEIPT_SALT)
    except signing.BadSignature:
        raise DomainError(
            None, _("This receipt is not genuine: it was altered or not issued by this system.")
        ) from None
    if not isinstance(data, dict) or not Participation.objects.filter(pk=int(data.get("p") or 0)).exists():
        raise DomainError(None, _("This receipt's participation no longer exists."))
    return data


# --- bulk participation (the demo seed and the national platform's import) ---------------------------------


PARTICIPATION_COLUMNS = ("period", "person", "org_path", "best_score", "attempts", "source", "completed_at")
Inserter = Callable[[type[Participation], tuple[str, ...], list[tuple[Any, ...]]], int]


class Member(NamedTuple):
    """What the bulk participation reads of a person (:func:`in_audience`'s columns and the id): a person without
    the model instance, for the demo's million rows at 10× (``Person.objects.values_list(*MEMBER_FIELDS)``)."""

    pk: int
    branch_id: int | None
    org_path: str
    status: str
    political_status: str


MEMBER_FIELDS = Member._fields
_OUTSIDE, _UNSCOPED, _ALLOWED = range(3)  # where a branch path lies for record_participations


def _bulk_create(model: type[Participation], names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> int:
    model.objects.bulk_create(
        [
            model(**{f"{n}_id" if n in ("period", "person") else n: v for n, v in zip(names, row, strict=True)})
            for row in rows
        ],
        batch_size=1000,
    )
    return len(rows)


def _add_participants(period: StudyPeriod, totals: dict[int, int]) -> None:
    """Add ``totals`` ({organisation id: participants}) to the period's roll-up rows. On PostgreSQL one UPDATE
    joined to the pairs (the rows found by the (period, organisation) key); elsewhere one UPDATE per distinct
    number added. The 10× demo's per-number UPDATEs were about 8,000 statements for its ten periods."""
    if not totals:
        return
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        table, participants = quote(PeriodStats._meta.db_table), quote("participants")
        # Names only (the model's own, quoted); the ids, the numbers and the period are bound.
        sql = (
            f"UPDATE {table} SET {participants} = {table}.{participants} + v.n "  # noqa: S608
            f"FROM unnest(%s::bigint[], %s::integer[]) AS v(org, n) "
            f"WHERE {table}.{quote('period_id')} = %s AND {table}.{quote('organization_id')} = v.org"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(totals), list(totals.values()), period.pk])
        return
    by_delta: dict[int, list[int]] = defaultdict(list)
    for pk, n in totals.items():
        by_delta[n].append(pk)
    for n, ids in by_delta.items():
        PeriodStats.objects.filter(period=period, organization_id__in=ids).update(participants=F("participants") + n)


@transaction.atomic
def record_participations(
    actor: Actor,
    period: StudyPeriod,
    entries: Iterable[tuple[Person | Member, int | None, datetime.datetime]],
    *,
    source: str = Source.IMPORT,
    insert: Inserter | None = None,
    offer_points: bool = True,
) -> int:
    """Record many participations at once (the national platform's import, the demo seed) with the checks of a
    submission: the audience, the window, one per person (a person already recorded is skipped). The roll-up
    rows are added per branch in one pass and each new participation is offered to the points hook, as
    ``submit_attempt`` does (``offer_points=False``: not, for the demo's district-wide season, whose 105,000
    entries took the points ledger 171 s; the points demo seeds its branch's ledger itself). ``insert`` writes
    the checked rows (the demo's COPY; ``bulk_create`` by default). A person is a ``Person`` or a
    :class:`Member` (his audience columns, no instance). Returns the number of new participations.

    The checks that depend on the branch alone (its path inside the campaign's subtree, inside the actor's
    scope) are made once per branch path; the person's own (:func:`_eligible`), the window and the score once
    per entry."""
    scope = actor_scope(actor, CHANGE)  # the members' branches: a branch imports its own members' records
    if not scope.has_subtrees:
        raise PermissionDenied
    period = StudyPeriod.objects.select_related("campaign__organization").get(pk=period.pk)
    _check_offered(period)
    campaign = period.campaign
    statuses, opens_at, closes_at = frozenset(campaign.statuses), period.opens_at, period.closes_at
    done = set(Participation.objects.filter(period=period).values_list("person_id", flat=True))
    rows: list[tuple[Any, ...]] = []
    per_branch: dict[str, int] = defaultdict(int)
    # Per branch path: OUTSIDE the campaign's subtree, inside but outside the actor's scope, or ALLOWED.
    branch_paths: dict[str, int] = {}
    attempts = 1 if source == Source.QUIZ else 0
    for person, score, at in entries:
        pk = person.pk
        if pk in done:
            continue
        path = person.org_path
        where = branch_paths.get(path)
        if where is None:
            inside = path.startswith(campaign.org_path)
            where = branch_paths[path] = _OUTSIDE if not inside else _ALLOWED if scope.covers_path(path) else _UNSCOPED
        if where == _OUTSIDE or not _eligible(person, statuses):
            _check_audience(period, person)  # raises, with a submission's message
            raise AssertionError("in_audience disagrees with the bulk check")  # pragma: no cover
        if where == _UNSCOPED:
            raise PermissionDenied
        if not opens_at <= at < closes_at:
            raise DomainError(None, _("A participation lies outside the period's opening and closing time."))
        if score is not None and not 0 <= score <= 100:
            raise DomainError(None, _("A score lies between 0 and 100."))
        done.add(pk)
        rows.append((period.pk, pk, path, score, attempts, source, at))
        per_branch[path] += 1
    if not rows:
        return 0
    (insert or _bulk_create)(Participation, PARTICIPATION_COLUMNS, rows)
    root_depth = len(path_ids(period.org_path))
    totals: dict[int, int] = defaultdict(int)
    for path, n in per_branch.items():
        for pk in path_ids(path)[root_depth - 1 :]:
            totals[pk] += n
    _add_participants(period, totals)
    new = {row[1] for row in rows}
    created = Participation.objects.filter(period=period).values_list("pk", "person_id", "org_path", "completed_at")
    # One batch for the points hook (a receiver books it in a fixed number of queries): one offer per
    # participation made the demo's 105,000 participations cost the points ledger 105,000 round trips.
    if not offer_points:
        created = created.none()
    offer_many(
        [
            Achievement(
                ACHIEVEMENT,
                person_id=person_id,
                org_path=org_path,
                occurred_on=timezone.localdate(completed_at),
                source=f"study.participation:{pk}",
            )
            for pk, person_id, org_path, completed_at in created.iterator(chunk_size=5000)
            if person_id in new
        ]
    )
    record_change(
        actor,
        period,
        ChangeLog.Action.IMPORT,
        after={"participations": len(rows), "source": source},
        org_path=period.org_path,
    )
    return len(rows)


# --- check-ins (学习打卡): the member's private log ---------------------------------------------------------

MAX_CHECKIN_MINUTES = 1440


@transaction.atomic
def add_checkin(actor: Actor, *, day: datetime.date, what: str, minutes: int) -> CheckIn:
    """A line of the member's own study log (never asked of him, never ranked)."""
    person = _person_of(actor)
    checked_date("day", day, "history")
    if day > timezone.localdate():
        raise DomainError("day", _("A check-in is for a day that has come."))
    what = checked_text("what", what, max_length=200)
    if not what:
        raise DomainError("what", _("Say what you studied."))
    if not 1 <= minutes <= MAX_CHECKIN_MINUTES:
        raise DomainError("minutes", _("Between 1 and 1440 minutes."))
    checkin = CheckIn.objects.create(person=person, day=day, what=what, minutes=minutes)
    record_change(actor, checkin, ChangeLog.Action.CREATE)
    return checkin


# --- study notes (微心得): posted by a member, read and commented on by his branch ----------------------------
#
# Nothing here is ever required of anyone: a note is a member's own choice, never counted for him, never ranked.
# The secretary (CHANGE over the note's branch) features or hides a note; nobody features or hides her own
# (four eyes: the workflow's subject is the author). The author may delete his own note (with its comments
# and image); every write leaves a ChangeLog row.

NOTE_TRANSITIONS = {
    "feature": ((NoteStatus.SHOWN,), NoteStatus.FEATURED),
    "unfeature": ((NoteStatus.FEATURED,), NoteStatus.SHOWN),
    "hide": ((NoteStatus.SHOWN, NoteStatus.FEATURED), NoteStatus.HIDDEN),
    "restore": ((NoteStatus.HIDDEN,), NoteStatus.SHOWN),
}


def _authorize_moderation(actor: Actor, note: StudyNote, transition: str) -> None:
    """Only the secretary of the note's branch (or a role holder above who may change it) moderates."""
    require(actor, CHANGE, note.org_path)


NOTES = Workflow(
    StudyNote,
    NOTE_TRANSITIONS,
    refusal=gettext_lazy("This note is already “%(status)s”; someone acted on it before you."),
    authorize=_authorize_moderation,
    url_name="study:note",
    subject=lambda note: note.author_id,  # nobody features or hides her own note
)


def _note_author(actor: Actor) -> tuple[Person, Organization]:
    """The actor's person and branch: he shares a note as an active member of a branch."""
    person = getattr(actor, "person", None) if getattr(actor, "pk", None) else None
    branch = person.branch if person is not None and person.status == MembershipStatus.ACTIVE else None
    if person is None or branch is None:
        raise DomainError(None, _("Study notes are shared by members of a branch linked to their person record."))
    return person, branch


def check_note_image(file_name: str, content: bytes) -> tuple[str, str]:
    """(clean name, content type) of a note's image: a JPEG or PNG read from its content, within the size limit."""
    name, content_type = check_upload(file_name, content, field="image")
    if content_type not in IMAGE_TYPES:
        raise DomainError("image", _("“%(name)s”: a note's image is a JPEG or PNG picture.") % {"name": name})
    return name, content_type


def _system_author(actor: Actor, author: Person | None, at: datetime.datetime | None) -> Person | None:
    """``author`` and ``at`` are for the system alone (``actor=None``: the demo seed records what members wrote
    earlier); a user always writes as himself, now."""
    if author is None and at is None:
        return None
    if actor is not None or author is None:
        raise TypeError("only the system (actor=None) records a note or comment for an author at a past time")
    if at is not None:
        checked_date("at", at, "history")
    return author


def _backdate(model: type[StudyNote] | type[StudyNoteComment], pk: int, at: datetime.datetime | None) -> None:
    if at is not None:
        model.objects.filter(pk=pk).update(created_at=at)


@transaction.atomic
def post_note(
    actor: Actor,
    *,
    text: str,
    image: tuple[str, bytes] | None = None,
    author: Person | None = None,
    at: datetime.datetime | None = None,
) -> StudyNote:
    """A member shares a study note with his branch: plain text (line breaks kept, at most
    ``NOTE_MAX_CHARS`` characters) and, if he wishes, one image (``(file name, bytes)``). The note belongs to
    his branch and to the current month (``author`` and ``at``: see :func:`_system_author`)."""
    system_author = _system_author(actor, author, at)
    if system_author is not None:
        if system_author.branch is None or system_author.status != MembershipStatus.ACTIVE:
            raise DomainError(None, _("Study notes are shared by members of a branch linked to their person record."))
        person, branch = system_author, system_author.branch
    else:
        person, branch = _note_author(actor)
    text = checked_text("text", text, max_length=NOTE_MAX_CHARS, multiline=True)
    if not text:
        raise DomainError("text", _("Write your note."))
    checked_image = check_note_image(*image) if image is not None and image[1] else None
    note = StudyNote.objects.create(
        author=person,
        organization=branch,
        org_path=person.org_path,
        month=timezone.localdate(at).replace(day=1) if at is not None else timezone.localdate().replace(day=1),
        text=text,
    )
    _backdate(StudyNote, note.pk, at)
    after: dict[str, Any] = {"month": note.month.isoformat(), "length": len(text)}
    if checked_image is not None and image is not None:
        name, content_type = checked_image
        StudyNoteImage.objects.create(
            note=note, file_name=name, content_type=content_type, size=len(image[1]), content=image[1],
            uploaded_by=by(actor),
        )  # fmt: skip
        after.update(image=name, image_size=len(image[1]))
    NOTES.record(actor, note, ChangeLog.Action.CREATE, audit_extra=after)
    return note


@transaction.atomic
def comment_on_note(
    actor: Actor, note: StudyNote, *, text: str, author: Person | None = None, at: datetime.datetime | None = None
) -> StudyNoteComment:
    """Someone who reads the note (a member of its branch, a role holder above) comments on it: plain text, at
    most ``COMMENT_MAX_CHARS`` characters. A hidden note takes no comments (``author`` and ``at``: see
    :func:`_system_author`)."""
    person = _system_author(actor, author, at)
    if person is None:
        person = getattr(actor, "person", None) if getattr(actor, "pk", None) else None
    if person is None:
        raise DomainError(None, _("Comments are written by members linked to their person record."))
    locked = StudyNote.objects.for_actor(actor).select_for_update(of=("self",)).filter(pk=note.pk).first()
    if locked is None:
        raise PermissionDenied
    note = locked
    if note.status == NoteStatus.HIDDEN:
        raise DomainError(None, _("This note is hidden: it takes no comments."))
    text = checked_text("text", text, max_length=COMMENT_MAX_CHARS, multiline=True)
    if not text:
        raise DomainError("text", _("Write your comment."))
    comment = StudyNoteComment.objects.create(note=note, author=person, text=text)
    _backdate(StudyNoteComment, comment.pk, at)
    record_change(actor, comment, ChangeLog.Action.CREATE, org_path=note.org_path)
    return comment


def _tell_author(note: StudyNote, text: str) -> None:
    """The author learns what the secretary did with his note (in his inbox, linking to it)."""
    notify_users(User.objects.filter(person_id=note.author_id, is_active=True), text=text, url=NOTES.url(note),
                 org_path=note.org_path)  # fmt: skip


@transaction.atomic
def feature_note(actor: Actor, note: StudyNote) -> StudyNote:
    """The secretary features a note for the branch (精选)."""
    note = NOTES.lock(actor, note, "feature")
    note = NOTES.move(actor, note, "feature", changes={"moderated_by": by(actor), "moderated_at": timezone.now()})
    _tell_author(note, notice(gettext_noop("Your study note was featured for your branch.")))
    return note


@transaction.atomic
def unfeature_note(actor: Actor, note: StudyNote) -> StudyNote:
    note = NOTES.lock(actor, note, "unfeature")
    return NOTES.move(actor, note, "unfeature", changes={"moderated_by": by(actor), "moderated_at": timezone.now()})


@transaction.atomic
def hide_note(actor: Actor, note: StudyNote, *, reason: str) -> StudyNote:
    """The secretary hides a note from the branch, saying why: from then on only its author and the role
    holders over the branch see it, with the reason."""
    note = NOTES.lock(actor, note, "hide")
    reason = checked_text("reason", reason, max_length=REASON_MAX_CHARS)
    if not reason:
        raise DomainError("reason", _("Say why the note is hidden: its author reads it."))
    changes = {"reason": reason, "moderated_by": by(actor), "moderated_at": timezone.now()}
    note = NOTES.move(actor, note, "hide", changes=changes)
    _tell_author(note, notice(gettext_noop("Your study note was hidden from your branch: %(reason)s"), reason=reason))
    return note


@transaction.atomic
def restore_note(actor: Actor, note: StudyNote) -> StudyNote:
    """The secretary shows a hidden note to the branch again."""
    note = NOTES.lock(actor, note, "restore")
    changes = {"reason": "", "moderated_by": by(actor), "moderated_at": timezone.now()}
    note = NOTES.move(actor, note, "restore", changes=changes)
    _tell_author(note, notice(gettext_noop("Your study note is shown to your branch again.")))
    return note


@transaction.atomic
def delete_note(actor: Actor, note: StudyNote) -> None:
    """The author deletes his own note, with its image and comments (nobody else does: a secretary hides)."""
    locked = StudyNote.objects.select_for_update(of=("self",)).filter(pk=note.pk).first()
    if locked is None or not StudyNote.objects.for_actor(actor).filter(pk=note.pk).exists():
        raise PermissionDenied
    note = locked
    if getattr(actor, "person_id", None) != note.author_id:
        if not actor_scope(actor, CHANGE).covers_path(note.org_path):
            raise PermissionDenied  # a reader of the branch: not his to delete
        raise DomainError(None, _("Only its author deletes a note: hide it instead, saying why."))
    comments = note.comments.count()
    NOTES.record(actor, note, ChangeLog.Action.DELETE, audit_extra={"comments": comments})
    note.delete()
