"""The cache folder beside site.yaml, and the fingerprint of the code whose results it keeps.

Kept apart from the stages so that a build that finds nothing changed (generator/freshness.py)
loads only this, not the renderer, Markdown or the search index.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from generator import __version__

CACHE_FORMAT = 3
GENERATOR_DIR = Path(__file__).resolve().parent


def code_fingerprint() -> str:
    """Chorus's version and code, Python's, and the versions of the libraries that shape output."""
    from importlib import metadata

    digest = hashlib.sha256(f"{CACHE_FORMAT} {__version__} {sys.version}".encode())
    for package in ("Markdown", "nh3", "PyYAML", "Jinja2"):
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            pass
    for path in sorted(GENERATOR_DIR.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def prepare_cache_dir(folder: Path) -> Path:
    """Make the cache folder, ignored by git: it holds what content/ holds, drafts included,
    and must never be committed where content was later removed."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.is_file():
        ignore.write_text("# Written by Chorus: the build cache is never committed.\n*\n")
    return folder
