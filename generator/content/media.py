"""The content/media/ folder: which files in it are images a page may show (Pillow-free, so that
listing the content does not load the image library; content/images.py checks and re-encodes them)."""

from __future__ import annotations

from pathlib import Path

from generator.core import safefs
from generator.core.diagnostics import Diagnostic, error, warning

FOLDER = "media"
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}


def find_media(directory: Path, roots: tuple[str, ...]) -> tuple[tuple[Path, ...], list[Diagnostic]]:
    """Image files directly inside content/media/; anything else there is reported."""
    paths: list[Path] = []
    found, _, refused = safefs.walk_files(directory, roots)
    problems: list[Diagnostic] = [error(path, None, reason) for path, reason in refused]
    for path in found:
        if not safefs.name_is_text(path.name):
            problems.append(safefs.bad_name(path))
        elif path.parent != directory:
            problems.append(warning(path, None, "file ignored: media/ holds images directly, not in sub-folders"))
        elif path.suffix.lower() not in FORMATS:
            problems.append(warning(path, None, "file ignored: media/ takes .jpg, .jpeg, .png, .webp or .gif images"))
        else:
            paths.append(path)
    return tuple(paths), problems
