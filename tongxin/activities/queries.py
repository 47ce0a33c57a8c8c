"""Reads of activities that need more than a filter: the lists a page shows and the hours of a person."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from tongxin.activities.models import HOLDS_PLACE, Activity, ActivityStatus, Registration, RegistrationStatus
from tongxin.core.registry import LinkedRecord
from tongxin.core.scoping import CHANGE


def activities_for(user: Any) -> QuerySet[Activity]:
    """The activities ``user`` sees, each with its places taken and its waiting list counted (one query)."""
    return (
        Activity.objects.visible_to(user)
        .select_related("organization")
        .annotate(
            taken=Count("registrations", filter=Q(registrations__status__in=HOLDS_PLACE), distinct=True),
            waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING), distinct=True),
        )
        .order_by("-starts_at", "-id")
    )


def registrations_of(activity: Activity) -> QuerySet[Registration]:
    """An activity's registrations, places first, then the waiting list in order."""
    return activity.registrations.select_related("person").order_by("status", "queued_at", "id")


# --- the "activity" link kind (core.registry.register_link_kind): a venue booking names the activity it hosts ----

LINK_CHOICES = 100  # the activities offered when linking one: the coming ones, then the latest past, bounded


def _linked(activity: Activity) -> LinkedRecord:
    title = f"{activity.title} ({timezone.localtime(activity.starts_at):%Y-%m-%d})"
    url = reverse("activities:detail", args=[activity.pk])
    return LinkedRecord(activity.pk, title, url, starts_at=activity.starts_at, ends_at=activity.ends_at)


def find_linked(actor: Any, ids: Iterable[int], action: str) -> dict[int, LinkedRecord]:
    """The activities among ``ids`` that ``actor`` may ``action`` on (``None``: the system, all)."""
    rows = Activity.objects.for_actor(actor, action).filter(pk__in=ids).only("title", "starts_at", "ends_at")
    return {a.pk: _linked(a) for a in rows}


def link_choices(user: Any) -> list[LinkedRecord]:
    """The activities ``user`` may link a booking to: those she may change, not cancelled, from a month ago on."""
    since = timezone.now() - datetime.timedelta(days=31)
    rows = (
        Activity.objects.visible_to(user, CHANGE)
        .exclude(status=ActivityStatus.CANCELLED)
        .filter(starts_at__gte=since)
        .only("title", "starts_at", "ends_at")
        .order_by("starts_at", "id")[:LINK_CHOICES]
    )
    return [_linked(a) for a in rows]
