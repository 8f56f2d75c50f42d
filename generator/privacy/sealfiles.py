"""Sealing the files of a repository: the `private seal | unseal | rekey` command rewrites the
private: block of every testimony and the private lists of redact.yaml in place, as sealed (or
plain) values, keeping every other line as it was. The cryptography is privacy/sealing.py's."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from generator.privacy.sealing import SealError, seal_tree, unseal_tree
from generator.core.kinds import TESTIMONY

_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")

def block_range(lines: list[str], key: str) -> tuple[int, int] | None:
    """The lines [start, end) of a top-level ``key:`` and its indented value in YAML text."""
    start = next((n for n, line in enumerate(lines) if re.match(rf"^{re.escape(key)}\s*:", line)), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t", "-", "#")
                                and not _TOP_KEY.match(lines[end])):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end


def dump_block(key: str, value: Any) -> list[str]:
    import yaml

    text = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10 ** 9)
    return text.rstrip("\n").split("\n")


def replace_block(text: str, key: str, value: Any, front_matter: bool) -> str:
    """The file's text with the top-level ``key`` block replaced by ``value`` (in YAML block style)."""
    lines = text.split("\n")
    if front_matter:
        if not lines or lines[0].strip() != "---":
            raise SealError("no front matter")
        close = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), None)
        if close is None:
            raise SealError("the front matter is never closed")
        head, front, tail = lines[:1], lines[1:close], lines[close:]
    else:
        head, front, tail = [], lines, []
    found = block_range(front, key)
    if found is None:
        raise SealError(f"no {key}: block")
    start, end = found
    front = front[:start] + dump_block(key, value) + front[end:]
    return "\n".join(head + front + tail)


def _yaml_of(path: Path, front_matter: bool):
    from generator.core.textfiles import split_front_matter
    from generator.core.yamlio import parse_yaml

    text = path.read_text(encoding="utf-8")
    if front_matter:
        doc, _body, _line, problems = split_front_matter(path, text)
    else:
        doc, problems = parse_yaml(text)
    if doc is None or problems or not isinstance(doc.data, dict):
        raise SealError("the file has errors: run python -m generator check, fix them, then seal")
    return text, doc.data


def record_files(content_dir: Path) -> list[tuple[Path, bool]]:
    """Every file that can hold private records: (path, whether it has front matter)."""
    folder = content_dir / TESTIMONY.folder
    files = [(p, p.suffix == ".md") for p in sorted(folder.glob("*")) if p.suffix in (".md", ".yaml") and p.is_file()]
    if (content_dir / "redact.yaml").is_file():
        files.append((content_dir / "redact.yaml", False))
    return files


# redact.yaml's private lists: the names to stop, and the strings to replace (keys only: what
# they are replaced with is published, so it stays readable). Its public: list stays as it is.
REDACT_SEALED = {"names": False, "replace": True}


def transform_file(path: Path, front_matter: bool, change) -> bool:
    """Apply ``change(value, keys)`` to the file's private records; True when the file changed."""
    text, data = _yaml_of(path, front_matter)
    blocks = REDACT_SEALED if path.name == "redact.yaml" else {"private": False}
    new_text = text
    for key, keys in blocks.items():
        if data.get(key) is None:
            continue
        value = change(data[key], keys)
        if value != data[key]:
            new_text = replace_block(new_text, key, value, front_matter)
    if new_text == text:
        return False
    partial = path.with_name(f".{path.name}.sealing")
    partial.write_text(new_text, encoding="utf-8")
    os.replace(partial, path)
    return True


def seal_files(files, to: list) -> list[Path]:
    return [path for path, front in files if transform_file(path, front, lambda v, keys: seal_tree(v, to, keys))]


def unseal_files(files, identities: list) -> list[Path]:
    return [path for path, front in files if transform_file(path, front, lambda v, keys: unseal_tree(v, identities))]


def rekey_files(files, identities: list, to: list) -> list[Path]:
    """Open every sealed value and seal it again to ``to`` (an editor joined or left)."""
    return [path for path, front in files
            if transform_file(path, front, lambda v, keys: seal_tree(unseal_tree(v, identities), to, keys))]
