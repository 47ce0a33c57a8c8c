"""Writes owned by core: configurable rule values (with their audit rows), reading notifications, and the
maintenance jobs the management commands run (pruning uploaded files, re-encrypting with a new field key,
recomputing lookup hashes), each leaving ChangeLog rows.

Rules: the district admin edits the values of :data:`tongxin.core.rules.DEFAULTS` on the rules page. A
value is typed as text and parsed according to the *default's* type (:func:`rule_kind`):

* ``int``: a whole number ≥ 0;
* ``decimal``: a decimal string such as ``"0.20"``: a number ≥ 0 with at most 2 decimal places;
* ``brackets``: a list ``[[3000, "0.005"], …, [None, "0.02"]]`` edited as one line per bracket,
  ``3000 0.005`` … ``- 0.02`` (bounds ascending, the last one unbounded, rates between 0 and 1);
* ``json``: anything else, as JSON of the same type as the default.

Notifications are written by ``tongxin.accounts.notify``; marking them read leaves no audit row (it
changes no domain data).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.audit import change_entry, record_change, snapshot
from tongxin.core.crypto import ENCRYPTED_FIELDS, batched_rows, rotate_token, update_rows
from tongxin.core.exceptions import DomainError
from tongxin.core.inbox import badge_key
from tongxin.core.models import ChangeLog, ImportJob, Notification, RuleValue
from tongxin.core.registry import lookup_hashes, root_paths
from tongxin.core.rules import DEFAULTS, clear_cache, rule_range_refusal
from tongxin.core.scoping import MANAGE, Actor, by, scope_for

# --- who may edit rules ----------------------------------------------------------------------------------


def rule_admin_roots(user: Any) -> list[str]:
    """Paths of the root organisations (no parent) ``user`` may manage; every root for a superuser.

    Cached on the user object for the request. One query, none for a user without MANAGE anywhere.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = user.__dict__.get("_rule_admin_roots")
    if cached is not None:
        return cached
    scope = scope_for(user, MANAGE)
    roots: list[str] = []
    if scope.has_subtrees:
        # Core imports no app above it: the tree (orgs) registers how to list its roots (core.registry).
        roots = root_paths(None if scope.everything else scope.prefixes)
    user.__dict__["_rule_admin_roots"] = roots
    return roots


def may_edit_rules(user: Any) -> bool:
    """A superuser, or an admin (MANAGE) of a root organisation: the district admin."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(getattr(user, "is_superuser", False) or rule_admin_roots(user))


# --- rule values as text -----------------------------------------------------------------------------------

_DECIMAL_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?$")
DECIMAL_PLACES = 2


def _is_brackets(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(row, list | tuple) and len(row) == 2 for row in value)
        and value[-1][0] is None
    )


def rule_kind(key: str) -> str:
    """How the rule ``key`` is typed on the page: "int", "decimal", "brackets" or "json"."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        return "json"
    if isinstance(default, int):
        return "int"
    if isinstance(default, str) and _DECIMAL_TEXT.match(default):
        return "decimal"
    if _is_brackets(default):
        return "brackets"
    return "json"


def rule_to_text(key: str, value: Any) -> str:
    """``value`` of the rule ``key`` as the user types it."""
    kind = rule_kind(key)
    if kind == "brackets" and _is_brackets(value):
        return "\n".join(f"{'-' if bound is None else bound} {rate}" for bound, rate in value)
    if kind in ("int", "decimal"):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


_NUMBER_TEXT = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,12})?$")
_NOT_JSON = object()


def _decimal(text: str) -> Decimal | None:
    """A plain decimal number typed as digits with an optional fraction ("0.20"); None for anything else
    (signs, exponents, NaN, full-width digits, more than 12 digits either side)."""
    if not _NUMBER_TEXT.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


def _plain(number: Decimal) -> str:
    """A decimal without trailing zeros: ``0.0050`` → ``0.005``, ``1.0`` → ``1``."""
    return format(number.normalize(), "f")


def parse_brackets(text: str) -> list[list[Any]]:
    """Lines ``<bound> <rate>`` (``-`` for no bound, on the last line only) into ``[[bound, "rate"], …]``."""
    rows: list[list[Any]] = []
    previous: int | None = None
    last_line = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if rows and rows[-1][0] is None:
            raise DomainError(
                "value",
                _("Line %(line)d: only the last line may be without a bound (“-”).") % {"line": last_line},
            )
        parts = line.replace("\t", " ").split()
        if len(parts) != 2:
            raise DomainError(
                "value",
                _("Line %(line)d: write an upper bound and a rate separated by a space, such as “3000 0.005”.")
                % {"line": number},
            )
        bound_text, rate_text = parts
        bound: int | None
        if bound_text in ("-", "—", "－"):
            bound = None
        elif bound_text.isascii() and bound_text.isdigit():
            bound = int(bound_text)
            if bound >= 2**53:
                raise DomainError("value", _("Line %(line)d: the upper bound is too large.") % {"line": number})
        else:
            raise DomainError(
                "value",
                _("Line %(line)d: the upper bound “%(bound)s” is not a whole number of yuan (or “-” for none).")
                % {"line": number, "bound": bound_text},
            )
        rate = _decimal(rate_text)
        if rate is None or rate < 0 or rate > 1:
            raise DomainError(
                "value",
                _("Line %(line)d: the rate “%(rate)s” is not a number from 0 to 1, such as 0.005.")
                % {"line": number, "rate": rate_text},
            )
        if bound is not None and previous is not None and bound <= previous:
            raise DomainError(
                "value",
                _("Line %(line)d: the upper bound %(bound)d must be greater than %(previous)d on the line before.")
                % {"line": number, "bound": bound, "previous": previous},
            )
        if bound is not None:
            previous = bound
        rows.append([bound, _plain(rate)])
        last_line = number
    if not rows:
        raise DomainError("value", _("Enter at least one line, such as “- 0.02”."))
    if rows[-1][0] is not None:
        raise DomainError(
            "value",
            _("Line %(line)d: the last line must have no upper bound: write “- rate”, such as “- 0.02”.")
            % {"line": last_line},
        )
    return rows


def _check_range(key: str, value: Any) -> None:
    """The rule's sane range (``rules.RULE_RANGES``, issue 12 §3): league_max_age=0 is no rule."""
    refusal = rule_range_refusal(key, value)
    if refusal:
        raise DomainError("value", refusal)


def parse_rule_text(key: str, text: str) -> Any:
    """The value typed for the rule ``key``, checked against its default's type; DomainError("value") if not."""
    text = (text or "").strip()
    kind = rule_kind(key)
    if kind == "int":
        if not (text.isascii() and text.isdigit()) or int(text) >= 2**53:
            raise DomainError("value", _("Enter a whole number, 0 or more, such as 14."))
        _check_range(key, int(text))
        return int(text)
    if kind == "decimal":
        number = _decimal(text)
        if number is None:
            raise DomainError("value", _("Enter a number, 0 or more, such as 0.20."))
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -DECIMAL_PLACES and number != number.quantize(Decimal("0.01")):
            raise DomainError("value", _("Enter at most 2 decimal places, such as 0.20."))
        _check_range(key, number)
        return str(number.quantize(Decimal("0.01")))
    if kind == "brackets":
        return parse_brackets(text)
    try:
        value = json.loads(text)
    except ValueError:
        value = _NOT_JSON
    default = DEFAULTS[key]
    if type(value) is not type(default):
        raise DomainError("value", _("Enter a value of the same form as the default."))
    return value


# --- writing rule values -------------------------------------------------------------------------------------


def _check(actor: Actor, key: str) -> None:
    if actor is not None and not may_edit_rules(actor):
        raise PermissionDenied
    if key not in DEFAULTS:
        raise DomainError("value", _("There is no such rule."))


def _audit_path(actor: Actor) -> str:
    roots = rule_admin_roots(actor) if actor is not None else []
    return roots[0] if roots else ""


def _clear() -> None:
    # Now, so this process reads the new value at once; and after commit, so no other process keeps a
    # value cached from before it.
    clear_cache()
    transaction.on_commit(clear_cache)


@transaction.atomic
def set_rule(actor: Actor, key: str, text: str) -> RuleValue | None:
    """Set the rule ``key`` to the value typed as ``text`` (see the module docstring for the forms).

    Writes or updates its RuleValue row and a ChangeLog row with the value before and after; returns the
    row (None when the value was already the current one and nothing was written).
    """
    _check(actor, key)
    value = parse_rule_text(key, text)
    row = RuleValue.objects.select_for_update().filter(key=key).first()
    path = _audit_path(actor)
    if row is None:
        row = RuleValue.objects.create(key=key, value=value)
        record_change(actor, row, ChangeLog.Action.CREATE, before={"key": key, "value": DEFAULTS[key]},
                      after={"key": key, "value": value}, org_path=path)  # fmt: skip
    else:
        if row.value == value:
            return None
        before = row.value
        row.value = value
        row.save(update_fields=["value"])
        record_change(actor, row, ChangeLog.Action.UPDATE, before={"key": key, "value": before},
                      after={"key": key, "value": value}, org_path=path)  # fmt: skip
    _clear()
    return row


@transaction.atomic
def reset_rule(actor: Actor, key: str) -> bool:
    """Go back to the default of the rule ``key``: delete its RuleValue row (with a ChangeLog row).

    Returns False when the rule had no override.
    """
    _check(actor, key)
    row = RuleValue.objects.select_for_update().filter(key=key).first()
    if row is None:
        return False
    record_change(actor, row, ChangeLog.Action.DELETE, before={"key": key, "value": row.value},
                  after={"key": key, "value": DEFAULTS[key]}, org_path=_audit_path(actor))  # fmt: skip
    row.delete()
    _clear()
    return True


# --- notifications -----------------------------------------------------------------------------------------


def mark_read(user: Any, notification: Notification) -> Notification:
    """Mark one of ``user``'s notifications read (PermissionDenied for anyone else's)."""
    if notification.recipient_id != getattr(user, "pk", None):
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    cache.delete(badge_key(user.pk))
    return notification


def mark_all_read(user: Any, *, upto: int | None = None) -> int:
    """Mark ``user``'s unread notifications read (those with id ≤ ``upto`` when given: the ones the page
    showed, not one that arrived since). Returns how many."""
    qs = Notification.objects.visible_to(user).unread()
    if upto is not None:
        qs = qs.filter(pk__lte=upto)
    cache.delete(badge_key(user.pk))
    return qs.update(read_at=timezone.now())


# --- maintenance jobs (management commands) ------------------------------------------------------------------
# The actor is the user running the command when known, else None (cron); each job leaves ChangeLog rows.

Progress = Callable[[str, int, int], None]  # (model label, rows in the table, rows done so far)


def prune_import_files(actor: Actor, *, days: int) -> int:
    """Delete the uploaded import files (and their check reports) of finished imports older than ``days``:
    they hold personal data. Each deletion leaves a ChangeLog row (file name, kind, when uploaded) at the
    import's organisation; the import's own audit rows (who, counts, each person's change) stay. Returns how
    many files went."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    running = [ImportJob.Status.QUEUED, ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING]
    with transaction.atomic():
        old = list(
            ImportJob.objects.select_for_update()
            .filter(created_at__lt=cutoff)
            .exclude(status__in=running)
            .only("id", "kind", "file_name", "status", "org_path", "created_at", "actor")
            .order_by("id")
        )
        entries = []
        for job in old:
            before = snapshot(job, ["kind", "file_name", "status", "created_at", "actor"])
            entry = change_entry(actor, job, ChangeLog.Action.DELETE, before=before, org_path=job.org_path)
            if entry is not None:
                entry.after = {"reason": f"import files are kept {days} days"}
                entries.append(entry)
        ChangeLog.objects.bulk_create(entries)
        ImportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)


def _bulk_entry(actor: Actor, model: type[models.Model], job: str, after: dict[str, Any]) -> ChangeLog:
    """The ChangeLog row of a job that rewrites a whole table: about the model (object id ``*``, every row),
    with no organisation (only the superuser's audit log shows it)."""
    return ChangeLog.objects.create(
        actor=by(actor) if getattr(actor, "pk", None) else None,
        action=ChangeLog.Action.UPDATE,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id="*",
        object_repr=f"{model._meta.label}: {job}"[:200],
        org_path="",
        before=None,
        after=after,
    )


def _count_done(entry: ChangeLog, rows: int) -> None:
    """Add ``rows`` to the job's ChangeLog row, in the transaction that wrote them (the row always tells how
    many were rewritten, even if the job is stopped half-way and run again)."""
    assert entry.after is not None
    entry.after["rows"] = int(entry.after["rows"]) + rows
    ChangeLog.objects.filter(pk=entry.pk).update(after=entry.after)


def encrypted_columns() -> list[tuple[str, list[str], type[models.Model]]]:
    """(table, encrypted columns, model) for every model with an encrypted field, found through the app
    registry: a new model with an ``EncryptedCharField`` is rotated without being named anywhere."""
    found = []
    for model in apps.get_models():
        columns = [str(f.column) for f in model._meta.concrete_fields if isinstance(f, ENCRYPTED_FIELDS)]
        if columns and not model._meta.proxy and model._meta.managed:
            found.append((model._meta.db_table, columns, model))
    return found


def _rotate(value: Any, where: str) -> Any:
    if value is None or value == "" or value == b"":
        return value
    if isinstance(value, str):
        return rotate_token(value.encode("ascii"), where).decode("ascii")
    return rotate_token(bytes(value), where)


def _rotated(table: str, columns: list[str], row: tuple) -> tuple:
    pk, *values = row
    return (
        pk,
        *(_rotate(value, f"{table}.{column} of row {pk}") for value, column in zip(values, columns, strict=True)),
    )


def rotate_field_keys(actor: Actor, *, batch: int = 1000, progress: Progress | None = None) -> int:
    """Re-encrypt every encrypted value with the first key of TONGXIN_FIELD_KEYS; returns how many rows.

    One transaction per batch, so the job can be stopped and run again; a value no key opens stops it with
    the reason (FieldDecryptionError). Each table gets a ChangeLog row counting the rows re-encrypted (no
    values: they are the same plaintext under a new key).
    """
    total = 0
    for table, columns, model in encrypted_columns():
        count = model._base_manager.count()
        size = batch if model._meta.label != "core.ImportJob" else max(1, batch // 50)  # whole files per row
        label = model._meta.label
        entry: ChangeLog | None = None
        done = 0
        if progress:
            progress(label, count, 0)
        for rows in batched_rows(connection, table, columns, size):
            with transaction.atomic():
                update_rows(connection, table, columns, [_rotated(table, columns, row) for row in rows])
                if entry is None:
                    after = {"job": "rotate_field_keys", "fields": columns, "rows": 0}
                    entry = _bulk_entry(actor, model, "re-encrypted with the first field key", after)
                _count_done(entry, len(rows))
            done += len(rows)
            if progress:
                progress(label, count, done)
        total += done
    return total


def rehash_personal_data(actor: Actor, *, batch: int = 1000, progress: Progress | None = None) -> int:
    """Recompute the keyed hashes of ID numbers and phones of every registered model
    (``core.registry.register_lookup_hashes``) after TONGXIN_LOOKUP_KEY has changed; returns how many rows.

    One transaction per batch; each model gets a ChangeLog row counting the rows rehashed (no hashes: they
    are derived from values the row's own audit entries already mask).
    """
    done = 0
    for registered in lookup_hashes():
        model, fields = registered.model, list(registered.hash_fields)
        manager: Any = model._base_manager
        label = model._meta.label
        count = manager.count()
        if progress:
            progress(label, count, 0)
        entry: ChangeLog | None = None
        last = 0
        model_done = 0
        while True:
            with transaction.atomic():
                rows: list[Any] = list(manager.filter(pk__gt=last).order_by("pk").only(*registered.only)[:batch])
                if not rows:
                    break
                for row in rows:
                    row.set_lookup_fields()
                manager.bulk_update(rows, fields)
                if entry is None:
                    after = {"job": "rehash_personal_data", "fields": fields, "rows": 0}
                    entry = _bulk_entry(actor, model, "lookup hashes recomputed", after)
                _count_done(entry, len(rows))
            last = rows[-1].pk
            model_done += len(rows)
            if progress:
                progress(label, count, model_done)
        done += model_done
    return done
