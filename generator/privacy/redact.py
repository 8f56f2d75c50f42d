"""content/redact.yaml read and checked: the names the guard looks for in every testimony, the
strings replaced before anything is published, and the public names it never flags. Sealed
values (privacy/sealing.py) are opened in memory. Applying it is privacy/pii.py's."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from generator.core.diagnostics import Diagnostic, error, warning
from generator.core.textfiles import read_text
from generator.core.types import Redactions
from generator.core.yamlio import parse_yaml
from generator.privacy import sealing
from generator.privacy.pii import MIN_PRIVATE_LENGTH


def load_redactions(path: Path, max_bytes: int, roots: tuple[str, ...],
                    identities: list | None = None) -> tuple[Redactions, list[Diagnostic]]:
    """Read redact.yaml if it exists: ``names: [...]``, ``replace: {text: replacement}`` and ``public: [...]``.
    Sealed names and strings to replace (generator/privacy/sealing.py) are opened in memory with ``identities``."""
    if not os.path.lexists(path):
        return Redactions(), []
    text, problems = read_text(path, max_bytes, roots)
    if text is None:
        return Redactions(), problems
    doc, yaml_problems = parse_yaml(text)
    problems = [error(path, p.line, p.message) for p in yaml_problems]
    if doc is None or doc.data is None:
        return Redactions(), problems
    if not isinstance(doc.data, dict):
        return Redactions(), problems + [error(path, 1, "redact.yaml must be a mapping with 'names:', 'replace:' "
                                                        "and/or 'public:'")]
    for key in doc.data:
        if key not in ("names", "replace", "public"):
            problems.append(error(path, doc.line(key), f"unknown key '{key}' in redact.yaml; allowed keys: names, "
                                                       "replace, public"))
    doc = _opened(doc, path, identities, problems)
    names = _name_list(doc, "names", "\"Jane Doe\", \"Acme Corp\"", path, problems)
    public = _name_list(doc, "public", "\"Harvey Weinstein\", \"Twitter\"", path, problems)
    replacements: list[tuple[str, str]] = []
    raw_replace = doc.data.get("replace")
    if raw_replace is not None and not isinstance(raw_replace, dict):
        problems.append(error(path, doc.line("replace"), "'replace' must be a mapping, e.g. replace: {\"Acme Corp\": \"[employer]\"}"))
    for original, replacement in (raw_replace.items() if isinstance(raw_replace, dict) else ()):
        if not _is_phrase(original):
            problems.append(error(path, doc.line("replace", original),
                                  f"a string to replace must be text of at least {MIN_PRIVATE_LENGTH} characters on one line, got {original!r}"))
        elif not isinstance(replacement, str) or "\n" in replacement:
            problems.append(error(path, doc.line("replace", original),
                                  f"the replacement for {original!r} must be text on one line, e.g. \"[employer]\""))
        else:
            replacements.append((original.strip(), replacement))
    replacements.sort(key=lambda pair: (-len(pair[0]), pair[0]))
    return Redactions(tuple(sorted(set(names))), tuple(replacements), tuple(sorted(set(public)))), problems


def _opened(doc, path: Path, identities: list | None, problems: list[Diagnostic]):
    """redact.yaml with its sealed values opened in memory. Without an identity, sealed names are
    left out (a warning: the guard cannot look for them), and sealed strings to replace stop the
    build (an error: the text would be published with them in it)."""
    names, replace = doc.data.get("names"), doc.data.get("replace")
    if not (sealing.has_sealed(names) or sealing.has_sealed(replace)):
        return doc
    data = dict(doc.data)
    if identities is None:
        if sealing.has_sealed(names):
            problems.append(warning(path, doc.line("names"), f"the names are sealed and {sealing.IDENTITY_VARIABLE} is "
                                    f"not set: the guard cannot look for them; set it to your age identity file "
                                    f"(docs/editors.md, 'Sealed private records')"))
            data["names"] = [name for name in names if not sealing.is_sealed(name)]
        if isinstance(replace, dict) and any(sealing.is_sealed(key) for key in replace):
            problems.append(error(path, doc.line("replace"), f"the strings to replace are sealed and "
                                  f"{sealing.IDENTITY_VARIABLE} is not set: without them the text would be published "
                                  f"unreplaced; set it to your age identity file (docs/editors.md, 'Sealed private records')"))
            data["replace"] = {key: value for key, value in replace.items() if not sealing.is_sealed(key)}
    else:
        try:
            data["names"] = sealing.unseal_tree(names, identities)
            data["replace"] = sealing.unseal_tree(replace, identities)
        except sealing.SealError as exc:
            problems.append(error(path, 1, str(exc)))
            data["names"], data["replace"] = [], {}
    return type(doc)(data, doc.lines, doc.sources)


def _name_list(doc, key: str, example: str, path: Path, problems: list[Diagnostic]) -> list[str]:
    raw = doc.data.get(key)
    if raw is not None and not isinstance(raw, list):
        problems.append(error(path, doc.line(key), f"'{key}' must be a list, e.g. {key}: [{example}]"))
        return []
    found = []
    for index, name in enumerate(raw if isinstance(raw, list) else ()):
        if _is_phrase(name):
            found.append(name.strip())
        else:
            problems.append(error(path, doc.line(key, index),
                                  f"each name must be text of at least {MIN_PRIVATE_LENGTH} characters on one line, got {name!r}"))
    return found


def _is_phrase(value: Any) -> bool:
    return isinstance(value, str) and len(value.strip()) >= MIN_PRIVATE_LENGTH and "\n" not in value.strip()
