"""The build cache: per-file results keyed by content hash, kept in .cache/ beside site.yaml.

A change to the generator's code, its libraries or the settings a file's result depends on
changes the fingerprint, and then every entry is stale. The cache holds what content/ holds
(no more), and never goes into the output.

Entries are small: the rendered HTML and text of each file live in the body store
(generator/bodies.py, .cache/bodies.sqlite), which the cache keeps to the files it knows.
A file whose size, modification time and inode are those the cache recorded is not read
again to learn its hash, unless it changed within moments of the cache being written.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from dataclasses import replace
from importlib import metadata
from pathlib import Path

from generator import __version__
from generator.bodies import InlineBody, MemoryStore, SqliteStore, StoredBody
from generator.documents import FileResult, FileSettings

CACHE_FORMAT = 2
GENERATOR_DIR = Path(__file__).resolve().parent
# A file modified less than this long before the cache was written is hashed again.
RACY_NS = 3_000_000_000


def code_fingerprint() -> str:
    digest = hashlib.sha256(f"{CACHE_FORMAT} {__version__} {sys.version}".encode())
    for package in ("Markdown", "nh3", "PyYAML", "Jinja2"):
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            pass
    for path in sorted(GENERATOR_DIR.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


Stat = tuple[int, int, int]  # size, mtime_ns, inode


class DocumentCache:
    def __init__(self, folder: Path | None, settings: FileSettings, store: MemoryStore | SqliteStore):
        self.path = folder / "documents.pickle" if folder else None
        self.store = store
        self.fingerprint = hashlib.sha256((code_fingerprint() + repr(settings)).encode()).hexdigest()
        self.entries: dict[str, tuple[str, Stat, FileResult]] = {}
        self.fresh: dict[str, tuple[str, Stat, FileResult]] = {}
        self.saved_ns = 0
        self.hits = 0
        if self.path and self.path.is_file():
            try:
                with self.path.open("rb") as handle:
                    fingerprint, saved_ns, entries = pickle.load(handle)
                if fingerprint == self.fingerprint:
                    self.entries, self.saved_ns = entries, saved_ns
            except Exception:  # a damaged or foreign cache is only a slower build
                self.entries = {}
            if self.entries:  # an entry whose body is not in the store is no use
                stored = store.keys()
                self.entries = {path: entry for path, entry in self.entries.items()
                                if not _body_key(entry[2]) or _body_key(entry[2]) in stored}

    def file_hash(self, path: Path) -> str:
        """The file's SHA-256; from the cache when the file system says it is the file hashed then."""
        entry = self.entries.get(str(path))
        if entry:
            try:
                st = os.stat(path)
            except OSError:
                return ""
            if (st.st_size, st.st_mtime_ns, st.st_ino) == entry[1] and st.st_mtime_ns < self.saved_ns - RACY_NS:
                return entry[0]
        return file_hash(path)

    def get(self, path: Path, file_hash: str) -> FileResult | None:
        entry = self.entries.get(str(path))
        if entry and entry[0] == file_hash:
            self.hits += 1
            self.fresh[str(path)] = entry
            return entry[2]
        return None

    def body_key(self, file_hash: str) -> str:
        return hashlib.sha256(f"{self.fingerprint}\n{file_hash}".encode()).hexdigest()

    def put(self, path: Path, file_hash: str, result: FileResult) -> None:
        try:
            st = os.stat(path)
            stat = (st.st_size, st.st_mtime_ns, st.st_ino)
        except OSError:
            stat = (-1, -1, -1)
        self.fresh[str(path)] = (file_hash, stat, result)

    def save(self) -> None:
        """Keep only the files of this build, written whole or not at all; nothing to do when unchanged."""
        if not self.path or self.fresh.keys() == self.entries.keys() and self.hits == len(self.entries):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        with partial.open("wb") as handle:
            pickle.dump((self.fingerprint, time.time_ns(), self.fresh), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, self.path)
        self.store.keep_only({key for entry in self.fresh.values() if (key := _body_key(entry[2]))})


def store_bodies(results: list[tuple[int, FileResult, str]], store: MemoryStore | SqliteStore) -> list[FileResult]:
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


def _body_key(result: FileResult) -> str | None:
    document = result.document
    return document.body.key if document is not None and isinstance(document.body, StoredBody) else None


def file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""  # unreadable: never a cache hit, and the per-file stage reports why


def prepare_cache_dir(folder: Path) -> Path:
    """Make the cache folder, ignored by git: it holds what content/ holds, drafts included,
    and must never be committed where content was later removed."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.is_file():
        ignore.write_text("# Written by Chorus: the build cache is never committed.\n*\n")
    return folder
