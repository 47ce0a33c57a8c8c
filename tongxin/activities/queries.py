"""Reads of activities that need more than a filter: the lists a page shows and the hours of a person."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from tongxin.activities.models import HOLDS_PLACE, Activity, Registration, RegistrationStatus


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
