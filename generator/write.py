"""The only code that touches the output folder: write everything aside, then swap it in."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from generator.diagnostics import DiagnosticError, error
from generator.manifest import manifest_output
from generator.render import Output

MARKER = ".chorus-output"


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


@dataclass(frozen=True, slots=True)
class Reuse:
    """A file of the previous build whose inputs did not change: linked, not rendered again."""

    path: str
    source: Path
    sha256: str


@dataclass(frozen=True, slots=True)
class WriteResult:
    files: int
    html_pages: int
    hashes: Mapping[str, str]  # output path -> sha256, as in the manifest


def write_outputs(entries: Iterable[Output | Reuse], out_dir: Path) -> WriteResult:
    """Write every output into a sibling folder as it arrives, then swap it with the old output.

    A failed or interrupted build leaves the previous site as it was, and files of
    content that was deleted or withdrawn never linger. Outputs are written as they are
    rendered, so the whole site is never held in memory.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.building"
    retired = out_dir.parent / f".{out_dir.name}.old"
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    staging.mkdir()
    hashes: dict[str, str] = {}
    made_dirs: set[Path] = {staging}
    try:
        for entry in entries:
            target = staging / entry.path
            if target.parent not in made_dirs:
                target.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(target.parent)
            if isinstance(entry, Reuse):
                _link_or_copy(entry.source, target)
                hashes[entry.path] = entry.sha256
            else:
                target.write_bytes(entry.data)
                hashes[entry.path] = hashlib.sha256(entry.data).hexdigest()
        manifest = manifest_output(hashes)
        (staging / manifest.path).write_bytes(manifest.data)
        (staging / MARKER).write_text("This folder is written by Chorus; each build replaces it whole.\n")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out_dir.exists():
        os.rename(out_dir, retired)
        os.rename(staging, out_dir)
        shutil.rmtree(retired)
    else:
        os.rename(staging, out_dir)
    return WriteResult(len(hashes) + 1, sum(1 for p in hashes if p.endswith(".html")), MappingProxyType(hashes))


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
