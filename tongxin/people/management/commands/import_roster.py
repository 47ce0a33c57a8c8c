"""``python manage.py import_roster FILE [--org CODE] [--dry-run] [--valid-only]``: import a roster spreadsheet."""

from tongxin.people.management.import_command import ImportCommand


class Command(ImportCommand):
    help = "Check a roster spreadsheet, write its error report beside it, and import it (all or nothing by default)."
    kind = "roster"
