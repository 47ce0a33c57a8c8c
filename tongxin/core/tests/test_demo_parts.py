"""Each app's part of the demo district (``seed_demo``), checked on one seed.

An app that adds a part to the demo keeps its checks in ``tongxin/<app>/tests/demo_checks.py``: functions named
``demo_*`` taking pytest-django's ``client``. They used to be tests of their own that each seeded the district
(30 s on SQLite, more on PostgreSQL, six times per engine); here the district is seeded once for the module,
inside a transaction rolled back at its end, and each check runs as its own test in a savepoint
(pytest-django's ``db``), so one check's writes never reach the next.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils.module_loading import module_has_submodule


def _checks() -> list[tuple[str, Callable]]:
    found: list[tuple[str, Callable]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("tongxin.") or not module_has_submodule(config.module, "tests"):
            continue
        tests = importlib.import_module(f"{config.name}.tests")
        if not module_has_submodule(tests, "demo_checks"):
            continue
        module = importlib.import_module(f"{config.name}.tests.demo_checks")
        found.extend(
            (f"{config.label}.{name}", check)
            for name, check in sorted(vars(module).items())
            if name.startswith("demo_") and callable(check)
        )
    return found


CHECKS = _checks()


@pytest.fixture(scope="module")
def demo_district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_the_apps_have_demo_checks():
    # Guards the discovery: a renamed module or prefix would otherwise leave nothing to check, silently.
    assert {name.split(".")[0] for name, _check in CHECKS} >= {
        "activities",
        "community",
        "donations",
        "orglife",
        "points",
        "study",
    }


@pytest.mark.parametrize("check", [check for _name, check in CHECKS], ids=[name for name, _check in CHECKS])
def test_demo_part(check, demo_district, db, client):
    check(client)
