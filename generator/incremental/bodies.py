"""Rendered bodies kept out of memory: a large archive's HTML and text stay on disk until a page needs them.

A document's sanitised HTML and plain text make up nine tenths of its size (about 15 KB of
a 700-word item: 300 MB at 20,000 items). After the per-file stage they go into a store;
the document keeps a small reference, and the page, feed or search stage that needs the
text reads it back. With the build cache on, the store is an SQLite file in .cache/ (so it
is also the cache of rendered bodies); with --no-cache, a dictionary in memory.

Forked worker processes inherit the stores and open their own connection on first use.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator


from generator.core.model import STORES, InlineBody, StoredBody
from generator.core.fsutil import CacheDamaged
from generator.core.types import FileResult


class MemoryStore:
    def __init__(self) -> None:
        self._bodies: dict[str, tuple[str, str]] = {}

    def put(self, items: Iterable[tuple[str, InlineBody]]) -> None:
        for key, body in items:
            self._bodies[key] = (str(body.html), body.text)

    def get(self, key: str) -> tuple[str, str] | None:
        return self._bodies.get(key)

    def keys(self) -> set[str]:
        return set(self._bodies)

    def discard(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._bodies.pop(key, None)


class SqliteStore:
    """Bodies by key in one SQLite file; written by the main process, read by any.

    SQLite's own errors become the build's: a full disk or a read-only folder an OSError
    naming the file, a damaged file CacheDamaged (the build empties the cache and runs again).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        with self._faults():
            self._connection().execute("CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, html TEXT, text TEXT)")

    @contextlib.contextmanager
    def _faults(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:  # full, read-only, unopenable: the disk's fault, not the file's
            text = str(exc)
            code = errno.ENOSPC if "full" in text else errno.EROFS if "readonly" in text else errno.EIO
            raise OSError(code, text, str(self.path)) from None
        except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
            raise CacheDamaged(str(self.path), str(exc)) from None

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # a forked worker: never reuse the parent's
            local.connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            local.connection.execute("PRAGMA journal_mode=WAL")
            local.connection.execute("PRAGMA synchronous=NORMAL")
            # Deleted text is overwritten, not left in free pages: an earlier version of a
            # testimony must not stay readable in the cache file.
            local.connection.execute("PRAGMA secure_delete=ON")
            local.pid = os.getpid()
        return local.connection

    def put(self, items: Iterable[tuple[str, InlineBody]]) -> None:
        with self._faults():
            connection = self._connection()
            connection.execute("BEGIN")
            try:
                connection.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)",
                                       ((key, str(body.html), body.text) for key, body in items))
            except BaseException:
                if connection.in_transaction:  # SQLite ends it itself on some errors (a full disk)
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def get(self, key: str) -> tuple[str, str] | None:
        with self._faults():
            return self._connection().execute("SELECT html, text FROM bodies WHERE key = ?", (key,)).fetchone()

    def keys(self) -> set[str]:
        with self._faults():
            return {key for (key,) in self._connection().execute("SELECT key FROM bodies")}

    def discard(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if keys:
            with self._faults():
                connection = self._connection()
                connection.execute("BEGIN")
                connection.executemany("DELETE FROM bodies WHERE key = ?", ((key,) for key in keys))
                connection.execute("COMMIT")
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and no old page stays in the log

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None and getattr(self._local, "pid", None) == os.getpid():
            connection.close()
        self._local = threading.local()


def body_key(fingerprint: str, file_hash: str) -> str:
    """The key of a file's rendered body: its content hash under the settings that rendered it."""
    return hashlib.sha256(f"{fingerprint}\n{file_hash}".encode()).hexdigest()


# The stores of this process, newest first: a document read from the cache finds its body in them
# (core/model.py's StoredBody looks there).
_stores = STORES


def forget_stores() -> None:
    """Close and drop this process's stores (the cache was emptied)."""
    for store in _stores:
        if isinstance(store, SqliteStore):
            store.close()
    _stores.clear()


def open_store(cache_dir: Path | None) -> MemoryStore | SqliteStore:
    if cache_dir is None:
        store: MemoryStore | SqliteStore = MemoryStore()
    else:
        path = cache_dir / "bodies.sqlite"
        existing = next((s for s in _stores if isinstance(s, SqliteStore) and s.path == path), None)
        store = existing or SqliteStore(path)
        if existing:
            _stores.remove(existing)
    _stores.insert(0, store)
    del _stores[8:]  # builds in one process (serve, tests) must not accumulate stores without end
    return store


def shared_store() -> SqliteStore | None:
    """The newest store, when worker processes can write to it too."""
    return _stores[0] if _stores and isinstance(_stores[0], SqliteStore) else None


def store_bodies(results: list[tuple[int, "FileResult", str]], store: MemoryStore | SqliteStore) -> list["FileResult"]:
    """Move the rendered bodies of fresh results into the store; the results keep a reference."""
    moved, batch = [], []
    for _, result, key in results:
        document = result.document
        if document is not None and isinstance(document.body, InlineBody) and key:
            batch.append((key, document.body))
            result = replace(result, document=replace(document, body=StoredBody(key)))
        moved.append(result)
    store.put(batch)
    return moved
