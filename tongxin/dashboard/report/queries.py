"""The figures of an annual report (团内统计年报) of an organisation's subtree for a calendar year.

Every figure comes from a grouped aggregate query, never from a loop over people: members at the start and the
end of the year and their changes are one query over ``Membership`` grouped by the direct child's path prefix
(each column a filtered COUNT by date and reason); organisations one query grouped by kind and category;
cadres one query grouped by title; dues one query grouped by kind. A report (this year and last year for the
year-on-year table) is a fixed dozen queries whatever the number of people.

A stay (``Membership``) counts in a year's figures by its dates, half-open as the services write them (a move
on day D ends the old stay on D and starts the new one on D):

* at the start of the year: begun before 1 January and not ended before it;
* at the end of the year: begun before the next 1 January and not ended before it;
* in-flows: begun in the year, by ``start_reason``; out-flows: ended in the year, by ``end_reason``.

So for every row, start + in-flows − out-flows = end, which the logic checks verify. Memberships keep their
branch's path, which moves with its subtree: a past year is reported in today's shape of the tree.

Transfers count only across a border, as the League's forms count them: a stay ended by a transfer whose
person's next stay begins inside the border the same day (by a transfer) is a move inside, and so is that next
stay; both are left out. For the total row the border is the reporting organisation's (its whole subtree); for
a child's row it is the child's, so a move between two children counts out of one row and into the other, a
move between two branches of the same child counts in neither, and a child's row equals the total of the
child's own report. start + in − out = end holds for every row and the total. A second grouped query, over
the stays a transfer ended or began in the year only, finds the moves with correlated EXISTS over
``Membership`` (the person's other stays, found by the person index); the rows add up to the total less the
moves between them, which the member table states (``internal_transfers``).

The figures are plain JSON-ready data: the page, the API, the files and a submission all use the same dict.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core.exceptions import DomainError
from tongxin.core.scoping import subtree_q
from tongxin.dashboard.report.models import FIRST_YEAR
from tongxin.lifecycle.models import DuesKind, DuesPayment
from tongxin.orgs.models import STEP_WIDTH, Organization, OrgCategory, OrgKind, OrgStats, OrgStatus
from tongxin.people.models import CadrePosition, CadreTitle, Membership

Reason = Membership.Reason

# The member table's columns, in order: (key, heading).
MEMBER_COLUMNS: list[tuple[str, Any]] = [
    ("start", gettext_lazy("Members at the start of the year")),
    ("joined", gettext_lazy("Joined")),
    ("transferred_in", gettext_lazy("Transferred in")),
    ("other_in", gettext_lazy("Registered or corrected in")),
    ("transferred_out", gettext_lazy("Transferred out")),
    ("aged_out", gettext_lazy("Aged out")),
    ("lapsed", gettext_lazy("Lapsed")),
    ("left", gettext_lazy("Left")),
    ("other_out", gettext_lazy("Corrected or other out")),
    ("end", gettext_lazy("Members at the end of the year")),
]
MEMBER_KEYS = [key for key, _label in MEMBER_COLUMNS]
# In-flows by the reason a stay began, out-flows by the reason it ended; "other" takes every other reason
# (registered in the system, corrections), so that start + in − out = end holds for every row.
INFLOWS: dict[str, list[str]] = {"joined": [Reason.JOINED], "transferred_in": [Reason.TRANSFER]}
OUTFLOWS: dict[str, list[str]] = {
    "transferred_out": [Reason.TRANSFER],
    "aged_out": [Reason.AGED_OUT],
    "lapsed": [Reason.LAPSED],
    "left": [Reason.LEFT],
}
IN_KEYS = [*INFLOWS, "other_in"]
OUT_KEYS = [*OUTFLOWS, "other_out"]

# The year-on-year table: (key, heading). A decrease of any of these needs an explanation to submit.
COMPARED: list[tuple[str, Any]] = [
    ("members_end", gettext_lazy("Members at the end of the year")),
    ("joined", gettext_lazy("Members joined")),
    ("transferred_in", gettext_lazy("Members transferred in")),
    ("organizations", gettext_lazy("Organisations at the end of the year")),
    ("branches", gettext_lazy("League branches at the end of the year")),
    ("cadres", gettext_lazy("Cadre positions held at the end of the year")),
    ("dues", gettext_lazy("Dues collected (yuan)")),
]


def check_year(year: int | None, today: datetime.date | None = None) -> int:
    """``year`` if a report may be made for it: not in the future, not before the window. DomainError else."""
    today = today or timezone.localdate()
    if year is None:
        return today.year
    if year > today.year:
        raise DomainError("year", _("%(year)s has not begun: a report is made for this year or a past one.")
                          % {"year": year})  # fmt: skip
    if year < FIRST_YEAR:
        raise DomainError("year", _("There is no report before %(year)s.") % {"year": FIRST_YEAR})
    return year


def _bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def _label(choices: Any, key: str) -> str:
    names = {str(k): v for k, v in choices}
    return str(names.get(key, key or _("not recorded")))


# --- members ------------------------------------------------------------------------------------------------


def _transfer_pairs(inside: QuerySet[Membership]) -> tuple[Q, Q]:
    """Conditions on a stay (the outer row) given the stays ``inside`` a border: ``out``, the same person's next
    stay begins inside the same day by a transfer; ``in_``, the same person's previous stay, inside, ended the
    same day by a transfer. With a stay ended (begun) by a transfer: a transfer that stays inside the border."""
    mine = inside.filter(person=OuterRef("person"))
    out = Q(Exists(mine.filter(start=OuterRef("end"), start_reason=Reason.TRANSFER)))
    in_ = Q(Exists(mine.filter(end=OuterRef("start"), end_reason=Reason.TRANSFER)))
    return out, in_


def held_at_year_end(year: int) -> Q:
    """Stays held at the end of ``year``: begun before the next 1 January and not ended before it. The one
    definition of "a member at the year's end", for the report's member table and the index's past years."""
    next_jan1 = datetime.date(year + 1, 1, 1)
    return Q(start__lt=next_jan1) & (Q(end__isnull=True) | Q(end__gte=next_jan1))


def members_at_year_end(org: Organization, year: int) -> dict[str, int]:
    """The members at the end of ``year`` per unit (the path of a direct child of ``org``, or ``org``'s own path
    for stays in ``org`` itself), as the member table's ``end`` column: one query grouped by the unit."""
    width = len(org.path) + STEP_WIDTH
    rows = (
        Membership.objects.filter(subtree_q("org_path", org.path))
        .filter(held_at_year_end(year))
        .annotate(unit=Substr("org_path", 1, width))
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["unit"]: row["n"] for row in rows}


def member_flows(org: Organization, year: int) -> dict[str, dict[str, int]]:
    """Per unit (the path of a direct child of ``org``, or ``org``'s own path for stays in ``org`` itself), the
    member table's columns for ``year``, every transfer counted (:func:`transfers_inside` says which stay inside a
    border): one GROUP BY query over the subtree's memberships."""
    jan1, next_jan1 = _bounds(year)
    began = Q(start__gte=jan1, start__lt=next_jan1)
    ended = Q(end__gte=jan1, end__lt=next_jan1)
    aggregates: dict[str, Any] = {
        "start": Count("pk", filter=Q(start__lt=jan1) & (Q(end__isnull=True) | Q(end__gte=jan1))),
        "end": Count("pk", filter=held_at_year_end(year)),
    }
    for key, reasons in INFLOWS.items():
        aggregates[key] = Count("pk", filter=began & Q(start_reason__in=reasons))
    aggregates["other_in"] = Count("pk", filter=began & ~Q(start_reason__in=[r for rs in INFLOWS.values() for r in rs]))
    for key, reasons in OUTFLOWS.items():
        aggregates[key] = Count("pk", filter=ended & Q(end_reason__in=reasons))
    aggregates["other_out"] = Count("pk", filter=ended & ~Q(end_reason__in=[r for rs in OUTFLOWS.values() for r in rs]))
    width = len(org.path) + STEP_WIDTH
    rows = (
        Membership.objects.filter(subtree_q("org_path", org.path), start__lt=next_jan1)
        .filter(Q(end__isnull=True) | Q(end__gte=jan1))
        .annotate(unit=Substr("org_path", 1, width))
        .values("unit")
        .annotate(**{f"n_{key}": aggregate for key, aggregate in aggregates.items()})  # not the fields' names
        .order_by()
    )
    found: dict[str, dict[str, int]] = {}
    for values in rows:
        data: dict[str, Any] = dict(values)
        found[data["unit"]] = {key: data[f"n_{key}"] for key in MEMBER_KEYS}
    return found


# The columns of transfers_inside: (out, in) inside the unit, and (out, in) between the unit and another one.
UNIT_OUT, UNIT_IN, BETWEEN_OUT, BETWEEN_IN = "unit_out", "unit_in", "between_out", "between_in"


def transfers_inside(org: Organization, year: int) -> dict[str, dict[str, int]]:
    """Per unit (as :func:`member_flows`), the transfers of ``year`` that stay inside a border: inside the unit
    (:data:`UNIT_OUT`, :data:`UNIT_IN`), or between the unit and another unit of ``org``'s subtree
    (:data:`BETWEEN_OUT`, :data:`BETWEEN_IN`). One GROUP BY query over the stays a transfer ended or began in the
    year only, with correlated EXISTS over the person's other stays (the person index): kept apart from
    :func:`member_flows` so that query stays a plain aggregate (PostgreSQL runs it in parallel; a subquery in it
    would not let it, which made the root's report at 100× three times slower)."""
    jan1, next_jan1 = _bounds(year)
    width = len(org.path) + STEP_WIDTH
    subtree = Membership.objects.filter(subtree_q("org_path", org.path))
    same_unit = subtree.annotate(unit=Substr("org_path", 1, width)).filter(unit=Substr(OuterRef("org_path"), 1, width))
    in_unit, in_subtree = _transfer_pairs(same_unit), _transfer_pairs(subtree)
    transfer_out = Q(end__gte=jan1, end__lt=next_jan1, end_reason=Reason.TRANSFER)
    transfer_in = Q(start__gte=jan1, start__lt=next_jan1, start_reason=Reason.TRANSFER)
    rows = (
        subtree.filter(transfer_out | transfer_in)
        .annotate(unit=Substr("org_path", 1, width))
        .values("unit")
        .annotate(
            n_unit_out=Count("pk", filter=transfer_out & in_unit[0]),
            n_unit_in=Count("pk", filter=transfer_in & in_unit[1]),
            n_subtree_out=Count("pk", filter=transfer_out & in_subtree[0]),
            n_subtree_in=Count("pk", filter=transfer_in & in_subtree[1]),
        )
        .order_by()
    )
    return {
        row["unit"]: {
            UNIT_OUT: row["n_unit_out"], UNIT_IN: row["n_unit_in"],
            BETWEEN_OUT: row["n_subtree_out"] - row["n_unit_out"],  # the unit is inside the subtree
            BETWEEN_IN: row["n_subtree_in"] - row["n_unit_in"],
        }
        for row in rows
    }  # fmt: skip


def _zero() -> dict[str, int]:
    return dict.fromkeys(MEMBER_KEYS, 0)


def member_table(org: Organization, year: int) -> dict[str, Any]:
    """The member table: one row per direct child with figures (and one for ``org`` itself when members sit in
    it directly), the total row (transfers across ``org``'s border only), the transfers between the rows that
    the total leaves out (``internal_transfers``), and the columns."""
    flows = member_flows(org, year)
    inside = transfers_inside(org, year)
    for unit, moves in inside.items():  # a move inside a unit crosses no row's border
        flows[unit]["transferred_out"] -= moves[UNIT_OUT]
        flows[unit]["transferred_in"] -= moves[UNIT_IN]
    between_out = sum(moves[BETWEEN_OUT] for moves in inside.values())
    between_in = sum(moves[BETWEEN_IN] for moves in inside.values())
    children = {
        child.path: child
        for child in Organization.objects.filter(parent=org).only("pk", "name", "path", "code", "status")
    }  # a committee has tens of children, a district about sixty: their names, one query
    rows: list[dict[str, Any]] = []
    if org.path in flows:
        rows.append({"id": org.pk, "name": str(_("Directly in %(org)s") % {"org": org.name}), **flows[org.path]})
    for path, child in sorted(children.items(), key=lambda item: (item[1].code, item[0])):
        if path in flows:
            rows.append({"id": child.pk, "name": child.name, **flows[path]})
        elif child.status == OrgStatus.ACTIVE:
            rows.append({"id": child.pk, "name": child.name, **_zero()})
    total = _zero()
    for figures in flows.values():
        for key in MEMBER_KEYS:
            total[key] += figures[key]
    total["transferred_out"] -= between_out
    total["transferred_in"] -= between_in
    return {
        "columns": [{"key": key, "label": str(label)} for key, label in MEMBER_COLUMNS],
        "rows": rows,
        "total": total,
        "internal_transfers": {"transferred_out": between_out, "transferred_in": between_in},
    }


# --- organisations, cadres, dues ---------------------------------------------------------------------------


def _existing_at(day: datetime.date) -> Q:
    """Organisations that existed at the end of ``day``: established by then (or no date kept), and not
    dissolved by then (a dissolved one without a date is taken as gone)."""
    established = Q(established__isnull=True) | Q(established__lte=day)
    dissolved = Q(dissolved_on__isnull=False, dissolved_on__lte=day) | Q(
        status=OrgStatus.DISSOLVED, dissolved_on__isnull=True
    )
    return established & ~dissolved


def organization_table(org: Organization, year: int) -> dict[str, Any]:
    """Organisations of the subtree (``org`` included) at the year's end, by kind and by category: one query
    grouped by both."""
    _jan1, next_jan1 = _bounds(year)
    day = next_jan1 - datetime.timedelta(days=1)
    rows = (
        Organization.objects.filter(subtree_q("path", org.path))
        .filter(_existing_at(day))
        .values("kind", "category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_kind: dict[str, int] = {}
    by_category: dict[str, int] = {}
    for row in rows:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["n"]
        by_category[row["category"]] = by_category.get(row["category"], 0) + row["n"]
    return {
        "by_kind": [{"key": k, "label": _label(OrgKind.choices, k), "count": by_kind[k]}
                    for k in OrgKind.values if k in by_kind],
        "by_category": [{"key": k, "label": _label(OrgCategory.choices, k), "count": by_category[k]}
                        for k in OrgCategory.values if k in by_category],
        "total": sum(by_kind.values()),
        "total_by_category": sum(by_category.values()),
    }  # fmt: skip


def cadre_table(org: Organization, year: int) -> dict[str, Any]:
    """Cadre positions of the subtree held at the year's end, by title: one grouped query."""
    _jan1, next_jan1 = _bounds(year)
    day = next_jan1 - datetime.timedelta(days=1)
    rows = (
        CadrePosition.objects.filter(subtree_q("org_path", org.path), start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .values("title")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["title"]: row["n"] for row in rows}
    return {
        "by_title": [{"key": k, "label": _label(CadreTitle.choices, k), "count": counts[k]}
                     for k in CadreTitle.values if k in counts],
        "total": sum(counts.values()),
    }  # fmt: skip


def dues_rows(org: Organization, year: int) -> QuerySet[Any, Any]:
    """The dues paid in the subtree during the year, summed by kind (served by the index ``dues_paid_on_idx``:
    the path's prefix range, then the days paid)."""
    jan1, next_jan1 = _bounds(year)
    return (
        DuesPayment.objects.filter(subtree_q("org_path", org.path), paid_on__gte=jan1, paid_on__lt=next_jan1)
        .values("kind")
        .annotate(amount=Sum("amount"), payments=Count("pk"))
        .order_by()
    )


def dues_table(org: Organization, year: int) -> dict[str, Any]:
    """Dues paid in the subtree during the year (by the day paid), by kind: one grouped query. Amounts are
    strings of yuan with two decimals (exact, JSON-ready)."""
    rows = dues_rows(org, year)
    sums = {row["kind"]: (Decimal(row["amount"] or 0), row["payments"]) for row in rows}
    total = sum((amount for amount, _n in sums.values()), Decimal(0))
    return {
        "by_kind": [{"key": k, "label": _label(DuesKind.choices, k), "amount": f"{sums[k][0]:.2f}",
                     "payments": sums[k][1]} for k in DuesKind.values if k in sums],
        "amount": f"{total:.2f}",
        "payments": sum(n for _amount, n in sums.values()),
    }  # fmt: skip


# --- the report ---------------------------------------------------------------------------------------------


def year_figures(org: Organization, year: int) -> dict[str, Any]:
    """The four tables of ``org``'s subtree for ``year`` (six queries)."""
    return {
        "members": member_table(org, year),
        "organizations": organization_table(org, year),
        "cadres": cadre_table(org, year),
        "dues": dues_table(org, year),
    }


def compared_values(figures: dict[str, Any]) -> dict[str, Any]:
    """The year-on-year table's values of one year's figures."""
    total = figures["members"]["total"]
    branches = sum(row["count"] for row in figures["organizations"]["by_kind"] if row["key"] == OrgKind.BRANCH)
    return {
        "members_end": total["end"],
        "joined": total["joined"],
        "transferred_in": total["transferred_in"],
        "organizations": figures["organizations"]["total"],
        "branches": branches,
        "cadres": figures["cadres"]["total"],
        "dues": figures["dues"]["amount"],
    }


def comparison(this_year: dict[str, Any], last_year: dict[str, Any]) -> list[dict[str, Any]]:
    """This year against last year, row by row; ``decrease`` marks the rows that need an explanation."""
    now, before = compared_values(this_year), compared_values(last_year)
    rows = []
    for key, label in COMPARED:
        a, b = Decimal(str(now[key])), Decimal(str(before[key]))
        change = a - b
        rows.append({
            "key": key, "label": str(label), "this_year": now[key], "last_year": before[key],
            "change": f"{change:.2f}" if key == "dues" else int(change), "decrease": change < 0,
        })  # fmt: skip
    return rows


def _negatives(figures: dict[str, Any]) -> list[str]:
    """Where a figure is below zero (names of the rows)."""
    found = []
    members = figures["members"]
    for row in [*members["rows"], {"name": str(_("Total")), **members["total"]}]:
        if any(row[key] < 0 for key in MEMBER_KEYS):
            found.append(row["name"])
    for table, rows in (("organizations", "by_kind"), ("organizations", "by_category"), ("cadres", "by_title")):
        found += [row["label"] for row in figures[table][rows] if row["count"] < 0]
    found += [row["label"] for row in figures["dues"]["by_kind"] if Decimal(row["amount"]) < 0]
    return found


def logic_checks(org: Organization, year: int, figures: dict[str, Any], last_year: dict[str, Any],
                 today: datetime.date) -> list[dict[str, Any]]:  # fmt: skip
    """The checks listed before an export: each ``{"key", "label", "ok", "detail"}``."""
    checks: list[dict[str, Any]] = []

    def add(key: str, label: str, bad: list[str]) -> None:
        checks.append({"key": key, "label": label, "ok": not bad, "detail": "; ".join(bad)})

    members = figures["members"]
    rows = [*members["rows"], {"name": str(_("Total")), **members["total"]}]
    add("balance", str(_("Start + joined + transferred in + other in − transferred out − aged out − lapsed − left "
                         "− other out = end, for every row")),
        [row["name"] for row in rows
         if row["start"] + sum(row[k] for k in IN_KEYS) - sum(row[k] for k in OUT_KEYS) != row["end"]])  # fmt: skip
    internal = members["internal_transfers"]
    add("rows_sum", str(_("The rows of the member table add up to its total, less the transfers between them")),
        [str(label) for key, label in MEMBER_COLUMNS
         if sum(row[key] for row in members["rows"]) - internal.get(key, 0) != members["total"][key]])  # fmt: skip
    orgs = figures["organizations"]
    add("org_totals", str(_("Organisations by kind and by category give the same total")),
        [] if orgs["total"] == orgs["total_by_category"]
        else [f"{orgs['total']} ≠ {orgs['total_by_category']}"])  # fmt: skip
    last_end, this_start = last_year["members"]["total"]["end"], members["total"]["start"]
    add("carried_over", str(_("Members at the start of the year equal members at the end of last year")),
        [] if last_end == this_start else [f"{this_start} ≠ {last_end}"])  # fmt: skip
    if year == today.year:
        stats = OrgStats.objects.filter(pk=org.pk).values_list("members_total", flat=True).first() or 0
        add("rollups", str(_("Members at the end of the year agree with the current member count")),
            [] if stats == members["total"]["end"] else [f"{members['total']['end']} ≠ {stats}"])  # fmt: skip
    add("no_negative", str(_("No figure is negative")), _negatives(figures))
    return checks


def annual_report(org: Organization, year: int, today: datetime.date | None = None) -> dict[str, Any]:
    """``org``'s report of ``year`` (checked by :func:`check_year`), with last year's figures for the
    year-on-year table and the logic checks: a dozen queries whatever the size of the subtree. A year without
    data is an empty report (every figure 0), not an error."""
    today = today or timezone.localdate()
    year = check_year(year, today)
    figures = year_figures(org, year)
    last_year = year_figures(org, year - 1)
    members = figures["members"]["total"]
    empty = not any(members.values()) and not figures["cadres"]["total"] and not figures["dues"]["payments"]
    return {
        "organization": {"id": org.pk, "name": org.name, "kind": org.kind},
        "year": year,
        "empty": empty,
        **figures,
        "comparison": comparison(figures, last_year),
        "checks": logic_checks(org, year, figures, last_year, today),
    }


def decreases(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The year-on-year rows that went down."""
    return [row for row in report["comparison"] if row["decrease"]]
