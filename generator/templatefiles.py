"""The files of the template folders (templates and static/), listed and read under the reading rule.

Templates come from the site's own folder first, then Chorus's; so do the files under
static/, copied to /static/. Every one is a file Chorus reads and may publish, so each must
be a regular file inside the site or Chorus's templates (generator/core/safefs.py), with a name
that can be an address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from generator.core import safefs
from generator.config import SiteConfig, template_dirs
from generator.core.diagnostics import Diagnostic, error
from generator.interface import catalogue_problems

# Letters, digits, '.', '_' and '-' in each part of a path below a template folder.
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")


@dataclass(frozen=True, slots=True)
class TemplateFiles:
    chosen: Mapping[str, Path]  # 'base.html', 'static/style.css' -> the file used (the site's own first)
    every: tuple[Path, ...]  # every readable file of every template folder, in order
    problems: tuple[Diagnostic, ...]


def list_template_files(config: SiteConfig) -> TemplateFiles:
    roots = config.read_roots
    chosen: dict[str, Path] = {}
    every: list[Path] = []
    problems: list[Diagnostic] = []
    for directory in dict.fromkeys(template_dirs(config)):  # the site's own, then Chorus's (once if the same)
        paths, _, refused = safefs.walk_files(Path(directory), roots)
        problems.extend(error(path, None, reason) for path, reason in refused)
        for path in paths:
            parts = path.relative_to(directory).parts
            if not all(map(safefs.name_is_text, parts)):
                problems.append(safefs.bad_name(path))
                continue
            if not all(_NAME.match(part) for part in parts):
                problems.append(error(path, None, "names in the templates folder are letters, digits, '.', '_' and '-': "
                                                  "rename it"))
                continue
            try:
                safefs.check(path, roots)
            except safefs.Refused as exc:
                problems.append(error(path, None, str(exc)))
                continue
            every.append(path)
            chosen.setdefault("/".join(parts), path)
    return TemplateFiles(dict(sorted(chosen.items())), tuple(every), tuple(problems))


def read_static(config: SiteConfig, path: Path) -> bytes:
    return safefs.read(path, config.max_image_bytes, config.read_roots, setting="max_image_bytes")


def template_problems(config: SiteConfig) -> tuple[Diagnostic, ...]:
    """What is wrong with the template folders (a file that cannot be read, a missing interface
    catalogue), reported with the content's problems before anything is rendered."""
    return (*list_template_files(config).problems, *catalogue_problems(config))
