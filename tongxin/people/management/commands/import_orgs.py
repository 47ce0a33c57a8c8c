"""``python manage.py import_orgs FILE [--org CODE] [--dry-run] [--valid-only]``: import an organisation tree."""

from tongxin.people.management.import_command import ImportCommand


class Command(ImportCommand):
    help = "Check a spreadsheet of organisations, write its error report beside it, and import it."
    kind = "orgs"
