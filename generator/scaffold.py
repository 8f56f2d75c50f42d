"""Scaffolding for editors: a new article or testimony file with every field and its format
(the comments are the fields' docs: generator/fielddocs.py)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

from generator.config import SiteConfig
from generator.content.history import ever_used
from generator.core.kinds import KINDS
from generator.fielddocs import new_file_front_matter

_NUMBERED = re.compile(r"^([a-z]*)(\d+)$")

SLUG_LENGTH = 60


def slugify(title: str) -> str:
    """Lower-case ASCII letters, digits and hyphens: 'Ça, c'est #MeToo!' -> 'ca-c-est-metoo';
    a long title is cut at the last whole word within SLUG_LENGTH characters."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > SLUG_LENGTH:
        cut = slug[:SLUG_LENGTH + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut else slug[:SLUG_LENGTH]
    return slug.strip("-") or "untitled"


def _taken(folder: Path) -> set[str]:
    return {p.stem for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()


def free_slug(folder: Path, title: str, retired: set[str] = frozenset()) -> str:
    """A slug for the title that no file has, and none had (``retired``)."""
    base, taken = slugify(title), _taken(folder) | set(retired)
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def next_testimony_id(folder: Path, retired: set[str] = frozenset()) -> str:
    """The next number in the folder's pattern (t009 -> t010), after every id a file has or had
    (``retired``: deleted or withdrawn ones too); t001 in an empty folder."""
    taken = _taken(folder) | set(retired)
    numbered = [m for m in (_NUMBERED.match(name) for name in taken) if m]
    if not numbered:
        return "t001"
    prefix = Counter(m.group(1) for m in numbered).most_common(1)[0][0]
    same = [m for m in numbered if m.group(1) == prefix]
    width = max(len(m.group(2)) for m in same)
    number = max(int(m.group(2)) for m in same) + 1
    while f"{prefix}{number:0{width}d}" in taken:
        number += 1
    return f"{prefix}{number:0{width}d}"


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def same_title(folder: Path, title: str) -> Path | None:
    """An article in the folder whose title is this one (in any case and spacing), if any."""
    wanted = " ".join(title.split()).casefold()
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else ():
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:4000]
        except OSError:
            continue
        match = re.search(r"^title:[ \t]*(.+)$", head, re.M)
        if match and " ".join(match.group(1).strip().strip("\"'").split()).casefold() == wanted:
            return path
    return None


def new_item(config: SiteConfig, kind: str, title: str | None = None) -> Path:
    """Write the new file and return its path; never overwrites a file, and never takes an id or
    slug that a file had before (generator/content/history.py)."""
    section = KINDS[kind].folder
    folder = config.content_dir / section
    retired = ever_used(folder, config.output_dir, section)
    if kind == "article":
        path = folder / f"{free_slug(folder, title or 'untitled', retired)}.md"
        text = new_file_front_matter(kind, _yaml_string(title or ""))
    else:
        path = folder / f"{next_testimony_id(folder, retired)}.md"
        text = new_file_front_matter(kind)
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as file:
        file.write(text)
    return path
