"""Find content files and split each into front matter (with line numbers) and a Markdown body."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from generator.core import safefs
from generator.config import SiteConfig
from generator.core.diagnostics import Diagnostic, error, warning
from generator.content.media import FOLDER as MEDIA_FOLDER, find_media
from generator.content.history import reused_ids
from generator.interface import catalogue_problems
from generator.templatefiles import list_template_files
from generator.core.yamlio import YamlDoc, parse_yaml

# folder -> (kind, accepted suffixes)
COLLECTIONS = {
    "articles": ("article", (".md",)),
    "testimonies": ("testimony", (".md", ".yaml")),
    "pages": ("page", (".md",)),
}
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Characters no page or feed may hold (XML forbids them); tab, line feed and carriage return are fine.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FENCE = re.compile(r"^---[ \t]*$")


@dataclass(frozen=True, slots=True)
class RawDocument:
    path: Path
    kind: str
    slug: str
    front: YamlDoc
    body: str
    body_line: int


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path
    kind: str
    linked: bool = False  # a symbolic link (to a file inside the site, or it is refused when read)


@dataclass(frozen=True, slots=True)
class SourceSet:
    files: tuple[SourceFile, ...]
    tags: YamlDoc | None
    tags_path: Path
    media: tuple[Path, ...] = ()  # images in content/media/, checked and re-encoded by generator.content.media


def discover(config: SiteConfig) -> tuple[SourceSet, tuple[Diagnostic, ...]]:
    """List every content file and read tags.yaml; the files themselves are read per file, later.
    The template folders are listed too, so that a file there that cannot be read is reported
    with the content's problems."""
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
    problems.extend(list_template_files(config).problems)
    problems.extend(catalogue_problems(config))
    for kind in ("article", "testimony"):
        problems.extend(reused_ids([source.path for source in files if source.kind == kind], kind))
    return SourceSet(tuple(files), tags_doc, tags_path, media), tuple(problems)


def read_text(path: Path, max_bytes: int, roots: tuple[str, ...]) -> tuple[str | None, list[Diagnostic]]:
    """The text of a content file, if it is a regular file inside the site (``roots``, see
    generator/core/safefs.py) of at most max_bytes bytes of UTF-8 without control characters."""
    try:
        raw = safefs.read(path, max_bytes, roots)
    except safefs.Refused as exc:
        return None, [error(path, None, str(exc))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [error(path, line, f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x}): save it as UTF-8")]
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    control = _CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        return None, [error(path, line, f"invisible control character U+{ord(control.group()):04X} in the text: "
                                        "delete it (it often comes from copying out of a PDF or a chat app)")]
    return text, []


def read_document(path: Path, kind: str, max_bytes: int, roots: tuple[str, ...]) -> tuple[RawDocument | None, list[Diagnostic]]:
    text, problems = read_text(path, max_bytes, roots)
    if text is None:
        return None, problems
    slug = path.stem
    if not _SLUG.match(slug):
        suggestion = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-") or "name"
        problems.append(error(path, 1, f"file name must be lower-case letters, digits and hyphens: rename it to {suggestion}{path.suffix}"))
    if path.suffix == ".yaml":
        front, body, body_line, split_problems = _split_yaml_testimony(path, text)
    else:
        front, body, body_line, split_problems = _split_front_matter(path, text)
    problems.extend(split_problems)
    if front is None:
        return None, problems
    if body is not None and not body.strip():
        problems.append(error(path, body_line, "the body is empty: write the text below the front matter"))
    return RawDocument(path, kind, slug, front, body or "", body_line), problems


def _split_front_matter(path: Path, text: str):
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return None, None, 1, [error(path, 1, "no front matter: start the file with a line '---', then the fields, then another '---'")]
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            break
    else:
        return None, None, 1, [error(path, 1, "front matter is never closed: add a line '---' after the last field (did you forget it?)")]
    front_text = "\n".join(lines[1:index])
    doc, yaml_problems = parse_yaml(front_text, first_line=2)
    problems = [error(path, p.line, p.message) for p in yaml_problems]
    if doc is not None and doc.data is None:
        problems.append(error(path, 1, "the front matter is empty: add the required fields"))
        doc = None
    body_line = index + 2
    body = "\n".join(lines[index + 1:])
    return doc, body, body_line, problems


def _split_yaml_testimony(path: Path, text: str):
    doc, yaml_problems = parse_yaml(text)
    problems = [error(path, p.line, p.message) for p in yaml_problems]
    if doc is None:
        return None, None, 1, problems
    if not isinstance(doc.data, dict):
        return None, None, 1, [error(path, 1, "a .yaml testimony must be a mapping of 'field: value' lines with the text in 'body:'")]
    body = doc.data.get("body")
    if "body" not in doc.data:
        return None, None, 1, [error(path, 1, "missing required field 'body' (the testimony text, e.g. body: |)")]
    if not isinstance(body, str):
        return None, None, 1, [error(path, doc.line("body"), "'body' must be text: write body: | and indent the text below it")]
    fields = {k: v for k, v in doc.data.items() if k != "body"}
    front = type(doc)(fields, doc.lines, doc.sources)
    return front, body, doc.line("body") + 1, problems
