"""What a commit would hold: the files staged in git's index, checked instead of the working folder.

A pre-commit hook that checks the working folder lets through a broken file that was staged
and then fixed without staging the fix. `check --staged` copies git's index (what the commit
will hold, and nothing else) into a temporary folder and checks that.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator


class NotStaged(Exception):
    """The config is not in a git repository, or git cannot be run; str() says which."""


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    except OSError as exc:
        raise NotStaged(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        raise NotStaged(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "git failed")
    return done.stdout


@contextlib.contextmanager
def staged_copy(config_path: Path) -> Iterator[tuple[Path, Path]]:
    """A copy of the staged files, as (the config file in it, the working folder's place in it)."""
    folder = Path(os.path.abspath(config_path)).parent
    if not folder.is_dir():
        raise NotStaged(f"{folder} is not a folder")
    top = Path(_git(folder, "rev-parse", "--show-toplevel").strip())
    with tempfile.TemporaryDirectory(prefix="chorus-staged-") as tmp:
        _git(top, "checkout-index", "--all", "--force", f"--prefix={tmp}{os.sep}")
        copy = Path(tmp)
        config = copy / Path(os.path.abspath(config_path)).relative_to(top)
        here = Path.cwd()
        inside = copy / here.relative_to(top) if here == top or top in here.parents else copy
        yield config, inside
