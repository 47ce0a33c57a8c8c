"""Schemathesis against the generated OpenAPI schema, in process through the WSGI app.

Every operation of ``/api/schema/`` is called with requests generated from the schema (its examples, then
Hypothesis-generated cases), authenticated with the token of a committee admin (and, for the reads, of
secretary A). Each response must not be a server error, must carry a status code the schema declares and
must match the schema of that status. The fixture tree and its workflow objects exist, so ids hit real rows.

Bounded: ``SCHEMATHESIS_EXAMPLES`` cases per operation (the ``tongxin`` Hypothesis profile's figure, more
with ``HYPOTHESIS_PROFILE=deep``); no network: the WSGI app is called directly.

Query parameters at their edges (issue 12 §3: 2,375 cases had missed ``month=9999-12`` and
``starts_after=0001-01-01``): every GET operation is also run through schemathesis' coverage phase (each query
parameter at its schema's boundaries and just past them: ``minimum - 1``, ``maximum + 1``, a wrong type or
format), and its generated cases draw dates, date-times and months (``format: month``, core.filters) from
strategies that mix the edges of what a date can hold and of the window (year 1, year 9999, the window's first
and last day and the days beside them) with ordinary values. An error there must be a 4xx in JSON.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import settings as current_settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from schemathesis.specs.openapi.formats import STRING_FORMATS, register_string_format, unregister_string_format

from tongxin.core.bounds import any_window
from tongxin.core.testing import figures
from tongxin.core.tests.scope_walk import (
    _checklist_item_of_branch_a,
    _dues_payment_of_a1,
    _lapse_case_of_a1,
    _meeting_of_branch_a,
    _notification_of_committee_admin,
    _recommendation_of_a1,
    _recruitment_in_a,
    _review_of_branch_a,
    _study_period_of_branch_a,
    _transfer_of_a1,
)

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The project's WSGI app, with the test's transaction kept open: Django closes "old" connections at
    the start and end of each request, which would end the test's transaction (the test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def objects(tree, users):
    """One object of each workflow in branch A, so generated ids can hit real rows."""
    for make in (_lapse_case_of_a1, _transfer_of_a1, _recruitment_in_a, _review_of_branch_a, _meeting_of_branch_a,
                 _checklist_item_of_branch_a, _dues_payment_of_a1):  # fmt: skip
        make(tree)
    _recommendation_of_a1(tree)
    _notification_of_committee_admin()
    _study_period_of_branch_a(tree)  # a campaign, its question and an open period: the study routes hit rows
    return tree


def _edges() -> list[datetime.date]:
    window = any_window()
    one = datetime.timedelta(days=1)
    return [datetime.date.min, datetime.date.max, window.first - one, window.first, window.last, window.last + one]


def _boundary_formats() -> dict[str, st.SearchStrategy]:
    """Strategies for ``date``, ``date-time`` and ``month`` that hit the edges half of the time."""
    edges = _edges()
    day = st.one_of(st.sampled_from(edges), st.dates())
    moment = st.builds(
        lambda d, h, tz: f"{d.isoformat()}T{h:02d}:00:00{tz}",
        day,
        st.sampled_from([0, 23]),
        st.sampled_from(["", "Z", "+14:00", "-12:00"]),
    )
    return {
        "date": day.map(datetime.date.isoformat),
        "date-time": moment,
        "month": st.one_of(
            st.sampled_from([f"{d:%Y-%m}" for d in edges] + ["0000-00", "2025-13"]),
            st.dates().map(lambda d: f"{d:%Y-%m}"),
        ),
    }


@pytest.fixture
def boundary_formats() -> Iterator[None]:
    """The edge-seeking format strategies, for the tests that ask for them (then the registry as it was)."""
    saved = {name: STRING_FORMATS.get(name) for name in ("date", "date-time", "month")}
    for name, strategy in _boundary_formats().items():
        register_string_format(name, strategy)
    try:
        yield
    finally:
        for name, before in saved.items():
            unregister_string_format(name)
            if before is not None:
                STRING_FORMATS[name] = before


def _answer_problem(response) -> str | None:
    """A server error, or an error that is not JSON (issue 12 §3: the API's errors answer JSON)."""
    if response.status_code >= 500:
        return f"{response.status_code}"
    content_type = (response.headers.get("content-type") or [""])[0]  # lowercase keys, list values
    if response.status_code >= 400 and not content_type.startswith("application/json"):
        return f"{response.status_code} answered {content_type}"
    return None


def run_coverage(app, user) -> tuple[int, list[str]]:
    """Every GET operation's coverage-phase cases (positive and negative), as ``user``."""
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, headers=headers)  # behind login in production
    cases = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"the schema has an invalid operation: {result.err()}")
            continue
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue
        generator = CoverageGenerator(
            operation=operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=schema.config.generation_for(operation=operation, phase="coverage"),
            auth_storage=None,
            override=Override(),
            feedback=FeedbackSources(),
        )
        for case in generator:
            cases += 1
            response = case.call(headers=headers)
            if problem := _answer_problem(response):
                failures.append(f"{operation.label} {case.query or ''} {case.path_parameters or ''}: {problem}")
    return cases, failures


def run_schema(app, user, *, methods: set[str] | None = None) -> tuple[int, list[str]]:
    """Call every operation as ``user``; the number of cases and the failures, one line each."""
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, headers=headers)  # behind login in production
    cases = 0
    failures: list[str] = []
    examples = current_settings().max_examples
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"the schema has an invalid operation: {result.err()}")
            continue
        operation = result.ok()
        if methods is not None and operation.method.upper() not in methods:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
        def call(case) -> None:
            nonlocal cases
            cases += 1
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # collected, reported all at once below
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    return cases, failures


def test_every_operation_conforms_as_committee_admin(objects, users, wsgi_app, boundary_formats):
    cases, failures = run_schema(wsgi_app, users.committee_admin)
    figures.add("schemathesis cases", cases)
    assert not failures, "\n\n".join(failures)


def test_every_read_conforms_as_secretary_a(objects, users, wsgi_app, boundary_formats):
    cases, failures = run_schema(wsgi_app, users.secretary_a, methods={"GET"})
    figures.add("schemathesis cases", cases)
    assert not failures, "\n\n".join(failures)


def test_every_query_parameter_at_its_boundaries(objects, users, wsgi_app):
    cases, failures = run_coverage(wsgi_app, users.committee_admin)
    figures.add("schemathesis cases", cases)
    figures.add("schemathesis coverage cases (query parameters at their edges)", cases)
    assert not failures, "\n".join(failures)
