"""Sealed private records: `private:` values and redact.yaml's private lists, encrypted with age.

An archive's repository is often public, and git keeps every version for ever: the real names
and contacts in `private:` blocks must not be in it in plain text. `private seal` encrypts each
value to the editors' and CI's age public keys (`private_recipients` in site.yaml); the
structure stays readable (which keys a record has, so diffs still mean something), the values
do not. `check`, `build`, `serve` and `review` decrypt them in memory with the identity file
named by CHORUS_IDENTITY and guard exactly as before; nothing decrypted is written anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path
from typing import Any, Iterable

PREFIX = "age:"  # a sealed value: "age:" and the base64 of its age ciphertext
IDENTITY_VARIABLE = "CHORUS_IDENTITY"
_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


class SealError(Exception):
    """A value that cannot be sealed or opened; str() says why and what to do."""


def _pyrage():
    try:
        import pyrage
        from pyrage import x25519
    except ImportError:  # pragma: no cover - pinned in requirements.txt
        raise SealError("the age library (pyrage) is not installed: run make site") from None
    return pyrage, x25519


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def has_sealed(value: Any) -> bool:
    if isinstance(value, dict):
        return any(has_sealed(v) for v in value.values()) or any(is_sealed(k) for k in value)
    if isinstance(value, list):
        return any(has_sealed(v) for v in value)
    return is_sealed(value)


def has_plain(value: Any) -> bool:
    """Whether a private record holds any value that is not sealed."""
    if isinstance(value, dict):
        return any(has_plain(v) for v in value.values())
    if isinstance(value, list):
        return any(has_plain(v) for v in value)
    return value is not None and not is_sealed(value)


def recipients(keys: Iterable[str]) -> list:
    _, x25519 = _pyrage()
    found = []
    for key in keys:
        try:
            found.append(x25519.Recipient.from_str(key.strip()))
        except Exception:
            raise SealError(f"{key!r} is not an age public key (age1...)") from None
    return found


def load_identities(environ=os.environ) -> list | None:
    """The identities in the file CHORUS_IDENTITY names (age's AGE-SECRET-KEY-1... lines), or None."""
    path = environ.get(IDENTITY_VARIABLE)
    if not path:
        return None
    _, x25519 = _pyrage()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SealError(f"{IDENTITY_VARIABLE} names {path}, which cannot be read: {exc.strerror or exc}") from None
    identities = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("AGE-SECRET-KEY-"):
            try:
                identities.append(x25519.Identity.from_str(line))
            except Exception:
                raise SealError(f"{path} holds a line that is not an age identity") from None
    if not identities:
        raise SealError(f"{path} holds no age identity (a line AGE-SECRET-KEY-1...): make one with age-keygen")
    return identities


_this_process: list = []


def process_identities() -> list | None:
    """load_identities(), once per process (a forked worker reads the same variable)."""
    if not _this_process or _this_process[0][0] != os.environ.get(IDENTITY_VARIABLE):
        _this_process[:] = [(os.environ.get(IDENTITY_VARIABLE), load_identities())]
    return _this_process[0][1]


def identity_fingerprint(identities: list | None) -> str:
    """Which identities a result was made with, without the secret: their public keys, hashed."""
    if not identities:
        return ""
    return hashlib.sha256("\n".join(sorted(str(i.to_public()) for i in identities)).encode()).hexdigest()


def seal(value: str, to: list) -> str:
    pyrage, _ = _pyrage()
    return PREFIX + base64.b64encode(pyrage.encrypt(value.encode("utf-8"), to)).decode("ascii")


def unseal(value: str, identities: list) -> str:
    pyrage, _ = _pyrage()
    try:
        return pyrage.decrypt(base64.b64decode(value[len(PREFIX):], validate=True), identities).decode("utf-8")
    except Exception:
        raise SealError("a sealed value cannot be opened with the identity in CHORUS_IDENTITY (sealed to other "
                        "keys, or damaged): ask an editor to run python -m generator private rekey") from None


def seal_tree(value: Any, to: list, keys_only: bool = False) -> Any:
    """Every text and number in value sealed, or with ``keys_only`` the mapping's keys alone
    (redact.yaml's replace: what is replaced is private, what replaces it is published)."""
    if keys_only and isinstance(value, dict):
        return {(k if is_sealed(k) else seal(str(k), to)): v for k, v in value.items()}
    if isinstance(value, dict):
        return {k: seal_tree(v, to) for k, v in value.items()}
    if isinstance(value, list):
        return [seal_tree(v, to) for v in value]
    if value is None or is_sealed(value) or isinstance(value, bool):
        return value
    return seal(str(value), to)


def unseal_tree(value: Any, identities: list) -> Any:
    if isinstance(value, dict):
        return {(unseal(k, identities) if is_sealed(k) else k): unseal_tree(v, identities) for k, v in value.items()}
    if isinstance(value, list):
        return [unseal_tree(v, identities) for v in value]
    return unseal(value, identities) if is_sealed(value) else value


# --- rewriting files ----------------------------------------------------------------------

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
    from generator.content.sources import _split_front_matter  # only when sealing: not on a build's path
    from generator.core.yamlio import parse_yaml

    text = path.read_text(encoding="utf-8")
    if front_matter:
        doc, _body, _line, problems = _split_front_matter(path, text)
    else:
        doc, problems = parse_yaml(text)
    if doc is None or problems or not isinstance(doc.data, dict):
        raise SealError("the file has errors: run python -m generator check, fix them, then seal")
    return text, doc.data


def record_files(content_dir: Path) -> list[tuple[Path, bool]]:
    """Every file that can hold private records: (path, whether it has front matter)."""
    folder = content_dir / "testimonies"
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
