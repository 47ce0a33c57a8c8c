"""A tqdm bar per table for the maintenance commands (``core.services.Progress`` callbacks)."""

from __future__ import annotations

from typing import IO, Any

from tqdm import tqdm


class TableProgress:
    """``progress(label, total, done)``: one bar per label, closed when the next label starts or at exit."""

    def __init__(self, file: IO[str] | Any, *, disable: bool) -> None:
        self.file = file
        self.disable = disable
        self.label = ""
        self.bar: tqdm | None = None

    def __call__(self, label: str, total: int, done: int) -> None:
        if label != self.label or self.bar is None:
            self.close()
            self.label = label
            self.bar = tqdm(total=total, desc=label, unit=" rows", disable=self.disable, file=self.file)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> TableProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
