"""The bulk form of a submission (``record_participations``: the national platform's import, the demo seed) with a
person as a model instance or as a ``Member`` tuple (the demo's million rows at 10×): the same checks, in the same
order (the audience before the actor's scope), the roll-up rows equal to a recount whatever the numbers added per
branch (one UPDATE joined to the pairs on PostgreSQL, one per distinct number elsewhere); and the study step of the
demo seed at the smallest scale, whose roll-ups equal a recount for every period."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongxin.accounts.demo import demo_actors
from tongxin.core.exceptions import DomainError
from tongxin.core.registry import DemoRun, demo_steps
from tongxin.people.models import MembershipStatus, Person
from tongxin.study import demo, services
from tongxin.study.models import Participation, StudyPeriod
from tongxin.study.tests.helpers import open_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def participants(stats: dict[int, tuple[int, int]]) -> dict[int, int]:
    """The participants of the roll-up rows (the members are counted at the opening: a person made inactive here
    is still counted in them, not in a recount)."""
    return {pk: n for pk, (_members, n) in stats.items()}


def member(person: Person) -> services.Member:
    row = Person.objects.filter(pk=person.pk).values_list(*services.MEMBER_FIELDS).get()
    return services.Member(*row)


def test_members_as_tuples_are_recorded_and_rolled_up_as_a_recount(tree):
    period = open_period(tree)
    at = timezone.now()
    # Branch A two, B one, C one (three distinct numbers up the tree: 4 at the root, 3 at committee 1, 1 at 2).
    entries = [(member(tree.people.a1), 60, at), (tree.people.a2, 80, at), (member(tree.people.b1), None, at),
               (member(tree.people.c1), 100, at), (member(tree.people.a1), 100, at)]  # fmt: skip
    assert services.record_participations(None, period, entries) == 4
    assert services.kept_stats(period) == services.expected_stats(period)
    kept = services.kept_stats(period)
    assert kept[tree.root.pk] == (5, 4)
    assert kept[tree.committee1.pk] == (3, 3)
    assert kept[tree.branch_a.pk] == (2, 2)
    assert kept[tree.committee2.pk] == (2, 1)
    assert kept[tree.branch_d.pk] == (1, 0)
    rows = Participation.objects.filter(period=period).order_by("person_id")
    assert {(r.person_id, r.org_path, r.best_score) for r in rows} == {
        (tree.people.a1.pk, tree.branch_a.path, 60),  # the first entry of a person counts, the second is skipped
        (tree.people.a2.pk, tree.branch_a.path, 80),
        (tree.people.b1.pk, tree.branch_b.path, None),
        (tree.people.c1.pk, tree.branch_c.path, 100),
    }
    # Recorded again: everyone is skipped, nothing moves.
    assert services.record_participations(None, period, entries) == 0
    assert services.kept_stats(period) == kept


def test_a_tuple_gets_the_checks_of_a_person(tree, users):
    period = open_period(tree, org=tree.committee1)
    at = timezone.now()
    with pytest.raises(DomainError, match="not for you"):  # branch C lies outside committee 1's campaign
        services.record_participations(
            None, period, [(member(tree.people.a1), 80, at), (member(tree.people.c1), 80, at)]
        )
    Person.objects.filter(pk=tree.people.b1.pk).update(status=MembershipStatus.LEFT)
    with pytest.raises(DomainError, match="not for you"):  # no longer active
        services.record_participations(None, period, [(member(tree.people.b1), 80, at)])
    with pytest.raises(DomainError, match="opening and closing"):
        services.record_participations(None, period, [(member(tree.people.a1), 80, period.closes_at)])
    with pytest.raises(DomainError, match="between 0 and 100"):
        services.record_participations(None, period, [(member(tree.people.a1), 101, at)])
    assert not Participation.objects.filter(period=period).exists()
    assert participants(services.kept_stats(period)) == participants(services.expected_stats(period))


def test_the_audience_is_checked_before_the_actors_scope(tree, users):
    period = open_period(tree, org=tree.committee1)
    at = timezone.now()
    # Branch B's secretary imports: A's member is in the audience but outside her scope.
    with pytest.raises(PermissionDenied):
        services.record_participations(users.secretary_b, period, [(member(tree.people.a1), 80, at)])
    # A person of branch A who is no longer active: the audience's refusal, as a submission gives it, comes first.
    Person.objects.filter(pk=tree.people.a2.pk).update(status=MembershipStatus.LEFT)
    with pytest.raises(DomainError, match="not for you"):
        services.record_participations(users.secretary_b, period, [(member(tree.people.a2), 80, at)])
    assert services.record_participations(users.secretary_b, period, [(member(tree.people.b1), 80, at)]) == 1
    assert participants(services.kept_stats(period)) == participants(services.expected_stats(period))


def test_the_demo_study_step_rolls_up_as_a_recount():
    run = DemoRun(scale=1, seed=2026, progress=lambda _m: None)
    for step in demo_steps():
        if step.name in ("people", "accounts"):
            run.results[step.name] = step.seed(run)
    result = demo.seed(run)
    assert result.periods == 10 and result.participations > 1000
    assert Participation.objects.count() == result.participations
    member_pk = demo_actors().member.person_id
    assert member_pk is not None
    for period in StudyPeriod.objects.order_by("number"):
        assert services.kept_stats(period) == services.expected_stats(period), period.number
        if period.closes_at > timezone.now():  # the open week: the demo member has not taken it (a visitor does)
            assert not Participation.objects.filter(period=period, person_id=member_pk).exists()
