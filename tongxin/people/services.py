"""Every write to the roster: persons, their branch and history, cadre positions.

Roll-up counts (``OrgStats``) are adjusted here whenever a person's active membership begins, moves
or ends, so organisation pages never count the roster.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.audit import change_entry, record_change, record_id_lookup, snapshot
from tongxin.core.crypto import keyed_hash
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import CHANGE, Actor, require
from tongxin.core.workflow import acts_on_own_case
from tongxin.orgs.models import Organization
from tongxin.orgs.services import adjust_member_counts, adjust_member_counts_many, check_member_branch
from tongxin.orgs.tallies import Key
from tongxin.people import tallies
from tongxin.people.lookups import holder_message
from tongxin.people.models import LOOKUP_FIELDS, CadrePosition, CadreTitle, Membership, MembershipStatus, Person
from tongxin.people.validators import (
    check_id_number,
    check_league_join,
    check_phone,
    id_birth_date,
    id_sex,
    membership_date_errors,
    name_pinyin,
    normalise_id_number,
    normalise_name,
    normalise_text,
    person_name_errors,
)

PERSON_FIELDS = (
    "name", "id_number", "ethnicity", "political_status", "education", "phone", "occupation",
    "league_join_date", "league_number", "party_join_date", "branch", "status",
)  # fmt: skip


# --- four eyes: nobody changes her own membership ------------------------------------------------------------

# The fields that say whether, where and since when someone is a member: a role holder does not change them
# on her own record (issue 12, four eyes); another holder of the role over her branch, or the committee
# above, does. Her contact details and the rest stay hers to correct.
MEMBERSHIP_FIELDS = (
    "status", "political_status", "league_join_date", "party_join_date", "league_number", "branch", "id_number",
)  # fmt: skip


def check_not_own_membership(actor: Actor, person: Person, changed: Iterable[str]) -> None:
    """Refuse ``actor`` changing the membership fields ``changed`` of her own record (each named);
    every write path of a person (the edit page, the API, an import updating her, a move) calls it."""
    if not acts_on_own_case(actor, person.pk):
        return
    fields = [name for name in MEMBERSHIP_FIELDS if name in set(changed)]
    if fields:
        message = _("This is your own record: your membership details are changed by another person responsible.")
        raise DomainError(errors={name: [message] for name in fields})


def _changed_membership_fields(person: Person, changes: dict[str, Any]) -> list[str]:
    """The membership fields ``changes`` gives a new value (a form sends every field; blank is None; an ID
    number is compared as it is stored, so typing its x in lower case is no change)."""

    def value(name: str, raw: Any) -> Any:
        if name == "id_number" and isinstance(raw, str):
            return normalise_id_number(raw) or None
        return raw or None

    return [
        name
        for name in MEMBERSHIP_FIELDS
        if name in changes and value(name, changes[name]) != value(name, getattr(person, name))
    ]


def _collect(errors: dict[str, list[str]], func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except DomainError as exc:
        for key, messages in exc.errors.items():
            errors.setdefault(key, []).extend(messages)
        return None


def _clean(data: dict[str, Any], instance: Person | None, actor: Actor = None) -> dict[str, Any]:
    """Normalise and validate a person's fields; raise one DomainError with every problem found."""
    errors: dict[str, list[str]] = {}
    cleaned = dict(data)
    name = normalise_name(data.get("name") or "")
    if not name:
        errors.setdefault("name", []).append(_("The name is required."))
    cleaned["name"] = name
    for key, messages in person_name_errors(name).items():  # issue 12 §3: a name that looks like a name
        errors.setdefault(key, []).extend(messages)
    id_number = _collect(errors, check_id_number, data.get("id_number") or "")
    cleaned["id_number"] = id_number
    cleaned["phone"] = _collect(errors, check_phone, data.get("phone") or "") or ""
    number = normalise_text(data.get("league_number") or "") or None
    cleaned["league_number"] = number
    if id_number:
        birth = id_birth_date(id_number)
        _collect(errors, check_league_join, birth, data.get("league_join_date"), number)
        # issue 12 §3: join dates in the history window, the party joined at 18 or older
        joins = membership_date_errors(birth, data.get("league_join_date"), data.get("party_join_date"))
        for key, messages in joins.items():
            errors.setdefault(key, []).extend(messages)
        holder_error = _id_number_taken(actor, id_number, instance)
        if holder_error:
            errors.setdefault("id_number", []).append(holder_error)
    if number:
        taken = Person.objects.filter(league_number=number)
        if instance is not None:
            taken = taken.exclude(pk=instance.pk)
        if taken.exists():
            errors.setdefault("league_number", []).append(_("This league member number is already in use."))
    status = cleaned.get("status") or MembershipStatus.ACTIVE
    cleaned["status"] = status
    branch = cleaned.get("branch")
    branch_changed = instance is None or branch != instance.branch
    # Everyone keeps a branch (a former member, the one they left from), or nobody could find their record.
    # An active member needs an active branch; a former member's branch may have been dissolved since,
    # so their record can still be corrected.
    if branch is None:
        errors.setdefault("branch", []).append(_("Choose the branch the person belongs to."))
    elif status == MembershipStatus.ACTIVE or branch_changed:
        _collect(errors, check_member_branch, branch)
    if errors:
        raise DomainError(errors=errors)
    return cleaned


# --- an ID number already on the roster (issue 12, §2: no oracle) ----------------------------------------------


def _id_number_taken(actor: Actor, id_number: str, instance: Person | None) -> str:
    """The error for an ID number someone else holds ("" when free): who it is only if ``actor`` sees them."""
    holder = Person.objects.select_related("branch").with_id_number(id_number)
    if instance is not None:
        holder = holder.exclude(pk=instance.pk)
    other = holder.first()
    if other is None:
        return ""
    return holder_message(actor, other, _("This ID number is already registered to a person in %(org)s."))


def save_person(actor: Actor, data: dict[str, Any], person: Person | None = None) -> Person:
    """The roster form's and the API's save: :func:`create_person`, or :func:`update_person` of ``person``.

    An ID number typed in (new, or changed on the record) is a lookup over the whole roster: it is counted
    and recorded first (``core.audit.record_id_lookup``, the hourly limit), in its own transaction, so that
    a save refused because the number is taken still counts.
    """
    try:
        number = check_id_number(str(data.get("id_number") or ""))
    except DomainError:
        number = ""  # not a valid number: nothing is looked up, the save names the mistake
    if number and (person is None or number != person.id_number):
        branch = data.get("branch") or (person.branch if person is not None else None)
        record_id_lookup(actor, number, purpose="person", org_path=branch.path if branch else "")
    if person is None:
        return create_person(actor, data)
    return update_person(actor, person, data)


def _apply(person: Person, cleaned: dict[str, Any]) -> None:
    for key in PERSON_FIELDS:
        if key in cleaned:
            setattr(person, key, cleaned[key])
    person.birth_date = id_birth_date(person.id_number)
    person.sex = id_sex(person.id_number)
    person.set_lookup_fields()
    person.name_pinyin, person.name_initials = name_pinyin(person.name)
    person.org_path = person.branch.path if person.branch else ""


def _save_unique(person: Person) -> None:
    """Save; a unique number taken by a concurrent request since the check becomes the same field error."""
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        text = str(exc)
        if "league_number" in text:
            raise DomainError("league_number", _("This league member number is already in use.")) from None
        if "id_hash" in text or "id_number" in text:
            raise DomainError("id_number", _("This ID number is already registered to another person.")) from None
        raise


def _counted(status: str, branch: Organization | None) -> bool:
    return status == MembershipStatus.ACTIVE and branch is not None


@transaction.atomic
def create_person(actor: Actor, data: dict[str, Any], *, since: datetime.date | None = None,
                  reason: str = Membership.Reason.REGISTERED) -> Person:  # fmt: skip
    branch = data.get("branch")
    require(actor, CHANGE, branch.path if branch else None)
    cleaned = _clean(data, None, actor)
    person = Person()
    _apply(person, cleaned)
    _save_unique(person)
    if person.branch is not None and _counted(person.status, person.branch):  # a stay lasts while active
        Membership.objects.create(
            person=person, organization=person.branch, org_path=person.org_path,
            start=since or timezone.localdate(), start_reason=reason,
        )  # fmt: skip
        adjust_member_counts(person.org_path, +1)
    tallies.retally([], [person])
    record_change(actor, person, ChangeLog.Action.CREATE, after=snapshot(person), org_path=person.org_path)
    return person


# Leaving through the edit form: an active member whose status is set to one of these ends her stay with the
# matching reason, so the annual report counts her in the right column. A death keeps the reason given (the
# report's "left" column is for leaving; a death is "other out").
LEAVING_REASONS: dict[str, str] = {
    MembershipStatus.LEFT: Membership.Reason.LEFT,
    MembershipStatus.AGED_OUT: Membership.Reason.AGED_OUT,
    MembershipStatus.TRANSFERRED_OUT: Membership.Reason.TRANSFER,
}


@transaction.atomic
def update_person(actor: Actor, person: Person, changes: dict[str, Any], *,
                  reason: str = Membership.Reason.CORRECTION) -> Person:  # fmt: skip
    """Edit a person's record. A move or an end of membership ends the open stay with ``reason`` (and a move
    opens the next one with it); when the edit turns an active member into a former one, the stay ends with the
    reason of the new status (:data:`LEAVING_REASONS`) instead."""
    # Lock the person row only: the branch is a nullable join, which PostgreSQL cannot lock.
    person = Person.objects.select_for_update(of=("self",)).select_related("branch").get(pk=person.pk)
    require(actor, CHANGE, person.org_path)
    new_branch = changes.get("branch", person.branch)
    if new_branch is not None and new_branch != person.branch:
        require(actor, CHANGE, new_branch.path)
    check_not_own_membership(actor, person, _changed_membership_fields(person, changes))
    before = snapshot(person)
    data = {key: getattr(person, key) for key in PERSON_FIELDS}
    data.update(changes)
    cleaned = _clean(data, person, actor)
    old_branch, old_status, old_path = person.branch, person.status, person.org_path
    was_counted = _counted(old_status, old_branch)
    counted_before = tallies.person_counts(person)
    _apply(person, cleaned)
    _save_unique(person)
    today = timezone.localdate()
    is_counted = _counted(person.status, person.branch)
    # A stay lasts while the person is an active member of that branch: a move or leaving ends it.
    if person.branch != old_branch or not is_counted:
        end_reason = reason
        if old_status == MembershipStatus.ACTIVE and person.status in LEAVING_REASONS:
            end_reason = LEAVING_REASONS[person.status]
        Membership.objects.filter(person=person, end__isnull=True).update(end=today, end_reason=end_reason)
    if is_counted and person.branch is not None and (person.branch != old_branch or not was_counted):
        Membership.objects.create(
            person=person,
            organization=person.branch,
            org_path=person.org_path,
            start=today,
            start_reason=reason,
        )
    if was_counted:
        adjust_member_counts(old_path, -1)
    if is_counted:
        adjust_member_counts(person.org_path, +1)
    tallies.retally([counted_before], [person])
    record_change(
        actor,
        person,
        ChangeLog.Action.UPDATE,
        before=before,
        after=snapshot(person),
        org_path=person.org_path,
    )
    return person


def move_member(actor: Actor, person: Person, *, branch: Organization | None = None, status: str | None = None,
                reason: str, on: datetime.date | None = None) -> Person:  # fmt: skip
    """Move an active member to ``branch`` (a completed transfer), or end their membership with ``status``
    (transferred out of the system). For workflows that have checked the rights of both sides
    themselves: the sending side approved, the receiving side accepted.

    Runs in the caller's transaction: locks the person, ends the open stay and opens the new one, moves
    the roll-ups, and writes a ChangeLog row on each side, so both branches' secretaries see the move.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move_member must run inside the workflow's transaction")
    person = Person.objects.select_for_update(of=("self",)).select_related("branch").get(pk=person.pk)
    check_not_own_membership(actor, person, ["branch" if branch is not None else "status"])
    if person.status != MembershipStatus.ACTIVE or person.branch is None:
        raise DomainError("person", _("%(name)s is no longer an active member.") % {"name": person.name})
    if branch is not None:
        branch = check_member_branch(branch)
    day = on or timezone.localdate()
    before = snapshot(person)
    counted_before = tallies.person_counts(person)
    old_path = person.org_path
    Membership.objects.filter(person=person, end__isnull=True).update(end=day, end_reason=reason)
    adjust_member_counts(old_path, -1)
    if branch is not None:
        person.branch = branch
        person.org_path = branch.path
        Membership.objects.create(person=person, organization=branch, org_path=branch.path, start=day,
                                  start_reason=reason)  # fmt: skip
        adjust_member_counts(branch.path, +1)
    if status is not None:
        person.status = status
    person.save(update_fields=["branch", "org_path", "status", "updated_at"])
    tallies.retally([counted_before], [person])
    after = snapshot(person)
    entries = [change_entry(actor, person, ChangeLog.Action.UPDATE, before=before, after=after, org_path=old_path)]
    if person.org_path != old_path:
        entries.append(change_entry(actor, person, ChangeLog.Action.UPDATE, before=before, after=after,
                                    org_path=person.org_path))  # fmt: skip
    ChangeLog.objects.bulk_create([entry for entry in entries if entry is not None])
    return person


def import_people(actor: Actor, *, new: list[dict[str, Any]], updates: list[tuple[int, dict[str, Any]]],
                  since: datetime.date | None = None) -> None:  # fmt: skip
    """Write the checked rows of a roster import (``people.imports``) in bulk, inside its transaction.

    ``new``: complete records with ``branch_id``; ``updates``: (person id, changed fields). The branches
    are locked and checked again, so a branch dissolved or moved since the check stops the import.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("import_people must run inside the import's transaction")
    today = since or timezone.localdate()
    branch_ids = {data["branch_id"] for data in new}
    branches = {org.pk: org for org in Organization.objects.select_for_update().filter(pk__in=branch_ids)}
    for branch_id in branch_ids:
        branch = check_member_branch(branches.get(branch_id))
        require(actor, CHANGE, branch.path)
    entries: list[ChangeLog | None] = []
    people: list[Person] = []
    for data in new:
        person = Person()
        _apply(person, {**{key: data.get(key) for key in PERSON_FIELDS if key in data},
                        "branch": branches[data["branch_id"]], "status": MembershipStatus.ACTIVE})  # fmt: skip
        people.append(person)
    Person.objects.bulk_create(people, batch_size=500)
    Membership.objects.bulk_create(
        [Membership(person=p, organization=p.branch, org_path=p.org_path, start=today,
                    start_reason=Membership.Reason.REGISTERED) for p in people],
        batch_size=1000,
    )  # fmt: skip
    per_branch: dict[str, int] = {}
    for person in people:
        per_branch[person.org_path] = per_branch.get(person.org_path, 0) + 1
        entries.append(change_entry(actor, person, ChangeLog.Action.CREATE, after=snapshot(person),
                                    org_path=person.org_path))  # fmt: skip
    adjust_member_counts_many(per_branch)
    tallies.retally([], people)
    if updates:
        locked = Person.objects.select_for_update().in_bulk([pk for pk, _changes in updates])
        changed_fields: set[str] = set()
        to_save = []
        counted_before: list[Counter[Key]] = []
        now = timezone.now()
        for pk, changes in updates:
            person = locked[pk]
            require(actor, CHANGE, person.org_path)
            check_not_own_membership(actor, person, [k for k in changes if changes[k] != getattr(person, k, None)])
            before = snapshot(person)
            counted_before.append(tallies.person_counts(person))
            _apply(person, {**{key: getattr(person, key) for key in PERSON_FIELDS}, **changes})
            person.updated_at = now
            changed_fields.update(changes)
            to_save.append(person)
            entries.append(change_entry(actor, person, ChangeLog.Action.UPDATE, before=before,
                                        after=snapshot(person), org_path=person.org_path))  # fmt: skip
        derived = {"name_pinyin", "name_initials", *LOOKUP_FIELDS, "updated_at"}
        Person.objects.bulk_update(to_save, sorted(changed_fields | derived), batch_size=500)
        tallies.retally(counted_before, to_save)
    ChangeLog.objects.bulk_create([entry for entry in entries if entry is not None], batch_size=1000)


@transaction.atomic
def appoint_cadre(actor: Actor, *, person: Person, organization: Organization, title: str,
                  start: datetime.date, end: datetime.date | None = None) -> CadrePosition:  # fmt: skip
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    require(actor, CHANGE, organization.path)
    if end is not None and end <= start:
        raise DomainError("end", _("The end date must be after the start date."))
    current = CadrePosition.objects.filter(organization=organization).filter(Q(end__isnull=True) | Q(end__gt=start))
    if current.filter(person=person, title=title).exists():
        raise DomainError("title", _("%(name)s already holds this position.") % {"name": person.name})
    if title == CadreTitle.SECRETARY:
        holder = current.filter(title=CadreTitle.SECRETARY).select_related("person").first()
        if holder is not None:
            raise DomainError(
                "title",
                _("%(org)s already has a secretary (%(name)s): end that position first.")
                % {"org": organization.name, "name": holder.person.name},
            )
    position = CadrePosition.objects.create(
        person=person,
        organization=organization,
        org_path=organization.path,
        title=title,
        start=start,
        end=end,
    )
    tallies.recount(Counter(), tallies.cadre_counts(position))
    record_change(actor, position, ChangeLog.Action.CREATE, after=snapshot(position), org_path=position.org_path)
    return position


@transaction.atomic
def end_cadre(actor: Actor, position: CadrePosition, end: datetime.date) -> CadrePosition:
    position = CadrePosition.objects.select_for_update().get(pk=position.pk)
    require(actor, CHANGE, position.org_path)
    if position.end is not None:
        raise DomainError("end", _("This position has already ended."))
    if end <= position.start:
        raise DomainError("end", _("The end date must be after the start date."))
    before = snapshot(position)
    counted_before = tallies.cadre_counts(position)
    position.end = end
    position.save(update_fields=["end"])
    tallies.recount(counted_before, tallies.cadre_counts(position))
    record_change(
        actor, position, ChangeLog.Action.UPDATE, before=before, after=snapshot(position), org_path=position.org_path
    )
    return position


def find_person_by_number(actor: Actor, number: str) -> Person:
    """The person in ``actor``'s scope with this ID number or league member number."""
    text = normalise_text(number).upper()
    person = (
        Person.objects.visible_to(actor)
        .filter(Q(id_hash=keyed_hash(text)) | Q(league_number=text))
        .select_related("branch")
        .first()
    )
    if person is None:
        raise DomainError("person_number", _("No one in your organisations has this ID number or member number."))
    return person
