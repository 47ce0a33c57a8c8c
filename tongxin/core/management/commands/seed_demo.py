"""Seed the demo: the steps the apps register (``core.registry.register_demo_step``), in declared order.

Core knows the registry, never the apps: the people app builds the district, the accounts app adds the four
demo accounts on it, and a feature app adds its records about those people.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from tongxin.core import bulkload
from tongxin.core.achievements import delivered_in_bulk, delivered_inline
from tongxin.core.registry import DemoRun, demo_steps


class Command(BaseCommand):
    help = "Create the demo district (deterministic) and the demo accounts; --scale N for N times as much."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when organisations exist")

    def handle(self, *args: Any, scale: int, seed: int, if_empty: bool, **options: Any) -> None:
        if scale < 1:
            raise CommandError(_("--scale must be 1 or more."))
        steps = demo_steps()
        refusals = [reason for step in steps if (reason := step.already_seeded())]
        if refusals:
            if if_empty:
                self._describe(steps)
                return
            raise CommandError(refusals[0])
        run = DemoRun(scale=scale, seed=seed, progress=lambda m: self.stdout.write(f"  {m}"))
        began = time.monotonic()
        # Each step's seconds as it ends, then the foreign keys' and the commit's, then the whole. The points of
        # the demo's meetings, studies and hours are booked as they are made (not through the task queue): later
        # steps read them. On PostgreSQL the foreign keys are dropped for the load and added back at its end, in
        # the same transaction (core.bulkload): each checks all its rows in one pass instead of one deferred
        # check per row at commit (151 s of the 10× seed's commit); a row breaking one fails the seed. Each step
        # is a bulk block of the points hooks: the ledger writes the monthly scores and the points tally its
        # batches moved once, at the step's end (later steps read them), not once per batch.
        with transaction.atomic(), delivered_inline():
            dropped = bulkload.drop_foreign_keys()
            for step in steps:
                started = time.monotonic()
                with delivered_in_bulk():
                    run.results[step.name] = step.seed(run)
                self._elapsed(step.name, started)
            if dropped:
                started = time.monotonic()
                bulkload.restore_foreign_keys(dropped)
                self._elapsed(_("foreign keys"), started)
            committing = time.monotonic()
        self._elapsed("commit", committing)
        self._elapsed(_("total"), began)
        for step in steps:
            if line := step.summary(run.results[step.name]):
                self.stdout.write(line)
        self._describe(steps)

    def _elapsed(self, name: str, started: float) -> None:
        self.stdout.write(_("%(step)s: %(s).1f s") % {"step": name, "s": time.monotonic() - started})
        self.stdout.flush()

    def _describe(self, steps: list[Any]) -> None:
        for step in steps:
            if text := step.describe():
                self.stdout.write(text)
