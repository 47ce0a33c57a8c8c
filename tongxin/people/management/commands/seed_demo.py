"""Seed the demo district and the four demo accounts."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from tongxin.orgs.models import Organization


class Command(BaseCommand):
    help = "Create the demo district (deterministic) and the demo accounts; --scale N for N times as much."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when organisations exist")

    def handle(self, *args, scale: int, seed: int, if_empty: bool, **options):
        from tongxin.accounts.demo import create_demo_accounts, describe_demo_accounts
        from tongxin.people.demo import build_demo

        if scale < 1:
            raise CommandError(_("--scale must be 1 or more."))
        if Organization.objects.exists():
            if if_empty:
                self.stdout.write(describe_demo_accounts())
                return
            raise CommandError(_("The database already holds organisations; seed_demo only fills an empty one."))
        started = time.monotonic()
        with transaction.atomic():
            result = build_demo(scale=scale, seed=seed, progress=lambda m: self.stdout.write(f"  {m}"))
            create_demo_accounts(result.root)
        self.stdout.write(
            _("Demo district seeded: %(orgs)d organisations, %(people)d people in %(s).1f s.")
            % {"orgs": result.organizations, "people": result.people, "s": time.monotonic() - started}
        )
        self.stdout.write(describe_demo_accounts())
