"""Read replicas: which reads may go to a streaming replica, and read-your-writes (docs/scale-out.md).

``DATABASE_REPLICA_URL`` adds the ``"replica"`` alias (settings.py). Without it there is no such alias and
every query goes to ``"default"``, whatever the code below is asked.

Reads go to the replica only where the code says so, never by default: the dashboard, reports and exports,
read-only pages whose figures may be a moment old. Mark them with :func:`reads_from_replica`, as a view
decorator (inside ``login_required``, so the session and the user are read from the primary first) or as a
context manager around the reads of a task or a helper::

    @login_required
    @reads_from_replica
    def board_export(request): ...

    with reads_from_replica():
        rows = list(OrgStats.objects.filter(...))

Inside the mark (:class:`ReplicaRouter`):

- every write goes to the primary (``db_for_write``), and so do ``select_for_update`` and ``get_or_create``;
- a read goes to the replica unless the code runs inside a transaction on the primary (the transaction's own
  rows are not on the replica yet; this includes a test case's wrapping transaction), unless the current
  user or task has just written (the pin below), and except the tables that must be current (sessions, API
  tokens, login lockouts, two-factor devices, the task queue: :data:`PRIMARY_ONLY_APPS`).

Read-your-writes: a standby replays the primary's changes a few milliseconds to seconds late. After a
logged-in user's non-safe request (POST, PUT, PATCH, DELETE) answered without an error, ``ReplicaPinMiddleware``
keeps that user's reads on the primary for ``TONGXIN_REPLICA_PIN_SECONDS`` (default 10). The pin is kept in
the session (an expiry time), not in the process, so every app server behind the load balancer sees it;
other users are not pinned. Code that writes outside a request (a task) and then reads its own result calls
:func:`pin_to_primary` after the write.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, overload

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.http import HttpRequest, HttpResponse

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
ALIASES = frozenset({PRIMARY, REPLICA})
# Session key: until when (epoch seconds) the session's user reads from the primary.
PIN_SESSION_KEY = "tx_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Tables read to decide who the caller is and what they may do now: always from the primary, even inside
# the mark (a session just created, a lockout just lifted, a token just revoked).
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "authtoken", "axes", "otp_totp", "otp_static", "django_tasks_database", "captcha"}
)

_replica_reads: ContextVar[bool] = ContextVar("tongxin_replica_reads", default=False)
_primary_until: ContextVar[float] = ContextVar("tongxin_primary_until", default=0.0)

F = TypeVar("F", bound=Callable[..., Any])


def clock() -> float:
    """Now, in epoch seconds (the tests move it)."""
    return time.time()


def replica_configured() -> bool:
    return REPLICA in connections.settings


def pinned() -> bool:
    """Whether the current request's user or the current task has written within the pin time."""
    return _primary_until.get() > clock()


def replica_reads_active() -> bool:
    """Whether a read here goes to the replica: inside the mark, with a replica, not pinned, and not inside a
    transaction on the primary."""
    return _replica_reads.get() and replica_configured() and not pinned() and not connections[PRIMARY].in_atomic_block


@contextmanager
def _marked() -> Iterator[None]:
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


@overload
def reads_from_replica(func: F, /) -> F: ...
@overload
def reads_from_replica() -> AbstractContextManager[None]: ...
def reads_from_replica(func: Callable[..., Any] | None = None, /) -> Any:
    """Mark the reads of a view (``@reads_from_replica``) or of a block (``with reads_from_replica():``) as
    fit for the replica. A view's request user is loaded first (from the primary)."""
    if func is None:
        return _marked()

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], HttpRequest):
            user = getattr(args[0], "user", None)
            if user is not None:
                user.is_authenticated  # noqa: B018 -- resolves the lazy user (and its session) on the primary
        with _marked():
            return func(*args, **kwargs)

    return wrapper


def pin_to_primary(request: HttpRequest | None = None) -> None:
    """Reads of the current request or task stay on the primary for ``TONGXIN_REPLICA_PIN_SECONDS``; with
    the request of a user logged in with a session, that user's next requests too (on any app server)."""
    if not replica_configured():
        return
    until = clock() + settings.TONGXIN_REPLICA_PIN_SECONDS
    _primary_until.set(max(_primary_until.get(), until))
    session = getattr(request, "session", None)
    if session is not None and "_auth_user_id" in session:
        session[PIN_SESSION_KEY] = math.ceil(until)


def _session_pin(request: HttpRequest) -> float:
    session = getattr(request, "session", None)
    value = session.get(PIN_SESSION_KEY) if session is not None else None
    return float(value) if isinstance(value, int | float) else 0.0


class ReplicaPinMiddleware:
    """After the session and authentication middleware: applies the session's pin to this request's reads,
    and pins the user after a non-safe request answered without an error (below 400). Does nothing without a
    replica (no session write)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        token = _primary_until.set(_session_pin(request))
        try:
            response = self.get_response(request)
            if request.method not in SAFE_METHODS and response.status_code < 400:
                pin_to_primary(request)
        finally:
            _primary_until.reset(token)
        return response


class ReplicaRouter:
    """``DATABASE_ROUTERS``: reads to the replica only inside :func:`reads_from_replica` (see the module's
    docstring), writes and migrations to the primary."""

    def db_for_read(self, model: type[models.Model], **hints: Any) -> str:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        return REPLICA if replica_reads_active() else PRIMARY

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read from one may point to one read from the other.
        if obj1._state.db in ALIASES and obj2._state.db in ALIASES:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY  # a replica is a copy of the primary: it is never migrated itself
