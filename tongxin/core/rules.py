"""Configurable domain rules (DOMAIN.md marks them "configurable").

Each rule has a default here; a deployment overrides it with a :class:`RuleValue` row that the
district admin edits. Logic reads rules through :func:`rule`, never through literals.
"""

import time
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tongxin.core.models import RuleValue

DEFAULTS: dict[str, Any] = {
    # League membership (团章, 团员发展工作细则)
    "league_join_min_age": 14,
    "league_join_min_age_before_2017": 12,
    "league_max_age": 28,
    "league_number_required_from_year": 2017,
    # Branch sizes
    "branch_min_members": 3,
    "branch_usual_max_members": 50,
    # Transfers and graduation (关系转接, 学社衔接)
    "transfer_stall_days": 10,
    "flow_branch_max_months": 6,
    # Recruitment (团员发展工作细则): training before an activist may become a candidate
    "recruitment_training_months": 3,
    "recruitment_training_hours": 8,
    # Party recommendation (推优入党)
    "recommendation_min_age": 18,
    "recommendation_min_league_years": 1,
    "recommendation_min_application_months": 6,
    "recommendation_branch_quota": "0.20",
    # Annual review and registration (两制)
    "review_excellent_cap": "0.30",
    "registration_deferral_min_months": 3,
    "registration_deferral_max_months": 6,
    # League dues (中青发〔2016〕13号), yuan per month: a flat amount for students, the unemployed and those
    # on relief; wage earners below the limit pay the low amount, from it the per-mille rate of the wage
    # rounded down to the yuan, at most the maximum.
    "league_dues_flat_yuan": "0.20",
    "league_dues_low_wage_limit": 2000,
    "league_dues_low_wage_yuan": 3,
    "league_dues_wage_permille": 2,
    "league_dues_max_yuan": 20,
    # Party dues: [upper bound of monthly after-tax income (null: no bound), rate]; a flat amount for
    # students and those on relief.
    "party_dues_brackets": [[3000, "0.005"], [5000, "0.01"], [10000, "0.015"], [None, "0.02"]],
    "party_dues_retiree_brackets": [[5000, "0.005"], [None, "0.01"]],
    "party_dues_flat_yuan": "0.20",
    # The party dues collection day (党费日), a day of the month; the daily digest names it.
    "party_dues_day": 5,
    # Lapse (自行脱团): months without dues, meetings or assigned work before a member is listed.
    "lapse_months": 6,
    # Personal data (个人信息保护法): minors' consent and how long a former member's record is kept.
    "minor_below_age": 18,
    "guardian_consent_below_age": 14,
    "retention_years_after_leaving": 3,
    # The contact a resident or a young person left with a micro-wish or a deputy's request (not a member: no
    # roster record to anonymise): kept this many days after the case ended, then erased.
    "contact_retention_days": 180,
    # League deputies' studios (团代表工作室): days a young person's request may wait for its answer.
    "deputy_request_due_days": 15,
    # Donation drives: the largest single donation an organiser may record (yuan); a larger one is a typo.
    "donation_max_yuan": 1_000_000,
    # Lessons in turn (轮流讲党课/团课): days before the quarter the lecturer and the secretary are reminded.
    "lesson_turn_reminder_days": 14,
}

# The sane range of each number rule, (lowest, highest), inclusive (issue 12 §3): a value outside is refused
# on the rules page, naming the range. A rule with a number default has an entry (a test checks it); the
# dues brackets are checked line by line instead.
RULE_RANGES: dict[str, tuple[int | str, int | str]] = {
    "league_join_min_age": (10, 28),
    "league_join_min_age_before_2017": (10, 28),
    "league_max_age": (18, 40),
    "league_number_required_from_year": (1922, 2100),  # the League was founded in 1922
    "branch_min_members": (1, 50),
    "branch_usual_max_members": (3, 1000),
    "transfer_stall_days": (1, 365),
    "flow_branch_max_months": (1, 60),
    "recruitment_training_months": (0, 36),
    "recruitment_training_hours": (0, 200),
    "recommendation_min_age": (16, 40),
    "recommendation_min_league_years": (0, 20),
    "recommendation_min_application_months": (0, 60),
    "recommendation_branch_quota": ("0.01", "1.00"),
    "review_excellent_cap": ("0.01", "1.00"),
    "registration_deferral_min_months": (1, 24),
    "registration_deferral_max_months": (1, 24),
    "league_dues_flat_yuan": ("0.00", "100.00"),
    "league_dues_low_wage_limit": (0, 1_000_000),
    "league_dues_low_wage_yuan": (0, 1000),
    "league_dues_wage_permille": (0, 100),
    "league_dues_max_yuan": (0, 10_000),
    "party_dues_flat_yuan": ("0.00", "100.00"),
    "party_dues_day": (1, 28),  # a day every month has
    "lapse_months": (1, 60),
    "minor_below_age": (14, 21),
    "guardian_consent_below_age": (8, 18),
    "retention_years_after_leaving": (1, 100),
    "contact_retention_days": (30, 3650),
    "deputy_request_due_days": (1, 180),
    "donation_max_yuan": (1, 100_000_000),
    "lesson_turn_reminder_days": (1, 90),
}


def rule_range_refusal(key: str, value: Any) -> str | None:
    """Why ``value`` (an int, or a decimal as text) is outside the sane range of the rule ``key``, or None."""
    bounds = RULE_RANGES.get(key)
    if bounds is None:
        return None
    low, high = bounds
    if isinstance(low, str):
        inside = Decimal(low) <= Decimal(str(value)) <= Decimal(str(high))
    else:
        inside = low <= int(value) <= int(high)
    if inside:
        return None
    return str(_("Enter a value from %(low)s to %(high)s: a value outside makes no sense for this rule.")) % {
        "low": low,
        "high": high,
    }


_CACHE_KEY = "tongxin:rules"
# The shared cache is asked at most once a second per process: a row check calls rule() several times,
# and an import checks thousands of rows.
_LOCAL_SECONDS = 1.0
_local: tuple[float, dict[str, Any]] | None = None


def rule(name: str) -> Any:
    """Current value of the rule ``name`` (override row if any, else the default)."""
    global _local
    if name not in DEFAULTS:
        raise KeyError(f"unknown rule {name!r}")
    now = time.monotonic()
    if _local is not None and _local[0] > now:
        return _local[1].get(name, DEFAULTS[name])
    overrides = cache.get(_CACHE_KEY)
    if overrides is None:
        overrides = dict(RuleValue.objects.values_list("key", "value"))
        cache.set(_CACHE_KEY, overrides, 60)
    _local = (now + _LOCAL_SECONDS, overrides)
    return overrides.get(name, DEFAULTS[name])


def clear_cache() -> None:
    global _local
    _local = None
    cache.delete(_CACHE_KEY)


# What the rules page shows for each rule: (label, help). Every key of DEFAULTS has an entry (a test checks
# it): a new rule is added here with its default.
RULE_INFO: dict[str, tuple[Promise, Promise]] = {
    "league_join_min_age": (
        _("Youngest age to join the League"),
        _(
            "Age in years on the day of joining, for members who joined in or after the year from which the "
            "member number is required."
        ),
    ),
    "league_join_min_age_before_2017": (
        _("Youngest age to join, earlier records"),
        _("The same limit for members who joined before that year (historical records)."),
    ),
    "league_max_age": (
        _("League age limit"),
        _("At this age a member without a League post leaves the League (age-out)."),
    ),
    "league_number_required_from_year": (
        _("Member number required from year"),
        _(
            "Members who joined in or after this year must have a League member number whose first four digits "
            "are the year of joining."
        ),
    ),
    "branch_min_members": (
        _("Fewest members of a branch"),
        _("With fewer members, a branch is set up as a joint branch."),
    ),
    "branch_usual_max_members": (
        _("Usual largest branch"),
        _("A branch with more members than this is pointed out for splitting."),
    ),
    "transfer_stall_days": (
        _("Days before a transfer counts as stalled"),
        _("A transfer that waits longer than this for its next step is listed for escalation."),
    ),
    "flow_branch_max_months": (
        _("Months in a flow branch"),
        _("How long a graduate may stay in a flow branch before moving on."),
    ),
    "recruitment_training_months": (
        _("Recruitment: months of training"),
        _("How long an activist is trained before the branch may choose them as a candidate."),
    ),
    "recruitment_training_hours": (
        _("Recruitment: class hours of training"),
        _("The fewest class hours of League lessons an activist attends before becoming a candidate."),
    ),
    "recommendation_min_age": (
        _("Party recommendation: youngest age"),
        _("A member younger than this cannot be recommended to the Party."),
    ),
    "recommendation_min_league_years": (
        _("Party recommendation: years in the League"),
        _("How long a member has been in the League before they may be recommended."),
    ),
    "recommendation_min_application_months": (
        _("Party recommendation: months since the Party application"),
        _("How long ago the member must have applied to join the Party."),
    ),
    "recommendation_branch_quota": (
        _("Party recommendation: share of the branch"),
        _("At most this share of a branch's members is recommended at a time, such as 0.20 for 20%."),
    ),
    "review_excellent_cap": (
        _("Annual review: share rated excellent"),
        _("At most this share of the members reviewed may be rated excellent, such as 0.30 for 30%."),
    ),
    "registration_deferral_min_months": (
        _("Registration: shortest deferral (months)"),
        _("A member rated unqualified has their registration deferred at least this long."),
    ),
    "registration_deferral_max_months": (
        _("Registration: longest deferral (months)"),
        _("And at most this long."),
    ),
    "league_dues_flat_yuan": (
        _("League dues: flat amount (yuan a month)"),
        _("Paid by students, the unemployed and those on relief."),
    ),
    "league_dues_low_wage_limit": (
        _("League dues: low wage limit (yuan)"),
        _("Members whose monthly after-tax wage is below this pay the low amount."),
    ),
    "league_dues_low_wage_yuan": (
        _("League dues: low amount (yuan a month)"),
        _("Paid by wage earners below the low wage limit."),
    ),
    "league_dues_wage_permille": (
        _("League dues: share of the wage (per mille)"),
        _(
            "From the low wage limit up, dues are this many thousandths of the monthly after-tax wage, rounded "
            "down to the yuan."
        ),
    ),
    "league_dues_max_yuan": (
        _("League dues: most a month (yuan)"),
        _("The most a wage earner pays a month."),
    ),
    "party_dues_brackets": (
        _("Party dues: brackets"),
        _(
            "One line a bracket: the upper bound of the monthly after-tax income in yuan and the rate; the last "
            "line has no bound (“-”)."
        ),
    ),
    "party_dues_retiree_brackets": (
        _("Party dues: brackets for retirees"),
        _("The same, for the monthly pension of retired members."),
    ),
    "party_dues_flat_yuan": (
        _("Party dues: flat amount (yuan a month)"),
        _("Paid by students and those on relief."),
    ),
    "party_dues_day": (
        _("Party dues day"),
        _("The day of the month on which party dues are collected; the daily digest reminds of it."),
    ),
    "lapse_months": (
        _("Lapse: months without taking part"),
        _(
            "A league member who for this many consecutive months has paid no dues and attended no meeting is "
            "listed for the branch meeting to decide (the higher committee approves)."
        ),
    ),
    "minor_below_age": (
        _("Minors: under this age"),
        _("A person younger than this is a minor: their record needs a consent record."),
    ),
    "guardian_consent_below_age": (
        _("Minors: a guardian consents under this age"),
        _("For a person younger than this on the day of consent, a parent or other guardian must consent."),
    ),
    "retention_years_after_leaving": (
        _("Years to keep the record of a former member"),
        _(
            "After a person has left (left, aged out, transferred out of the system or deceased) their record is "
            "kept this many years, then anonymised: the statistics stay, the name, ID number and phone go."
        ),
    ),
    "contact_retention_days": (
        _("Days to keep the contact of a non-member after the case"),
        _(
            "A resident's micro-wish or a young person's request to a league deputy holds a name and a phone "
            "number. They are erased this many days after the case was closed, rejected or answered; what was "
            "asked and done stays."
        ),
    ),
    "deputy_request_due_days": (
        _("Requests to league deputies: days to answer"),
        _(
            "A request a young person brings to a league deputy is due this many days after it was received; "
            "one not answered by then is listed as overdue."
        ),
    ),
    "donation_max_yuan": (
        _("Donation drives: largest single donation (yuan)"),
        _(
            "An organiser recording a donation to a drive may not enter more than this amount at once; a larger "
            "figure is taken for a typing mistake and refused."
        ),
    ),
    "lesson_turn_reminder_days": (
        _("Lessons in turn: days of notice before the quarter"),
        _(
            "The lecturer of a league or party lesson given in turn, and the secretary, are reminded this many days "
            "before the quarter of the turn begins."
        ),
    ),
}

# The groups of the rules page, in order. A rule in no group is shown under "Other rules".
RULE_GROUPS: list[tuple[Promise, tuple[str, ...]]] = [
    (
        _("League membership"),
        ("league_join_min_age", "league_join_min_age_before_2017", "league_max_age",
         "league_number_required_from_year", "lapse_months"),
    ),
    (_("Branch sizes"), ("branch_min_members", "branch_usual_max_members")),
    (_("Transfers and graduation"), ("transfer_stall_days", "flow_branch_max_months")),
    (_("Recruitment"), ("recruitment_training_months", "recruitment_training_hours")),
    (
        _("Party recommendation"),
        ("recommendation_min_age", "recommendation_min_league_years", "recommendation_min_application_months",
         "recommendation_branch_quota"),
    ),
    (
        _("Annual review and registration"),
        ("review_excellent_cap", "registration_deferral_min_months", "registration_deferral_max_months"),
    ),
    (
        _("League dues"),
        ("league_dues_flat_yuan", "league_dues_low_wage_limit", "league_dues_low_wage_yuan",
         "league_dues_wage_permille", "league_dues_max_yuan"),
    ),
    (_("Party dues"), ("party_dues_brackets", "party_dues_retiree_brackets", "party_dues_flat_yuan", "party_dues_day")),
    (
        _("Personal data"),
        ("minor_below_age", "guardian_consent_below_age", "retention_years_after_leaving", "contact_retention_days"),
    ),
    (_("League deputies' studios"), ("deputy_request_due_days",)),
    (_("Donation drives"), ("donation_max_yuan",)),
    (_("Lessons in turn"), ("lesson_turn_reminder_days",)),
]  # fmt: skip
