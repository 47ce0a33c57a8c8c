"""The index of an organisation's children for a year, read from the roll-ups (a constant handful of queries
whatever the size of the subtree: the children with their ``OrgStats``, their tallies, their study periods'
``PeriodStats``, the weights in force and the organisation's settings; for a past year, the children's members
at its end, one grouped query over the membership history).

Normalisation (our choice): each indicator is scaled to 0–100 *among the organisations compared* (min–max): the
best of them gets 100, the weakest 0, the others in proportion; round the other way for an indicator where lower
is better. When all compared have the same value they all get 100, except a higher-is-better indicator at 0 for
all (nobody did anything: 0) and an indicator not yet counted (0, said on the page). The scale is relative: it
says who does better than whom this year, not how far from a standard; a target-based template is left for later.

An indicator's *contribution* is its weight times its scaled value (``weight × scaled / 100``, rounded to 0.01);
the score is the sum of the contributions, so they add up to it exactly. What would raise a score: each
indicator's *gap* (its weight minus its contribution) and the best value among those compared (full marks).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.params import parse_int
from tongxin.dashboard.index.indicators import (
    BY_KEY,
    CURRENT_FACETS,
    DEFAULT_WEIGHTS,
    INDICATORS,
    MONTHLY_FACETS,
    STARS,
    Dimension,
    Figures,
    Indicator,
    stars_for,
)
from tongxin.dashboard.models import IndexScheme, IndexWeightsVersion
from tongxin.dashboard.report.queries import members_at_year_end
from tongxin.orglife import tallies as meeting_tallies
from tongxin.orgs import tallies
from tongxin.orgs.models import Organization, OrgKind, OrgStatus, path_ids
from tongxin.study.models import PeriodStats

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.PARTY_BRANCH)
FIRST_YEAR = 2000  # the earliest year assessed: before it no roll-ups exist


def year_param(text: str | None, today: datetime.date | None = None) -> tuple[int, str | None]:
    """The year a page or API request asks for (this year when none): ``(year, None)``, or ``(0, why not)`` for
    a year that is not a whole number, before :data:`FIRST_YEAR` or still to come."""
    this_year = (today or timezone.localdate()).year
    if text in (None, ""):
        return this_year, None
    year = parse_int(text, (FIRST_YEAR, this_year))
    if year is None:
        return 0, _("Choose a year from %(first)s to %(last)s: a year still to come has no figures yet.") % {
            "first": FIRST_YEAR,
            "last": this_year,
        }
    return year, None


def prefixes(path: str) -> list[str]:
    """``path`` and every ancestor's path."""
    steps = [str(pk).zfill(8) for pk in path_ids(path)]
    return ["".join(steps[:n]) for n in range(1, len(steps) + 1)]


def assessed_on(year: int, today: datetime.date | None = None) -> datetime.date:
    """The day whose weights score ``year``: its last day, or today for the year under way."""
    today = today or timezone.localdate()
    return today if year == today.year else datetime.date(year, 12, 31)


@dataclass
class Weights:
    percents: dict[str, int]
    version: IndexWeightsVersion | None  # None: the default template
    owner: Organization | None = None  # whose weights (None: the default template)

    @property
    def is_default(self) -> bool:
        return self.version is None


def weights_in_force(org: Organization, on: datetime.date) -> Weights:
    """The weights for ``org``'s subtree on ``on``: the nearest scheme up its path with a version from ``on`` or
    before (its latest such version), else the default template (one query, two with the items)."""
    version = (
        IndexWeightsVersion.objects.filter(org_path__in=prefixes(org.path), valid_from__lte=on)
        .select_related("scheme__organization")
        .order_by("-org_path", "-valid_from")
        .first()
    )
    if version is None:
        return Weights(dict(DEFAULT_WEIGHTS), None)
    percents = {key: 0 for key in BY_KEY} | dict(version.items.values_list("indicator", "percent"))
    return Weights({k: v for k, v in percents.items() if k in BY_KEY}, version, version.scheme.organization)


def own_scheme(org: Organization) -> IndexScheme:
    """``org``'s own settings (rankings, star minimums), or the defaults (unsaved) when it has set none."""
    return IndexScheme.objects.filter(organization=org).first() or IndexScheme(organization=org, org_path=org.path)


def counted_facets() -> frozenset[str]:
    """The tally facets some app keeps."""
    return frozenset().union(*tallies.registered_facets().values())


def is_counted(indicator: Indicator, kept: frozenset[str]) -> bool:
    return all(facet in kept for facet in indicator.facets)


@dataclass
class Part:
    indicator: Indicator
    counted: bool
    raw: float
    scaled: Decimal
    weight: int
    contribution: Decimal
    best: float  # the best raw value among those compared (full marks)

    @property
    def gap(self) -> Decimal:
        return Decimal(self.weight) - self.contribution


@dataclass
class Row:
    org: Organization
    figures: Figures
    parts: list[Part] = field(default_factory=list)
    rank: int | None = None
    grades: list[tuple[int, int]] = field(default_factory=lambda: list(STARS))  # the page's star minimums

    @property
    def score(self) -> Decimal:
        return sum((p.contribution for p in self.parts), Decimal(0))

    @property
    def stars(self) -> int:
        return stars_for(self.score, self.grades)

    @property
    def stars_text(self) -> str:
        return "★" * self.stars

    @property
    def by_dimension(self) -> list[tuple[str, Decimal]]:
        """Each dimension's share of the score (its indicators' contributions summed), in the registry's order."""
        sums: dict[str, Decimal] = {d.value: Decimal(0) for d in Dimension}
        for part in self.parts:
            sums[part.indicator.dimension] += part.contribution
        return [(str(Dimension(key).label), value) for key, value in sums.items()]


@dataclass
class Index:
    org: Organization
    year: int
    on: datetime.date
    weights: Weights
    rankings: bool
    rows: list[Row]
    uncounted: list[Indicator]
    grades: list[tuple[int, int]] = field(default_factory=lambda: list(STARS))


def figures_of(
    children: list[Organization],
    year: int,
    members: dict[str, int] | None = None,
    today: datetime.date | None = None,
) -> dict[int, Figures]:
    """Each child's :class:`Figures` for ``year`` (three queries: tallies, meeting requirements, study roll-ups).
    ``members``: each child's members by its path (a past year's, from
    :func:`~tongxin.dashboard.report.queries.members_at_year_end`); None: today's
    (``OrgStats``)."""
    today = today or timezone.localdate()
    required = meeting_tallies.requirements()
    ids = [c.pk for c in children]
    result = {}
    for child in children:
        if members is not None:
            result[child.pk] = Figures(members=members.get(child.path, 0))
            continue
        stats = getattr(child, "stats", None)
        result[child.pk] = Figures(members=stats.members_total if stats else 0)
    facets = ("org_kind", meeting_tallies.DONE, *MONTHLY_FACETS, *CURRENT_FACETS)
    prefix = f"{year:04d}"
    for pk, counts in tallies.figures_of_many(ids, facets).items():
        f = result[pk]
        f.branches = sum(counts.get("org_kind", Counter()).get(kind, 0) for kind in BRANCH_KINDS)
        for facet in MONTHLY_FACETS:
            f.monthly[facet] = sum(n for bucket, n in counts.get(facet, Counter()).items() if bucket.startswith(prefix))
        for facet in CURRENT_FACETS:
            f.current[facet] = counts.get(facet, Counter()).get("", 0)
        compliance = meeting_tallies.compliance(counts, year, today, required)
        f.meetings_done, f.meetings_required = compliance.done, compliance.required
    study = (
        PeriodStats.objects.filter(organization_id__in=ids, period__opens_at__year=year)
        .values("organization_id")
        .annotate(members=Sum("members"), participants=Sum("participants"))
    )
    for row in study:
        f = result[row["organization_id"]]
        f.study_members, f.study_participants = row["members"] or 0, row["participants"] or 0
    return result


def scale(value: float, low: float, high: float, *, lower_is_better: bool) -> Decimal:
    """``value`` on 0–100 among values from ``low`` to ``high`` (see the module's docstring)."""
    if high == low:
        return HUNDRED if (lower_is_better or value > 0) else Decimal(0)
    share = (high - value) / (high - low) if lower_is_better else (value - low) / (high - low)
    return (Decimal(repr(share)) * HUNDRED).quantize(CENT, ROUND_HALF_UP)


def score_rows(rows: list[Row], weights: dict[str, int], kept: frozenset[str]) -> None:
    """Fill each row's parts: every indicator scaled among ``rows``, weighted."""
    for indicator in INDICATORS:
        counted = is_counted(indicator, kept)
        raws = [indicator.raw(row.figures) if counted else 0.0 for row in rows]
        low, high = (min(raws), max(raws)) if raws else (0.0, 0.0)
        best = low if indicator.lower_is_better else high
        weight = weights.get(indicator.key, 0)
        for row, raw in zip(rows, raws, strict=True):
            scaled = scale(raw, low, high, lower_is_better=indicator.lower_is_better) if counted else Decimal(0)
            contribution = (Decimal(weight) * scaled / HUNDRED).quantize(CENT, ROUND_HALF_UP)
            row.parts.append(Part(indicator, counted, raw, scaled, weight, contribution, best))


def index_of(org: Organization, year: int, today: datetime.date | None = None) -> Index:
    """``org``'s children scored for ``year``: ranked by score when ``org`` has switched rankings on, else listed
    by name (no rank given); stars by ``org``'s own minimums. Per member: the members at the end of a past year,
    today's for this one."""
    today = today or timezone.localdate()
    on = assessed_on(year, today)
    weights = weights_in_force(org, on)
    children = list(
        Organization.objects.filter(parent=org, status=OrgStatus.ACTIVE).select_related("stats").order_by("name", "pk")
    )
    members = members_at_year_end(org, year) if year < today.year else None
    figures = figures_of(children, year, members, today)
    scheme = own_scheme(org)
    grades = scheme.grades()
    rows = [Row(child, figures[child.pk], grades=grades) for child in children]
    kept = counted_facets()
    score_rows(rows, weights.percents, kept)
    ranked = scheme.rankings
    if ranked:
        rows.sort(key=lambda r: (-r.score, r.org.name, r.org.pk))
        for position, row in enumerate(rows, start=1):
            row.rank = position
    uncounted = [i for i in INDICATORS if not is_counted(i, kept)]
    return Index(org, year, on, weights, ranked, rows, uncounted, grades)


def as_dict(index: Index) -> dict[str, Any]:
    """The index as JSON (the API; the page shows the same)."""
    weights = index.weights
    return {
        "organization": {"id": index.org.pk, "name": index.org.name},
        "year": index.year,
        "assessed_on": index.on.isoformat(),
        "rankings": index.rankings,
        "stars": {str(stars): low for low, stars in index.grades},  # stars -> the lowest score that earns them
        "weights": {
            "default": weights.is_default,
            "owner": weights.owner.pk if weights.owner else None,
            "valid_from": weights.version.valid_from.isoformat() if weights.version else None,
            "percents": weights.percents,
        },
        "indicators": [
            {"key": i.key, "label": str(i.label), "dimension": i.dimension, "unit": str(i.unit),
             "lower_is_better": i.lower_is_better, "counted": i not in index.uncounted}
            for i in INDICATORS
        ],
        "children": [
            {"id": row.org.pk, "name": row.org.name, "rank": row.rank, "score": str(row.score), "stars": row.stars,
             "members": row.figures.members,
             "parts": [
                 {"indicator": p.indicator.key, "counted": p.counted, "raw": round(p.raw, 2), "scaled": str(p.scaled),
                  "weight": p.weight, "contribution": str(p.contribution), "gap": str(p.gap), "best": round(p.best, 2)}
                 for p in row.parts
             ]}
            for row in index.rows
        ],
    }  # fmt: skip
