"""The build manifest (every output file with its hash) and the diff of two builds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from generator import __version__
from generator.core.types import Output

MANIFEST_NAME = "chorus-manifest.json"


def manifest_output(hashes: Mapping[str, str]) -> Output:
    """Hashes of every other output file; paths and hashes only, so nothing private can be in it."""
    # What json.dumps(document, indent=1, sort_keys=True) writes for {"files": ..., "generator": ...},
    # made line by line: the indenting encoder is pure Python, and slow for 20,000 files.
    quote = json.encoder.encode_basestring_ascii
    lines = ",\n".join(f"  {quote(path)}: {quote(sha)}" for path, sha in sorted(hashes.items()))
    files = "{\n" + lines + "\n }" if lines else "{}"
    return Output(MANIFEST_NAME, f'{{\n "files": {files},\n "generator": {quote(f"chorus {__version__}")}\n}}\n'.encode())


class ManifestError(Exception):
    pass


def read_manifest(path: Path) -> Mapping[str, str]:
    """Accept a built folder or its manifest file."""
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_NAME
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        files = document["files"]
    except FileNotFoundError:
        raise ManifestError(f"{path}: no build manifest here: pass a folder written by `build` or its {MANIFEST_NAME}")
    except (ValueError, KeyError, TypeError):
        raise ManifestError(f"{path}: not a Chorus build manifest")
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise ManifestError(f"{path}: not a Chorus build manifest")
    return files


@dataclass(frozen=True, slots=True)
class ManifestDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_manifests(old: Mapping[str, str], new: Mapping[str, str]) -> ManifestDiff:
    return ManifestDiff(
        added=tuple(sorted(set(new) - set(old))),
        removed=tuple(sorted(set(old) - set(new))),
        changed=tuple(sorted(p for p in set(old) & set(new) if old[p] != new[p])),
    )


def page_address(path: str) -> str:
    """'articles/x/index.html' -> '/articles/x/': how a reader knows the page."""
    if path == "index.html":
        return "/"
    if path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path
