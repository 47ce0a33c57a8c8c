"""Reads marked for the replica go there; writes, unmarked reads and a user who has just written stay on the
primary (tongxin.core.dbrouting); without a replica everything goes to the primary.

The replica here is a second connection to the test database, declared as settings.py declares it under test
(``TEST: {"MIRROR": "default"}``). It sees committed rows only, as a streaming standby does, so the tests
that read through it commit their rows (``transaction=True``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongxin.core import dbrouting
from tongxin.core.dbrouting import PIN_SESSION_KEY, REPLICA, pin_to_primary, reads_from_replica
from tongxin.core.models import Notification
from tongxin.orgs.models import Organization, OrgStats

# Transactional tests that may touch every alias there is, the replica included.
committed = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture(scope="module", autouse=True)
def _replica_alias():
    """The "replica" alias, mirroring the test database, for this module's tests (removed afterwards unless the
    settings declare it: the suite run with DATABASE_REPLICA_URL). Module-scoped, so that it exists before a
    test case lists the aliases it may use."""
    added = REPLICA not in connections.settings
    if added:
        primary = connections[DEFAULT_DB_ALIAS].settings_dict
        connections.settings[REPLICA] = {**primary, "TEST": {**primary["TEST"], "MIRROR": DEFAULT_DB_ALIAS}}
    yield
    if added:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica():
    return connections[REPLICA]


@pytest.fixture
def no_replica():
    """No "replica" alias, even when the suite runs with one."""
    saved = connections.settings.pop(REPLICA, None)
    yield
    if saved is not None:
        connections.settings[REPLICA] = saved


@pytest.fixture
def now(monkeypatch):
    """The router's clock, moved by hand: ``now.move(seconds)``."""

    class Clock:
        value = 1_800_000_000.0

        def move(self, seconds: float) -> None:
            self.value += seconds

    clock = Clock()
    monkeypatch.setattr(dbrouting, "clock", lambda: clock.value)
    return clock


def replica_queries(client, url: str) -> int:
    """How many queries a GET of ``url`` sent to the replica (the answer must be 200)."""
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(on_replica.captured_queries)


# --- the router, called directly ---------------------------------------------------------------------------


@committed
def test_a_marked_read_goes_to_the_replica_and_sees_the_primarys_committed_rows(tree, replica):
    with CaptureQueriesContext(replica) as on_replica, reads_from_replica():
        names = set(Organization.objects.values_list("name", flat=True))
        stats = OrgStats.objects.get(organization=tree.root)
    assert "共青团测试区委员会" in names
    assert stats.members_total == 5
    assert len(on_replica.captured_queries) == 2
    assert stats._state.db == REPLICA


@committed
def test_an_unmarked_read_and_every_write_go_to_the_primary(tree, replica, users):
    assert Organization.objects.all().db == DEFAULT_DB_ALIAS
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_primary:
        list(Organization.objects.all())  # unmarked
        with reads_from_replica():
            assert router.db_for_write(Notification) == DEFAULT_DB_ALIAS
            note = Notification.objects.create(recipient=users.secretary_a, text="t", url="/")
            Notification.objects.filter(pk=note.pk).update(text="u")
            assert Organization.objects.select_for_update().db == DEFAULT_DB_ALIAS
            Notification.objects.filter(pk=note.pk).delete()
    assert on_replica.captured_queries == []
    assert len(on_primary.captured_queries) >= 4


@committed
def test_a_marked_read_inside_a_transaction_on_the_primary_stays_there(tree, replica):
    with reads_from_replica():
        assert Organization.objects.all().db == REPLICA
        with transaction.atomic():
            assert Organization.objects.all().db == DEFAULT_DB_ALIAS  # its own writes are not on the replica yet


@pytest.mark.django_db
def test_the_test_cases_own_transaction_counts_too(tree, replica):
    """An ordinary test runs inside a transaction: its rows are not committed, so no replica could see them."""
    with reads_from_replica():
        assert Organization.objects.all().db == DEFAULT_DB_ALIAS
        assert Organization.objects.filter(pk=tree.root.pk).exists()


@committed
def test_sessions_and_tokens_are_read_from_the_primary_even_when_marked(replica):
    from django.contrib.sessions.models import Session
    from rest_framework.authtoken.models import Token

    with reads_from_replica():
        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Token) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Organization) == REPLICA


@committed
def test_a_task_that_wrote_reads_its_own_writes_from_the_primary(tree, replica, now, settings):
    settings.TONGXIN_REPLICA_PIN_SECONDS = 10
    with reads_from_replica():
        assert router.db_for_read(OrgStats) == REPLICA
        pin_to_primary()  # after a service write, outside any request
        assert router.db_for_read(OrgStats) == DEFAULT_DB_ALIAS
        now.move(11)
        assert router.db_for_read(OrgStats) == REPLICA


def test_relations_between_the_two_aliases_are_allowed_and_only_the_primary_is_migrated():
    routing = dbrouting.ReplicaRouter()
    a, b = Organization(), Organization()
    a._state.db, b._state.db = DEFAULT_DB_ALIAS, REPLICA
    assert routing.allow_relation(a, b) is True
    assert routing.allow_migrate(DEFAULT_DB_ALIAS, "orgs") is True
    assert routing.allow_migrate(REPLICA, "orgs") is False


@pytest.mark.django_db
def test_without_a_replica_everything_goes_to_the_primary(tree, no_replica, now):
    with reads_from_replica():
        assert router.db_for_read(Organization) == DEFAULT_DB_ALIAS
        assert Organization.objects.all().db == DEFAULT_DB_ALIAS
        assert Organization.objects.filter(pk=tree.root.pk).exists()
        pin_to_primary()  # nothing to pin
    assert dbrouting.pinned() is False


# --- through requests: the export views, the pin ------------------------------------------------------------


@committed
def test_an_export_reads_from_the_replica(tree, users, replica, client):
    client.force_login(users.district)
    url = reverse("points:subtree_export", args=[tree.root.pk])
    assert replica_queries(client, url) > 0
    # a page that is not marked reads from the primary only
    assert replica_queries(client, reverse("points:subtree", args=[tree.root.pk])) == 0


@committed
def test_the_dashboards_read_from_the_replica(tree, users, replica, client):
    client.force_login(users.district)
    for url in (reverse("dashboard:org") + f"?org={tree.root.pk}", reverse("dashboard:wall") + f"?org={tree.root.pk}",
                reverse("dashboard-detail", args=[tree.root.pk])):  # fmt: skip
        assert replica_queries(client, url) >= 3, url  # its roll-ups, its tallies, its children


@committed
def test_a_user_who_just_wrote_reads_from_the_primary_until_the_pin_expires(tree, users, replica, now, settings):
    from django.test import Client

    settings.TONGXIN_REPLICA_PIN_SECONDS = 10
    writer, other = Client(), Client()
    writer.force_login(users.district)
    other.force_login(users.committee_admin)
    export = reverse("points:subtree_export", args=[tree.root.pk])
    other_export = reverse("points:subtree_export", args=[tree.committee1.pk])
    assert replica_queries(writer, export) > 0

    assert writer.post(reverse("core:inbox_read_all")).status_code == 302  # a write, answered without an error
    assert writer.session[PIN_SESSION_KEY] == 1_800_000_010
    now.move(5)
    assert replica_queries(writer, export) == 0  # pinned: reads his own writes
    assert replica_queries(other, other_export) > 0  # another user is not pinned
    now.move(6)
    assert replica_queries(writer, export) > 0  # the pin has expired


@committed
def test_a_refused_or_safe_request_does_not_pin(tree, users, replica, now):
    from django.test import Client

    writer = Client()
    writer.force_login(users.district)
    refused = writer.post(reverse("points:subtree_export", args=[tree.committee2.pk + 10_000]))
    assert refused.status_code == 404  # a non-safe request answered with an error wrote nothing
    assert writer.get(reverse("points:subtree", args=[tree.root.pk])).status_code == 200
    assert PIN_SESSION_KEY not in writer.session
    assert replica_queries(writer, reverse("points:subtree_export", args=[tree.root.pk])) > 0


@pytest.mark.django_db
def test_without_a_replica_a_write_leaves_no_pin_in_the_session(users, client, no_replica):
    client.force_login(users.district)
    assert client.post(reverse("core:inbox_read_all")).status_code == 302
    assert PIN_SESSION_KEY not in client.session


def test_the_outsider_gets_404_from_a_marked_export(db, tree, users, client):
    """The mark changes where rows are read, never who may read them."""
    client.force_login(users.outsider)
    assert client.get(reverse("points:subtree_export", args=[tree.committee1.pk])).status_code == 404


# --- settings -----------------------------------------------------------------------------------------------


def test_database_replica_url_adds_a_replica_alias_that_mirrors_default_under_test_and_pgbouncer_is_one_switch():
    def databases(**extra: str) -> dict:
        unset = ("DATABASE_URL", "DATABASE_REPLICA_URL", "TONGXIN_PGBOUNCER")
        env = {k: v for k, v in os.environ.items() if k not in unset}
        env.update(TONGXIN_TESTING="1", **extra)
        code = "import json, tongxin.settings as s; print(json.dumps(s.DATABASES, default=str))"
        result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True,
                                text=True, timeout=60, check=True)  # fmt: skip
        return json.loads(result.stdout)

    assert set(databases()) == {"default"}
    both = databases(
        DATABASE_URL="postgres://app@primary:5432/tongxin", DATABASE_REPLICA_URL="postgres://app@standby:5432/tongxin"
    )
    assert both["replica"]["HOST"] == "standby"
    assert both["replica"]["TEST"] == {"MIRROR": "default"}
    assert both["replica"]["OPTIONS"]["options"] == both["default"]["OPTIONS"]["options"] == "-c jit=off"
    assert both["replica"]["CONN_MAX_AGE"] == 60

    pooled = databases(
        DATABASE_URL="postgres://app@pgbouncer:6432/tongxin",
        DATABASE_REPLICA_URL="postgres://app@pgbouncer:6432/tongxin_replica",
        TONGXIN_PGBOUNCER="1",
    )
    for alias in ("default", "replica"):
        assert pooled[alias]["CONN_MAX_AGE"] == 0
        assert pooled[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert "options" not in pooled[alias].get("OPTIONS", {})  # pgbouncer refuses startup options
