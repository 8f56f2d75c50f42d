"""Find the content files (each kind in its folder, core/kinds.py), tags.yaml and the media; each file is read later, by content/read.py."""

from __future__ import annotations

import os

from generator.core import safefs
from generator.config import SiteConfig
from generator.core.diagnostics import Diagnostic, error, warning
from generator.content.media import FOLDER as MEDIA_FOLDER, find_media
from generator.content.history import reused_ids
from generator.core.textfiles import read_text
from generator.core.yamlio import parse_yaml
from generator.core.types import SourceFile, SourceSet
from generator.core.kinds import KINDS

# folder -> (kind, accepted suffixes)
COLLECTIONS = {kind.folder: (kind.name, kind.suffixes) for kind in KINDS.values()}


def discover(config: SiteConfig) -> tuple[SourceSet, tuple[Diagnostic, ...]]:
    """List every content file and read tags.yaml; the files themselves are read per file, later.
    (The template folders are listed by templatefiles.problems(), reported with these.)"""
    problems: list[Diagnostic] = []
    files: list[SourceFile] = []
    content, roots = config.content_dir, config.read_roots
    if not content.is_dir():
        problems.append(error(config.path, None, f"content folder not found: {content} (set content_dir in the site config)"))
        return SourceSet((), None, content / "tags.yaml"), tuple(problems)
    for entry in sorted(content.iterdir()):
        if entry.name.startswith("."):
            continue
        if not safefs.name_is_text(entry.name):
            problems.append(safefs.bad_name(entry))
        elif entry.is_dir() and (outside := safefs.linked_outside(entry, roots)) is not None:
            problems.append(error(entry, None, f"links to {outside}, outside the site: copy the folder in, or remove the link"))
        elif entry.is_dir() and entry.name not in COLLECTIONS and entry.name != MEDIA_FOLDER:
            problems.append(warning(entry, None, f"folder ignored: content folders are {', '.join(COLLECTIONS)}, {MEDIA_FOLDER}"))
        elif entry.is_file() and entry.name != "tags.yaml" and entry.name != "redact.yaml":
            problems.append(warning(entry, None, "file ignored: put articles, testimonies and pages in their folders"))
    for folder, (kind, suffixes) in COLLECTIONS.items():
        directory = content / folder
        if not directory.is_dir() or safefs.linked_outside(directory, roots) is not None:
            continue  # reported above
        paths, links, refused = safefs.walk_files(directory, roots)
        problems.extend(error(path, None, reason) for path, reason in refused)
        for path in paths:
            if not safefs.name_is_text(path.name):
                problems.append(safefs.bad_name(path))
                continue
            if path.parent != directory:
                problems.append(warning(path, None, f"file ignored: {folder}/ holds files directly, not in sub-folders"))
                continue
            if path.suffix not in suffixes:
                problems.append(warning(path, None, f"file ignored: {folder}/ takes {' or '.join(suffixes)} files"))
                continue
            files.append(SourceFile(path, kind, path in links))
    tags_path = content / "tags.yaml"
    tags_doc = None
    if os.path.lexists(tags_path):
        text, read_problems = read_text(tags_path, config.max_file_bytes, roots)
        problems.extend(read_problems)
        if text is not None:
            tags_doc, yaml_problems = parse_yaml(text)
            problems.extend(error(tags_path, p.line, p.message) for p in yaml_problems)
    media_folder = content / MEDIA_FOLDER
    media, media_problems = ((), [])
    if media_folder.is_dir() and safefs.linked_outside(media_folder, roots) is None:
        media, media_problems = find_media(media_folder, roots)
    problems.extend(media_problems)
    for kind in ("article", "testimony"):
        problems.extend(reused_ids([source.path for source in files if source.kind == kind], kind))
    return SourceSet(tuple(files), tags_doc, tags_path, media), tuple(problems)
