"""The only code that touches the output folder: update a copy of it aside, then swap the two.

Beside the output folder ``site/`` Chorus keeps ``.site.building/``: a copy of the output
whose files are hard links to the output's own (so it costs directory entries, not disk
space). A build updates that copy, writing only the files whose bytes changed and deleting
those no longer built, then exchanges it with the output in one rename. A failed or
interrupted build leaves the output as it was. Right after the swap, every file of the old
output that differs from the new one (a withdrawn testimony's page, the old text of an
edited one) is deleted from the copy, so nothing unpublished lingers beside the output.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import hashlib
import json
import os
import shutil
from pathlib import Path
from types import MappingProxyType
from typing import AbstractSet as Set, Callable, Iterable, Mapping

from generator.core.diagnostics import DiagnosticError, error, os_error
from generator.output.manifest import MANIFEST_NAME, manifest_output
from generator.core.types import Output, ReusedFile, WriteResult, Written

MARKER = ".chorus-output"
MARKER_TEXT = b"This folder is written by Chorus; each build replaces it whole.\n"
# In the copy beside the output: what it holds (path -> sha256), present only while that is true.
COPY_MANIFEST = ".chorus-copy.json"
# In the copy while it is being changed: its contents are unknown if the build stops there.
UPDATING = ".chorus-updating"


def check_output_dir(out_dir: Path, protected: Iterable[Path], sources: Iterable[Path] = ()) -> None:
    """Refuse to replace a folder Chorus did not make, one that holds the sources, or to write
    inside the content or templates (the next build would read its own output back in)."""
    out_dir = out_dir.resolve()
    for path in protected:
        path = path.resolve()
        if out_dir == path or out_dir in path.parents:
            raise DiagnosticError((error(out_dir, None, f"refusing to write here: the output folder would replace {path}; choose another --out"),))
    for path in sources:
        path = path.resolve()
        if path in out_dir.parents:
            raise DiagnosticError((error(out_dir, None, f"refusing to write inside {path}: the next build would read "
                                                        f"the output back in; choose a folder outside it for --out"),))
    if out_dir.is_file():
        raise DiagnosticError((error(out_dir, None, "the output path is a file: choose a folder for --out"),))
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise DiagnosticError((error(out_dir, None, "refusing to replace a folder that Chorus did not write: empty it, delete it or choose another --out"),))


def copy_dir(out_dir: Path) -> Path:
    """The folder beside the output that builds update before swapping it in."""
    out_dir = out_dir.resolve()
    return out_dir.parent / f".{out_dir.name}.building"


class OutputWriter:
    """Brings the copy beside the output up to date, then swaps it in.

    open() marks the copy as changing and learns what it holds; store() writes one rendered
    output into it and may run in forked render workers (each page's bytes then never travel
    back to the main process); finish() takes every output in order, deletes what is no longer
    built, and swaps. Only files whose bytes differ from the copy's are written. ``distrust``
    names output files changed since the last build by something else: they are written again
    whatever the copy says it holds (the copy's file may be the same file, through a hard link).
    """

    def __init__(self, out_dir: Path, distrust: Set[str] = frozenset()):
        self.out_dir = out_dir.resolve()
        self.staging = copy_dir(self.out_dir)
        self.distrust = distrust
        self.held: dict[str, str] = {}
        self._made: set[Path] = set()

    def open(self) -> None:
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        legacy = self.out_dir.parent / f".{self.out_dir.name}.old"  # left by an interrupted build of an earlier version
        for folder in (legacy, self.staging, _aside(self.out_dir)):
            claim(folder)
        if legacy.exists():
            shutil.rmtree(legacy)
        self.held = _open_copy(self.staging)
        for path in sorted(self.distrust & self.held.keys()):
            # Changed by hand in the output, and so in the copy through the hard link: it is not
            # what the record says, and must not stay if it is no longer built (a withdrawn page).
            del self.held[path]
            _remove(self.staging / path)
            _prune(self.staging / path, self.staging)

    def store(self, output: Output) -> Written:
        sha = hashlib.sha256(output.data).hexdigest()
        if self.held.get(output.path) != sha:
            self._put(output.path, output.data, None)
        return Written(output.path, sha)

    def _put(self, path: str, data: bytes | None, source: str | None) -> None:
        target = self.staging / path
        _make_parent(target, self.staging, self._made)
        # Never write into the file: it may be a hard link to the live output's.
        _remove(target)
        if data is None:
            _link_or_copy(source, target)
        else:
            target.write_bytes(data)

    def finish(self, entries: Iterable[Output | ReusedFile | Written], pending: Iterable[str] = (),
               stop: Callable[[], object] | None = None) -> WriteResult:
        """``pending`` names the outputs workers may be writing, and ``stop`` stops them: if the
        build fails, they are stopped before the copy is put in order."""
        held, staging = self.held, self.staging
        hashes: dict[str, str] = {}
        try:
            for entry in entries:
                if isinstance(entry, Written):
                    hashes[entry.path] = held[entry.path] = entry.sha256
                    continue
                sha = entry.sha256 if isinstance(entry, ReusedFile) else hashlib.sha256(entry.data).hexdigest()
                hashes[entry.path] = sha
                if held.get(entry.path) == sha:
                    continue
                held.pop(entry.path, None)
                if isinstance(entry, ReusedFile):
                    self._put(entry.path, None, entry.source)
                else:
                    self._put(entry.path, entry.data, None)
                held[entry.path] = sha
            for path in sorted(held.keys() - hashes.keys(), reverse=True):
                if (staging / path).is_dir() and not (staging / path).is_symlink():
                    continue  # a file replaced by a folder of files this build wrote (_make_parent)
                _remove(staging / path)
                _prune(staging / path, staging)
            for name, data in ((MANIFEST_NAME, manifest_output(hashes).data), (MARKER, MARKER_TEXT)):
                _remove(staging / name)
                (staging / name).write_bytes(data)
            (staging / UPDATING).unlink()
        except BaseException as exc:
            if stop is not None:
                stop()
            self._abandon(exc, [path for path in pending if path not in hashes])
            raise
        # Stopped before this line (killed, say), the output is untouched and the copy keeps its
        # UPDATING mark or lacks its manifest: the next build starts the copy afresh.
        result = WriteResult(len(hashes) + 1, sum(1 for p in hashes if p.endswith(".html")), MappingProxyType(hashes))
        if not self.out_dir.exists():
            # The first build leaves no copy: the next one makes it, linking what did not change.
            os.rename(staging, self.out_dir)
            return result
        _exchange(staging, self.out_dir)
        try:
            _trim_copy(staging, hashes, self.distrust)
        except OSError as exc:
            # The new site is in place; what is left of the old one beside it keeps its UPDATING
            # mark, so the next build deletes it whole before making the copy again.
            return dataclasses.replace(result, leftover=os_error(exc, staging, "the new site is in place, but the old "
                                                                 "copy beside it could not be removed; the next build "
                                                                 "removes it"))
        return result

    def _abandon(self, exc: BaseException, unconfirmed: list[str]) -> None:
        """Put the copy in order after a failed build: the output is untouched either way."""
        if isinstance(exc, OSError):
            # A full or failing disk: free what this build wrote; the next build makes the copy again.
            shutil.rmtree(self.staging, ignore_errors=True)
            return
        # A template or content error: the copy records what it holds, so the next build still
        # writes only what differs. Files a worker may have written without saying so are not
        # in the record; the next build looks at every file of the copy and deletes those.
        for path in unconfirmed:
            self.held.pop(path, None)
        with contextlib.suppress(OSError):
            _write_copy_manifest(self.staging, self.held, checked=False)


def claim(folder: Path) -> None:
    """Refuse to delete or replace a folder beside the output that Chorus did not write: one
    Chorus wrote holds one of its marks (or nothing, if a build stopped as it made it)."""
    if folder.is_symlink():
        raise DiagnosticError((error(folder, None, "is a symbolic link, where Chorus keeps a folder of its own beside "
                                                   "the output: remove the link"),))
    if not folder.exists():
        return
    if not folder.is_dir():
        raise DiagnosticError((error(folder, None, "is a file, where Chorus keeps a folder of its own beside the output: "
                                                   "move it away or delete it"),))
    names = set(os.listdir(folder))
    if names and not names & {UPDATING, COPY_MANIFEST, MARKER}:
        raise DiagnosticError((error(folder, None, "refusing to delete a folder that Chorus did not write (Chorus keeps "
                                                   "a copy of the output here, beside it): move it away or delete it, "
                                                   "or choose another --out"),))


def _aside(out_dir: Path) -> Path:
    """Where the output waits during a swap in three renames (systems without an atomic exchange)."""
    return out_dir.parent / f".{out_dir.name}.swapping"


def _open_copy(staging: Path) -> dict[str, str]:
    """What the copy holds, marked as being changed; an unknown or damaged copy is started afresh,
    and one a failed build left is checked file by file first."""
    held: dict[str, str] = {}
    checked = True
    if staging.is_dir() and not (staging / UPDATING).exists():
        try:
            record = json.loads((staging / COPY_MANIFEST).read_text(encoding="utf-8"))
            held, checked = record["files"], record["checked"]
            if not isinstance(held, dict) or not all(isinstance(v, str) for v in held.values()) or checked not in (True, False):
                held = {}
        except (OSError, ValueError, KeyError, TypeError):
            held = {}
    if not held and staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(exist_ok=True)
    (staging / UPDATING).write_bytes(b"")
    _remove(staging / COPY_MANIFEST)
    if not checked:
        held = _reconcile(staging, held)
    return held


def _reconcile(staging: Path, held: dict[str, str]) -> dict[str, str]:
    """Make the copy hold exactly what its record says: a file not in the record (a page a worker
    wrote as a failed build stopped) is deleted, and a record of a missing file is dropped."""
    present = set()
    stack = [str(staging)]
    base = len(str(staging)) + 1
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.path[base:] not in (UPDATING, COPY_MANIFEST):
                    present.add(entry.path[base:].replace(os.sep, "/"))
    for path in sorted(present - held.keys(), reverse=True):
        _remove(staging / path)
        _prune(staging / path, staging)
    return {path: sha for path, sha in held.items() if path in present}


def _trim_copy(staging: Path, hashes: Mapping[str, str], distrust: Set[str]) -> None:
    """After the swap the copy holds the previous output: delete every file the new output
    does not hold with the same bytes, so only what is published now stays beside it."""
    (staging / UPDATING).write_bytes(b"")
    try:
        old = json.loads((staging / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
        if not isinstance(old, dict):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        shutil.rmtree(staging)  # the next build makes the copy again
        return
    kept = {}
    for path in sorted(old, reverse=True):
        if hashes.get(path) == old[path] and path not in distrust:
            kept[path] = old[path]
        else:
            _remove(staging / path)
            _prune(staging / path, staging)
    for name in (MANIFEST_NAME, MARKER):
        _remove(staging / name)
    _write_copy_manifest(staging, kept)


def _write_copy_manifest(staging: Path, held: Mapping[str, str], checked: bool = True) -> None:
    """Record what the copy holds; ``checked``: exactly that, file for file (else the next build looks)."""
    record = {"checked": checked, "files": dict(held)}
    (staging / COPY_MANIFEST).write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
    (staging / UPDATING).unlink()


def _make_parent(target: Path, root: Path, made: set[Path]) -> None:
    parent = target.parent
    if parent in made:
        return
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        # A file stands where a folder is now needed (a page became a section): replace it.
        for ancestor in reversed((parent, *parent.parents)):
            if ancestor == root or root not in ancestor.parents:
                continue
            if ancestor.is_file() or ancestor.is_symlink():
                ancestor.unlink()
        parent.mkdir(parents=True, exist_ok=True)
    made.add(parent)


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError):  # gone, or a folder above it is now a file
        pass
    except IsADirectoryError:  # a folder stands where a file is now written
        shutil.rmtree(path)
    except PermissionError:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            raise


def _prune(path: Path, root: Path) -> None:
    """Delete the folders above a deleted file that are now empty, up to root."""
    for parent in path.parents:
        if parent == root or root not in parent.parents:
            return
        try:
            os.rmdir(parent)
        except OSError:  # not empty (or already gone)
            if parent.exists():
                return


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap two folders: in one step where the system can (Linux renameat2), else in three renames."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):  # not Linux, or a C library without it
        renameat2 = None
    if renameat2 is not None:
        renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
        if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
    aside = _aside(b)
    claim(aside)
    if aside.exists():
        shutil.rmtree(aside)
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)
