"""Scaffolding for editors: a new article or testimony file with every field and its format."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

from generator.config import SiteConfig
from generator.content.history import ever_used
from generator.core.kinds import KINDS

_NUMBERED = re.compile(r"^([a-z]*)(\d+)$")

ARTICLE_TEMPLATE = """\
---
# Fill in every field marked "required", write the text below the closing ---,
# then run: python -m generator check
# Headline of our entry (text). Required.
title: {title}
# Date the original piece was published, YYYY-MM-DD, e.g. 2017-10-05. Required.
date:
# Name of the publication, e.g. "The New York Times". Required.
source: ""
# Link to the original piece, starting with https:// or http://.
source_url:
# Authors of the original piece, e.g. ["Jodi Kantor", "Megan Twohey"].
authors: []
# Tag ids from content/tags.yaml, e.g. [workplace, media].
tags: []
# One or two sentences for lists, search and the feed.
summary:
# Language of this entry when not the site's, as a BCP 47 tag: fr, es, pt-BR.
language:
# Content warnings, ids from content_warnings in site.yaml, e.g. [sexual-assault].
content_warnings: []
# true shows it on the home page.
featured: false
# A note from the editors, shown above the text.
editor_note:
# true keeps it out of the site (nothing is published while it is a draft).
draft: false
# Embargo: not published before this date, YYYY-MM-DD.
publish_after:
---
"""

TESTIMONY_TEMPLATE = """\
---
# Fill in every field marked "required", write the testimony below the closing ---,
# then run: python -m generator check
# When it was shared, YYYY-MM (e.g. 2018-03). Only the month and year are ever shown. Required.
date:
# Consent of the person who shared it. Required.
consent:
  # granted or withdrawn. Only "granted" testimonies are published.
  status:
  # The day consent was recorded, YYYY-MM-DD.
  recorded:
# A short title for lists and the page, in quotes, such as a phrase from the text that names
# no one; without one, the pseudonym and month ("Anonymous, March 2018").
title:
# Name shown with the testimony; never a real name.
pseudonym: "Anonymous"
# Coarse region only, such as a country, in quotes: "Canada".
region:
# Tag ids from content/tags.yaml, e.g. [workplace].
tags: []
# One or two sentences for lists and search; no names, places or dates.
summary:
# Language when not the site's, as a BCP 47 tag: fr, es, pt-BR.
language:
# Content warnings, ids from content_warnings in site.yaml, e.g. [sexual-harassment].
content_warnings: []
# A note from the editors, shown above the text.
editor_note:
# true keeps it out of the site; set it to false once the testimony is reviewed.
draft: true
# Embargo: not published before this date, YYYY-MM-DD.
publish_after:
# Editorial records, e.g. intake_ref: "INT-2018-004". Checked, never published.
private: {{}}
# Reviewed exceptions to the privacy check, e.g. [{{text: "Toronto", reason: "a large city"}}].
allow: []
---
"""


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
        text = ARTICLE_TEMPLATE.format(title=_yaml_string(title or ""))
    else:
        path = folder / f"{next_testimony_id(folder, retired)}.md"
        text = TESTIMONY_TEMPLATE.format()
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as file:
        file.write(text)
    return path
