"""The members' figures in the organisations' tallies (``orgs.tallies``): what one person adds where she is
counted, and the same counted from the roster for a rebuild.

Everyone placed in a branch counts under ``status``; an active member also counts under her sex, political
status, ethnicity, education, occupation and birth month (ages are derived from the birth month when read).
Services compute a person's counts before and after a change and adjust by the difference
(``retally``), in their own transaction.

Cadre positions count under ``cadre`` with the bucket ``<title>|<YYYYMM of the end>`` (``<title>|`` while open):
a post ends on its date with no event, so a dashboard counts as in post in a month those open or ending in that
month or later (``cadres_in_post``). Kept per month, a subtree holds at most one row per title and month.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Count
from django.db.models.functions import ExtractMonth, ExtractYear

from tongxin.orgs import tallies
from tongxin.people.models import CadrePosition, MembershipStatus, Person

# Facets counted for active members, with the Person field each reads.
MEMBER_FIELDS = {
    "sex": "sex",
    "political_status": "political_status",
    "ethnicity": "ethnicity",
    "education": "education",
    "occupation": "occupation",
}
MEMBER_FACETS = ("status", *MEMBER_FIELDS, "birth_month")


def birth_month(date: object) -> str:
    return f"{date:%Y%m}" if date is not None else ""


def person_counts(person: Person) -> Counter[tallies.Key]:
    """What ``person`` adds to her branch's (and its ancestors') figures as she is now."""
    path = person.org_path if person.branch_id else ""
    if not path:
        return Counter()
    counts: Counter[tallies.Key] = Counter({(path, "status", person.status): 1})
    if person.status == MembershipStatus.ACTIVE:
        for facet, field in MEMBER_FIELDS.items():
            counts[(path, facet, getattr(person, field) or "")] += 1
        counts[(path, "birth_month", birth_month(person.birth_date))] += 1
    return counts


def retally(before: Iterable[Person | Counter[tallies.Key]], after: Iterable[Person]) -> None:
    """Adjust the tallies from people's counts before a change (people or counts taken earlier) to after."""
    old: Counter[tallies.Key] = Counter()
    for item in before:
        old.update(item if isinstance(item, Counter) else person_counts(item))
    new: Counter[tallies.Key] = Counter()
    for person in after:
        new.update(person_counts(person))
    tallies.adjust(tallies.difference(old, new))


def recount(before: Counter[tallies.Key], after: Counter[tallies.Key]) -> None:
    """Adjust the tallies from one record's counts before a change to after it."""
    tallies.adjust(tallies.difference(before, after))


def member_direct() -> Iterable[tuple[int, str, str, int]]:
    """The same counted from the roster, per branch: one grouped query per facet."""
    placed = Person.objects.filter(branch__isnull=False).order_by()
    for branch_id, status, n in placed.values_list("branch_id", "status").annotate(n=Count("pk")):
        yield branch_id, "status", status, n
    active = placed.filter(status=MembershipStatus.ACTIVE)
    for facet, field in MEMBER_FIELDS.items():
        for branch_id, value, n in active.values_list("branch_id", field).annotate(n=Count("pk")):
            yield branch_id, facet, value or "", n
    months = active.annotate(y=ExtractYear("birth_date"), m=ExtractMonth("birth_date"))
    for branch_id, year, month, n in months.values_list("branch_id", "y", "m").annotate(n=Count("pk")):
        yield branch_id, "birth_month", f"{year:04d}{month:02d}", n


CADRE_FACETS = ("cadre",)


def cadre_bucket(title: str, end: object) -> str:
    return f"{title}|{end:%Y%m}" if end is not None else f"{title}|"


def cadre_counts(position: CadrePosition) -> Counter[tallies.Key]:
    return Counter({(position.org_path, "cadre", cadre_bucket(position.title, position.end)): 1})


def cadre_direct() -> Iterable[tuple[int, str, str, int]]:
    rows = CadrePosition.objects.order_by().annotate(y=ExtractYear("end"), m=ExtractMonth("end"))
    for org_id, title, year, month, n in rows.values_list("organization_id", "title", "y", "m").annotate(n=Count("pk")):
        bucket = f"{title}|{year:04d}{month:02d}" if year else f"{title}|"
        yield org_id, "cadre", bucket, n


def cadres_in_post(buckets: Counter[str], month: str) -> Counter[str]:
    """Posts held at some time in ``month`` (YYYYMM), by title, from the ``cadre`` tallies."""
    held: Counter[str] = Counter()
    for bucket, count in buckets.items():
        title, _sep, end = bucket.partition("|")
        if not end or end >= month:
            held[title] += count
    return held
