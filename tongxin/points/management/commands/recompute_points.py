"""``manage.py recompute_points``: rebuild the monthly points roll-ups from the ledger (the services keep them;
this repairs and proves them: it prints how many rows differed)."""

from django.core.management.base import BaseCommand

from tongxin.points.services.ledger import recompute_scores


class Command(BaseCommand):
    help = "Recompute the monthly points roll-ups (MonthlyScore) from the ledger."

    def handle(self, *args, **options) -> None:
        differing = recompute_scores(None)
        self.stdout.write(f"{differing} monthly score rows differed from the ledger and were rewritten.")
