"""The base of the maintenance commands that run one service over every row in batches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongxin.core.tqdm_progress import TableProgress


class BatchCommand(BaseCommand):
    """``--batch`` rows per transaction, a progress bar on stderr and ``done_message`` (a lazy translation
    with ``%(count)d``) at the end; ``--verbosity 0`` shows neither. A command names its service in ``work``."""

    done_message: Any = ""

    def work(self, batch: int, progress: TableProgress) -> int:
        """Run the service; the number of rows it changed."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] < 1
        with TableProgress(self.stderr, disable=quiet) as progress:
            count = self.work(options["batch"], progress)
        if not quiet:
            self.stdout.write(str(self.done_message) % {"count": count})
