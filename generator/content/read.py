"""Read one content file into a RawDocument: its text, its front matter (or a .yaml testimony's
fields) and its body, with every problem found on the way; the schema check comes after
(content/check.py)."""

from __future__ import annotations

import re
from pathlib import Path

from generator.core.diagnostics import Diagnostic, error
from generator.core.textfiles import read_text, split_front_matter
from generator.core.types import RawDocument
from generator.core.yamlio import parse_yaml

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


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
        front, body, body_line, split_problems = split_front_matter(path, text)
    problems.extend(split_problems)
    if front is None:
        return None, problems
    if body is not None and not body.strip():
        problems.append(error(path, body_line, "the body is empty: write the text below the front matter"))
    return RawDocument(path, kind, slug, front, body or "", body_line), problems


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
