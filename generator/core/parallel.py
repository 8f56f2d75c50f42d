"""What every stage that runs in parallel shares: how many processes to use, and a collector that
does not rescan a build's long-lived objects again and again."""

from __future__ import annotations

import contextlib
import gc
import os


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@contextlib.contextmanager
def fewer_collections():
    """A build makes hundreds of thousands of objects that live until its end (documents, pages,
    cache entries) and next to no reference cycles; at the collector's usual pace it rescans
    them again and again (half the time of loading the document cache at 20,000 items). It
    runs here after every 100,000 new objects instead of every 700."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
