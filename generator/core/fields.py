"""Field checkers shared by site.yaml and content schemas: typed values or a helpful message."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from generator.core.diagnostics import Diagnostic, error
from generator.core.dates import PartialDate
from generator.core.yamlio import YamlDoc, YamlTimestamp

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class FieldError(ValueError):
    """A value that does not fit its field; the message says what to write instead."""


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    check: Callable[[str, Any, str], Any]
    required: bool = False
    default: Any = None
    doc: str = ""
    # Does any reader see this field's value? Every field of a testimony says (core/schema.py):
    # the privacy guard reads and redact.yaml rewrites every public text field, and a field that
    # says neither fails the tests, so a new one cannot be published unscanned.
    public: bool | None = None
    # What `python -m generator new` writes after "name:" (None: the field is left out of a new
    # file); the comment above it is the doc.
    scaffold: str | None = None


def describe(value: Any, source: str | None) -> str:
    """Say what YAML turned an unquoted value into, for messages about quoting."""
    shown = source if source is not None else repr(value)
    if isinstance(value, bool):
        return f"YAML read {shown} as the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"YAML read {shown} as the number {value}"
    if isinstance(value, YamlTimestamp):
        return f"YAML read {shown} as a date/time"
    if value is None:
        return "the value is empty"
    if isinstance(value, list):
        return "got a list"
    if isinstance(value, dict):
        return "got a mapping"
    return f"got {shown!r}"


# Each checker takes (field name, value, source text) and returns the clean value.

def text(name: str, value: Any, source: str | None) -> str:
    if isinstance(value, str) and not isinstance(value, YamlTimestamp):
        if not value.strip():
            raise FieldError(f"'{name}' is empty: write a value or remove the line")
        return value.strip()
    if isinstance(value, (bool, int, float, YamlTimestamp)):
        shown = source if source is not None else value
        example = f'"{shown}"' if "[" in name else f'{name}: "{shown}"'
        raise FieldError(f"'{name}' must be text, but {describe(value, source)}: put it in quotes, {example}")
    raise FieldError(f"'{name}' must be text; {describe(value, source)}")


def identifier(name: str, value: Any, source: str | None) -> str:
    value = text(name, value, source)
    if not _ID.match(value):
        raise FieldError(f"'{name}' must be lower-case letters, digits and hyphens, got {value!r}")
    return value


def flag(name: str, value: Any, source: str | None) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
        word = "true" if value.strip().lower() in ("true", "yes") else "false"
        raise FieldError(f"'{name}' must be true or false without quotes (in quotes it is text): write {name}: {word}")
    raise FieldError(f"'{name}' must be true or false, {describe(value, source)}")


def positive_int(name: str, value: Any, source: str | None) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise FieldError(f"'{name}' must be a whole number above 0, {describe(value, source)}")


def integer(name: str, value: Any, source: str | None) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise FieldError(f"'{name}' must be a whole number, {describe(value, source)}")


def full_date(name: str, value: Any, source: str | None) -> dt.date:
    if isinstance(value, str):
        match = _DATE.match(value.strip())
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                pass
    raise FieldError(f"'{name}' must be a date written YYYY-MM-DD, got {_shown(value, source)}{_did_you_mean_date(value, True)}")


def month_or_date(name: str, value: Any, source: str | None) -> PartialDate:
    if isinstance(value, str):
        raw = value.strip()
        match = _MONTH.match(raw)
        if match and int(match.group(1)) >= 1 and 1 <= int(match.group(2)) <= 12:
            return PartialDate(int(match.group(1)), int(match.group(2)))
        match = _DATE.match(raw)
        if match:
            try:
                day = dt.date(*map(int, match.groups()))
                return PartialDate(day.year, day.month)  # the day is checked, then dropped: it is never published
            except ValueError:
                pass
    raise FieldError(f"'{name}' must be YYYY-MM or YYYY-MM-DD, got {_shown(value, source)}{_did_you_mean_date(value, False)}")


def _did_you_mean_date(value: Any, day_required: bool) -> str:
    """'2018-2-3' -> ' (did you mean 2018-02-03?)': the same date with its zeros, when it is one."""
    match = re.match(r"^\s*(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?\s*$", value) if isinstance(value, str) else None
    if not match or (day_required and not match.group(3)):
        return ""
    year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
    try:
        written = dt.date(year, month, int(day or 1))
    except ValueError:
        return ""
    suggestion = written.isoformat() if day else written.isoformat()[:7]
    return f" (did you mean {suggestion}?)" if suggestion != value.strip() else ""


def one_of(*choices: str) -> Callable[[str, Any, str | None], str]:
    """Text that is one of ``choices``."""
    def check(name: str, value: Any, source: str | None) -> str:
        value = text(name, value, source)
        if value not in choices:
            raise FieldError(f"'{name}' must be {' or '.join(choices)}, got {value!r}{_did_you_mean(value, choices)}")
        return value
    return check


def _did_you_mean(value: str, known) -> str:
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def http_url(name: str, value: Any, source: str | None) -> str:
    value = text(name, value, source)
    if not re.match(r"^https?://[^\s/?#]+[^\s]*$", value, re.IGNORECASE):
        raise FieldError(f"'{name}' must be an http:// or https:// address, got {value!r}")
    return value


def language(name: str, value: Any, source: str | None) -> str:
    value = text(name, value, source)
    if not _LANG.match(value):
        raise FieldError(f"'{name}' must be a BCP 47 language tag such as en, fr or pt-BR, got {value!r}")
    return value


def mapping(name: str, value: Any, source: str | None) -> dict:
    if isinstance(value, dict):
        return value
    raise FieldError(f"'{name}' must be a mapping of 'key: value' lines, {describe(value, source)}")


def _shown(value: Any, source: str | None) -> str:
    return repr(source if source is not None else value)


def check_fields(doc: YamlDoc, schema: tuple[Field, ...], path: Path, prefix: tuple = (),
                 what: str = "front matter") -> tuple[dict[str, Any], list[Diagnostic]]:
    """Check a mapping against a schema; every problem is reported, with its line."""
    problems: list[Diagnostic] = []
    data = doc.data
    for key in prefix:
        data = data.get(key) if isinstance(data, dict) else None
    if not isinstance(data, dict):
        return {}, [error(path, doc.line(*prefix), f"the {what} must be a mapping of 'field: value' lines")]
    known = {f.name: f for f in schema}
    values: dict[str, Any] = {}
    for key in data:
        if key not in known:
            problems.append(error(path, doc.line(*prefix, key), unknown_field_message(key, known, what)))
    for field in schema:
        if field.name not in data or data[field.name] is None and not field.required:
            if field.required:
                problems.append(error(path, doc.line(*prefix), f"missing required field '{field.name}' in the {what}"))
            values[field.name] = field.default
            continue
        value = data[field.name]
        if field.required and (value is None or isinstance(value, str) and not value.strip()):
            problems.append(error(path, doc.line(*prefix, field.name),
                                  f"'{field.name}' is required but empty: write its value after '{field.name}:'"))
            continue
        if isinstance(value, list):
            source = tuple(doc.sources.get(prefix + (field.name, i)) for i in range(len(value)))
        else:
            source = doc.sources.get(prefix + (field.name,))
        try:
            values[field.name] = field.check(field.name, value, source)
        except FieldError as exc:
            problems.append(error(path, doc.line(*prefix, field.name), str(exc)))
    return values, problems


def unknown_field_message(key: str, known, what: str) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if close:
        return f"unknown field '{key}' in the {what} (did you mean '{close[0]}'?)"
    return f"unknown field '{key}' in the {what}; allowed fields: {', '.join(sorted(known))}"


def list_of(item_check: Callable[[str, Any, str], Any], unique: bool = False) -> Callable[[str, Any, str], tuple]:
    """A list whose items pass ``item_check``; a lone value is not silently wrapped."""

    def check(name: str, value: Any, source: str | None) -> tuple:
        if isinstance(value, str):
            raise FieldError(f"'{name}' must be a list, not a single value: write {name}: [{value}]")
        if not isinstance(value, list):
            raise FieldError(f"'{name}' must be a list, e.g. {name}: [a, b]; {describe(value, source)}")
        items = tuple(item_check(f"{name}[{i + 1}]", item, source[i]) for i, item in enumerate(value))
        if unique:  # a tag listed twice would list the item twice on its tag page and in search
            twice = next((item for i, item in enumerate(items) if item in items[:i]), None)
            if twice is not None:
                raise FieldError(f"'{name}' lists {twice!r} twice: remove one")
        return items

    return check
