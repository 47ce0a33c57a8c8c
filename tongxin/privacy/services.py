"""Writes and reads of the privacy app: minors' consent, the right of access, erasure by anonymisation.

This app sits beside the lifecycle and organisational-life apps and imports none of them: it reads
their records through Django's model registry (``Person``'s reverse relations), so a new record type
that points at a person is found without a change here (its app must then register whether it is exported,
``core.registry.register_personal_data``, and whether it keeps its own copy of the person's identity,
``register_identity_copy``; tests fail until it does).

Rules (``tongxin.core.rules``): ``minor_below_age`` (18), ``guardian_consent_below_age`` (14, PIPL
art. 31) and ``retention_years_after_leaving`` (3).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import connection, models, transaction
from django.db.models import Count, DateField, Exists, Max, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token

from tongxin.accounts.models import User
from tongxin.accounts.notify import nearest_actor_ids, notify_users
from tongxin.core.audit import record_access, record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.inbox import badge_key
from tongxin.core.masking import mask_id_number, mask_phone
from tongxin.core.models import AccessLog, ChangeLog, Notification
from tongxin.core.registry import IdentityCopy, identity_copies
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, VIEW, Actor, Scope, by, require, scope_for, subtree_q
from tongxin.core.services import may_edit_rules
from tongxin.orgs.models import STEP_WIDTH, Organization
from tongxin.people.models import Membership, MembershipStatus, Person
from tongxin.people.tallies import person_counts, retally
from tongxin.privacy.models import Anonymisation, AnonymisationReason, ConsentRecord, GivenBy

# A person in one of these has left the roster: their record is kept for the retention period only.
LEFT_STATUSES = (
    MembershipStatus.LEFT,
    MembershipStatus.AGED_OUT,
    MembershipStatus.TRANSFERRED_OUT,
    MembershipStatus.DECEASED,
)


# --- ages ------------------------------------------------------------------------------------------------


def birth_cutoff(on: datetime.date, years: int) -> datetime.date:
    """The latest birth date of someone at least ``years`` old on ``on`` (``Person.age_on``'s rule: a
    person born on 29 February is a year older from 1 March in other years)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def is_minor(person: Person, on: datetime.date | None = None) -> bool:
    return person.age_on(on or timezone.localdate()) < int(rule("minor_below_age"))


def needs_guardian(person: Person, on: datetime.date) -> bool:
    """Whether consent given on ``on`` must come from a guardian (the person was under 14 that day)."""
    return person.age_on(on) < int(rule("guardian_consent_below_age"))


def may_export(user: Any, person: Person) -> bool:
    """The person themself, or a user who may change their record."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return user.person_id == person.pk or scope_for(user, CHANGE).covers_path(person.org_path)


def may_anonymise(user: Any, person: Person) -> bool:
    """The district admin (who edits the rules), over a person in their CHANGE scope."""
    return may_edit_rules(user) and scope_for(user, CHANGE).covers_path(person.org_path)


def is_anonymised(person: Person) -> bool:
    return Anonymisation.objects.filter(person=person).exists()


# --- consent -----------------------------------------------------------------------------------------------


def _anonymised_check(person: Person) -> None:
    if is_anonymised(person):
        raise DomainError(None, _("This record has been anonymised."))


@transaction.atomic
def record_consent(
    actor: Actor,
    person: Person,
    *,
    given_by: str,
    given_on: datetime.date,
    purpose: str,
    notice_version: str,
    method: str,
    guardian_name: str = "",
    guardian_relationship: str = "",
) -> ConsentRecord:
    """Record a consent (paper form or in person). Under 14 on ``given_on``: a guardian's, named, with their
    relationship; 14 to 17: the person's own separate consent, or a named guardian's."""
    person = Person.objects.select_for_update(of=("self",)).get(pk=person.pk)
    require(actor, CHANGE, person.org_path)
    _anonymised_check(person)
    guardian_name = " ".join((guardian_name or "").split())
    purpose, notice_version = (purpose or "").strip(), (notice_version or "").strip()
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if given_on > today:
        errors.setdefault("given_on", []).append(_("The date of consent cannot be in the future."))
    elif given_on < person.birth_date:
        errors.setdefault("given_on", []).append(_("The date of consent is before the person's birth."))
    elif needs_guardian(person, given_on) and given_by != GivenBy.GUARDIAN:
        errors.setdefault("given_by", []).append(
            _("The person was under %(age)d on that day: a parent or other guardian must consent.")
            % {"age": int(rule("guardian_consent_below_age"))}
        )
    if given_by == GivenBy.GUARDIAN:
        if not guardian_name:
            errors.setdefault("guardian_name", []).append(_("Write the name of the guardian who consented."))
        if not guardian_relationship:
            errors.setdefault("guardian_relationship", []).append(_("Choose the guardian's relationship."))
    else:
        guardian_name, guardian_relationship = "", ""
    if not purpose:
        errors.setdefault("purpose", []).append(_("Say what the data is used for."))
    if not notice_version:
        errors.setdefault("notice_version", []).append(_("Write the version of the notice the consent refers to."))
    if errors:
        raise DomainError(errors=errors)
    record = ConsentRecord.objects.create(
        person=person, given_by=given_by, guardian_name=guardian_name, guardian_relationship=guardian_relationship,
        given_on=given_on, purpose=purpose, notice_version=notice_version, method=method,
        recorded_by=by(actor) if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    record_change(actor, record, ChangeLog.Action.CREATE, after=snapshot(record), org_path=person.org_path)
    return record


def may_withdraw_for(user: Any, person: Person) -> bool:
    """Who may record a withdrawal of ``person``'s consent: a user who may change the person's record, or the
    person themself when they are old enough to consent on their own (a guardian withdraws through the
    branch)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if scope_for(user, CHANGE).covers_path(person.org_path):
        return True
    return user.person_id == person.pk and not needs_guardian(person, timezone.localdate())


def may_withdraw(user: Any, record: ConsentRecord) -> bool:
    return may_withdraw_for(user, record.person)


@transaction.atomic
def withdraw_consent(actor: Actor, record: ConsentRecord) -> ConsentRecord:
    """Mark a consent withdrawn (kept for the record); the minor is flagged again unless another stands."""
    record = ConsentRecord.objects.select_for_update(of=("self",)).select_related("person").get(pk=record.pk)
    if actor is not None and not may_withdraw(actor, record):
        raise PermissionDenied
    if record.withdrawn_at is not None:
        raise DomainError("consent", _("This consent was already withdrawn."))
    before = snapshot(record)
    record.withdrawn_at = timezone.now()
    record.withdrawn_by = by(actor)
    record.save(update_fields=["withdrawn_at", "withdrawn_by"])
    record_change(
        actor, record, ChangeLog.Action.UPDATE, before=before, after=snapshot(record), org_path=record.person.org_path
    )
    return record


# --- minors without consent --------------------------------------------------------------------------------


def valid_consent_exists() -> Exists:
    return Exists(ConsentRecord.objects.filter(person=OuterRef("pk"), withdrawn_at__isnull=True))


def minors_lacking_consent(
    actor: Actor, org: Organization | None = None, on: datetime.date | None = None
) -> QuerySet[Person]:
    """Active members under 18 on ``on`` in ``actor``'s subtrees (``org``'s if given) with no consent that
    stands (none recorded, or every one withdrawn). Ordered by branch, then name."""
    on = on or timezone.localdate()
    cutoff = birth_cutoff(on, int(rule("minor_below_age")))
    qs = Person.objects.filter(status=MembershipStatus.ACTIVE, birth_date__gt=cutoff).filter(~valid_consent_exists())
    qs = qs.for_actor(actor, VIEW, self_service=False)  # a list for role holders: no self-service grant
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    return qs.order_by("org_path", "name_pinyin", "id")


@dataclass(frozen=True)
class BranchCount:
    branch_id: int | None
    name: str
    path: str
    count: int


def lacking_counts(actor: Actor, org: Organization | None = None, on: datetime.date | None = None) -> list[BranchCount]:
    """How many minors lack consent, per branch (one GROUP BY query), in tree order."""
    rows = (
        minors_lacking_consent(actor, org, on)
        .order_by()
        .values("branch_id", "branch__name", "org_path")
        .annotate(n=Count("id"))
        .order_by("org_path")
    )
    return [BranchCount(r["branch_id"], r["branch__name"] or "", r["org_path"], r["n"]) for r in rows]


def lacks_consent(person: Person, on: datetime.date | None = None) -> bool:
    """Whether ``person`` is flagged: an active minor with no consent that stands."""
    if person.status != MembershipStatus.ACTIVE or not is_minor(person, on):
        return False
    return not ConsentRecord.objects.filter(person=person, withdrawn_at__isnull=True).exists()


# --- reminders about minors without consent -----------------------------------------------------------------

# Two runs at once would each see "no reminder yet" and both write one: a PostgreSQL run waits for the other.
_REMINDER_LOCK = 0x7478_636F_6E73  # an arbitrary constant naming this job's advisory lock


@dataclass(frozen=True)
class ReminderRun:
    created: int  # notifications written
    updated: int  # unread reminders whose text changed
    cleared: int  # unread reminders removed: the gaps are closed, or the recipient no longer answers for them
    branches: int  # branches with minors lacking consent


def reminder_url(branch_id: int | None = None) -> str:
    """The minors page, narrowed to the branch when the reminder is about one branch."""
    url = reverse("privacy:minors")
    return f"{url}?org={branch_id}" if branch_id is not None else url


def _reminder_text(count: int, branch: str, branches: int = 1) -> str:
    """The reminder in the deployment's language (the recipient reads it; it is stored once): the branch's
    name when it is about one branch, else how many branches."""
    with translation.override(settings.LANGUAGE_CODE):
        if branches == 1:
            return ngettext(
                "%(count)d minor in %(branch)s has no consent to the processing of their personal data on record: "
                "please record it.",
                "%(count)d minors in %(branch)s have no consent to the processing of their personal data on record: "
                "please record it.",
                count,
            ) % {"count": count, "branch": branch}
        return ngettext(
            "%(count)d minor in %(branches)d branches you answer for has no consent to the processing of their "
            "personal data on record: please record it.",
            "%(count)d minors in %(branches)d branches you answer for have no consent to the processing of their "
            "personal data on record: please record it.",
            count,
        ) % {"count": count, "branches": branches}


def remind_missing_consent(on: datetime.date | None = None) -> ReminderRun:
    """Remind the users who answer for branches with minors lacking consent (``minors_lacking_consent``'s
    rule): for each such branch the nearest holders of CHANGE (``accounts.notify.nearest_actor_ids``: its
    secretary, else the committee above). Each of them gets ONE inbox notification: the count and the
    branch's name, linking to the minors page narrowed to it; or, for someone who answers for several such
    branches (a committee whose branches have no secretary of their own), the total and how many branches,
    linking to the minors page.

    The daily or weekly job (``manage.py remind_missing_consent``); safe to run again:
    - an unread reminder is kept and brought up to date (moved to the top of the inbox when it changed)
      instead of a second one being added;
    - no new reminder for someone who already got one today (read since or not);
    - someone whose branches all have consent now gets no reminder, and their unread one is removed (it no
      longer holds); a read one stays in the inbox as it was.
    The reminder names no one (counts and the branch only). One transaction; no ChangeLog row: nothing in
    the records changes. Queries: the counts per branch (one GROUP BY), the unread reminders and those of
    today (one), per branch its recipients, one INSERT, and an UPDATE per changed reminder; none per minor.
    """
    now = timezone.now()
    today_starts = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    created = updated = cleared = branches = 0
    touched: set[int] = set()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REMINDER_LOCK])
        existing = list(
            Notification.objects.filter(Q(url=reminder_url()) | Q(url__startswith=f"{reminder_url()}?org="))
            .filter(Q(read_at__isnull=True) | Q(created_at__gte=today_starts))
            .order_by("id")
            .only("id", "recipient_id", "url", "text", "read_at")
        )
        unread: dict[int, list[Notification]] = {}
        written_today: set[int] = set()
        for note in existing:
            if note.read_at is None:
                unread.setdefault(note.recipient_id, []).append(note)
            else:
                written_today.add(note.recipient_id)
        gaps_of: dict[int, list[BranchCount]] = {}
        for gap in lacking_counts(None, None, on):
            if gap.branch_id is None:
                continue
            branches += 1
            for user_id in nearest_actor_ids(CHANGE, gap.path):
                gaps_of.setdefault(user_id, []).append(gap)
        keep: set[int] = set()
        new: dict[tuple[str, str, str], list[int]] = {}  # (text, url, org_path) -> recipients
        for user_id, gaps in gaps_of.items():
            count = sum(gap.count for gap in gaps)
            if len(gaps) == 1:
                text, url, path = _reminder_text(count, gaps[0].name), reminder_url(gaps[0].branch_id), gaps[0].path
            else:
                text, url = _reminder_text(count, "", len(gaps)), reminder_url()
                path = Scope(prefixes=tuple(gap.path for gap in gaps)).common_prefix(STEP_WIDTH)
            notes = unread.get(user_id, [])
            if notes:
                note = notes[0]  # one per recipient; any other (an earlier race) is cleared below
                keep.add(note.pk)
                if (note.text, note.url) != (text, url):
                    Notification.objects.filter(pk=note.pk).update(text=text, url=url, org_path=path, created_at=now)
                    updated += 1
                    touched.add(user_id)
            elif user_id not in written_today:
                new.setdefault((text, url, path), []).append(user_id)
        for (text, url, path), user_ids in new.items():
            created += len(notify_users(user_ids, text=text, url=url, org_path=path))
        stale = [note for notes in unread.values() for note in notes if note.pk not in keep]
        if stale:
            cleared = Notification.objects.filter(pk__in=[n.pk for n in stale], read_at__isnull=True).delete()[0]
            touched.update(n.recipient_id for n in stale)
    if touched:
        cache.delete_many([badge_key(pk) for pk in sorted(touched)])
    return ReminderRun(created=created, updated=updated, cleared=cleared, branches=branches)


# --- right of access ----------------------------------------------------------------------------------------


def export_person_data(actor: Actor, person: Person, out: IO[bytes]) -> int:
    """Write every record about ``person`` to ``out`` as an .xlsx file, for the person themself or a user
    who may change their record; one AccessLog row. Returns the number of rows written."""
    from tongxin.privacy.exports import write_access_export  # noqa: PLC0415 - late: exports imports this module

    if actor is not None and not may_export(actor, person):
        raise PermissionDenied
    with transaction.atomic():
        rows = write_access_export(person, out)
        record_access(
            actor,
            AccessLog.Action.EXPORT,
            obj=person,
            fields="id_number,phone",
            filters={"export": "right_of_access"},
            row_count=rows,
            org_path=person.org_path,
        )
    return rows


# --- retention and anonymisation ---------------------------------------------------------------------------


def anonymised_name() -> str:
    """What replaces an anonymised person's name, in the deployment's language (stored data)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Anonymised")


def _left_on_expression() -> Coalesce:
    """The day a person left: the end of their last stay in a branch, else the day their record was made."""
    last_end = (
        Membership.objects.filter(person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(last=Max("end"))
        .values("last")
    )
    return Coalesce(Subquery(last_end, output_field=DateField()), Cast("created_at", DateField()))


def left_on(person: Person) -> datetime.date | None:
    if person.status not in LEFT_STATUSES:
        return None
    return Person.objects.filter(pk=person.pk).annotate(left=_left_on_expression()).values_list("left", flat=True)[0]


def retention_ends(person: Person) -> datetime.date | None:
    """The first day a former member's record may be anonymised (None for an active member)."""
    left = left_on(person)
    if left is None:
        return None
    years = int(rule("retention_years_after_leaving"))
    try:
        return left.replace(year=left.year + years)
    except ValueError:  # 29 February
        return left.replace(year=left.year + years, day=28) + datetime.timedelta(days=1)


def anonymisation_due(on: datetime.date | None = None) -> QuerySet[Person]:
    """Former members whose retention period has ended by ``on`` and who are not anonymised yet."""
    on = on or timezone.localdate()
    cutoff = birth_cutoff(on, int(rule("retention_years_after_leaving")))  # left on or before this day
    return (
        Person.objects.filter(status__in=LEFT_STATUSES)
        .exclude(Exists(Anonymisation.objects.filter(person=OuterRef("pk"))))
        .annotate(left=_left_on_expression())
        .filter(left__lte=cutoff)
        .order_by("id")
    )


def _coarse_birth_date(day: datetime.date) -> datetime.date:
    """Keep the year only (age statistics survive): 1 July of the birth year."""
    return datetime.date(day.year, 7, 1)


# Primary keys of rows (as the audit tables store them), by model.
Rows = dict[type[models.Model], set[str]]


def reverse_relations() -> list[models.ForeignObjectRel]:
    """Every relation from another model to Person (one row per person or many), hidden ones
    (``related_name="+"``) included."""
    return [
        f
        for f in Person._meta.get_fields(include_hidden=True)
        if isinstance(f, models.ForeignObjectRel) and (f.one_to_many or f.one_to_one)
    ]


def _related_rows(person: Person) -> Rows:
    """The primary keys (as audit rows store them) of every row that points at ``person``, by model."""
    found: dict[type[models.Model], set[str]] = {}
    for relation in reverse_relations():
        model = relation.related_model
        ids = model._base_manager.filter(**{relation.field.name: person.pk}).values_list("pk", flat=True)
        found.setdefault(model, set()).update(str(pk) for pk in ids)
    return found


@dataclass
class _Scrubber:
    """Replaces one person's identifiers in audit text and JSON."""

    name: str
    anonymous: str
    exact: set[str]  # values removed wherever they are a whole string (ID number, phone, masked forms, …)
    own_keys: dict[str, Any]  # in rows about the person: these keys get these values

    def text(self, value: str) -> str:
        # Long identifiers (ID numbers, phones and their masked forms) go wherever they appear; a short one
        # (a login name) only where it is the whole value.
        for token in sorted((t for t in self.exact if len(t) >= 7), key=len, reverse=True):
            value = value.replace(token, "")
        if len(self.name) >= 2:
            value = value.replace(self.name, self.anonymous)
        elif value == self.name:
            value = self.anonymous
        return value

    def json(self, value: Any, *, own: bool) -> Any:
        if isinstance(value, dict):
            return {
                key: (self.own_keys[key] if own and key in self.own_keys else self.json(item, own=own))
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.json(item, own=own) for item in value]
        if isinstance(value, str):
            return "" if value in self.exact else self.text(value)
        return value


def _scrub_audit(scrubber: _Scrubber, related: Rows, own_ids: Rows, own_reprs: dict[type[models.Model], str]) -> None:
    """Rewrite the object names and before/after values of the audit rows about ``related`` rows; the rows
    themselves (who, when, what kind of change) stay."""
    for model, ids in related.items():
        if not ids:
            continue
        content_type = ContentType.objects.get_for_model(model)
        for log in (ChangeLog, AccessLog):
            rows = log.objects.filter(content_type=content_type, object_id__in=sorted(ids))
            for row in rows.iterator():
                about_them = row.object_id in own_ids.get(model, set())
                changed: list[str] = []
                new_repr = own_reprs[model] if about_them and model in own_reprs else scrubber.text(row.object_repr)
                if new_repr != row.object_repr:
                    row.object_repr = new_repr
                    changed.append("object_repr")
                json_fields = ("before", "after") if log is ChangeLog else ("filters",)
                for field in json_fields:
                    value = getattr(row, field)
                    if value is not None:
                        new = scrubber.json(value, own=about_them)
                        if new != value:
                            setattr(row, field, new)
                            changed.append(field)
                if changed:
                    row.save(update_fields=changed)


def _scrub_searches(scrubber: _Scrubber, tokens: Iterable[str]) -> None:
    """Roster searches logged with the person's full ID number or phone (AccessLog filters)."""
    for token in tokens:
        if len(token) < 7:
            continue
        rows = AccessLog.objects.annotate(text=Cast("filters", TextField())).filter(text__contains=token)
        for row in rows:
            row.filters = scrubber.json(row.filters, own=False)
            row.save(update_fields=["filters"])


def _blank_identifiers(obj: models.Model) -> None:
    """ID number and phone, and the lookup columns derived from them (tails, keyed hashes), emptied."""
    for name in ("id_number", "phone", "id_tail", "phone_tail"):
        if hasattr(obj, name):
            setattr(obj, name, "")
    for name in ("id_hash", "phone_hash", "id_number_hash"):
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):
            setattr(obj, field.attname, None if field.null else "")


def anonymise_person(actor: Actor, person: Person, *, reason: str, reference: str = "") -> Person:
    """Anonymise a former member, keeping every count: name, ID number, phone, member number and pinyin go,
    the birth date keeps its year (1 July), sex, ethnicity, political status, branch, status and dates stay,
    as do their memberships, positions, attendance, dues and reviews. Their login is deactivated and unlinked,
    and their name is taken out of the audit rows about them (the rows stay). One ChangeLog row, with no
    personal data.

    ``actor=None`` is the yearly job (``manage.py anonymise_expired``), for records past retention only; a
    user must be the district admin with the person in their scope, and may act on the person's request
    before the retention period ends (``reason="request"``).
    """
    with transaction.atomic():
        person = Person.objects.select_for_update(of=("self",)).get(pk=person.pk)
        if actor is not None:
            require(actor, CHANGE, person.org_path)
            if not may_edit_rules(actor):
                raise PermissionDenied
        if person.status not in LEFT_STATUSES:
            raise DomainError("status", _("Only the record of a person who has left can be anonymised."))
        if Anonymisation.objects.filter(person=person).exists():
            raise DomainError(None, _("This record has already been anonymised."))
        if reason not in AnonymisationReason.values:
            raise DomainError("reason", _("Choose why the record is anonymised."))
        ends = retention_ends(person)
        if reason == AnonymisationReason.RETENTION and ends is not None and ends > timezone.localdate():
            raise DomainError(
                "reason",
                _("The retention period ends on %(day)s: before then, only the person's request allows erasure.")
                % {"day": ends.isoformat()},
            )
        reference = " ".join((reference or "").split())[:100]
        left = left_on(person)
        anonymous = anonymised_name()

        user = User.objects.select_for_update().filter(person=person).first()
        related = _related_rows(person)
        own_ids: dict[type[models.Model], set[str]] = {Person: {str(person.pk)}}
        own_ids[ConsentRecord] = related.get(ConsentRecord, set())
        own_ids[User] = {str(user.pk)} if user is not None else set()
        related.setdefault(Person, set()).add(str(person.pk))
        # Rows keeping their own copy of the person's identity (their recruitment application, before they
        # joined: name, ID number, phone), as the owning apps register them (core.registry, no label here).
        copies: list[tuple[IdentityCopy, models.Model]] = []
        for copy in identity_copies():
            rows = list(copy.model._base_manager.select_for_update().filter(**{copy.person_field: person}))
            own_ids[copy.model] = {str(r.pk) for r in rows}
            copies.extend((copy, row) for row in rows)
        exact = {
            token
            for value in (person.id_number, person.phone, person.league_number or "")
            for token in (value, mask_id_number(value), mask_phone(value))
            if token
        }
        for copy, row in copies:
            for name in ("id_number", "phone"):
                value = getattr(row, name) if name in copy.fields else ""
                exact.update(t for t in (value, mask_id_number(value), mask_phone(value)) if t)
        new_username = f"anonymised-{user.pk}" if user is not None else ""
        if user is not None and user.username:
            exact.add(user.username)
        scrubber = _Scrubber(
            name=person.name,
            anonymous=anonymous,
            exact=exact,
            own_keys={
                "name": anonymous, "id_number": "", "phone": "", "league_number": None, "guardian_name": "",
                "username": new_username, "first_name": "", "last_name": "", "email": "",
            },
        )  # fmt: skip

        own_reprs: dict[type[models.Model], str] = {Person: anonymous, User: new_username}
        _scrub_audit(scrubber, related, own_ids, own_reprs)
        _scrub_searches(scrubber, [person.id_number, person.phone])
        # Notifications name a person in plain text: those filed at the person's branches or above them (the
        # committee asked to approve) that hold the name lose it. A namesake's nearby may lose it too.
        paths = set(Membership.objects.filter(person=person).values_list("org_path", flat=True)) | {person.org_path}
        paths |= {path[:end] for path in paths for end in range(STEP_WIDTH, len(path), STEP_WIDTH)}
        for note in Notification.objects.filter(org_path__in=sorted(paths), text__contains=person.name):
            note.text = scrubber.text(note.text)
            note.save(update_fields=["text"])

        for copy, row in copies:
            _blank_identifiers(row)  # ID number, phone and their hashes and tails
            for name in copy.fields:
                if name == "name":
                    setattr(row, name, anonymous)
                elif name == "birth_date":
                    setattr(row, name, _coarse_birth_date(getattr(row, name)))
                elif name == "league_number":
                    setattr(row, name, "")
            row.save()
        ConsentRecord.objects.filter(person=person).update(guardian_name="")

        counted_before = person_counts(person)  # the birth month becomes coarse
        person.name = anonymous
        person.name_pinyin = ""
        person.name_initials = ""
        _blank_identifiers(person)
        person.league_number = None
        person.birth_date = _coarse_birth_date(person.birth_date)
        person.save()
        retally([counted_before], [person])

        if user is not None:
            user.person = None
            user.is_active = False
            user.username = new_username
            user.first_name = user.last_name = user.email = ""
            user.set_unusable_password()
            user.save()
            Token.objects.filter(user=user).delete()

        Anonymisation.objects.create(
            person=person, actor=by(actor) if getattr(actor, "pk", None) else None, reason=reason, reference=reference,
            left_on=left,
        )  # fmt: skip
        record_change(
            actor,
            person,
            ChangeLog.Action.UPDATE,
            before={"anonymised": False},
            after={"anonymised": True, "reason": reason, "reference": reference},
            org_path=person.org_path,
        )
    return person
