"""Schemathesis against the generated OpenAPI schema, in process through the WSGI app.

Every operation of ``/api/schema/`` is called with requests generated from the schema (its examples, then
Hypothesis-generated cases), authenticated with the token of a committee admin (and, for the reads, of
secretary A). Each response must not be a server error, must carry a status code the schema declares and
must match the schema of that status. The fixture tree and its workflow objects exist, so ids hit real rows.

Bounded: ``SCHEMATHESIS_EXAMPLES`` cases per operation (the ``tongxin`` Hypothesis profile's figure, more
with ``HYPOTHESIS_PROFILE=deep``); no network: the WSGI app is called directly.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import settings as current_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tongxin.core.testing import figures
from tongxin.core.tests.scope_walk import (
    _checklist_item_of_branch_a,
    _dues_payment_of_a1,
    _meeting_of_branch_a,
    _notification_of_committee_admin,
    _recommendation_of_a1,
    _recruitment_in_a,
    _review_of_branch_a,
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
    for make in (_transfer_of_a1, _recruitment_in_a, _review_of_branch_a, _meeting_of_branch_a,
                 _checklist_item_of_branch_a, _dues_payment_of_a1):  # fmt: skip
        make(tree)
    _recommendation_of_a1(tree)
    _notification_of_committee_admin()
    return tree


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


def test_every_operation_conforms_as_committee_admin(objects, users, wsgi_app):
    cases, failures = run_schema(wsgi_app, users.committee_admin)
    figures.add("schemathesis cases", cases)
    assert not failures, "\n\n".join(failures)


def test_every_read_conforms_as_secretary_a(objects, users, wsgi_app):
    cases, failures = run_schema(wsgi_app, users.secretary_a, methods={"GET"})
    figures.add("schemathesis cases", cases)
    assert not failures, "\n\n".join(failures)
