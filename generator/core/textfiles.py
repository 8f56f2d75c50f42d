"""A content file's text, read under the reading rule (core/safefs.py), and its YAML front matter
split from its body, with the line numbers every message needs."""

from __future__ import annotations

import re
from pathlib import Path

from generator.core import safefs
from generator.core.diagnostics import Diagnostic, error
from generator.core.yamlio import parse_yaml

# Characters no page or feed may hold (XML forbids them); tab, line feed and carriage return are fine.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FENCE = re.compile(r"^---[ \t]*$")


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


def split_front_matter(path: Path, text: str):
    """(front matter, body, the body's first line, problems) of a Markdown file's text."""
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
