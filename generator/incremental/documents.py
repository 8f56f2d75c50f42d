"""The build cache: per-file results keyed by content hash, kept in .cache/ beside site.yaml.

A change to the generator's code, its libraries or the settings a file's result depends on
changes the fingerprint, and then every entry is stale. The cache holds what content/ holds
(no more), and never goes into the output.

Entries are small: the rendered HTML and text of each file live in the body store
(generator/incremental/bodies.py, .cache/bodies.sqlite), which the cache keeps to the files it knows.
A file whose size, modification time and inode are those the cache recorded is not read
again to learn its hash, unless it changed within moments of the cache being written.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from dataclasses import fields
from operator import attrgetter
import copyreg
import functools
from pathlib import Path

from generator.core.model import StoredBody
from generator.incremental.bodies import MemoryStore, SqliteStore, body_key
from generator.incremental.cachedir import code_fingerprint
from generator.core.types import FileResult, FileSettings
from generator.core.fsutil import RACY_NS
from generator.core.safefs import hash_regular
from generator.core.kinds import TESTIMONY



# size, mtime_ns, inode, ctime_ns, and when they were recorded (ns). The ctime as git compares
# it: a tool can set a file's modification time back after an edit, never its change time.
Stat = tuple[int, int, int, int, int]
Entry = tuple[str, Stat, FileResult]  # content hash, stat, result
# The stat of a file gone before its entry was made: no file's equals it, so it is hashed next time.
_GONE: Stat = (-1, -1, -1, -1, 0)


def _stat(path: Path) -> Stat | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, time.time_ns())


class DocumentCache:
    """Entries by path, in documents.pickle plus a journal of the changes made since it was written.

    A build that adds or edits a few files appends those entries to the journal instead of
    writing every entry again; when the journal grows past a twentieth of the entries, or a
    file was deleted, or a testimony changed, the whole cache is written anew, so that no
    earlier version of a testimony stays in it. A journal record cut short (a killed build) ends the journal:
    the entries before it stand, and the files after it are only read again.
    """

    def __init__(self, folder: Path | None, settings: FileSettings, store: MemoryStore | SqliteStore):
        self.settings = settings
        self.path = folder / "documents.pickle" if folder else None
        self.journal = folder / "documents.journal" if folder else None
        self.store = store
        self.fingerprint = hashlib.sha256((code_fingerprint() + repr(settings)).encode()).hexdigest()
        self.entries: dict[str, Entry] = {}
        self.fresh: dict[str, Entry] = {}
        self.stats: dict[str, Stat | None] = {}  # what file_hash found, for get
        self.generation = ""
        self.journal_records = 0
        self.hits = 0
        self.damaged: str | None = None  # why the cache file could not be read, when it is damaged
        warm = _last_saved.get("state")
        if self.path and warm and warm[0] == (str(self.path), self.fingerprint, self._files_state()):
            # This process wrote the cache last (a preview rebuilding): its entries are still here,
            # and so are their bodies (a build that deletes bodies writes the cache files too).
            _, self.generation, self.journal_records, self.entries = warm
            return
        if self.path and self.path.is_file():
            try:
                with self.path.open("rb") as handle:
                    # The fingerprint comes first and alone: a cache of other code or settings is
                    # only out of date; one of this code that cannot be read is damaged.
                    if pickle.load(handle) == self.fingerprint:
                        try:
                            self.generation, self.entries = pickle.load(handle)
                        except Exception as exc:
                            self.damaged = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                            raise
                        self._replay()
            except Exception:  # a damaged or foreign cache is only a slower build
                self.entries, self.generation = {}, ""
        if self.entries:  # an entry whose body is not in the store is no use
            stored = store.keys()
            if any(_body_key(entry[2]) and _body_key(entry[2]) not in stored for entry in self.entries.values()):
                self.entries = {path: entry for path, entry in self.entries.items()
                                if not _body_key(entry[2]) or _body_key(entry[2]) in stored}

    def _files_state(self) -> tuple:
        """What the file system says of the cache's files: another build writing them changes it."""
        return tuple((_stat(path) or (None,))[:4] for path in (self.path, self.journal))

    def _remember(self) -> None:
        _last_saved["state"] = ((str(self.path), self.fingerprint, self._files_state()), self.generation,
                                self.journal_records, self.fresh)

    def _replay(self) -> None:
        try:
            handle = self.journal.open("rb")
        except OSError:
            return
        with handle:
            try:
                if pickle.load(handle) != self.generation:
                    return
                while True:
                    path, entry = pickle.load(handle)
                    self.journal_records += 1
                    self.entries[path] = entry
            except Exception:  # the end, or a record cut short
                return

    def file_hash(self, path: Path) -> str:
        """The file's SHA-256; from the cache when the file system says it is the file hashed then."""
        entry = self.entries.get(str(path))
        if entry:
            now = self.stats[str(path)] = _stat(path)
            if now is None:
                return ""
            recorded = entry[1][4]
            if now[:4] == entry[1][:4] and max(now[1], now[3]) < recorded - RACY_NS:
                return entry[0]
        # "" for a file that is unreadable or not a regular file (a pipe would block here): never
        # a cache hit, and the per-file stage reports why.
        return hash_regular(path)

    def get(self, path: Path, file_hash: str) -> FileResult | None:
        entry = self.entries.get(str(path))
        if entry and entry[0] == file_hash:
            self.hits += 1
            stat = entry[1]
            now = self.stats.pop(str(path), None) or _stat(path)  # file_hash looked a moment ago
            if now and now[:4] != stat[:4] or max(stat[1], stat[3]) >= stat[4] - RACY_NS:
                entry = (file_hash, now or stat, entry[2])  # touched, or racy then: record the file as it is now
            self.fresh[str(path)] = entry
            return entry[2]
        return None

    def body_key(self, file_hash: str) -> str:
        return body_key(self.fingerprint, file_hash)

    def knows(self, path: Path) -> bool:
        return str(path) in self.entries

    def put(self, path: Path, file_hash: str, result: FileResult) -> None:
        self.fresh[str(path)] = (file_hash, _stat(path) or _GONE, result)

    def keep_all_but(self, changed: dict[str, tuple[str, FileResult]]) -> None:
        """For a build that read only the ``changed`` files (path -> (hash, result)): every other
        entry stands as it is, and save() keeps them."""
        self.fresh = dict(self.entries)
        for path, (digest, result) in changed.items():
            self.put(Path(path), digest, result)

    def save(self) -> None:
        """Keep only the files of this build; nothing to do when nothing changed."""
        if not self.path:
            return
        changed = {path: entry for path, entry in self.fresh.items() if self.entries.get(path) is not entry}
        removed = self.entries.keys() - self.fresh.keys()
        if not changed and not removed:
            self._remember()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        records = self.journal_records + len(changed)
        # A deleted file, or an earlier version of a testimony (an editor may have removed a
        # detail that identifies someone), must not stay in the cache: the cache is written
        # whole then. Added files and edited articles and pages go to the journal.
        forgets = bool(removed) or any(Path(path).parent.name == TESTIMONY.folder and self.entries[path][0] != entry[0]
                                       for path, entry in changed.items() if path in self.entries)
        if self.generation and not forgets and records <= max(64, len(self.fresh) // 20):
            with self.journal.open("ab") as handle:
                if self.journal_records == 0:
                    handle.truncate(0)
                    pickle.dump(self.generation, handle)
                for path in sorted(changed):
                    pickle.dump((path, changed[path]), handle, protocol=pickle.HIGHEST_PROTOCOL)
            self.journal_records = records
        else:
            self.generation = f"{time.time_ns()}-{os.getpid()}"
            partial = self.path.with_suffix(".partial")
            try:
                with partial.open("wb") as handle:
                    pickler = _pickler(handle)
                    pickler.dump(self.fingerprint)
                    pickler.clear_memo()  # each part is read on its own
                    pickler.dump((self.generation, self.fresh))
                os.replace(partial, self.path)
            except BaseException:  # a full disk, say: the cache file stays as it was, with no partial one
                partial.unlink(missing_ok=True)
                raise
            if self.journal.exists():
                self.journal.unlink()
        # Bodies no entry refers to any more (files changed or gone; two files with the same
        # bytes share one) are deleted; a full rewrite also clears out any strays.
        live = {_body_key(entry[2]) for entry in self.fresh.values()}
        if not self.journal.exists():
            self.store.discard(self.store.keys() - live)
            self.journal_records = 0
        else:
            old = {_body_key(self.entries[path][2]) for path in changed if path in self.entries}
            self.store.discard(key for key in old - live if key)
        self._remember()


# The cache this process saved last, with what the file system said of its files then. A
# process that builds again (the preview) starts from it instead of reading the files back;
# one entry only, so a process building many sites keeps one site's entries at most.
_last_saved: dict[str, tuple] = {}


def forget_saved() -> None:
    """Drop what this process keeps of the cache it saved (it was emptied)."""
    _last_saved.clear()


def _pickler(handle) -> pickle.Pickler:
    """A pickler that writes the cache's frozen dataclasses as their fields, in a quarter of the time."""
    pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _dispatch_table()
    return pickler


def _by_fields(cls):
    names = [f.name for f in fields(cls)]
    get = attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (cls, (get(obj),))
    return lambda obj: (cls, get(obj))


def _body_key(result: FileResult) -> str | None:
    document = result.document
    return document.body.key if document is not None and isinstance(document.body, StoredBody) else None


@functools.cache
def _dispatch_table() -> dict:
    from generator.core.diagnostics import Diagnostic
    from generator.core.types import Reference
    from generator.core.dates import PartialDate
    from generator.core.model import Article, Page, Testimony
    from generator.core.types import Allowance

    table = copyreg.dispatch_table.copy()
    for cls in (Article, Testimony, Page, PartialDate, Reference, FileResult, Diagnostic, Allowance, StoredBody):
        table[cls] = _by_fields(cls)
    return table
