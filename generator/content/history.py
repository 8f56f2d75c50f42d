"""What the archive published before: the ids and slugs a new item must never take.

A testimony's address (/testimonies/t011/) stays in readers' bookmarks, search engines, web
archives and feed readers after the testimony is withdrawn. If a new testimony took that id,
another person's story would appear at the withdrawn person's address. So ids and slugs are
never reused: `new` skips every one the content folder's git history or the last build's
manifest knows, and a file that takes the id of one deleted in git history is an error.
Without git (or outside a repository) only the files and the last build are consulted.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from generator.core.diagnostics import Diagnostic, error

SUFFIXES = (".md", ".yaml")


def _git(folder: Path, *args: str) -> str | None:
    """git's output for ``args`` run about ``folder`` (the last argument, ".", stands for it); a
    folder whose files were all deleted is gone from the disk but not from the history, so git
    runs from the nearest folder that is still there."""
    base = folder
    while not base.is_dir() and base.parent != base:
        base = base.parent
    if base != folder and args and args[-1] == ".":
        args = (*args[:-1], folder.relative_to(base).as_posix())
    try:
        done = subprocess.run(["git", "-C", str(base), *args], capture_output=True, text=True, timeout=60,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def ever_used(folder: Path, output_dir: Path | None = None, section: str = "") -> set[str]:
    """Every id or slug a file in ``folder`` had in git history, and every one the last build in
    ``output_dir`` published under /<section>/."""
    used = set()
    listed = _git(folder, "log", "--all", "--format=", "--name-only", "--no-renames", "--", ".")
    for line in (listed or "").splitlines():
        name = os.path.basename(line.strip())
        if name.endswith(SUFFIXES):
            used.add(name.rsplit(".", 1)[0])
    if output_dir is not None and section:
        try:
            files = json.loads((output_dir / "chorus-manifest.json").read_text(encoding="utf-8"))["files"]
            prefix = section + "/"
            used.update(path[len(prefix):].split("/", 1)[0] for path in files
                        if path.startswith(prefix) and path.count("/") == 2 and path.endswith("/index.html"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    return used


def deleted(folder: Path) -> dict[str, tuple[str, str]]:
    """id -> (commit that deleted it, its path then) for each file deleted from ``folder`` in git history."""
    listed = _git(folder, "log", "--all", "--diff-filter=D", "--no-renames", "--format=commit %H", "--name-only",
                  "--", ".")
    found: dict[str, tuple[str, str]] = {}
    commit = ""
    for line in (listed or "").splitlines():
        if line.startswith("commit "):
            commit = line[7:].strip()
        elif line.strip().endswith(SUFFIXES):
            found.setdefault(os.path.basename(line.strip()).rsplit(".", 1)[0], (commit, line.strip()))
    return found


def reused_ids(paths: list[Path], kind: str) -> list[Diagnostic]:
    """An error for each file that takes the id of one deleted from its folder in git history,
    unless it is that very file restored (the same bytes)."""
    problems: list[Diagnostic] = []
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    for folder, files in by_folder.items():
        gone = deleted(folder)
        if not gone:
            continue
        for path in files:
            if path.stem not in gone:
                continue
            commit, old_path = gone[path.stem]
            old_blob = (_git(folder, "rev-parse", f"{commit}^:{old_path}") or "").strip()
            new_blob = (_git(folder, "hash-object", str(path)) or "").strip()
            if old_blob and old_blob == new_blob:
                continue  # the same file, restored
            noun, what = ("id", "a testimony") if kind == "testimony" else ("address", f"an {kind}" if kind[0] in "aeiou" else f"a {kind}")
            command = "python -m generator new testimony" if kind == "testimony" else f"python -m generator new {kind} \"Title\""
            problems.append(error(path, 1, f"the {noun} '{path.stem}' belonged to {what} deleted in commit {commit[:10]}"
                                           f": a new item must never take a withdrawn "
                                           f"or deleted item's address, which readers, search engines and archives may "
                                           f"still link to. Rename the file ({command} picks a free {noun})"))
    return problems
