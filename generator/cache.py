"""The build cache: per-file results keyed by content hash, kept in .cache/ beside site.yaml.

A change to the generator's code, its libraries or the settings a file's result depends on
changes the fingerprint, and then every entry is stale. The cache holds what content/ holds
(no more), and never goes into the output.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from importlib import metadata
from pathlib import Path

from generator import __version__
from generator.documents import FileResult, FileSettings

CACHE_FORMAT = 1
GENERATOR_DIR = Path(__file__).resolve().parent


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


class DocumentCache:
    def __init__(self, folder: Path | None, settings: FileSettings):
        self.path = folder / "documents.pickle" if folder else None
        self.fingerprint = hashlib.sha256((code_fingerprint() + repr(settings)).encode()).hexdigest()
        self.entries: dict[str, tuple[str, FileResult]] = {}
        self.fresh: dict[str, tuple[str, FileResult]] = {}
        self.hits = 0
        if self.path and self.path.is_file():
            try:
                with self.path.open("rb") as handle:
                    fingerprint, entries = pickle.load(handle)
                if fingerprint == self.fingerprint:
                    self.entries = entries
            except Exception:  # a damaged or foreign cache is only a slower build
                self.entries = {}

    def get(self, path: Path, file_hash: str) -> FileResult | None:
        entry = self.entries.get(str(path))
        if entry and entry[0] == file_hash:
            self.hits += 1
            self.fresh[str(path)] = entry
            return entry[1]
        return None

    def put(self, path: Path, file_hash: str, result: FileResult) -> None:
        self.fresh[str(path)] = (file_hash, result)

    def save(self) -> None:
        """Keep only the files of this build, written whole or not at all; nothing to do when unchanged."""
        if not self.path or self.fresh.keys() == self.entries.keys() and self.hits == len(self.entries):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        with partial.open("wb") as handle:
            pickle.dump((self.fingerprint, self.fresh), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, self.path)


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
