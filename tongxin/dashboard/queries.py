"""An organisation's dashboard, read from the roll-ups only (``OrgStats`` and the tallies): a fixed handful of
queries whatever the size of the subtree, never a count over the roster.

``dashboard(org)`` gives the figures as plain data; the page draws them and the API returns them as JSON.
Ages drift every day with no event: they are derived here from the birth months the tallies keep.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core.codes import ETHNICITY_NAMES, Education, PoliticalStatus, Sex
from tongxin.core.rates import percent
from tongxin.orglife import tallies as meeting_tallies
from tongxin.orgs import tallies
from tongxin.orgs.models import Organization, OrgCategory, OrgKind, OrgStats, OrgStatus
from tongxin.people.models import CadreTitle, MembershipStatus, Occupation
from tongxin.people.tallies import cadres_in_post
from tongxin.study.models import PeriodStats

# How many child organisations a dashboard lists and draws (a district has about 60 direct children, a
# committee a few dozen); the rest are summed in one line.
CHILDREN_SHOWN = 200
TREND_MONTHS = 12
# Age bands of active members (the League's ages are 14 to 28), from the birth months.
AGE_BANDS: list[tuple[int, int | None, Any]] = [
    (0, 13, gettext_lazy("under 14")),
    (14, 17, gettext_lazy("14–17")),
    (18, 22, gettext_lazy("18–22")),
    (23, 25, gettext_lazy("23–25")),
    (26, 28, gettext_lazy("26–28")),
    (29, None, gettext_lazy("over 28")),
]


def _labels(choices: Iterable[tuple[str, Any]]) -> Callable[[str], str]:
    names = {str(key): value for key, value in choices}
    return lambda key: str(names.get(key, key or _("not recorded")))


# The distributions a dashboard shows, in order: facet, heading, how a bucket is named.
DISTRIBUTIONS: list[tuple[str, Any, Callable[[str], str]]] = [
    ("status", gettext_lazy("Members by status"), _labels(MembershipStatus.choices)),
    ("sex", gettext_lazy("Sex"), _labels(Sex.choices)),
    ("political_status", gettext_lazy("Political status"), _labels(PoliticalStatus.choices)),
    ("education", gettext_lazy("Education"), _labels(Education.choices)),
    ("occupation", gettext_lazy("Occupation"), _labels(Occupation.choices)),
    ("ethnicity", gettext_lazy("Ethnicity"), _labels(ETHNICITY_NAMES.items())),
    ("org_kind", gettext_lazy("Organisations by kind"), _labels(OrgKind.choices)),
    ("org_category", gettext_lazy("Organisations by category"), _labels(OrgCategory.choices)),
]


@dataclass
class Slice:
    key: str
    label: str
    count: int


@dataclass
class Distribution:
    facet: str
    title: str
    slices: list[Slice]

    @property
    def total(self) -> int:
        return sum(s.count for s in self.slices)


@dataclass
class Trend:
    facet: str
    title: str
    unit: str
    months: list[str]  # YYYY-MM (or the day a study period opened)
    values: list[int | float]
    summable: bool = True  # a count adds up over the months; a rate does not
    partial_last: bool = False  # the last month is the month under way: its figure so far

    @property
    def total(self) -> int | float:
        return round(sum(self.values), 2)

    @property
    def rows(self) -> list[tuple[str, int | float]]:
        rows = list(zip(self.months, self.values, strict=True))
        if self.partial_last and rows:
            month, value = rows[-1]
            rows[-1] = (str(_("%(month)s (so far)") % {"month": month}), value)
        return rows


@dataclass
class Child:
    pk: int
    name: str
    kind: str
    kind_label: str
    members: int
    children: int


@dataclass
class Dashboard:
    org: Organization
    members: int
    children_count: int
    on: datetime.date
    distributions: list[Distribution] = field(default_factory=list)
    trends: list[Trend] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    children_more: int = 0  # children beyond CHILDREN_SHOWN
    children_more_members: int = 0
    # Required meetings held this year over the periods ended (the compliance board's rate, from the tallies).
    compliance: meeting_tallies.Compliance | None = None

    @property
    def compliance_percent(self) -> str:
        return percent(self.compliance.rate if self.compliance else None)

    @property
    def totals(self) -> list[Trend]:
        """The trends whose twelve-month total means something (counts, not rates), for the headline."""
        return [t for t in self.trends if t.summable]


def age_on(birth_month: str, on: datetime.date) -> int | None:
    """Age in whole years on ``on`` of someone born in ``birth_month`` (YYYYMM), counting the birthday as
    passed once its month has begun (the day is not kept)."""
    try:
        year, month = int(birth_month[:4]), int(birth_month[4:6])
    except ValueError:
        return None
    return on.year - year - (1 if on.month < month else 0)


def age_bands(months: Counter[str], on: datetime.date) -> list[Slice]:
    counts = [0] * len(AGE_BANDS)
    for bucket, count in months.items():
        age = age_on(bucket, on)
        if age is None:
            continue
        for i, (low, high, _label) in enumerate(AGE_BANDS):
            if age >= low and (high is None or age <= high):
                counts[i] += count
                break
    return [Slice(f"{low}-{high if high is not None else ''}", str(label), n)
            for (low, high, label), n in zip(AGE_BANDS, counts, strict=True)]  # fmt: skip


def _shown(count: int, divide: int) -> int | float:
    """A tally's whole number in the trend's unit: fen as yuan, minutes as hours (one decimal)."""
    return count if divide == 1 else round(count / divide, 2)


def month_keys(on: datetime.date, count: int = TREND_MONTHS) -> list[str]:
    """The ``count`` months ending with ``on``'s, oldest first, as YYYYMM."""
    year, month = on.year, on.month
    keys = []
    for _i in range(count):
        keys.append(f"{year:04d}{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def dashboard(org: Organization, on: datetime.date | None = None) -> Dashboard:
    """``org``'s figures for its whole subtree (five queries: its roll-ups, its tallies, the meeting requirements,
    its children and their roll-ups)."""
    on = on or timezone.localdate()
    stats = OrgStats.objects.filter(pk=org.pk).values_list("members_total", "children_count").first() or (0, 0)
    figures = tallies.figures(org.pk)
    result = Dashboard(org=org, members=stats[0], children_count=stats[1], on=on)
    for facet, title, name in DISTRIBUTIONS:
        counts = figures.get(facet, Counter())
        slices = [Slice(key, name(key), n) for key, n in counts.most_common() if n]
        result.distributions.append(Distribution(facet, str(title), slices))
    ages = age_bands(figures.get("birth_month", Counter()), on)
    result.distributions.insert(2, Distribution("age", str(_("Age")), ages))
    held = cadres_in_post(figures.get("cadre", Counter()), f"{on:%Y%m}")
    cadre_name = _labels(CadreTitle.choices)
    cadres = [Slice(key, cadre_name(key), n) for key, n in held.most_common() if n]
    result.distributions.append(Distribution("cadre", str(_("Cadres in post")), cadres))
    months = month_keys(on)
    for item in tallies.monthly_facets():
        counts = figures.get(item.facet, Counter())
        values = [_shown(counts.get(key, 0), item.divide) for key in months]
        result.trends.append(
            Trend(item.facet, str(item.label), str(item.unit), [f"{k[:4]}-{k[4:]}" for k in months], values,
                  partial_last=True)
        )  # fmt: skip
    result.compliance = meeting_tallies.compliance(figures, on.year, on, meeting_tallies.requirements())
    # Study (青年大学习): the participation rate of the subtree in each of the last periods (PeriodStats roll-ups).
    periods = (
        PeriodStats.objects.filter(organization=org, members__gt=0)
        .order_by("-period__opens_at", "-pk")
        .values_list("period__opens_at", "members", "participants")[:TREND_MONTHS]
    )
    studied = list(periods)[::-1]
    if studied:
        result.trends.append(Trend(
            "study_rate", str(_("Study participation rate")), "%",
            [f"{timezone.localtime(opens):%Y-%m-%d}" for opens, _m, _p in studied],
            [round(100 * p / m) for _o, m, p in studied], summable=False,
        ))  # fmt: skip
    # The children as plain values (no model instances: a district's root has thousands at 100×), most members
    # first; the ones beyond CHILDREN_SHOWN summed in one aggregate.
    children = (
        Organization.objects.filter(parent=org, status=OrgStatus.ACTIVE)
        .order_by("-stats__members_total", "code", "pk")
        .values_list("pk", "name", "kind", "stats__members_total", "stats__children_count")
    )
    rows = list(children[: CHILDREN_SHOWN + 1])
    kinds = dict(OrgKind.choices)
    for pk, child_name, kind, members, count in rows[:CHILDREN_SHOWN]:
        result.children.append(Child(pk, child_name, kind, str(kinds.get(kind, kind)), members or 0, count or 0))
    if len(rows) > CHILDREN_SHOWN:
        shown = [c.pk for c in result.children]
        rest = OrgStats.objects.filter(organization__parent=org, organization__status=OrgStatus.ACTIVE).exclude(
            pk__in=shown
        )
        more = rest.aggregate(n=Count("pk"), members=Sum("members_total"))
        result.children_more, result.children_more_members = more["n"], more["members"] or 0
    return result


def as_dict(board: Dashboard) -> dict[str, Any]:
    """The dashboard as JSON for the API and the page's charts."""
    return {
        "organization": {"id": board.org.pk, "name": board.org.name, "kind": board.org.kind},
        "on": board.on.isoformat(),
        "members": board.members,
        "children_count": board.children_count,
        "distributions": [_distribution(d) for d in board.distributions],
        "trends": [_trend(t) for t in board.trends],
        "children": [
            {"id": c.pk, "name": c.name, "kind": c.kind, "members": c.members, "children": c.children}
            for c in board.children
        ],
        "children_more": board.children_more,
        "children_more_members": board.children_more_members,
        "compliance": _compliance(board.compliance) if board.compliance else None,
    }


def _compliance(c: meeting_tallies.Compliance) -> dict[str, Any]:
    kinds = [{"kind": kind, "label": label, "done": done, "required": required, "rate": rate}
             for kind, label, done, required, rate in c.kinds()]  # fmt: skip
    return {"year": c.year, "done": c.done, "required": c.required, "rate": c.rate, "kinds": kinds}


def _distribution(d: Distribution) -> dict[str, Any]:
    slices = [{"key": s.key, "label": s.label, "count": s.count} for s in d.slices]
    return {"facet": d.facet, "title": d.title, "total": d.total, "slices": slices}


def _trend(t: Trend) -> dict[str, Any]:
    return {"facet": t.facet, "title": t.title, "unit": t.unit, "total": t.total if t.summable else None,
            "months": t.months, "labels": [label for label, _value in t.rows], "values": t.values,
            "summable": t.summable, "last_month_partial": t.partial_last}  # fmt: skip
