"""Diagnostics: problems found in content or config, reported as data with file and line."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # what happened, never a reason to fail (not even with --strict): a cache emptied, say


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: Path
    line: int | None
    severity: Severity
    message: str

    def format(self, relative_to: Path | None = None) -> str:
        shown = display_path(self.path, relative_to)
        where = f"{shown}:{self.line}" if self.line else shown
        return f"{where}: {self.severity.value}: {self.message}"

    @property
    def sort_key(self) -> tuple:
        return (str(self.path), self.line or 0, self.message)


def error(path: Path, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(path, line, Severity.ERROR, message)


def warning(path: Path, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(path, line, Severity.WARNING, message)


def note(path: Path, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(path, line, Severity.NOTE, message)


def display_path(path: Path, relative_to: Path | None = None) -> str:
    """Show a path relative to the working directory when it lies below it."""
    base = relative_to or Path.cwd()
    try:
        shown = Path(os.path.relpath(path, base)).as_posix() if _is_below(path, base) else str(path)
    except ValueError:
        shown = str(path)
    return printable(shown)


def printable(path: str | os.PathLike) -> str:
    """A path as text that can always be printed: bytes of a file name that are not UTF-8
    appear as backslash escapes (\\xff) instead of ending the program in an encoding error."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _is_below(path: Path, base: Path) -> bool:
    path = Path(path)
    try:
        # The folder resolved, not the name itself: a link is shown where it is, not where it leads.
        resolved = path.parent.resolve() / path.name
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        resolved = Path(os.path.abspath(path))
    try:
        resolved.relative_to(Path(base).resolve())
        return True
    except ValueError:
        return False


def os_error(exc: OSError, fallback: Path, doing: str) -> Diagnostic:
    """One line for a failed file operation: the path it failed on and the system's reason."""
    path = Path(os.fsdecode(exc.filename)) if exc.filename else fallback
    return error(path, None, f"{doing}: {exc.strerror or exc}")


class DiagnosticError(Exception):
    """Raised to stop a stage; carries every diagnostic found so far."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]):
        super().__init__(tuple(diagnostics))  # the only argument, so it survives pickling between processes
        self.diagnostics = tuple(diagnostics)
