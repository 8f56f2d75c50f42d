"""The only code that touches the output folder: write everything aside, then swap it in."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterable

from generator.diagnostics import DiagnosticError, error
from generator.render import Output

MARKER = ".chorus-output"


def check_output_dir(out_dir: Path, protected: Iterable[Path]) -> None:
    """Refuse to replace a folder Chorus did not make, or one that holds the sources."""
    out_dir = out_dir.resolve()
    for path in protected:
        path = path.resolve()
        if out_dir == path or out_dir in path.parents:
            raise DiagnosticError((error(out_dir, None, f"refusing to write here: the output folder would replace {path}; choose another --out"),))
    if out_dir.is_file():
        raise DiagnosticError((error(out_dir, None, "the output path is a file: choose a folder for --out"),))
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise DiagnosticError((error(out_dir, None, "refusing to replace a folder that Chorus did not write: empty it, delete it or choose another --out"),))


def write_outputs(outputs: Iterable[Output], out_dir: Path) -> int:
    """Write all outputs into a sibling folder, then swap it with the old output.

    A failed or interrupted build leaves the previous site as it was, and files of
    content that was deleted or withdrawn never linger.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.building"
    retired = out_dir.parent / f".{out_dir.name}.old"
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    staging.mkdir()
    count = 0
    made_dirs: set[Path] = {staging}
    try:
        for output in outputs:
            target = staging / output.path
            if target.parent not in made_dirs:
                target.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(target.parent)
            target.write_bytes(output.data)
            count += 1
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
    return count
