"""The shared fixture set (ARCHITECTURE.md, Tests): a small tree with two committees and four branches,
and users with one clear role each, plus an outsider and a member. At the root of the checkout, so the
app tests under tongxin/ and the browser tests under tests/e2e/ both see it without importing it.

    root (local committee)                       district         admin of root
    ├── committee1 ── branch_a, branch_b         committee_admin  admin of committee1
    ├── committee2 ── branch_c, branch_d         secretary_a      secretary of branch_a
    └── party_branch (paired with root)          secretary_b      secretary of branch_b
                                                 member           a member of branch_a, no role
                                                 outsider         admin of committee2 (sees none of committee1)
"""

from __future__ import annotations

import os
from collections import Counter
from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import make_password
from hypothesis import settings as hypothesis_settings

from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.core.testing import PASSWORD, figures, person_data
from tongxin.orgs.models import OrgKind
from tongxin.orgs.services import create_organization
from tongxin.people.services import create_person

# Hypothesis profiles: ``tongxin`` (the default: bounded, no example database, no deadline, so the suite stays
# fast and leaves no files) and ``deep`` (ten times the examples), picked with ``HYPOTHESIS_PROFILE``.
hypothesis_settings.register_profile("tongxin", max_examples=25, deadline=None, database=None)
hypothesis_settings.register_profile("deep", max_examples=250, deadline=None, database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "tongxin"))


# --- The security figures (tongxin.core.testing.figures), added up across pytest-xdist workers ------------

_WORKER_FIGURES: Counter[str] = Counter()


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the counts to the controller
        workeroutput["tongxin_figures"] = dict(figures.counts)
    elif _pg_only_skipped_on_postgresql() and session.exitstatus == pytest.ExitCode.OK:
        # On PostgreSQL (as in CI) the PostgreSQL-only tests are the point of the run: a skip there means they
        # silently stopped running, so the run fails (the list is printed in the summary).
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """xdist controller: one worker finished; add its figures."""
    _WORKER_FIGURES.update(getattr(node, "workeroutput", {}).get("tongxin_figures", {}))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    totals = figures.counts + _WORKER_FIGURES
    if totals:
        terminalreporter.section("security figures")
        for name in sorted(totals):
            terminalreporter.write_line(f"{name}: {totals[name]}")
    _report_postgresql_only(terminalreporter, config)


# --- PostgreSQL-only tests (concurrency, two app processes): they must run when the database is PostgreSQL -

_PG_ONLY: dict[str, list[str]] = {"passed": [], "failed": [], "skipped": []}


def _database_vendor() -> str:
    from django.db import connection

    return connection.vendor


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``@pytest.mark.postgresql_only(reason)``: skipped on any other database."""
    if _database_vendor() == "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("postgresql_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "PostgreSQL only")
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason}"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Outcomes of the PostgreSQL-only tests (in the xdist controller too: reports carry the markers)."""
    if "postgresql_only" not in report.keywords:
        return
    if report.skipped:
        _PG_ONLY["skipped"].append(report.nodeid)
    elif report.failed:
        _PG_ONLY["failed"].append(report.nodeid)
    elif report.when == "call":
        _PG_ONLY["passed"].append(report.nodeid)


def _pg_only_skipped_on_postgresql() -> list[str]:
    if _database_vendor() != "postgresql":
        return []
    return sorted(set(_PG_ONLY["skipped"]))


def _report_postgresql_only(terminalreporter, config) -> None:
    skipped = _pg_only_skipped_on_postgresql()
    if skipped:
        terminalreporter.section("PostgreSQL-only tests skipped on PostgreSQL", red=True)
        terminalreporter.write_line("On PostgreSQL these tests must run; the run fails. Skipped:")
        for nodeid in skipped:
            terminalreporter.write_line(f"  {nodeid}")


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _admin_2fa_off(settings):
    """Administrators' two-factor step is off by default (tests force_login admins); ``admin_2fa`` turns it on."""
    settings.TONGXIN_ADMIN_2FA = False


@pytest.fixture
def admin_2fa(settings):
    settings.TONGXIN_ADMIN_2FA = True


@pytest.fixture(autouse=True)
def _clear_caches():
    """Each test starts with empty caches, the rules' per-process copy included: left from the test
    before, it would spare a query at one moment and not the next (query counts then flake)."""
    from django.core.cache import cache

    from tongxin.core import rules

    cache.clear()
    rules.clear_cache()
    yield
    cache.clear()
    rules.clear_cache()


@pytest.fixture
def tree(db):
    root = create_organization(None, parent=None, kind=OrgKind.LOCAL_COMMITTEE, name="共青团测试区委员会", code="T0")
    c1 = create_organization(None, parent=root, kind=OrgKind.COMMITTEE, name="第一团委", code="T1")
    c2 = create_organization(None, parent=root, kind=OrgKind.COMMITTEE, name="第二团委", code="T2")
    a = create_organization(None, parent=c1, kind=OrgKind.BRANCH, name="甲团支部", code="T1A")
    b = create_organization(None, parent=c1, kind=OrgKind.BRANCH, name="乙团支部", code="T1B")
    c = create_organization(None, parent=c2, kind=OrgKind.BRANCH, name="丙团支部", code="T2C")
    d = create_organization(None, parent=c2, kind=OrgKind.BRANCH, name="丁团支部", code="T2D")
    party = create_organization(
        None, parent=root, kind=OrgKind.PARTY_BRANCH, name="机关党支部", code="TP", paired_org=root
    )
    people = SimpleNamespace(
        a1=create_person(None, person_data(a, name="张甲一")),
        a2=create_person(None, person_data(a, name="李甲二")),
        b1=create_person(None, person_data(b, name="王乙一")),
        c1=create_person(None, person_data(c, name="赵丙一")),
        d1=create_person(None, person_data(d, name="孙丁一")),
    )
    return SimpleNamespace(
        root=root, committee1=c1, committee2=c2, branch_a=a, branch_b=b, branch_c=c, branch_d=d,
        party_branch=party, people=people,
    )  # fmt: skip


def _user(username: str, org=None, role: str | None = None, person=None) -> User:
    user = User.objects.create(username=username, password=make_password(PASSWORD), person=person)
    if org is not None and role is not None:
        RoleAssignment.objects.create(user=user, organization=org, role=role)
    return user


@pytest.fixture
def users(tree):
    return SimpleNamespace(
        district=_user("district", tree.root, Role.ADMIN),
        committee_admin=_user("committee_admin", tree.committee1, Role.ADMIN),
        secretary_a=_user("secretary_a", tree.branch_a, Role.SECRETARY),
        secretary_b=_user("secretary_b", tree.branch_b, Role.SECRETARY),
        viewer=_user("viewer", tree.committee1, Role.VIEWER),
        member=_user("member", person=tree.people.a2),
        outsider=_user("outsider", tree.committee2, Role.ADMIN),
        nobody=_user("nobody"),
    )


@pytest.fixture
def selves(tree, users):
    """Role holders who are members themselves (issue 12, four eyes): ``secretary``, a second secretary of
    branch A whose own person record is a1, and ``committee_admin``, a second admin of committee 1 linked to
    nobody yet (a test links her to the person a case is about: a person has one user)."""
    return SimpleNamespace(
        secretary=_user("self_secretary", tree.branch_a, Role.SECRETARY, person=tree.people.a1),
        committee_admin=_user("self_committee_admin", tree.committee1, Role.ADMIN),
    )


@pytest.fixture
def client_for(client):
    """``client_for(user)``: a test client logged in as ``user``."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    """``api_for(user)``: a DRF client authenticated with the user's token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user):
        api = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return make


@pytest.fixture
def rollups():
    """``rollups()``: every OrgStats row as ``{org id: (members_direct, members_total, children_count)}``."""
    from tongxin.orgs.models import OrgStats

    def read() -> dict[int, tuple[int, int, int]]:
        rows = OrgStats.objects.values_list("organization_id", "members_direct", "members_total", "children_count")
        return {pk: (direct, total, children) for pk, direct, total, children in rows}

    return read


@pytest.fixture
def row_counts():
    """``row_counts()``: row counts of the tree, roster and audit tables, to show a refused write left nothing."""
    from tongxin.core.models import AccessLog, ChangeLog
    from tongxin.orgs.models import Organization, OrgStats
    from tongxin.people.models import CadrePosition, Membership, Person

    models = (Organization, OrgStats, Person, Membership, CadrePosition, ChangeLog, AccessLog)

    def count() -> dict[str, int]:
        counts = {model.__name__: model.objects.count() for model in models}
        # A lookup by ID number is recorded even when the request is then refused (the hourly limit counts
        # every guess: core.audit.record_id_lookup), so it is not "something written" here.
        counts["AccessLog"] = AccessLog.objects.exclude(action=AccessLog.Action.LOOKUP).count()
        return counts

    return count


@pytest.fixture
def english(settings):
    """Pages, API answers and service messages in English, whatever the product's default language.

    Tests that read a message (the rule it names) use this so they do not depend on the translations.
    """
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def queued(settings):
    """The production task backend (django-tasks' database backend, tongxin.core.task_backend): a task, such as a
    points hook's delivery, is a row written in the producer's transaction and run by a worker, not at once."""
    settings.TASKS = {"default": {"BACKEND": "tongxin.core.task_backend.DatabaseBackend"}}
    yield
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
