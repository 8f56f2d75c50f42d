"""Build progress on one rewritten line of a terminal; silent when stderr is a file or a pipe."""

from __future__ import annotations

import sys
import time
from typing import Iterable, Iterator, TextIO, TypeVar

T = TypeVar("T")


class Progress:
    """No output: what build() uses unless it is given a TerminalProgress."""

    def stage(self, name: str) -> None:
        pass

    def count(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        yield from items

    def finish(self) -> None:
        pass


class TerminalProgress(Progress):
    """Shows the current stage and a running count, only once a build has taken `delay` seconds."""

    def __init__(self, stream: TextIO = sys.stderr, delay: float = 0.5, interval: float = 0.1):
        self.stream, self.delay, self.interval = stream, delay, interval
        self.started = time.monotonic()
        self.last_shown = 0.0
        self.shown = False

    def _show(self, text: str, force: bool = False) -> None:
        now = time.monotonic()
        if now - self.started < self.delay or (not force and now - self.last_shown < self.interval):
            return
        self.stream.write("\r\033[K" + text)
        self.stream.flush()
        self.last_shown, self.shown = now, True

    def stage(self, name: str) -> None:
        self._show(name + " ...", force=True)

    def count(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        of = f" of {total:,}" if total is not None else ""
        for number, item in enumerate(items, start=1):
            self._show(f"{label}: {number:,}{of} pages")
            yield item

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def for_stderr() -> Progress:
    return TerminalProgress(sys.stderr) if sys.stderr.isatty() else Progress()
