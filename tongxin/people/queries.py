"""Reads of the roster that need more than a filter."""

from __future__ import annotations

import datetime

from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from tongxin.core.scoping import subtree_q
from tongxin.orgs.models import Organization
from tongxin.people.models import CadreTitle, Membership, Person


def roster_on(org: Organization, day: datetime.date) -> QuerySet[Person]:
    """The people who belonged to ``org``'s subtree on ``day``, from the membership history."""
    stays = Membership.objects.filter(subtree_q("org_path", org.path), start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )
    return Person.objects.filter(pk__in=stays.values("person_id"))


def current_cadres(org: Organization, day: datetime.date | None = None):
    day = day or timezone.localdate()
    return (
        org.cadres.filter(start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .select_related("person")
        .annotate(rank=Case(*[When(title=t, then=Value(i)) for i, t in enumerate(CadreTitle.values)], default=99))
        .order_by("rank", "start")
    )


def roster_count(user, filterset, qs: QuerySet[Person]) -> int:
    """How many rows the roster lists: from the roll-up rows when only the subtree narrows the list."""
    from tongxin.core.scoping import scope_for
    from tongxin.orgs.models import OrgStats

    if not (filterset.is_valid() and filterset.only_subtree_and_status()):
        return qs.count()
    scope = scope_for(user)
    if filterset.form.cleaned_data.get("org") is not None:
        org = filterset.subtree_org
        if org is not None and scope.covers_path(org.path):
            return OrgStats.objects.filter(pk=org.pk).values_list("members_total", flat=True).first() or 0
    elif scope.everything:
        return sum(OrgStats.objects.filter(organization__parent__isnull=True).values_list("members_total", flat=True))
    elif scope.person_id is None:
        totals = OrgStats.objects.filter(scope.at_q("organization__path")).values_list("members_total", flat=True)
        return sum(totals)
    return qs.count()


def direct_member_counts() -> dict[int, int]:
    """Active members per branch id, counted from the roster (for rebuilding the roll-ups)."""
    from django.db.models import Count

    rows = (
        Person.objects.active()
        .filter(branch__isnull=False)
        .values("branch_id")
        .annotate(n=Count("id"))
        .values_list("branch_id", "n")
    )
    return dict(rows)
