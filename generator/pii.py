"""The PII guard: find identifying details in a testimony's public text, and apply redact.yaml."""

from __future__ import annotations

import functools
import html
import html.entities
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from generator.diagnostics import Diagnostic, error, warning
from generator.sources import read_text
from generator.yamlio import parse_yaml

REVIEW_HINT = "remove it, or if it was reviewed and is safe, add it to allow: with a reason"
MIN_PRIVATE_LENGTH = 3

_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
           r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)")
_ORDINAL = r"(?:st|nd|rd|th)?"
_SP = r"[ \t]"  # a space that never crosses a line: an address or date sits on one line
_TLDS = ("com|org|net|edu|gov|mil|int|info|biz|io|co|me|ly|app|dev|tv|fm|xyz|online|site|blog"
         "|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|ru|ua|in|cn|jp|kr|br|mx|ar|au|nz|ca|za|ng|ke")

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
                   r"|(?<!\S)[\w.+-]+[ \t]*[\[(][ \t]*at[ \t]*[\])][ \t]*[\w-]+(?:[ \t]*[\[(][ \t]*dot[ \t]*[\])][ \t]*[\w-]+)+",
                   re.IGNORECASE)
URL = re.compile(r"\b(?:https?|ftp)://[^\s<>()\[\]]+"
                 r"|\bwww\.[^\s<>()\[\]]+"
                 rf"|(?<![\w@.-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:{_TLDS})\b(?:/[^\s<>()\[\]]*)?(?![\w-])")
# Cheap tests that let most texts skip the slower patterns (these start at every word).
_EMAIL_HINT = re.compile(r"[\[(][ \t]*[aA][tT][ \t]*[\])]")  # and "@" in text
_URL_HINT = re.compile(rf"\.(?:{_TLDS})\b")  # and "://" or "www." in text
HANDLE = re.compile(r"(?<![\w@./])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
PHONE = re.compile(r"(?<![\w+/.-])(?:\+[ \t]?)?(?:\(\d{1,5}\)[ \t]?|\d{1,5})"
                   r"(?:[ .\-]?(?:\(\d{1,5}\)|\d{1,5})){1,7}(?![\w/]|[.-]\d)")
DAY_DATES = (
    re.compile(rf"\b\d{{1,2}}{_ORDINAL}{_SP}+(?:of{_SP}+)?{_MONTHS}\b(?:\.?,?{_SP}+\d{{4}}\b)?"),
    re.compile(rf"\b{_MONTHS}\.?{_SP}+\d{{1,2}}{_ORDINAL}\b(?:,?{_SP}+\d{{4}}\b)?"),
    re.compile(r"\b\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b"),
    re.compile(r"\b(?:0?[1-9]|[12]\d|3[01])([/.\-])(?:0?[1-9]|[12]\d|3[01])\1(?:\d{4}|\d{2})\b"),
)
_STREET_TYPES = (r"(?i:street|st|road|rd|avenue|ave|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|way"
                 r"|terrace|close|crescent|square|sq|highway|hwy|parkway|pkwy|mews|gardens|grove)")
ADDRESSES = (
    # 221B Baker Street, 1600 Pennsylvania Avenue NW
    re.compile(rf"\b(\d{{1,5}})[A-Za-z]?,?{_SP}+(?:[A-Z][\w'’.-]*{_SP}+){{1,4}}{_STREET_TYPES}\b\.?"),
    # 12 rue de la Paix, 5 calle Mayor
    re.compile(rf"\b\d{{1,5}}(?:bis|ter)?,?{_SP}+(?i:rue|avenue|boulevard|allée|chemin|impasse|quai|via|calle|avenida|rua)"
               rf"(?:{_SP}+[\w'’-]+){{1,3}}"),
    # Via Roma 10, Calle Mayor 5, Rua Augusta, 100
    re.compile(rf"(?<!\w)(?:Calle|Carrer|Via|Viale|Rua|Avenida|Rue|Plaza|Piazza|Praça){_SP}+(?:[\w'’.-]+{_SP}+){{0,4}}?"
               rf"[\w'’.-]+,?{_SP}+\d{{1,5}}\b"),
    # Hauptstraße 5, Kerkstraat 12
    re.compile(rf"\b[A-ZÄÖÜÅØ][\wäöüßåøæ-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|straat|laan|gracht|plein"
               rf"|vej|gade|gatan|vägen|veien){_SP}+\d{{1,4}}[a-z]?\b"),
    re.compile(rf"\bP\.?{_SP}?O\.?{_SP}+Box{_SP}+\d+", re.IGNORECASE),
    re.compile(rf"\b(?:Apt|Apartment|Flat|Suite|Unit)\.?{_SP}+\d+[A-Z]?\b"),
    # UK postcodes (SW1A 1AA) and US state + ZIP (NY 10001)
    re.compile(rf"\b[A-Z]{{1,2}}\d[A-Z\d]?{_SP}+\d[A-Z]{{2}}\b"),
    re.compile(rf"\b[A-Z]{{2}}{_SP}+\d{{5}}(?:-\d{{4}})?\b"),
)
_YEAR_CONTEXT = re.compile(r"(?i:\b(?:in|of|since|from|until|till|by|during|after|before|around|circa|early|late|mid)"
                           r"[ \t]*)$")
_TRAILING = ".,;:!?'\"’”)"


@dataclass(frozen=True, slots=True)
class PublicText:
    """A piece of a testimony that is published: a front-matter field or the body."""

    name: str   # "body" or the field name
    text: str
    line: int   # the field's line, or the body's first line

    @property
    def is_body(self) -> bool:
        return self.name == "body"


@dataclass(frozen=True, slots=True)
class Finding:
    line: int
    column: int  # offset in its text, to keep findings on one line in reading order
    text: str
    what: str
    where: str
    hint: str = REVIEW_HINT


@dataclass(frozen=True, slots=True)
class Allowance:
    """A reviewed string an editor accepts in one testimony, with the reason why."""

    path: Path
    line: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Redactions:
    """content/redact.yaml: names the guard flags, and replacements applied to testimonies."""

    names: tuple[str, ...] = ()
    replacements: tuple[tuple[str, str], ...] = ()  # longest first, so "Acme Corp" wins over "Acme"

    def apply(self, text: str) -> str:
        # Without '&' a key can only be written plainly, and a quick test rules most keys out.
        lowered = None if "&" in text else _Lowered(text)
        for original, replacement in self.replacements:
            if lowered is not None and not lowered.may_hold(original):
                continue
            pattern = replacement_pattern(original)

            def replace(match: re.Match, pattern=pattern, replacement=replacement) -> str:
                if match.group("hit") is not None:
                    return replacement
                # A character reference is kept whole, so a replacement never cuts into one
                # ('amp' leaves &amp; alone); an unknown name is shown as written and replaced in.
                name = match.group("name")
                if name is None or name + ";" in html.entities.html5:
                    return match.group()
                return "&" + pattern.sub(replace, name) + ";"

            replaced = pattern.sub(replace, text)
            if replaced != text:  # a replacement can hold a shorter key
                text = replaced
                lowered = None if "&" in text else _Lowered(text)
        return text

    def hidden(self) -> tuple[str, ...]:
        """What is replaced, except text its own replacements contain ('Acme' -> 'Acme Ltd')."""
        return _hidden(self.replacements)


@functools.lru_cache(maxsize=16)
def _hidden(replacements: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(original for original, _ in replacements
                 if not any(phrase_pattern(original).search(r) for _, r in replacements))


@functools.lru_cache(maxsize=4096)
def phrase_pattern(phrase: str) -> re.Pattern:
    """The phrase as whole words, any case, with any run of spaces or a line break between words."""
    words = phrase.split()
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)", re.IGNORECASE)


def _references(chars: Iterable[str]) -> list[str]:
    """Every way to write one of these characters as a character reference."""
    chars = set(chars)
    numbers = sorted(ord(c) for c in chars)
    forms = [rf"&#0*(?:{'|'.join(str(n) for n in numbers)})(?:;|(?![0-9]))",
             rf"&#[xX]0*(?:{'|'.join(f'{n:x}' for n in numbers)})(?:;|(?![0-9a-fA-F]))"]
    names = sorted(name for name, value in html.entities.html5.items()
                   if name.endswith(";") and value and all(v in chars for v in value))
    if names:
        forms.append("&(?:" + "|".join(re.escape(n) for n in names) + ")")
    return forms


_CASE_FRIENDS = {"i": "ıİ", "s": "ſ", "k": "\u212a"}  # what IGNORECASE matches besides upper and lower case
_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_SPACE_FORMS = r"(?:\s|" + "|".join(_references(_SPACES)) + ")+"


def _char_forms(char: str) -> str:
    alike = {char, char.lower(), char.upper(), char.swapcase(), *_CASE_FRIENDS.get(char.lower(), "")}
    alike = {c for c in alike if len(c) == 1 and re.fullmatch(re.escape(char), c, re.IGNORECASE)}
    return "(?:" + "|".join([re.escape(char), *_references(alike)]) + ")"


@functools.lru_cache(maxsize=1024)
def replacement_pattern(phrase: str) -> re.Pattern:
    """The phrase as phrase_pattern finds it, or with characters written as character references
    (J&#97;ne&nbsp;Doe); else any reference whole, so that nothing is replaced inside one."""
    hit = _SPACE_FORMS.join("".join(_char_forms(c) for c in word) for word in phrase.split())
    return re.compile(rf"(?<!\w)(?P<hit>{hit})(?!\w)"
                      r"|&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|(?P<name>[A-Za-z][A-Za-z0-9]{0,31});)", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# redact.yaml

def load_redactions(path: Path, max_bytes: int, roots: tuple[str, ...]) -> tuple[Redactions, list[Diagnostic]]:
    """Read redact.yaml if it exists: ``names: [...]`` and ``replace: {text: replacement}``."""
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
        return Redactions(), problems + [error(path, 1, "redact.yaml must be a mapping with 'names:' and/or 'replace:'")]
    for key in doc.data:
        if key not in ("names", "replace"):
            problems.append(error(path, doc.line(key), f"unknown key '{key}' in redact.yaml; allowed keys: names, replace"))
    names: list[str] = []
    raw_names = doc.data.get("names")
    if raw_names is not None and not isinstance(raw_names, list):
        problems.append(error(path, doc.line("names"), "'names' must be a list, e.g. names: [\"Jane Doe\", \"Acme Corp\"]"))
    for index, name in enumerate(raw_names if isinstance(raw_names, list) else ()):
        if _is_phrase(name):
            names.append(name.strip())
        else:
            problems.append(error(path, doc.line("names", index),
                                  f"each name must be text of at least {MIN_PRIVATE_LENGTH} characters on one line, got {name!r}"))
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
    return Redactions(tuple(sorted(set(names))), tuple(replacements)), problems


def _is_phrase(value: Any) -> bool:
    return isinstance(value, str) and len(value.strip()) >= MIN_PRIVATE_LENGTH and "\n" not in value.strip()


# ---------------------------------------------------------------------------------------------
# The guard

def private_strings(value: Any) -> tuple[str, ...]:
    """Every text value in a private: block, however deeply nested, of 3 characters or more."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for child in node.values():
                walk(child)
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif isinstance(node, str) and len(node.strip()) >= MIN_PRIVATE_LENGTH:
            found.add(" ".join(node.split()))

    walk(value)
    # Longest first: a full name is reported rather than the first name inside it.
    return tuple(sorted(found, key=lambda s: (-len(s), s)))


def find_pii(texts: Iterable[PublicText], private: Any = None, names: Iterable[str] = ()) -> list[Finding]:
    """Every identifying detail in the public texts, one finding per place, in file order."""
    return _find(texts, _matches, private_strings(private), tuple(sorted(set(names), key=lambda s: (-len(s), s))))


def find_names(texts: Iterable[PublicText], private: Any = None, names: Iterable[str] = (),
               replaced: Iterable[str] = ()) -> list[Finding]:
    """Only the private: values and redact.yaml names in the public texts, as find_pii reports them,
    and text redact.yaml replaces (in text the replacements have been applied to, what they missed)."""
    replaced = tuple(sorted(set(replaced), key=lambda s: (-len(s), s)))

    def matches(text: str, private_values: tuple[str, ...], names: tuple[str, ...]) -> Iterator[tuple[int, int, str]]:
        yield from _phrase_matches(text, private_values, names)
        lowered = _Lowered(text)
        for original in replaced:
            for match in phrase_pattern(original).finditer(text) if lowered.may_hold(original) else ():
                yield match.start(), match.end(), _MISSED

    return _find(texts, matches, private_strings(private), tuple(sorted(set(names), key=lambda s: (-len(s), s))))


_MISSED = "text that redact.yaml replaces, written so that the replacement missed it"
_MISSED_HINT = "write it as plain text, without markup or a comment inside it, so that it is replaced"


def _find(texts: Iterable[PublicText], matches, private_values: tuple[str, ...],
          flagged_names: tuple[str, ...]) -> list[Finding]:
    findings: list[Finding] = []
    for public in texts:
        taken: list[tuple[int, int]] = []
        for start, end, what in matches(public.text, private_values, flagged_names):
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue  # one finding per place: an email is not also reported as a URL
            taken.append((start, end))
            line = public.line + public.text.count("\n", 0, start) if public.is_body else public.line
            where = "the body" if public.is_body else f"'{public.name}'"
            findings.append(Finding(line, start, " ".join(public.text[start:end].split()), what, where,
                                    _MISSED_HINT if what == _MISSED else REVIEW_HINT))
    return sorted(findings, key=lambda f: (f.line, f.where, f.column))


def _phrase_matches(text: str, private_values: tuple[str, ...], names: tuple[str, ...]) -> Iterator[tuple[int, int, str]]:
    lowered = _Lowered(text)
    for value in private_values:
        for match in phrase_pattern(value).finditer(text) if lowered.may_hold(value) else ():
            yield match.start(), match.end(), "a value from this testimony's private: block"
    for name in names:
        for match in phrase_pattern(name).finditer(text) if lowered.may_hold(name) else ():
            yield match.start(), match.end(), "a name listed in redact.yaml"


class _Lowered:
    """A quick test that a phrase cannot be in a text, before its slower pattern is run."""

    __slots__ = ("text", "lower")

    def __init__(self, text: str):
        self.text = text
        self.lower: str | None = None

    def may_hold(self, phrase: str) -> bool:
        probe = _probe(phrase)
        if not probe:
            return True
        if self.lower is None:
            self.lower = self.text.lower()
        return probe in self.lower


_UNSURE = re.compile(r"[^\x00-\x7f]+|[iskISK]+|\s+")


@functools.lru_cache(maxsize=4096)
def _probe(phrase: str) -> str:
    """The longest part of the phrase that any text phrase_pattern matches holds in lower case.

    Under IGNORECASE, 'i', 's' and 'k' also match ı, İ, ſ and the Kelvin sign (İ even lowers to two
    characters), and other non-ASCII letters have more alike forms; no other ASCII character does."""
    return max(_UNSURE.split(phrase), key=len).lower()


def _matches(text: str, private_values: tuple[str, ...], names: tuple[str, ...]) -> Iterator[tuple[int, int, str]]:
    """(start, end, description) candidates, most important kinds first."""
    yield from _phrase_matches(text, private_values, names)
    has_at = "@" in text or _EMAIL_HINT.search(text) is not None
    for match in EMAIL.finditer(text) if has_at else ():
        yield match.start(), match.end(), "an email address"
    for match in URL.finditer(text) if "://" in text or "www." in text or _URL_HINT.search(text) else ():
        end = match.end()
        while end > match.start() and text[end - 1] in _TRAILING:
            end -= 1
        yield match.start(), end, "a web address"
    # Dates, phone numbers and addresses all hold a digit and sit on one line: only the lines
    # with a digit are read (patterns see the text around them, so matches are the same).
    lines = _digit_lines(text)
    for pattern in DAY_DATES:
        for start, end in lines:
            for match in pattern.finditer(text, start, end):
                yield match.start(), match.end(), "a date to the day (give the month and year at most)"
    for start, end in lines:
        for match in PHONE.finditer(text, start, end):
            if _looks_like_phone(match.group()):
                yield match.start(), match.end(), "a phone number"
    for pattern in ADDRESSES:
        for start, end in lines:
            for match in pattern.finditer(text, start, end):
                if not _is_year_phrase(text, match, start):
                    yield match.start(), match.end(), "a street address"
    for match in HANDLE.finditer(text) if has_at else ():
        yield match.start(), match.end(), "a social-media handle"


def _looks_like_phone(candidate: str) -> bool:
    groups = re.findall(r"\d+", candidate)
    digits = sum(len(g) for g in groups)
    if not 7 <= digits <= 15:
        return False
    # "2017-2018", "1998 2004": years side by side are not a phone number.
    return not all(len(g) == 4 and 1900 <= int(g) <= 2099 for g in groups)


def _is_year_phrase(text: str, match: re.Match, line_start: int = 0) -> bool:
    """'in 2017 Times Square ...' is a year, not a house number."""
    if match.lastindex is None or not match.group(1) or len(match.group(1)) != 4:
        return False
    return 1900 <= int(match.group(1)) <= 2099 and bool(_YEAR_CONTEXT.search(text, line_start, match.start()))


_DIGIT = re.compile(r"\d")
_ASCII_DIGIT = re.compile(r"[0-9]")


def _digit_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line holding a digit, its line break included."""
    if text.isascii():
        if not any(d in text for d in "0123456789"):
            return []
        digit = _ASCII_DIGIT
    else:
        digit = _DIGIT
    lines = []
    match = digit.search(text)
    while match is not None:
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        end = len(text) if end < 0 else end + 1
        lines.append((start, end))
        match = digit.search(text, end)
    return lines


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# html.unescape's own pattern, so that each reference decodes exactly as it would in the whole text.
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
# Markdown and HTML markup that can sit inside a name without showing: emphasis, strikethrough,
# code, link brackets and destinations, backslash escapes and tags.
_MARKUP = re.compile(r"\]\((?:[^()]|\([^()]*\))*\)"      # ](destination "title")
                     r"|\]\[[^\[\]]*\]"                 # ][reference]
                     r"|</?([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>"  # a tag
                     r"|\\(?=[!-/:-@\[-`{-~])"             # a backslash escape
                     r"|[*_~`\[\]]+")
_BLOCK_TAGS = frozenset("address article aside blockquote br dd details div dl dt figcaption figure footer h1 h2 h3 h4 "
                        "h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split())


def _decode(match: re.Match) -> str:
    # &#10; shows as a space, and must not move the lines after it.
    return html.unescape(match.group()).replace("\n", " ")


def as_read(text: str) -> str:
    """Text as a reader sees it: HTML comments gone (their line breaks kept, so lines still match)
    and character references decoded ('Jane&nbsp;Doe' is shown as Jane Doe)."""
    if "&" not in text and "<!--" not in text:
        return text
    return _CHARREF.sub(_decode, _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text))


def _unmark(match: re.Match) -> str:
    lines = match.group().count("\n")
    if lines:
        return "\n" * lines
    return " " if match.group(1) and match.group(1).lower() in _BLOCK_TAGS else ""


def as_shown(text: str) -> str:
    """As read, and with the markup between and inside words gone too ('**Jane** Doe' shows as Jane Doe).

    Only names are looked for in this text: emails, addresses and handles keep their underscores."""
    return _MARKUP.sub(_unmark, as_read(text))


def guard(path: Path, texts: Iterable[PublicText], private: Any, redactions: Redactions,
          allowances: Iterable[Allowance]) -> tuple[list[Diagnostic], tuple[Allowance, ...]]:
    """Errors for every finding not allowed, warnings for unused allowances, and the allowances used."""
    allowances = tuple(allowances)
    by_text: Mapping[str, Allowance] = {" ".join(a.text.split()): a for a in allowances}
    problems: list[Diagnostic] = []
    used: dict[str, Allowance] = {}
    texts = tuple(texts)
    findings = find_pii(texts, private, redactions.names)
    # The same texts as a reader sees them: what is found only there is reported too.
    already = Counter((f.line, f.text, f.what, f.where) for f in findings)
    read_texts = [PublicText(t.name, as_read(t.text), t.line) for t in texts]
    for finding in find_pii([read for t, read in zip(texts, read_texts) if read.text != t.text],
                            private, redactions.names):
        key = (finding.line, finding.text, finding.what, finding.where)
        if already[key]:
            already[key] -= 1
        else:
            findings.append(finding)
    # And once more without the markup, for names only: '**Jane** Doe' is shown as Jane Doe.
    already = Counter((f.line, f.text, f.what, f.where) for f in findings)
    shown_texts = [PublicText(t.name, _MARKUP.sub(_unmark, read.text), t.line) for t, read in zip(texts, read_texts)]
    for finding in find_names([shown for t, shown in zip(texts, shown_texts) if shown.text != t.text],
                              private, redactions.names, redactions.hidden()):
        key = (finding.line, finding.text, finding.what, finding.where)
        if already[key]:
            already[key] -= 1
        else:
            findings.append(finding)
    for finding in sorted(findings, key=lambda f: (f.line, f.where, f.column)):
        allowance = by_text.get(finding.text)
        if allowance is not None:
            used[finding.text] = allowance
            continue
        problems.append(error(path, finding.line, f"{finding.what} in {finding.where}: {finding.text!r}: {finding.hint}"))
    for text, allowance in by_text.items():
        if text not in used:
            problems.append(warning(path, allowance.line,
                                    f"allow: entry {allowance.text!r} matches nothing the guard found: remove it "
                                    "(it must be the exact text, as quoted in the error it accepts)"))
    return problems, tuple(sorted(used.values(), key=lambda a: (a.line, a.text)))
