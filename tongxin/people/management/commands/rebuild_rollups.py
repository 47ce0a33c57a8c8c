"""Recompute every organisation's roll-up counts from the roster."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongxin.orgs import tallies
from tongxin.orgs.services import rebuild_rollups
from tongxin.people.queries import direct_member_counts


class Command(BaseCommand):
    help = "Recompute every organisation's counts (members, children) and the dashboards' tallies."

    def handle(self, *args, **options):
        rows = rebuild_rollups(direct_member_counts)
        self.stdout.write(_("Rebuilt the counts of %(n)d organisations.") % {"n": rows})
        figures = tallies.rebuild()
        self.stdout.write(_("Rebuilt %(n)d tally rows.") % {"n": figures})
