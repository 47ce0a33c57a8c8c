"""What the apps do when a subtree moves: a small registry, filled in the apps' ``AppConfig.ready()``.

``orgs.services.move_organization`` rewrites every declared path column and carries the organisation tables'
roll-ups (OrgStats, ``tallies.move_subtree``) itself. An app that keeps roll-up rows of its own per organisation
(the study app's ``PeriodStats``) registers a handler here: it is called in the move's transaction, once every
path has been rewritten, with the moved organisation (at its new place) and its old and new paths. The orgs app
imports none of the handlers' apps.
"""

from __future__ import annotations

from collections.abc import Callable

from tongxin.orgs.models import Organization

SubtreeMoved = Callable[[Organization, str, str], None]

_HANDLERS: dict[str, SubtreeMoved] = {}


def register_subtree_moved(name: str, handler: SubtreeMoved) -> None:
    """Call ``handler(org, old_path, new_path)`` after each move (``name``: the app; registering again replaces)."""
    _HANDLERS[name] = handler


def subtree_moved(org: Organization, old_path: str, new_path: str) -> None:
    """Run every registered handler, in the order they were registered (in the move's transaction)."""
    for handler in list(_HANDLERS.values()):
        handler(org, old_path, new_path)


def registered() -> list[str]:
    return list(_HANDLERS)
