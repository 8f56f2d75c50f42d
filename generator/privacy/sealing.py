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
from pathlib import Path
from typing import Any, Iterable

PREFIX = "age:"  # a sealed value: "age:" and the base64 of its age ciphertext
IDENTITY_VARIABLE = "CHORUS_IDENTITY"


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
