"""The 三力一度 index: an organisation's children scored from the roll-ups with each indicator's contribution,
weights set by an organisation's admin (adding up to 100%, versioned), a ranking only where switched on, the
same in the API; out of scope is 404, a year to come is refused."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import person_data
from tongxin.dashboard.index import scores, services
from tongxin.dashboard.index.indicators import (
    CURRENT_FACETS,
    DEFAULT_WEIGHTS,
    INDICATORS,
    MONTHLY_FACETS,
    Dimension,
    stars_for,
)
from tongxin.dashboard.models import IndexScheme, IndexWeightsVersion
from tongxin.dashboard.report import queries as report_queries
from tongxin.orgs import tallies
from tongxin.orgs.models import OrgKind
from tongxin.orgs.services import create_organization
from tongxin.people.models import Person
from tongxin.people.services import create_person, update_person

THIS_YEAR = timezone.localdate().year


def saved_on(monkeypatch, day: datetime.date, **kwargs):
    """``services.set_weights`` as it ran on ``day``: a version may not start before the day it is saved, so a past
    year's weights were saved back then."""
    with monkeypatch.context() as patched:
        patched.setattr(services.timezone, "localdate", lambda: day)
        return services.set_weights(**kwargs)


@pytest.fixture
def counted(monkeypatch):
    """The feature facets kept (as they will be once their apps count them): a source for each not yet kept."""
    missing = set(MONTHLY_FACETS + CURRENT_FACETS) - scores.counted_facets()
    if missing:
        monkeypatch.setitem(tallies._SOURCES, "index-test", tallies.Source("index-test", frozenset(missing), list))


def count(org, facet: str, n: int, year: int = THIS_YEAR, month: int = 3) -> None:
    bucket = "" if facet in CURRENT_FACETS else f"{year:04d}{month:02d}"
    tallies.adjust({(org.path, facet, bucket): n})


def rows_by_name(data) -> dict[str, dict]:
    return {c["name"]: c for c in data["children"]}


def part(row, key: str) -> dict:
    return next(p for p in row["parts"] if p["indicator"] == key)


def test_the_default_template_adds_up_to_100_and_grades_by_stars():
    assert sum(DEFAULT_WEIGHTS.values()) == 100 and set(DEFAULT_WEIGHTS) == {i.key for i in INDICATORS}
    by_dimension = {d.value: sum(DEFAULT_WEIGHTS[i.key] for i in INDICATORS if i.dimension == d) for d in Dimension}
    assert by_dimension == {"organising": 35, "cohesion": 30, "service": 25, "contribution": 10}
    assert (DEFAULT_WEIGHTS["bookings"], DEFAULT_WEIGHTS["points_per_member"]) == (5, 5)
    assert [stars_for(s) for s in (Decimal("95"), Decimal("90"), Decimal("89.99"), 80, 79, 70, Decimal("69.99"))] == [
        5, 5, 4, 4, 3, 3, 0
    ]  # fmt: skip


def test_children_are_scored_with_each_contribution(client, tree, users, counted):
    count(tree.branch_a, "meetings_held", 10)
    count(tree.branch_b, "meetings_held", 5)
    count(tree.branch_a, "volunteer_minutes", 120)  # 2 members: one hour each
    count(tree.branch_a, "meetings_held", 40, year=THIS_YEAR - 1)  # another year: not counted in this one
    client.force_login(users.committee_admin)
    page = client.get(reverse("dashboard:index", args=[tree.committee1.pk]))
    assert page.status_code == 200
    index = page.context["index"]
    # Listed by name (no ranking switched on): 乙 before 甲 in code point order, no rank given.
    assert [r.org for r in index.rows] == [tree.branch_b, tree.branch_a]
    assert all(r.rank is None for r in index.rows) and "rank-column" not in page.content.decode()
    a = rows_by_name(client.get(reverse("index-detail", args=[tree.committee1.pk])).json())["甲团支部"]
    b = rows_by_name(client.get(reverse("index-detail", args=[tree.committee1.pk])).json())["乙团支部"]
    # Meetings per branch 10 against 5: A the best (100 × 5%), B the weakest (0); volunteer hours 1 against 0;
    # open transfers equal (0) and lower is better: full marks for both; nothing else recorded (no required
    # meeting held by either: 0 for both): 0.
    assert part(a, "meetings_per_branch") | {"raw": 10.0, "scaled": "100.00", "contribution": "5.00"} == part(
        a, "meetings_per_branch"
    )
    assert part(b, "meetings_per_branch")["contribution"] == "0.00" and part(b, "meetings_per_branch")["gap"] == "5.00"
    assert part(b, "meetings_per_branch")["best"] == 10.0  # what full marks take
    assert part(a, "volunteer_hours")["raw"] == 1.0
    assert (a["score"], b["score"]) == ("25.00", "5.00")  # 5 + 15 + 5 ; 5 (open transfers)
    for row in (a, b):
        assert sum(Decimal(p["contribution"]) for p in row["parts"]) == Decimal(row["score"])
    assert (a["stars"], b["stars"]) == (0, 0)


def test_contributions_add_up_to_the_score_whatever_the_figures(tree, counted):
    extra = [create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name=f"团支部{i}", code=f"X{i}")
             for i in range(4)]  # fmt: skip
    for i, org in enumerate([tree.branch_a, tree.branch_b, *extra]):
        count(org, "meetings_held", (7 * i) % 5 + 1)
        count(org, "dues_cents", 333 * i)
        count(org, "honours", i % 3)
        count(org, "transfers_open", i % 2)
        count(org, "volunteer_minutes", 17 * i)
    index = scores.index_of(tree.committee1, THIS_YEAR)
    for row in index.rows:
        assert row.score == sum(p.contribution for p in row.parts)
        assert Decimal(0) <= row.score <= Decimal(100)
        assert row.by_dimension and sum(v for _label, v in row.by_dimension) == row.score


def test_a_facet_not_yet_kept_counts_0_and_the_page_says_so(client, tree, users, monkeypatch):
    monkeypatch.setattr(scores, "counted_facets", lambda: frozenset())  # no app keeps the feature facets yet
    count(tree.branch_a, "meetings_held", 10)
    client.force_login(users.committee_admin)
    page = client.get(reverse("dashboard:index", args=[tree.committee1.pk]))
    assert 'data-testid="not-yet-counted"' in page.content.decode() and "尚未统计" in page.content.decode()
    uncounted = {i.key for i in page.context["index"].uncounted}
    assert "meetings_per_branch" in uncounted and "study_rate" not in uncounted
    data = client.get(reverse("index-detail", args=[tree.committee1.pk])).json()
    a = rows_by_name(data)["甲团支部"]
    assert part(a, "meetings_per_branch") | {"counted": False, "contribution": "0.00"} == part(a, "meetings_per_branch")
    assert {i["key"]: i["counted"] for i in data["indicators"]}["study_rate"] is True


def test_the_ranking_is_shown_only_once_switched_on(client, tree, users, counted):
    count(tree.branch_a, "meetings_held", 10)
    count(tree.branch_b, "meetings_held", 5)
    client.force_login(users.committee_admin)
    url = reverse("dashboard:index", args=[tree.committee1.pk])
    assert [r.rank for r in client.get(url).context["index"].rows] == [None, None]
    assert client.post(reverse("dashboard:index_rankings", args=[tree.committee1.pk]), {"on": "1"}).status_code == 302
    page = client.get(url)
    index = page.context["index"]
    assert "rank-column" in page.content.decode()
    assert index.rankings and [(r.rank, r.org) for r in index.rows] == [(1, tree.branch_a), (2, tree.branch_b)]
    entry = ChangeLog.objects.filter(content_type__model="indexscheme").latest("id")
    assert entry.before == {"rankings": False} and entry.after == {"rankings": True}
    # Committee 1's choice, not its parent's: the district's page of committees is still listed by name.
    assert scores.index_of(tree.root, THIS_YEAR).rankings is False
    data = client.post(reverse("index-rankings", args=[tree.committee1.pk]), {"on": False},
                       content_type="application/json").json()  # fmt: skip
    assert data == {"organization": tree.committee1.pk, "rankings": False}
    assert [c["rank"] for c in client.get(reverse("index-detail", args=[tree.committee1.pk])).json()["children"]] == [
        None, None
    ]  # fmt: skip


def test_a_secretary_reads_her_branch_but_may_not_switch_or_weigh(client, tree, users, api_for):
    client.force_login(users.secretary_a)
    assert client.get(reverse("dashboard:index", args=[tree.branch_a.pk])).status_code == 200
    assert client.post(reverse("dashboard:index_rankings", args=[tree.branch_a.pk]), {"on": "1"}).status_code == 404
    assert client.get(reverse("dashboard:index_weights", args=[tree.branch_a.pk])).status_code == 404
    api = api_for(users.secretary_a)
    assert api.post(reverse("index-rankings", args=[tree.branch_a.pk]), {"on": True}, format="json").status_code == 403
    assert api.get(reverse("index-weights", args=[tree.branch_a.pk])).status_code == 403
    assert not IndexScheme.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "member", "secretary_b"])
def test_an_organisation_out_of_scope_is_404(client, tree, users, api_for, who):
    user = getattr(users, who)
    client.force_login(user)
    target = tree.committee1 if who != "secretary_b" else tree.branch_a
    for name in ("dashboard:index", "dashboard:index_weights"):
        assert client.get(reverse(name, args=[target.pk])).status_code == 404
    assert client.post(reverse("dashboard:index_rankings", args=[target.pk]), {"on": "1"}).status_code == 404
    api = api_for(user)
    assert api.get(reverse("index-detail", args=[target.pk])).status_code == 404
    weights = {"valid_from": f"{THIS_YEAR + 1}-01-01", **DEFAULT_WEIGHTS}
    assert api.post(reverse("index-weights", args=[target.pk]), weights, format="json").status_code == 404
    assert not IndexScheme.objects.exists()


def test_weights_not_adding_up_to_100_are_refused_naming_the_total(client, tree, users, api_for):
    weights = dict(DEFAULT_WEIGHTS, honours=0)  # 90
    next_year = f"{THIS_YEAR + 1}-01-01"
    api = api_for(users.district)
    response = api.post(reverse("index-weights", args=[tree.root.pk]), {"valid_from": next_year, **weights},
                        format="json")  # fmt: skip
    assert response.status_code == 400 and "90%" in str(response.json())
    client.force_login(users.district)
    page = client.post(reverse("dashboard:index_weights", args=[tree.root.pk]), {"valid_from": next_year, **weights})
    assert page.status_code == 400 and "90%" in page.content.decode()
    too_much = dict(DEFAULT_WEIGHTS, honours=101)
    assert api.post(reverse("index-weights", args=[tree.root.pk]), {"valid_from": next_year, **too_much},
                    format="json").status_code == 400  # fmt: skip
    assert not IndexWeightsVersion.objects.exists()


@pytest.mark.usefixtures("english", "counted")
def test_a_version_starting_before_today_is_refused_and_past_years_keep_their_scores(client, tree, users, api_for,
                                                                                    monkeypatch):  # fmt: skip
    today = timezone.localdate()
    only = {key: 0 for key in DEFAULT_WEIGHTS}
    saved_on(monkeypatch, datetime.date(THIS_YEAR - 1, 1, 1), actor=users.district, organization=tree.root,
             valid_from=datetime.date(THIS_YEAR - 1, 1, 1), weights=only | {"meetings_per_branch": 100})  # fmt: skip
    count(tree.branch_a, "meetings_held", 3, year=THIS_YEAR - 1)
    count(tree.branch_b, "volunteer_minutes", 600, year=THIS_YEAR - 1)
    before = scores.as_dict(scores.index_of(tree.committee1, THIS_YEAR - 1))
    yesterday = today - datetime.timedelta(days=1)
    hours = only | {"volunteer_hours": 100}
    with pytest.raises(DomainError) as refused:
        services.set_weights(users.district, tree.root, valid_from=yesterday, weights=hours)
    assert "valid_from" in refused.value.errors and "today or later" in str(refused.value)
    body = {"valid_from": f"{THIS_YEAR - 1}-06-01", **hours}
    response = api_for(users.district).post(reverse("index-weights", args=[tree.root.pk]), body, format="json")
    assert response.status_code == 400 and "today or later" in str(response.json()["valid_from"])
    client.force_login(users.district)
    page = client.post(reverse("dashboard:index_weights", args=[tree.root.pk]),
                       {"valid_from": yesterday.isoformat(), **hours})  # fmt: skip
    assert page.status_code == 400 and "today or later" in page.content.decode()
    assert IndexWeightsVersion.objects.count() == 1
    assert scores.as_dict(scores.index_of(tree.committee1, THIS_YEAR - 1)) == before
    assert rows_by_name(before)["甲团支部"]["score"] == "100.00"
    # From today on it is taken, and scores this year only.
    services.set_weights(users.district, tree.root, valid_from=today, weights=hours)
    assert scores.index_of(tree.committee1, THIS_YEAR).weights.percents["volunteer_hours"] == 100
    assert scores.as_dict(scores.index_of(tree.committee1, THIS_YEAR - 1)) == before


def test_a_new_version_scores_from_its_date_and_the_old_one_keeps_the_old_year(client, tree, users, api_for, counted,
                                                                               monkeypatch):  # fmt: skip
    old, new = THIS_YEAR - 1, THIS_YEAR
    only = {key: 0 for key in DEFAULT_WEIGHTS}
    meetings, hours = only | {"meetings_per_branch": 100}, only | {"volunteer_hours": 100}
    saved_on(monkeypatch, datetime.date(old - 1, 1, 1), actor=users.district, organization=tree.root,
             valid_from=datetime.date(old - 1, 1, 1), weights=meetings)  # fmt: skip
    api = api_for(users.district)
    with monkeypatch.context() as patched:  # the new version was saved on its first day
        patched.setattr(services.timezone, "localdate", lambda: datetime.date(new, 1, 1))
        response = api.post(reverse("index-weights", args=[tree.root.pk]), {"valid_from": f"{new}-01-01", **hours},
                            format="json")  # fmt: skip
    assert response.status_code == 200 and [v["valid_from"] for v in response.json()["versions"]] == [
        f"{new}-01-01", f"{old - 1}-01-01"
    ]  # fmt: skip
    for year in (old, new):
        count(tree.branch_a, "meetings_held", 3, year=year)  # A holds meetings, B gives volunteer hours
        count(tree.branch_b, "volunteer_minutes", 600, year=year)
    # The committee inherits the district's weights (it set none of its own).
    past = rows_by_name(api.get(reverse("index-detail", args=[tree.committee1.pk]), {"year": old}).json())
    now = rows_by_name(api.get(reverse("index-detail", args=[tree.committee1.pk]), {"year": new}).json())
    assert (past["甲团支部"]["score"], past["乙团支部"]["score"]) == ("100.00", "0.00")
    assert (now["甲团支部"]["score"], now["乙团支部"]["score"]) == ("0.00", "100.00")
    assert (past["甲团支部"]["stars"], now["乙团支部"]["stars"]) == (5, 5)
    # A version of the same day is corrected (on that day), the change audited; the older one stays.
    saved_on(monkeypatch, datetime.date(new, 1, 1), actor=users.district, organization=tree.root,
             valid_from=datetime.date(new, 1, 1), weights=DEFAULT_WEIGHTS)  # fmt: skip
    assert IndexWeightsVersion.objects.count() == 2
    entry = ChangeLog.objects.filter(action=ChangeLog.Action.UPDATE, content_type__model="indexweightsversion").get()
    assert entry.after is not None and entry.after["weights"] == DEFAULT_WEIGHTS
    # The weights page lists both versions for the district admin.
    client.force_login(users.district)
    page = client.get(reverse("dashboard:index_weights", args=[tree.root.pk]))
    assert page.status_code == 200 and len(page.context["versions"]) == 2


def test_a_committee_may_weigh_its_own_subtree(tree, users):
    own = {key: 0 for key in DEFAULT_WEIGHTS} | {"honours": 100}
    today = timezone.localdate()
    services.set_weights(users.committee_admin, tree.committee1, valid_from=today, weights=own)
    assert scores.index_of(tree.committee1, today.year).weights.percents["honours"] == 100
    assert scores.index_of(tree.root, today.year).weights.is_default  # the district's page keeps the template
    with pytest.raises(Exception) as refused:
        services.set_weights(users.committee_admin, tree.root, valid_from=today, weights=own)
    assert type(refused.value).__name__ == "PermissionDenied"


@pytest.mark.parametrize("year", [str(THIS_YEAR + 1), "1999", "abc", "2026.5"])
def test_a_year_to_come_or_not_a_year_is_refused(client, tree, users, api_for, year):
    client.force_login(users.committee_admin)
    page = client.get(reverse("dashboard:index", args=[tree.committee1.pk]), {"year": year})
    assert page.status_code == 400
    response = api_for(users.committee_admin).get(reverse("index-detail", args=[tree.committee1.pk]), {"year": year})
    assert response.status_code == 400 and "year" in response.json()


def test_the_query_count_does_not_grow_with_the_children(tree, users, api_for, counted):
    api = api_for(users.district)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(reverse("index-detail", args=[tree.committee1.pk])).status_code == 200
        return len(captured)

    queries()
    before = queries()
    for i in range(6):
        org = create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name=f"新团支部{i}", code=f"N{i}")
        count(org, "meetings_held", i)
    assert queries() == before


def test_each_indicator_is_scaled_among_those_compared():
    # The best gets 100, the weakest 0, the others in proportion; round the other way where lower is better.
    assert [scores.scale(v, 2.0, 6.0, lower_is_better=False) for v in (2.0, 3.0, 6.0)] == [
        Decimal("0.00"), Decimal("25.00"), Decimal("100.00")
    ]  # fmt: skip
    assert [scores.scale(v, 2.0, 6.0, lower_is_better=True) for v in (2.0, 3.0, 6.0)] == [
        Decimal("100.00"), Decimal("75.00"), Decimal("0.00")
    ]  # fmt: skip
    # All equal: full marks, except nothing done by anyone (0).
    assert scores.scale(4.0, 4.0, 4.0, lower_is_better=False) == 100
    assert scores.scale(0.0, 0.0, 0.0, lower_is_better=False) == 0
    assert scores.scale(0.0, 0.0, 0.0, lower_is_better=True) == 100


def test_per_member_figures_of_a_past_year_use_the_members_at_its_end(tree, users, api_for, counted):
    """Branch A had 3 members at the end of last year (one of them left this year) and has 4 today with the
    fixture's two registered today; branch B had 1 and has 2. An hour of volunteer service per member last year."""
    since = datetime.date(THIS_YEAR - 2, 3, 1)
    for branch, n in ((tree.branch_a, 3), (tree.branch_b, 1)):
        for _ in range(n):
            create_person(None, person_data(branch), since=since)
    leaver = Person.objects.filter(branch=tree.branch_a).latest("pk")
    update_person(None, leaver, {"status": "left"})
    for year in (THIS_YEAR - 1, THIS_YEAR):
        count(tree.branch_a, "volunteer_minutes", 180, year=year)
        count(tree.branch_b, "volunteer_minutes", 60, year=year)
    api = api_for(users.committee_admin)
    past = rows_by_name(api.get(reverse("index-detail", args=[tree.committee1.pk]), {"year": THIS_YEAR - 1}).json())
    now = rows_by_name(api.get(reverse("index-detail", args=[tree.committee1.pk])).json())
    assert (past["甲团支部"]["members"], past["乙团支部"]["members"]) == (3, 1)
    # The same members as the annual report's column "at the year's end", child by child.
    table = report_queries.member_table(tree.committee1, THIS_YEAR - 1)
    assert {row["name"]: row["end"] for row in table["rows"] if row["name"] in past} == {
        name: row["members"] for name, row in past.items()
    }
    assert [part(past[name], "volunteer_hours")["raw"] for name in ("甲团支部", "乙团支部")] == [1, 1]
    assert (now["甲团支部"]["members"], now["乙团支部"]["members"]) == (4, 2)  # today's, for the year under way
    assert [part(now[name], "volunteer_hours")["raw"] for name in ("甲团支部", "乙团支部")] == [0.75, 0.5]


def test_a_past_year_costs_one_more_query_whatever_the_children(tree, counted):
    def queries(year: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            scores.index_of(tree.committee1, year)
        return len(captured)

    this_year, last_year = queries(THIS_YEAR), queries(THIS_YEAR - 1)
    assert last_year == this_year + 1
    for i in range(4):
        create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name=f"旧团支部{i}", code=f"P{i}")
    assert queries(THIS_YEAR - 1) == last_year


def test_points_per_member_count_in_cohesion(tree, users, api_for):
    count(tree.branch_a, "points", 1000)  # hundredths: 10 points for A's 2 members
    count(tree.branch_b, "points", 100)  # 1 point for B's 1 member
    data = api_for(users.committee_admin).get(reverse("index-detail", args=[tree.committee1.pk])).json()
    indicator = next(i for i in data["indicators"] if i["key"] == "points_per_member")
    assert indicator["dimension"] == "cohesion" and indicator["counted"]  # the points app keeps the facet
    a, b = rows_by_name(data)["甲团支部"], rows_by_name(data)["乙团支部"]
    assert (part(a, "points_per_member")["raw"], part(b, "points_per_member")["raw"]) == (5.0, 1.0)
    assert part(a, "points_per_member") | {"weight": 5, "contribution": "5.00"} == part(a, "points_per_member")
    assert part(b, "points_per_member")["contribution"] == "0.00"


def test_star_minimums_are_the_organisations_own(client, tree, users, counted):
    count(tree.branch_a, "meetings_held", 10)
    count(tree.branch_b, "meetings_held", 5)  # A: 5 + 5 (open transfers, equal) = 10; B: 5
    client.force_login(users.committee_admin)
    url = reverse("dashboard:index", args=[tree.committee1.pk])
    assert [r.stars for r in client.get(url).context["index"].rows] == [0, 0]  # 90/80/70 by default
    response = client.post(reverse("dashboard:index_stars", args=[tree.committee1.pk]),
                           {"five_star_min": "10", "four_star_min": "7", "three_star_min": "5"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(url)
    assert [(r.org, r.stars) for r in page.context["index"].rows] == [(tree.branch_b, 3), (tree.branch_a, 5)]
    assert "5★ ≥ 10, 4★ ≥ 7, 3★ ≥ 5" in page.content.decode()
    entry = ChangeLog.objects.filter(content_type__model="indexscheme").latest("id")
    assert entry.before == {"five_star_min": 90, "four_star_min": 80, "three_star_min": 70}
    assert entry.after == {"five_star_min": 10, "four_star_min": 7, "three_star_min": 5}
    data = client.get(reverse("index-detail", args=[tree.committee1.pk])).json()
    assert data["stars"] == {"5": 10, "4": 7, "3": 5}
    # Not passed on: the district's page keeps the defaults, and so would committee 1's branches' pages.
    assert scores.index_of(tree.root, THIS_YEAR).grades == [(90, 5), (80, 4), (70, 3)]
    assert scores.index_of(tree.branch_a, THIS_YEAR).grades == [(90, 5), (80, 4), (70, 3)]
    weights_page = client.get(reverse("dashboard:index_weights", args=[tree.committee1.pk]))
    assert weights_page.context["stars_form"].initial == {"five_star_min": 10, "four_star_min": 7,
                                                          "three_star_min": 5}  # fmt: skip


@pytest.mark.parametrize(
    ("five", "four", "three", "field"),
    [(80, 90, 70, "five_star_min"), (90, 80, 80, "five_star_min"), (101, 80, 70, "five_star_min"),
     (90, 80, -1, "three_star_min"), (True, 80, 70, "five_star_min")],
)  # fmt: skip
def test_star_minimums_not_descending_within_0_to_100_are_refused(tree, users, five, four, three, field):
    with pytest.raises(DomainError) as refused:
        services.set_stars(users.committee_admin, tree.committee1, five=five, four=four, three=three)
    assert field in refused.value.errors
    assert not IndexScheme.objects.filter(five_star_min=five).exclude(five_star_min=90).exists()


def test_star_minimums_refused_on_the_page_are_shown_with_the_weights(client, tree, users, english):
    client.force_login(users.committee_admin)
    page = client.post(reverse("dashboard:index_stars", args=[tree.committee1.pk]),
                       {"five_star_min": "70", "four_star_min": "80", "three_star_min": "60"})  # fmt: skip
    assert page.status_code == 400 and "not descending" in page.content.decode()
    assert 'data-testid="stars-form"' in page.content.decode() and page.context["form"] is not None
    assert not IndexScheme.objects.exists()


@pytest.mark.parametrize("who", ["secretary_a", "outsider"])
def test_only_the_organisations_admins_set_its_stars(client, tree, users, who):
    client.force_login(getattr(users, who))
    target = tree.branch_a if who == "secretary_a" else tree.committee1
    response = client.post(reverse("dashboard:index_stars", args=[target.pk]),
                           {"five_star_min": "20", "four_star_min": "10", "three_star_min": "5"})  # fmt: skip
    assert response.status_code == 404 and not IndexScheme.objects.exists()
