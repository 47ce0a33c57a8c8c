"""Writing audit rows. Services call these inside their transaction."""

from __future__ import annotations

import datetime
import decimal
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.exceptions import DomainError
from tongxin.core.masking import mask_fields, mask_id_number
from tongxin.core.models import AccessLog, ChangeLog
from tongxin.core.prepared import insert
from tongxin.core.scoping import Actor, by


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):  # a venue's opening hours: times
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited fields of ``obj`` as plain JSON values (raw: record_change masks what it stores)."""
    names = fields or getattr(obj, "audit_fields", None) or [f.attname for f in obj._meta.concrete_fields]
    data = {}
    for name in names:
        field = obj._meta.get_field(name)
        data[name] = _plain(getattr(obj, getattr(field, "attname", name)))
    return data


def change_entry(
    actor: Actor,
    obj: models.Model,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    org_path: str = "",
) -> ChangeLog | None:
    """An unsaved ChangeLog row, or None for an update that changed nothing.

    Changes are found on the raw values (a new phone with the same mask is still a change), then
    personal data is masked before it is stored. Bulk writers (imports) save many with bulk_create.
    """
    if action == ChangeLog.Action.UPDATE and before is not None and after is not None:
        keys = set(before) | set(after)
        before = {k: before.get(k) for k in keys if before.get(k) != after.get(k)}
        after = {k: after.get(k) for k in keys if k in before}
        if not before:
            return None
    before = mask_fields(before) if before is not None else None
    after = mask_fields(after) if after is not None else None
    return ChangeLog(
        actor=by(actor) if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        org_path=org_path,
        before=before,
        after=after,
    )


class ChangeFields(TypedDict, total=False):
    """The keyword arguments of :func:`change_entry` that :func:`record_change` passes on."""

    before: dict[str, Any] | None
    after: dict[str, Any] | None
    org_path: str


def record_change(actor: Actor, obj: models.Model, action: str, **fields: Unpack[ChangeFields]) -> ChangeLog | None:
    """Append a ChangeLog row; an update that changed nothing leaves none."""
    entry = change_entry(actor, obj, action, **fields)
    if entry is not None:
        insert(entry)  # entry.save(), its INSERT written once (every service writes one: issue 14's peak)
    return entry


def update_entry(
    actor: Actor, obj: models.Model, before: dict[str, Any], fields: list[str] | None = None, *, org_path: str = ""
) -> ChangeLog | None:
    """:func:`change_entry` for an update: ``before`` (the snapshot of ``fields`` taken first) against now."""
    after = snapshot(obj, fields)
    return change_entry(actor, obj, ChangeLog.Action.UPDATE, before=before, after=after, org_path=org_path)


def record_update(
    actor: Actor, obj: models.Model, before: dict[str, Any], fields: list[str] | None = None, *, org_path: str = ""
) -> ChangeLog | None:
    """:func:`record_change` for an update: ``before`` (the snapshot of ``fields`` taken first) against now."""
    after = snapshot(obj, fields)
    return record_change(actor, obj, ChangeLog.Action.UPDATE, before=before, after=after, org_path=org_path)


def record_access(
    actor: Actor,
    action: str,
    *,
    obj: models.Model | None = None,
    fields: str = "",
    filters: dict[str, Any] | None = None,
    row_count: int | None = None,
    org_path: str = "",
) -> AccessLog:
    return AccessLog.objects.create(
        actor=by(actor) if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        fields=fields,
        filters=filters,
        row_count=row_count,
        org_path=org_path,
    )


# --- lookups by ID number (issue 12, §2: no oracle) ------------------------------------------------------------

LOOKUP_WINDOW = datetime.timedelta(hours=1)


def _recent_lookups(user: Any) -> models.QuerySet[AccessLog]:
    """The user's lookups by ID number in the last hour: what :func:`record_id_lookup` counts."""
    since = timezone.now() - LOOKUP_WINDOW
    return AccessLog.objects.filter(actor=user, action=AccessLog.Action.LOOKUP, created_at__gte=since)


def id_lookups_left(actor: Actor) -> int:
    """How many lookups by ID number ``actor`` may still make this hour (the system: no limit, the setting's)."""
    user = by(actor)
    limit = settings.TONGXIN_ID_LOOKUPS_PER_HOUR
    return limit if user is None else max(limit - _recent_lookups(user).count(), 0)


def record_id_lookup(
    actor: Actor, id_number: str, *, purpose: str, org_path: str = "", field: str = "id_number"
) -> AccessLog | None:
    """Count one lookup by ID number for ``actor`` and record it in the AccessLog, or refuse it.

    The AccessLog rows are the counter: with ``TONGXIN_ID_LOOKUPS_PER_HOUR`` LOOKUP rows of this user in the
    last hour, the lookup is refused with a DomainError on ``field`` that says when to try again (the
    refusal is not a lookup, so it is neither recorded nor counted). The user's row is locked while
    counting, so two requests of the same user at once cannot both take the last place. The number is
    stored masked (``filters``), never in full; ``purpose`` says what the lookup was for.

    Call it BEFORE the service's own transaction opens: the row is written in its own transaction, so it
    survives when the request is then refused (the number is taken) and the limit counts every guess.
    The system (``actor`` None) is not counted.
    """
    user = by(actor)
    if user is None:
        return None
    limit = settings.TONGXIN_ID_LOOKUPS_PER_HOUR
    with transaction.atomic():
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        times = list(_recent_lookups(user).order_by("-created_at").values_list("created_at", flat=True)[:limit])
        if len(times) >= limit:
            again = timezone.localtime(times[-1] + LOOKUP_WINDOW)
            raise DomainError(
                field,
                _(
                    "You have looked up %(limit)d ID numbers in the last hour, the most allowed: "
                    "try again after %(time)s."
                )
                % {"limit": limit, "time": again.strftime("%H:%M")},
            )
        return AccessLog.objects.create(
            actor=user,
            action=AccessLog.Action.LOOKUP,
            fields="id_number",
            filters={"id_number": mask_id_number(id_number), "purpose": purpose},
            org_path=org_path,
        )
