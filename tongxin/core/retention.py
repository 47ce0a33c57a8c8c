"""Contacts of people who are not members (a resident's micro-wish, a young person's request to a league
deputy): kept while the case is open and ``contact_retention_days`` (rule, default 180) after it ended, then
erased. A member's record has its own retention (privacy.services: anonymised years after leaving); these
people have no roster record, so the app that keeps their contact registers here which fields hold it, when
its case ended and what the erased fields read, and ``manage.py erase_expired_contacts`` (daily) erases them.

Core imports no app: each app registers its models in ``AppConfig.ready()``:

    register_contact_retention(Wish, label=_("micro-wishes"),
                               ended=lambda cutoff: Q(status="closed", closed_at__lt=cutoff),
                               kept=~Q(contact_name=""), erased=lambda: {"contact_name": "", "contact_phone": ""})
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from tongxin.core.audit import record_change
from tongxin.core.models import ChangeLog
from tongxin.core.rules import rule


@dataclass(frozen=True)
class ContactRetention:
    model: type[models.Model]
    label: Any  # a lazy translation: the report's line
    ended: Callable[[datetime.datetime], Q]  # the cases that ended before the cutoff
    kept: Q  # rows whose contact is still there (not erased yet)
    erased: Callable[[], dict[str, Any]]  # the values of the erased fields
    org_path: str = "org_path"  # the audit row's organisation


CONTACT_RETENTION: list[ContactRetention] = []


def register_contact_retention(
    model: type[models.Model],
    *,
    label: Any,
    ended: Callable[[datetime.datetime], Q],
    kept: Q,
    erased: Callable[[], dict[str, Any]],
    org_path: str = "org_path",
) -> None:
    if any(r.model is model for r in CONTACT_RETENTION):
        return  # ready() may run twice in tests
    CONTACT_RETENTION.append(ContactRetention(model, label, ended, kept, erased, org_path))


def cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=int(rule("contact_retention_days")))


def contacts_due(retention: ContactRetention, now: datetime.datetime | None = None) -> models.QuerySet:
    """The rows of ``retention``'s model whose case ended before the cutoff and whose contact is still kept."""
    return retention.model._default_manager.filter(retention.ended(cutoff(now))).filter(retention.kept)


def erase_expired_contacts(now: datetime.datetime | None = None, *, dry_run: bool = False) -> list[tuple[Any, int]]:
    """Erase the contacts due, row by row, each with its audit entry in the same transaction (an interrupted
    run leaves whole rows; the next run goes on). Returns (label, count) per registered model."""
    done = []
    for retention in CONTACT_RETENTION:
        due = list(contacts_due(retention, now).values_list("pk", flat=True))
        if not dry_run:
            for pk in due:
                with transaction.atomic():
                    row = retention.model._default_manager.select_for_update().filter(pk=pk).first()
                    if row is None:
                        continue
                    values = retention.erased()
                    retention.model._default_manager.filter(pk=pk).update(**values)
                    record_change(None, row, ChangeLog.Action.UPDATE, org_path=getattr(row, retention.org_path, ""),
                                  after={"contact_erased": sorted(values)})  # fmt: skip
        done.append((retention.label, len(due)))
    return done
