"""Print an API token for a user (creating it if needed)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from tongxin.accounts.models import User


class Command(BaseCommand):
    help = "Print the API token of USERNAME (Authorization: Token <key>); --rotate replaces it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="replace an existing token")

    def handle(self, *args, username: str, rotate: bool, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named %(name)s.") % {"name": username})
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
