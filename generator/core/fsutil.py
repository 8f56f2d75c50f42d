"""Small file-system helpers every layer shares: whole-or-nothing writes, the window within which
a file's times cannot be trusted, and the two ways a cache can fail."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

# A file modified less than this long before its state was recorded is compared by content
# hash too: a change within the same clock tick can leave its size, times and inode as they were
# ("racily clean", in git's words). Used by the document cache and the no-change check.
RACY_NS = 3_000_000_000


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: under a temporary name, then renamed over the old one.
    A failure (a full disk) leaves the old file as it was and no partial one behind."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        with open(partial, "wb") as handle:
            handle.write(data)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


class CacheRefused(Exception):
    """The cache folder cannot be used; str() says why and what to do."""


class CacheDamaged(Exception):
    """A cache file that cannot be read as what it should be (a damaged SQLite file, say)."""

    def __init__(self, path: str, detail: str):
        super().__init__(path, detail)  # both arguments, so it survives pickling between processes
        self.path, self.detail = path, detail
