"""Is the previous build still current? If no input changed, the build has nothing to do.

As make and git do, inputs are compared by what the file system says of them (size,
modification time in nanoseconds, inode) rather than by reading them: listing 20,000 files
costs a tenth of a second, reading them a second or more. A file changed within the same
clock tick as the last build could keep all three, so files modified shortly before the
state was saved are also compared by content hash ("racily clean", in git's words).

The state also holds what the report of that build said (counts, withheld items, warnings),
so a build with nothing to do reports exactly what the full build would. The output folder
is checked too: a page deleted or edited there by hand makes the next build a real one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import time
from pathlib import Path
from typing import Iterable

from generator.privacy.rules import dates_between
from generator.core.fsutil import RACY_NS, write_atomically
from generator.core.safefs import hash_regular, linked_outside
from generator.core.types import Entry, Inputs, Summary

STATE_FORMAT = 2
# What stands for the numbers of what the check cannot read (a folder, a dangling link) and of a
# linked folder the build refuses; and of an output file that is gone. No file's size, times or
# inode are negative, so a path listed with them never matches a real file, and a size under 0 is
# never hashed. The build refuses the first two, so no saved record holds them.
UNREADABLE = (-1, -1, -1, -1)
REFUSED = (-2, -2, -2, -2)
GONE = (-1, -1, -1)
# A folder is listed by its inode; its size and times change with what is in it, listed below it.
FOLDER_SIZE, FOLDER_TIME = -3, 0


def scan(folders: Iterable[Path], roots: tuple[str, ...]) -> tuple[Entry, ...]:
    """What the file system says of every file and folder under the folders, in a fixed order.

    The change time (ctime) is recorded beside the modification time, as git does: a tool or
    a sync can set a file's modification time back after changing it, but no program can set
    its ctime. Whether a file is a link is recorded too: replacing a file by a link to it
    changes nothing else. Linked folders are followed (a template folder may be a link), each
    real folder once, when they lie inside ``roots`` (SiteConfig.read_roots): a link to / is
    listed, not walked.
    """
    found: list[Entry] = []
    seen: set[tuple[int, int]] = set()
    stack = [str(folder) for folder in folders if folder.is_dir()]
    while stack:
        directory = stack.pop()
        try:
            st = os.stat(directory)
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = list(os.scandir(directory))
        except OSError:
            found.append((directory + os.sep, *UNREADABLE, False))  # unreadable: the build will say
            continue
        for entry in entries:
            try:
                linked = entry.is_symlink()
                if entry.is_dir():
                    if linked and linked_outside(entry.path, roots) is not None:
                        found.append((entry.path + os.sep, *REFUSED, True))  # the build refuses it
                    else:
                        found.append((entry.path + os.sep, FOLDER_SIZE, FOLDER_TIME, entry.inode(), FOLDER_TIME, linked))
                        stack.append(entry.path)
                    continue
                st = entry.stat()
            except OSError:
                found.append((entry.path, *UNREADABLE, True))  # a dangling link: the build will say
                continue
            found.append((entry.path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, linked))
    return tuple(sorted(found))


def output_stats(out_dir: Path, paths: Iterable[str]) -> dict[str, tuple[int, int, int]]:
    """What the file system says of each output file: it changes if the file is edited or deleted."""
    stats = {}
    base = str(out_dir) + os.sep
    for path in paths:
        try:
            st = os.stat(base + path)
            stats[path] = (st.st_size, st.st_mtime_ns, st.st_ino)
        except OSError:
            stats[path] = GONE
    return stats


def _file_hash(path: str) -> str:
    return hash_regular(path)  # a pipe or device among the inputs must not block the check


def racy_hashes(files) -> dict[str, str]:
    """The hash of each file modified so lately that a change within the same clock tick could
    leave its size, modification time and inode as they are now."""
    now = time.time_ns()
    return {path: _file_hash(path) for path, size, mtime, *_ in files if size >= 0 and mtime >= now - RACY_NS}


def changed_files(before, racy: dict[str, str], now) -> set[str] | None:
    """Paths of the files that changed between two scans (racy: racy_hashes() at the first),
    or None when files were added or removed."""
    old = {path: rest for path, *rest in before}
    new = {path: rest for path, *rest in now}
    if old.keys() != new.keys():
        return None
    changed = {path for path, rest in new.items() if old[path] != rest}
    changed.update(path for path, digest in racy.items() if path not in changed and _file_hash(path) != digest)
    return changed


def state_path(cache_dir: Path, out_dir: Path, profile: str) -> Path:
    key = hashlib.sha256(f"{out_dir.resolve()}\n{profile}".encode()).hexdigest()[:16]
    return cache_dir / f"current-{key}.pickle"


def save(cache_dir: Path, out_dir: Path, profile: str, inputs: Inputs, today: dt.date,
         summary: Summary, outputs: dict[str, tuple[int, int, int]]) -> None:
    """Record a build that wrote the output; ``outputs`` is output_stats() of every file it wrote."""
    state = (STATE_FORMAT, inputs, today, racy_hashes(inputs.files), summary, outputs)
    path = state_path(cache_dir, out_dir, profile)
    write_atomically(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def forget(cache_dir: Path, out_dir: Path, profile: str) -> None:
    """The output is about to change: until the build that changes it succeeds, nothing is current."""
    try:
        state_path(cache_dir, out_dir, profile).unlink()
    except FileNotFoundError:
        pass


def current(cache_dir: Path, out_dir: Path, profile: str, key: str, files, today: dt.date) -> Summary | None:
    """The previous build's summary when its output is still what these inputs would give, else None."""
    try:
        state = pickle.loads(state_path(cache_dir, out_dir, profile).read_bytes())
        form, inputs, then, racy, summary, outputs = state
    except Exception:  # missing, damaged or from another version: a real build
        return None
    if form != STATE_FORMAT or inputs.key != key or inputs.files != files:
        return None
    # An embargo that ended (or, with SOURCE_DATE_EPOCH, began) between the two dates changes the site.
    if dates_between(inputs.dates, then, today):
        return None
    if any(_file_hash(path) != digest for path, digest in racy.items()):
        return None
    if output_stats(out_dir, outputs) != outputs:
        return None
    return summary
