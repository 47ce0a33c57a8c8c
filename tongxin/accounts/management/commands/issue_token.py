"""Print an API token for a user (creating it if needed) through ``accounts.services.issue_api_token``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongxin.accounts.services import issue_api_token
from tongxin.core.exceptions import DomainError


class Command(BaseCommand):
    help = "Print the API token of USERNAME (Authorization: Token <key>); --rotate replaces it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="replace an existing token")

    def handle(self, *args: Any, username: str, rotate: bool, **options: Any) -> None:
        try:
            key = issue_api_token(None, username=username, rotate=rotate)
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(key)
