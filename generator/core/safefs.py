"""The one rule for every file Chorus reads: a regular file inside the site, read no further than its limit.

A contributor's pull request is untrusted, and any file in it can be a symbolic link (to
/etc/passwd, to /proc/self/environ), a named pipe that blocks whoever opens it, or a link to
a device that never ends (/dev/zero). So every content file, image, template, static file,
tags.yaml and redact.yaml must, after following links, be a regular file inside the site's
folder (the config file's folder) or inside Chorus's own templates. Anything else is refused
with a message saying what the path is and what to do, without opening it for reading; a
regular file is opened without blocking and read no further than one byte past its limit
(the size the file system reports is not trusted: it is 0 for pipes and devices).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Iterable, Sequence

from generator.core.diagnostics import Diagnostic, error, printable

_CHUNK = 1 << 20
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class Refused(Exception):
    """A path Chorus will not read; str() is the message for the editor, without the path."""


def name_is_text(name: str) -> bool:
    """Whether a file name from the file system is valid UTF-8 (Python keeps other bytes as
    lone surrogates, which no page, feed or terminal can hold)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def bad_name(path: Path) -> Diagnostic:
    """The error for a file or folder whose name is not UTF-8 text: no address, page or
    terminal can hold it."""
    return error(path, None, "the name is not UTF-8 text (the bytes shown as \\x..): rename it with lower-case "
                             "letters, digits and hyphens")


def _real(path: str | os.PathLike) -> str:
    return os.path.realpath(path)


def is_inside(real: str, roots: Iterable[str | os.PathLike]) -> bool:
    """Whether the resolved path ``real`` is one of the roots or lies below one."""
    for root in roots:
        root = os.fspath(root)
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            return True
    return False


def real_roots(roots: Iterable[str | os.PathLike]) -> tuple[str, ...]:
    return tuple(_real(root) for root in roots)


def check(path: str | os.PathLike, roots: Sequence[str | os.PathLike]) -> os.stat_result:
    """The stat of the file at path (links followed) when Chorus may read it; else Refused.

    ``roots`` are resolved folders (real_roots()): the file, once every link on its way is
    followed, must lie inside one of them, and must be a regular file.
    """
    real = _real(path)
    if not is_inside(real, roots):
        raise Refused(f"links to {printable(real)}, outside the site: copy the file in, or remove the link")
    try:
        st = os.stat(real)
    except FileNotFoundError:
        if os.path.lexists(path) and os.path.islink(path) or real != os.path.abspath(path):
            raise Refused(f"is a link to {printable(real)}, which does not exist: fix or remove the link") from None
        raise Refused("the file was deleted while the build ran: build again") from None
    except OSError as exc:
        raise Refused(f"cannot read the file: {exc.strerror or exc}") from None
    _require_regular(st)
    return st


def _require_regular(st: os.stat_result) -> None:
    if stat.S_ISREG(st.st_mode):
        return
    kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
    raise Refused(f"is {kind}, not a file: Chorus reads only regular files here; remove it or put a file in its place")


def read(path: str | os.PathLike, limit: int, roots: Sequence[str | os.PathLike], *, noun: str = "file",
         setting: str | None = "max_file_bytes", advice: str = "") -> bytes:
    """The bytes of a file Chorus may read (see check()), at most ``limit`` of them. A longer
    one is Refused: "<noun> is N bytes, over the limit of L (<setting> in the site config): <advice>"."""
    check(path, roots)
    try:
        fd = os.open(_real(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Refused(f"cannot read the {noun}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        _require_regular(st)  # it could have been replaced since check()
        parts, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise Refused(f"cannot read the {noun}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if total > limit:
        size = f"{st.st_size:,} bytes" if st.st_size > limit else f"more than {limit:,} bytes"
        where = f" ({setting} in the site config)" if setting else ""
        raise Refused(f"{noun} is {size}, over the limit of {limit:,}{where}{': ' + advice if advice else ''}")
    return b"".join(parts)


def hash_regular(path: str | os.PathLike) -> str:
    """SHA-256 of a regular file; "" for anything else (a pipe, a device, a missing file),
    without blocking: for change detection, where the build that follows says what is wrong."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        digest = hashlib.sha256()
        while chunk := os.read(fd, _CHUNK):
            digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return ""
    finally:
        os.close(fd)


def linked_outside(path: str | os.PathLike, roots: Sequence[str | os.PathLike]) -> str | None:
    """Where a folder at path leads when that is outside the roots (a link out of the site), else None."""
    real = _real(path)
    return None if is_inside(real, roots) else printable(real)


def walk_files(folder: Path, roots: Sequence[str | os.PathLike]) -> tuple[list[Path], set[Path], list[tuple[Path, str]]]:
    """Every file below folder (hidden ones left out) in path order, those of them that are
    symbolic links, and the folders not entered with why: a link to a folder outside the roots
    is not followed."""
    found: list[tuple[str, ...]] = []
    links: set[Path] = set()
    refused: list[tuple[Path, str]] = []
    seen: set[tuple[int, int]] = set()
    stack = [os.fspath(folder)]
    while stack:
        directory = stack.pop()
        try:
            st = os.stat(directory)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            refused.append((Path(directory), f"cannot read the folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                outside = linked_outside(entry.path, roots) if entry.is_symlink() else None
                if outside is not None:
                    refused.append((Path(entry.path), f"links to {outside}, outside the site: copy the folder in, "
                                                      f"or remove the link"))
                else:
                    stack.append(entry.path)
            else:
                found.append(tuple(entry.path.split(os.sep)))
                if entry.is_symlink():
                    links.add(Path(entry.path))
    found.sort()
    return [Path(os.sep.join(parts)) for parts in found], links, sorted(refused)
