"""Every write of community reporting (双报到双报告): registering with a community and ending it, posting and
closing service needs, taking one on, and reporting what was done.

Who acts (CHANGE over a path, or the member himself):
- registering an organisation: CHANGE over it; registering a member: the member himself or CHANGE over his branch;
- ending a registration: the registrant's side (the member, or CHANGE over ``org_path``) or the community;
- posting and closing a need: the community (CHANGE over ``community_path``);
- taking up a need and reporting (on a need taken up, or free-standing), completing a report sent back: the
  registrant's side (the member himself, or CHANGE over the unit);
- acknowledging a report or sending it back with a reason: the community (CHANGE over ``community_path``), never
  the reporter (four eyes: the member whose report it is, or the user who filed an organisation's report).

Reporting is a record: no check-in, no compulsory photo (指尖上的形式主义); up to ``MAX_PHOTOS`` photos may come
with it. Each refusal names the field and the rule and writes nothing (one transaction per service). Status steps
go through ``core.workflow``.
"""

from __future__ import annotations

import datetime
import decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongxin.accounts.models import User
from tongxin.accounts.notify import notice, notify_users
from tongxin.community.models import (
    REPORT_TRANSITIONS,
    CommunityRegistration,
    NeedKind,
    NeedStatus,
    RegistrationStatus,
    ReportPhoto,
    ReportStatus,
    ServiceNeed,
    ServiceReport,
    TakeUp,
)
from tongxin.core.audit import record_change
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date, checked_text
from tongxin.core.inbox import PendingItem
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import CHANGE, Actor, actor_scope, by, scope_for
from tongxin.core.uploads import IMAGE_TYPES, check_upload
from tongxin.core.workflow import Workflow, own_case_message
from tongxin.orgs.models import Organization, OrgStatus
from tongxin.people.models import MembershipStatus, Person

REGISTRATIONS: Workflow[CommunityRegistration] = Workflow(
    CommunityRegistration,
    {"end": ((RegistrationStatus.ACTIVE,), RegistrationStatus.ENDED)},
    refusal=gettext_lazy("This registration is already “%(status)s”. Reload the page."),
    url_name="community:registration",
    audit_paths=lambda r: (r.community_path, r.org_path),
    subject=lambda r: r.person_id,
    self_service=("end",),  # a member may end his own registration
)
NEEDS: Workflow[ServiceNeed] = Workflow(
    ServiceNeed,
    {"close": ((NeedStatus.OPEN,), NeedStatus.CLOSED), "reopen": ((NeedStatus.CLOSED,), NeedStatus.OPEN)},
    refusal=gettext_lazy("This need is already “%(status)s”. Reload the page."),
    url_name="community:need",
    audit_paths=lambda n: (n.community_path,),
)


def _reporters(report: ServiceReport) -> tuple[int | None, ...]:
    """Whom a report is about: the member whose report it is, and the person of the user who filed it."""
    filer = report.created_by.person_id if report.created_by_id and report.created_by else None
    return (report.person_id, filer)


REPORTS: Workflow[ServiceReport] = Workflow(
    ServiceReport,
    REPORT_TRANSITIONS,
    refusal=gettext_lazy("This report is already “%(status)s”. Reload the page."),
    url_name="community:report",
    related=("created_by",),
    audit_paths=lambda r: (r.community_path, r.org_path),
    subject=_reporters,
    self_service=("resubmit",),  # the reporter completes his report sent back
)


def _is_self(actor: Actor, person_id: int | None) -> bool:
    return person_id is not None and getattr(actor, "person_id", None) == person_id


def _covers(actor: Actor, *paths: str) -> bool:
    scope = actor_scope(actor, CHANGE)
    return any(p and scope.covers_path(p) for p in paths)


def may_act_for(actor: Actor, registration: CommunityRegistration) -> bool:
    """The registrant's side: the member himself, or CHANGE over the unit (or the member's branch)."""
    return _is_self(actor, registration.person_id) or _covers(actor, registration.org_path)


def _community(community: Organization | None) -> Organization:
    if community is None or community.status != OrgStatus.ACTIVE:
        raise DomainError("community", _("Choose a community."))
    return community


@transaction.atomic
def register(
    actor: Actor,
    *,
    community: Organization | None,
    person: Person | None = None,
    organization: Organization | None = None,
    started_on: datetime.date | None = None,
) -> CommunityRegistration:
    """``person`` (a serving party member) or ``organization`` (报到单位) registers with ``community``."""
    if (person is None) == (organization is None):
        raise DomainError("person", _("Register either a person or an organisation."))
    if person is not None:
        if not (_is_self(actor, person.pk) or _covers(actor, person.org_path)):
            raise PermissionDenied
        if person.status != MembershipStatus.ACTIVE:
            raise DomainError("person", _("%(name)s is not an active member.") % {"name": person.name})
        org_path = person.org_path
    else:
        assert organization is not None
        if not _covers(actor, organization.path):
            raise PermissionDenied
        if organization.status != OrgStatus.ACTIVE:
            raise DomainError("organization", _("%(org)s has been dissolved.") % {"org": organization.name})
        org_path = organization.path
    community = _community(community)
    started_on = started_on or timezone.localdate()
    checked_date("started_on", started_on, "history")
    if started_on > timezone.localdate():
        raise DomainError("started_on", _("A registration starts today or earlier."))
    same = CommunityRegistration.objects.select_for_update().filter(
        community=community, status=RegistrationStatus.ACTIVE
    )
    if same.filter(Q(person=person) if person else Q(organization=organization)).exists():
        raise DomainError("community", _("Already registered with %(community)s.") % {"community": community.name})
    row = CommunityRegistration(community=community, community_path=community.path, person=person,
                                organization=organization, org_path=org_path, started_on=started_on,
                                created_by=by(actor))  # fmt: skip
    row.save()
    REGISTRATIONS.record(actor, row, ChangeLog.Action.CREATE)
    return row


@transaction.atomic
def end_registration(actor: Actor, registration: CommunityRegistration) -> CommunityRegistration:
    """The registration ends (the member moved, the unit left); its reports stay."""
    registration = REGISTRATIONS.lock(actor, registration, "end")
    if not (may_act_for(actor, registration) or _covers(actor, registration.community_path)):
        raise PermissionDenied
    return REGISTRATIONS.move(actor, registration, "end", changes={"ended_at": timezone.now()})


def _text(field: str, value: str | None, *, max_length: int, required: str, multiline: bool = False) -> str:
    text = checked_text(field, value, max_length=max_length, multiline=multiline)
    if not text:
        raise DomainError(field, required)
    return text


@transaction.atomic
def post_need(
    actor: Actor,
    *,
    community: Organization | None,
    title: str,
    description: str = "",
    kind: str = NeedKind.NEED,
    capacity: int | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> ServiceNeed:
    """The community posts a service need or a project."""
    community = _community(community)
    if not _covers(actor, community.path):
        raise PermissionDenied
    title = _text("title", title, max_length=100, required=_("Give the need a title."))
    description = checked_text("description", description, max_length=2000, multiline=True)
    if kind not in NeedKind.values:
        raise DomainError("kind", _("Choose a kind."))
    if capacity is not None and not (1 <= capacity <= 10000):
        raise DomainError("capacity", _("Places: from 1 to 10,000, or left empty."))
    checked_date("starts_on", starts_on, "plan")
    checked_date("ends_on", ends_on, "plan")
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError("ends_on", _("The period ends after it starts."))
    need = ServiceNeed(community=community, community_path=community.path, kind=kind, title=title,
                       description=description, capacity=capacity, starts_on=starts_on, ends_on=ends_on,
                       created_by=by(actor))  # fmt: skip
    need.save()
    NEEDS.record(actor, need, ChangeLog.Action.CREATE)
    return need


@transaction.atomic
def close_need(actor: Actor, need: ServiceNeed) -> ServiceNeed:
    need = NEEDS.lock(actor, need, "close")
    if not _covers(actor, need.community_path):
        raise PermissionDenied
    return NEEDS.move(actor, need, "close")


@transaction.atomic
def take_up(actor: Actor, need: ServiceNeed, *, registration: CommunityRegistration) -> TakeUp:
    """A registered organisation or member takes on an open need of its community."""
    need = ServiceNeed.objects.select_for_update().get(pk=need.pk)
    if not may_act_for(actor, registration):
        raise PermissionDenied
    if registration.community_id != need.community_id or registration.status != RegistrationStatus.ACTIVE:
        raise DomainError("registration", _("Register with this community first."))
    if need.status != NeedStatus.OPEN:
        raise DomainError("need", _("This need is closed."))
    if TakeUp.objects.filter(need=need, registration=registration).exists():
        raise DomainError("need", _("Already taken up."))
    if need.capacity is not None and need.take_ups.count() >= need.capacity:
        raise DomainError("need", _("All places of this need are taken."))
    row = TakeUp.objects.create(need=need, registration=registration, person=registration.person,
                                community_path=need.community_path, org_path=registration.org_path,
                                created_by=by(actor))  # fmt: skip
    record_change(actor, row, ChangeLog.Action.CREATE, after={"need": need.pk, "registration": registration.pk},
                  org_path=need.community_path)  # fmt: skip
    return row


HOURS_MAX = decimal.Decimal("24")
PEOPLE_MAX = 10000
MAX_PHOTOS = 3  # photos of one report (optional: a report never needs one)
Photo = tuple[str, bytes]  # (file name, content)


def _hours(hours: decimal.Decimal | str | None) -> decimal.Decimal | None:
    if hours is None or hours == "":
        return None
    try:
        value = decimal.Decimal(hours)
    except decimal.InvalidOperation:
        raise DomainError("hours", _("Hours: more than 0 and at most 24, in tenths.")) from None
    if (
        not value.is_finite()
        or not (decimal.Decimal("0") < value <= HOURS_MAX)
        or value != value.quantize(decimal.Decimal("0.1"))
    ):
        raise DomainError("hours", _("Hours: more than 0 and at most 24, in tenths."))
    return value


def _people(people: int | None) -> int | None:
    if people is None:
        return None
    if isinstance(people, bool) or not isinstance(people, int) or not (1 <= people <= PEOPLE_MAX):
        raise DomainError("people", _("People taking part: from 1 to 10,000, or left empty."))
    return people


def _done_on(registration: CommunityRegistration, done_on: datetime.date | None) -> datetime.date:
    done_on = done_on or timezone.localdate()
    checked_date("done_on", done_on, "history")
    if done_on > timezone.localdate():
        raise DomainError("done_on", _("Report what was done today or earlier."))
    if done_on < registration.started_on:
        raise DomainError("done_on", _("That day is before the registration."))
    return done_on


def _checked_photos(photos: list[Photo] | None, already: int = 0) -> list[tuple[str, str, bytes]]:
    """(name, content type, bytes) of each photo: JPEG or PNG by its content, within the size limit, at most
    ``MAX_PHOTOS`` on one report; else a DomainError on ``photos``."""
    photos = list(photos or [])
    if already + len(photos) > MAX_PHOTOS:
        raise DomainError("photos", _("A report carries at most %(n)s photos.") % {"n": MAX_PHOTOS})
    checked = []
    for file_name, content in photos:
        name, content_type = check_upload(file_name, content, field="photos")
        if content_type not in IMAGE_TYPES:
            raise DomainError("photos", _("“%(name)s”: a report photo is a JPEG or PNG picture.") % {"name": name})
        checked.append((name, content_type, content))
    return checked


def _save_photos(actor: Actor, report: ServiceReport, photos: list[tuple[str, str, bytes]]) -> list[str]:
    uploader = by(actor) if getattr(actor, "pk", None) else None
    for name, content_type, content in photos:
        ReportPhoto.objects.create(report=report, file_name=name, content_type=content_type, size=len(content),
                                   content=content, uploaded_by=uploader)  # fmt: skip
    return [name for name, _type, _content in photos]


@transaction.atomic
def file_report(
    actor: Actor,
    registration: CommunityRegistration,
    *,
    content: str,
    done_on: datetime.date | None = None,
    hours: decimal.Decimal | str | None = None,
    people: int | None = None,
    take_up: TakeUp | None = None,
    photos: list[Photo] | None = None,
) -> ServiceReport:
    """What the registrant did, on one day: linked to a take-up of a posted need, or free-standing (service done
    for the community without a posted need); hours, people taking part and photos optional. It waits for the
    community's acknowledgement."""
    if not may_act_for(actor, registration):
        raise PermissionDenied
    if registration.status != RegistrationStatus.ACTIVE:
        raise DomainError("registration", _("This registration has ended."))
    if take_up is not None and take_up.registration_id != registration.pk:
        raise DomainError("take_up", _("That take-up is someone else's."))
    content = _text("content", content, max_length=2000, multiline=True, required=_("Say what was done."))
    done_on = _done_on(registration, done_on)
    hours = _hours(hours)
    people = _people(people)
    checked = _checked_photos(photos)
    row = ServiceReport.objects.create(registration=registration, take_up=take_up, person=registration.person,
                                       community_path=registration.community_path, org_path=registration.org_path,
                                       done_on=done_on, hours=hours, people=people, content=content,
                                       status=REPORTS.target("resubmit"), created_by=by(actor))  # fmt: skip
    after = {"registration": registration.pk, "take_up": take_up.pk if take_up else None,
             "done_on": done_on.isoformat(), "hours": str(hours) if hours is not None else None, "people": people,
             "photos": _save_photos(actor, row, checked)}  # fmt: skip
    record_change(actor, row, ChangeLog.Action.CREATE, after=after, org_path=registration.community_path)
    return row


def _refuse_reporter(actor: Actor, report: ServiceReport) -> None:
    """The user who filed an organisation's report does not acknowledge it either (a member's report: the
    workflow's subject rule refuses the member himself)."""
    if report.person_id is None and report.created_by_id and getattr(actor, "pk", None) == report.created_by_id:
        raise DomainError("status", own_case_message())


def may_acknowledge(actor: Actor, report: ServiceReport) -> bool:
    """Whether ``actor`` may acknowledge or send back ``report`` (a page shows the buttons)."""
    own_filing = report.person_id is None and getattr(actor, "pk", None) == report.created_by_id
    return (
        report.status == ReportStatus.SUBMITTED
        and _covers(actor, report.community_path)
        and not own_filing
        and REPORTS.four_eyes_allow(actor, report, "acknowledge")
    )


def _tell_reporter(report: ServiceReport, text: str) -> None:
    users = User.objects.filter(is_active=True).filter(
        Q(person_id=report.person_id) if report.person_id else Q(pk=report.created_by_id)
    )
    notify_users(users, text=text, url=reverse("community:report", args=[report.pk]), org_path=report.org_path)


@transaction.atomic
def acknowledge_report(actor: Actor, report: ServiceReport) -> ServiceReport:
    """The community's admin has read the report and acknowledges it (counted apart in the yearly report)."""
    report = REPORTS.lock(actor, report, "acknowledge")
    if not _covers(actor, report.community_path):
        raise PermissionDenied
    _refuse_reporter(actor, report)
    report = REPORTS.move(actor, report, "acknowledge", changes={"acknowledged_by": by(actor),
                                                                 "acknowledged_at": timezone.now()})  # fmt: skip
    _tell_reporter(report, notice(gettext_noop("The community acknowledged your report of %(day)s."),
                                  day=report.done_on.isoformat()))  # fmt: skip
    return report


@transaction.atomic
def send_back_report(actor: Actor, report: ServiceReport, *, reason: str) -> ServiceReport:
    """The community sends the report back to be completed, saying what is missing."""
    report = REPORTS.lock(actor, report, "send_back")
    if not _covers(actor, report.community_path):
        raise PermissionDenied
    _refuse_reporter(actor, report)
    reason = _text("reason", reason, max_length=500, required=_("Say what the report should add."))
    report = REPORTS.move(actor, report, "send_back", changes={"return_reason": reason})
    _tell_reporter(report, notice(gettext_noop("The community sent your report of %(day)s back: %(reason)s"),
                                  day=report.done_on.isoformat(), reason=reason))  # fmt: skip
    return report


@transaction.atomic
def resubmit_report(
    actor: Actor,
    report: ServiceReport,
    *,
    content: str,
    done_on: datetime.date | None = None,
    hours: decimal.Decimal | str | None = None,
    people: int | None = None,
    photos: list[Photo] | None = None,
) -> ServiceReport:
    """The reporter completes a report sent back (what was done, the day, hours, people, more photos) and sends it
    again to the community."""
    report = REPORTS.lock(actor, report, "resubmit")
    registration = report.registration
    if not may_act_for(actor, registration):
        raise PermissionDenied
    content = _text("content", content, max_length=2000, multiline=True, required=_("Say what was done."))
    changes = {"content": content, "done_on": _done_on(registration, done_on), "hours": _hours(hours),
               "people": _people(people), "return_reason": ""}  # fmt: skip
    checked = _checked_photos(photos, already=report.photos.count())
    names = _save_photos(actor, report, checked)
    return REPORTS.move(actor, report, "resubmit", changes=changes, audit_extra={"photos_added": names})


def reports_to_acknowledge(user):
    """The reports waiting for ``user``'s acknowledgement: submitted to a community in the user's change scope,
    not his own (neither his report as a member nor one he filed for an organisation)."""
    scope = scope_for(user, CHANGE)
    rows = ServiceReport.objects.filter(scope.q("community_path"), status=ReportStatus.SUBMITTED)
    rows = rows.exclude(person__isnull=True, created_by_id=getattr(user, "pk", None))
    if getattr(user, "person_id", None):
        rows = rows.exclude(person_id=user.person_id).exclude(created_by__person_id=user.person_id)
    return rows


def pending_reports(user) -> list[PendingItem]:
    """The inbox: community reports to acknowledge (one COUNT; nothing for a user without a role)."""
    if not scope_for(user, CHANGE).has_subtrees:
        return []
    url = reverse("community:index") + "?waiting=1"
    return [PendingItem(_("Community reports to acknowledge"), reports_to_acknowledge(user).count(), url)]


def my_report_count(user) -> int | None:
    """The member's home card: his reports this year."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return None
    year = timezone.localdate().year
    return ServiceReport.objects.filter(person_id=person_id, done_on__year=year).count()
