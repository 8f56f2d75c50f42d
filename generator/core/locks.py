"""One writer at a time: exclusive locks on the output folder and the build cache.

Two builds writing one output at once used to destroy it (each replaced the other's copy
beside the output, and a withdrawn testimony's page could survive in the result). Every
process that writes an output (build, bundle, the preview's builds) or the cache holds a lock
on it for as long as it writes. The locks are fcntl.flock locks: the system drops them when
the process ends, however it ends, so there is never a stale lock to delete by hand. A
second process waits for a bounded time, saying who it waits for, then gives up with a
message naming the holder.

Locks are always taken in the same order (the bundle's zip, then the cache, then the
output), so two processes can never wait for each other.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: no advisory locks to take
    fcntl = None

DEFAULT_WAIT_SECONDS = 600.0
_POLL_SECONDS = 0.1


class LockTimeout(Exception):
    """Another process held the lock for longer than the wait; str() says who and what to do."""


def lock_file(out_dir: Path) -> Path:
    """The lock file of an output folder, beside it (like the copy Chorus keeps there)."""
    out_dir = Path(os.path.abspath(out_dir))
    return out_dir.parent / f".{out_dir.name}.lock"


def _describe(holder: str) -> str:
    return holder.strip() or "another Chorus process"


@contextlib.contextmanager
def exclusive(path: Path, what: str, wait: float = DEFAULT_WAIT_SECONDS,
              waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (a lock file, made if missing, or a folder) while the
    block runs. ``what`` names the thing locked ("_site/", "the build cache .cache/") for
    messages; ``waiting`` is told once, when another process holds the lock."""
    if fcntl is None:
        yield
        return
    is_folder = path.is_dir()
    fd = os.open(path, (os.O_RDONLY if is_folder else os.O_RDWR | os.O_CREAT) | getattr(os, "O_CLOEXEC", 0), 0o644)
    holder_file = path / ".lock-holder" if is_folder else None
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _read_holder(fd, holder_file)
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"{_describe(holder)} has been writing {what} for longer than "
                                      f"{wait:g} s: wait for it to finish, or stop it") from None
                # The holder writes who it is just after taking the lock: give it a moment to.
                if not told and (holder.strip() or time.monotonic() >= deadline - wait + 0.5):
                    (waiting or _print_waiting)(f"{_describe(holder)} is writing {what}; waiting for it to finish")
                    told = True
                time.sleep(_POLL_SECONDS)
            except OSError:
                break  # a file system without locks (some network shares): as before, unlocked
        _write_holder(fd, holder_file)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder_text() -> str:
    main = getattr(sys.modules.get("__main__"), "__spec__", None)
    command = sys.argv[1] if len(sys.argv) > 1 and getattr(main, "name", "") == "generator.__main__" else ""
    return f"another {'Chorus ' + command if command else 'Chorus process'} (pid {os.getpid()})"


def _write_holder(fd: int, holder_file: Path | None) -> None:
    text = _holder_text().encode()
    try:
        if holder_file is None:
            os.ftruncate(fd, 0)
            os.pwrite(fd, text, 0)
        else:
            holder_file.write_bytes(text)
    except OSError:
        pass  # only for the message another process may show


def _read_holder(fd: int, holder_file: Path | None) -> str:
    try:
        if holder_file is None:
            return os.pread(fd, 200, 0).decode("utf-8", "replace")
        return holder_file.read_text(encoding="utf-8", errors="replace")[:200]
    except OSError:
        return ""


def _print_waiting(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
