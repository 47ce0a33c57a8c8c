"""Recompute every organisation's roll-up counts from the roster."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongxin.orgs.services import rebuild_rollups
from tongxin.people.queries import direct_member_counts


class Command(BaseCommand):
    help = "Recompute members_direct, members_total and children_count of every organisation."

    def handle(self, *args, **options):
        rows = rebuild_rollups(direct_member_counts)
        self.stdout.write(_("Rebuilt the counts of %(n)d organisations.") % {"n": rows})
