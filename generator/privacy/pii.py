"""The PII guard: find identifying details in what readers see of a testimony, and apply redact.yaml.

Every published field and the rendered body are read as a reader reads them (generator/privacy/visible.py:
markup joined, invisible characters gone, look-alike letters read as Latin), then searched for the
testimony's own private: values, the names redact.yaml lists, contact details, days and addresses
(generator/privacy/detectors.py) and names nobody listed (generator/privacy/names.py). Each finding is mapped back
to its source line.

The last section takes one testimony through all of it, as the per-file stage does: its sealed
private record opened in memory (privacy/sealing.py), redact.yaml (read by privacy/redact.py)
applied to every public text field and the body, then the guard on what a reader would see.
"""

from __future__ import annotations

import functools
import html
import html.entities
import re
from collections import Counter
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from generator.privacy import detectors, names as unlisted
from generator.core.diagnostics import Diagnostic, error, warning
from generator.privacy.visible import Visible, match_key, normalise, strip_invisible, visible_body, visible_field
from generator.core import fields as f
from generator.core.schema import allow_list, public_text_fields
from generator.core.types import Allowance, RawDocument, Redactions

REVIEW_HINT = "remove it, or if it was reviewed and is safe, add it to allow: with a reason"
NAME_HINT = ("replace it with a description such as [my manager], or if it was reviewed and is safe, add it to "
             "allow: with a reason (names of public figures, media and platforms go under public: in redact.yaml)")
MIN_PRIVATE_LENGTH = 3
PRIVATE = "a value from this testimony's private: block"
LISTED = "a name listed in redact.yaml"
MISSED = "text that redact.yaml replaces, written so that the replacement missed it"
MISSED_HINT = "write it as plain text, without markup or a comment inside it, so that it is replaced"
_MISSED, _MISSED_HINT = MISSED, MISSED_HINT  # the names tests and older callers use


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
    text: str    # as a reader reads it (normalised)
    what: str
    where: str
    hint: str = REVIEW_HINT
    context: str = ""     # the words around it, for review
    suggestion: str = ""  # what to write instead


def apply_redactions(redactions: Redactions, text: str) -> str:
    """The text with redact.yaml's replacements made (as published)."""
    # Without '&' a key can only be written plainly, and a quick test rules most keys out.
    lowered = None if "&" in text or not text.isascii() else _Lowered(text)
    for original, replacement in redactions.replacements:
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
            lowered = None if "&" in text or not text.isascii() else _Lowered(text)
    return text


def hidden(redactions: Redactions) -> tuple[str, ...]:
    """What is replaced, except text its own replacements contain ('Acme' -> 'Acme Ltd')."""
    return _hidden(redactions.replacements)


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
    # Letters drawn alike (fullwidth Ａ, Cyrillic А) read as this one: replaced too.
    lookalikes = sorted(_lookalikes().get(char.lower(), ()))
    return "(?:" + "|".join([re.escape(char), *map(re.escape, lookalikes), *_references(alike)]) + ")"


@functools.lru_cache(maxsize=1)
def _lookalikes() -> dict[str, frozenset[str]]:
    """ASCII letter or digit (lower case) -> the other characters a reader reads as it: compatibility
    forms (NFKC: fullwidth, mathematical letters) and look-alike letters of other scripts (TR39)."""
    import unicodedata

    from generator.privacy.visible import _confusables

    found: dict[str, set[str]] = {}
    for code in list(range(0xFF10, 0xFF5B)) + list(range(0x1D400, 0x1D7FF)):
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and folded.isascii() and folded.isalnum():
            found.setdefault(folded.lower(), set()).add(char)
    for char, latin in _confusables().items():
        found.setdefault(latin.lower(), set()).add(char)
    return {letter: frozenset(chars) for letter, chars in found.items()}


@functools.lru_cache(maxsize=1024)
def replacement_pattern(phrase: str) -> re.Pattern:
    """The phrase as phrase_pattern finds it, or with characters written as character references
    (J&#97;ne&nbsp;Doe); else any reference whole, so that nothing is replaced inside one."""
    hit = _SPACE_FORMS.join("".join(_char_forms(c) for c in word) for word in phrase.split())
    return re.compile(rf"(?<!\w)(?P<hit>{hit})(?!\w)"
                      r"|&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|(?P<name>[A-Za-z][A-Za-z0-9]{0,31});)", re.IGNORECASE)



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


# ---------------------------------------------------------------------------------------------
# The guard

_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*\.?$")


def name_parts(value: str) -> set[str]:
    """The forms a person's name is signed or mentioned by, when ``value`` looks like one (two to
    four capitalised words): each given name and surname of 3 letters or more, the initial with
    the surname (M. Kowalczyk) and the given name with the surname's initial (Maria K.). A word
    that is no one's name and an ordinary word ('Logistics' in a company's name) is left out."""
    words = value.split()
    if not 2 <= len(words) <= 4 or not all(_NAME_WORD.match(w) and w[0].isupper() for w in words):
        return set()
    names = [w.rstrip(".") for w in words if len(w.rstrip(".")) > 1]
    if len(names) < 2:
        return set()
    given_names, family_names = unlisted.person_names()
    ordinary = unlisted.ordinary_words()

    def is_name(word: str) -> bool:
        key = word.lower()
        return key in given_names or key in family_names or key not in ordinary

    parts = {name for name in names if len(name) >= MIN_PRIVATE_LENGTH and is_name(name)}
    given, surname = names[0], names[-1]
    if is_name(surname):
        parts |= {f"{given[0]}. {surname}", f"{given[0]} {surname}"}
    if is_name(given):
        parts |= {f"{given} {surname[0]}.", f"{given} {surname[0]}"}
    return parts


def private_name_parts(value: Any) -> tuple[str, ...]:
    """name_parts() of every text value in a private: block, longest first."""
    parts: set[str] = set()
    for text in private_strings(value):
        parts |= name_parts(text)
    return tuple(sorted(parts, key=lambda s: (-len(s), s)))


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


@functools.lru_cache(maxsize=4096)
def key_pattern(phrase: str) -> tuple[str, re.Pattern] | None:
    """The phrase as found in a match key (generator/visible.match_key): whole words, any case and
    accents, with anything but letters and digits between its words, or nothing (a comment or a
    tag between them shows the words run together); and its longest word, to rule texts out fast."""
    words = [w for w in re.split(r"[\W_]+", match_key(normalise(phrase))) if w]
    if not words:
        return None
    body = re.escape(words[0])
    for before, word in zip(words, words[1:]):
        # Between two words of letters, digits count as markup too ("[Jane][1] Doe"); next to a
        # number they do not ("Flat 3" is not "Flat 33").
        between = r"[\W\d_]*" if before[-1].isalpha() and word[0].isalpha() else r"[\W_]*"
        body += between + re.escape(word)
    return max(words, key=len), re.compile(rf"(?<![^\W_]){body}(?![^\W_])")


@dataclass(frozen=True, slots=True)
class Listed:
    """What the guard is told to find in one testimony, and what it is told to leave alone."""

    private: tuple[str, ...] = ()   # values of its private: block, longest first
    names: tuple[str, ...] = ()     # redact.yaml names:
    missed: tuple[str, ...] = ()    # redact.yaml replace: keys its replacements do not contain
    context: detectors.Context = detectors.Context()
    knowledge: unlisted.Knowledge = unlisted.Knowledge()
    languages: tuple[str, ...] = ("en",)
    find_unlisted: bool = True
    parts: tuple[str, ...] = ()     # parts of the private: block's names (Maria, M. Kowalczyk), looked for last


def _phrases(key: str, phrases: Iterable[str], what: str) -> Iterator[tuple[int, int, str]]:
    for phrase in phrases:
        found = key_pattern(phrase)
        if found is None or found[0] not in key:
            continue
        for match in found[1].finditer(key):
            yield match.start(), match.end(), what


# What is looked for in a text: everything, everything but names nobody listed (a pseudonym is a
# made-up name by design), or only what this testimony and redact.yaml list (tags, comments).
ALL, NO_NAMES, LISTED_ONLY = "all", "no names", "listed only"


def _candidates(visible: Visible, listed: Listed, mode: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, what) in the visible text, most important kinds first."""
    key = match_key(visible.text)
    yield from _phrases(key, listed.private, PRIVATE)
    yield from _phrases(key, listed.names, LISTED)
    yield from _phrases(key, listed.missed, MISSED)
    if mode != LISTED_ONLY:
        yield from detectors.find_details(visible.text, listed.context)
    # After the contact details: 'jane at gmail dot com' is an email, not only a given name.
    yield from _phrases(key, listed.parts, PRIVATE)
    if mode == LISTED_ONLY:
        return
    if listed.find_unlisted and mode == ALL:
        for found in unlisted.find_names(visible.text, listed.knowledge, listed.languages):
            yield found.start, found.end, found.kind


_LEFT_MARKUP = re.compile(r"\]\[[^\]]*\]|[\[\]~*_`|#>]")


def _without_markup(quote: str) -> str:
    """A listed name as the editor wrote it, without Markdown that was shown as text inside it."""
    cleaned = " ".join(_LEFT_MARKUP.sub("", quote).split())
    return cleaned or quote


def _hint(what: str) -> str:
    if what == MISSED:
        return MISSED_HINT
    return NAME_HINT if what in unlisted.KINDS else REVIEW_HINT


_MONTH_YEAR = re.compile(r"(?P<year>\d{4})")


def suggestion(what: str, text: str, redactions: Redactions | None = None) -> str:
    """What an editor could write instead of a finding."""
    if what == MISSED and redactions is not None:
        for original, replacement in redactions.replacements:
            if key_pattern(original) and key_pattern(original)[1].search(match_key(text)):
                return replacement
    if what == detectors.DATE:
        year = _MONTH_YEAR.search(text)
        words = [w for w in re.findall(r"[^\W\d_]{3,}", text) if w.lower() not in ("the", "of", "de", "del")]
        return f"{words[0].capitalize()} {year.group()}" if year and words else "[the month and year, or a season]"
    if what == unlisted.PLACE:
        last = text.split()[-1].lower().strip(".")
        return "[a street]" if last in unlisted.STREET_WORDS else "[a town]"
    return {
        unlisted.PERSON: "[a colleague]", unlisted.ORGANISATION: "[my employer]", unlisted.NAME: "[a name]",
        detectors.EMAIL: "[email address removed]", detectors.WEB: "[link removed]",
        detectors.HANDLE: "[account removed]", detectors.PHONE: "[phone number removed]",
        detectors.ADDRESS: "[address removed]", detectors.POSTCODE: "[postcode removed]",
        PRIVATE: "[removed]", LISTED: "[name removed]", MISSED: "[removed]",
    }.get(what, "[removed]")


def _around(text: str, start: int, end: int, width: int = 40) -> str:
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    if start - width > 0:
        before = "…" + before.split(" ", 1)[-1]
    if end + width < len(text):
        after = after.rsplit(" ", 1)[0] + "…"
    return " ".join((before + "[[" + text[start:end] + "]]" + after).split())


def inspect(readings: Iterable[tuple[Visible, str]], listed: Listed) -> list[Finding]:
    """Every finding in the visible texts, each read in its mode (ALL, NO_NAMES, LISTED_ONLY), one per
    place and kind; the same place read again in another form of the same text (a field with its
    markup taken out) is reported once."""
    findings: list[Finding] = []
    seen: Counter = Counter()
    for visible, only in readings:
        taken: list[tuple[int, int]] = []
        local: Counter = Counter()
        for start, end, what in _candidates(visible, listed, only):
            if end <= start or any(start < t_end and t_start < end for t_start, t_end in taken):
                continue  # one finding per place: an email is not also reported as a web address
            taken.append((start, end))
            quote = visible.quote(start, end)
            if what in (PRIVATE, LISTED, MISSED):
                quote = _without_markup(quote)
            line = visible.line_at(start)
            where = "the body" if visible.is_body else f"'{visible.name}'"
            identity = (line, quote, what, where)
            local[identity] += 1
            if local[identity] <= seen[identity]:
                continue  # found in an earlier form of this text
            findings.append(Finding(line, start, quote, what, where, _hint(what), _around(visible.text, start, end),
                                    suggestion(what, quote)))
        for identity, count in local.items():
            seen[identity] = max(seen[identity], count)
    return sorted(findings, key=lambda f: (f.line, f.where, f.column))


def visibles_of(texts: Iterable[PublicText], body_html: str | None = None) -> list[tuple[Visible, str]]:
    """Each published text as a reader sees it, with what to look for in it; and, to be safe, listed
    names in forms a reader does not see: a field without its markup, the body's comments."""
    readings: list[tuple[Visible, str]] = []
    for public in texts:
        if public.is_body:
            rendered = body_html if body_html is not None else render_for_guard(public.text)
            if rendered is None:  # too slow to render: read the source as shown, line by line, instead
                readings.append((_lines_of(as_shown(public.text), public.line), ALL))
            else:
                readings.append((visible_body(rendered, public.text, public.line), ALL))
            # Comments are removed from the page, but a later edit can bring them back.
            if "<!--" in public.text:
                readings.append((_comment_lines(public.text, public.line), LISTED_ONLY))
        else:
            # Tags are the site's own vocabulary: only what this testimony lists is looked for there.
            mode = LISTED_ONLY if public.name == "tags" else NO_NAMES if public.name == "pseudonym" else ALL
            readings.append((visible_field(public.name, public.text, public.line), mode))
            shown = as_shown(public.text)
            if shown != public.text:
                readings.append((visible_field(public.name, shown, public.line), mode))
    return readings


_ANY_COMMENT = re.compile(r"<!--(.*?)(?:-->|$)", re.DOTALL)


def _comment_lines(text: str, first_line: int) -> Visible:
    """What the body's comments say, each on its source line (the rest blanked)."""
    kept = []
    position = 0
    for match in _ANY_COMMENT.finditer(text):
        kept.append(re.sub(r"[^\n]", " ", text[position:match.start(1)]))
        kept.append(match.group(1))
        position = match.end(1)
    kept.append(re.sub(r"[^\n]", " ", text[position:]))
    return _lines_of("".join(kept), first_line)


def _lines_of(text: str, first_line: int) -> Visible:
    """The text, normalised, read line by line: each line on its own source line."""
    lines = normalise(text).split("\n")
    offsets, numbers, position = [], [], 0
    for number, line in enumerate(lines):
        offsets.append(position)
        numbers.append(first_line + number)
        position += len(line) + 1
    return Visible("body", " ".join(lines), tuple(offsets), tuple(numbers))


_guard_renderer = None


def render_for_guard(markdown: str) -> str | None:
    """The body's HTML as published, or None when it would take too long to render (reported elsewhere)."""
    global _guard_renderer
    from generator.content.limits import find_hazards
    from generator.content.markup import Renderer

    if find_hazards(markdown):
        return None
    if _guard_renderer is None:
        _guard_renderer = Renderer()
    try:
        return _guard_renderer.to_html(markdown).html
    except RecursionError:
        return None


# make mutate leaves find_pii, guard, warm_up and guard_testimony alone: no build, check, preview or review
# calls them (the tests and the benchmark do), so a change in them cannot change what is published.
def find_pii(texts: Iterable[PublicText], private: Any = None, names: Iterable[str] = ()) -> list[Finding]:  # pragma: no mutate block
    """Listed values and contact details, days and addresses in the public texts (not unlisted names)."""
    listed = Listed(private_strings(private), tuple(sorted(set(names), key=lambda s: (-len(s), s))),
                    find_unlisted=False)
    return inspect(visibles_of(tuple(texts)), listed)


def listed_for(private: Any, redactions: Redactions, *, region: str = "", site_language: str = "en",
               language: str | None = None) -> Listed:
    """What the guard looks for in one testimony, from its private: block, redact.yaml and its region."""
    languages = tuple(dict.fromkeys(l.split("-")[0].lower() for l in (site_language, language or site_language, "en")))
    # Replacements are words the editors chose to publish ("[employer]", "Acme Ltd").
    public = (*redactions.public, *(replacement for _, replacement in redactions.replacements))
    knowledge = unlisted.Knowledge(unlisted.public_keys(public), frozenset(),
                                   english=(language or site_language).lower().startswith("en"))
    context = detectors.Context(detectors.phone_regions(region, site_language, language),
                                tuple(dict.fromkeys((*languages, *detectors.DATE_LANGUAGES))), languages)
    whole = private_strings(private)
    return Listed(whole, tuple(sorted(set(redactions.names), key=lambda s: (-len(s), s))),
                  tuple(sorted(hidden(redactions), key=lambda s: (-len(s), s))), context, knowledge,
                  languages, parts=tuple(part for part in private_name_parts(private) if part not in whole))


def guard(path: Path, texts: Iterable[PublicText], private: Any, redactions: Redactions,
          allowances: Iterable[Allowance], *, body_html: str | None = None,
          listed: Listed | None = None) -> tuple[list[Diagnostic], tuple[Allowance, ...]]:  # pragma: no mutate block
    """Errors for every finding not allowed, warnings for unused allowances, and the allowances used."""
    findings = guard_findings(texts, private, redactions, body_html=body_html, listed=listed)
    return diagnostics_of(path, findings, allowances)


def guard_findings(texts: Iterable[PublicText], private: Any, redactions: Redactions, *,
                   body_html: str | None = None, listed: Listed | None = None) -> list[Finding]:
    listed = listed or listed_for(private, redactions)
    findings = inspect(visibles_of(tuple(texts), body_html), listed)
    if redactions.replacements:
        findings = [dataclasses.replace(f, suggestion=suggestion(MISSED, f.text, redactions)) if f.what == MISSED else f
                    for f in findings]
    return findings


def allowance_key(text: str) -> str:
    return " ".join(normalise(text).split())


def diagnostics_of(path: Path, findings: Iterable[Finding],
                   allowances: Iterable[Allowance]) -> tuple[list[Diagnostic], tuple[Allowance, ...]]:
    allowances = tuple(allowances)
    by_text: Mapping[str, Allowance] = {allowance_key(a.text): a for a in allowances}
    problems: list[Diagnostic] = []
    used: dict[str, Allowance] = {}
    for finding in findings:
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


def warm_up(languages: tuple[str, ...] = ("en",)) -> None:  # pragma: no mutate block (see find_pii)
    """Load every data set the guard uses (about 2 s, once per process), e.g. before timing it."""
    listed = listed_for(None, Redactions(), site_language=languages[0])
    unlisted.person_names()
    unlisted.ordinary_words()
    unlisted.region_names(tuple(sorted(set(listed.languages))))
    detectors.top_level_domains()
    detectors.city_populations()
    guard_findings([PublicText("body", "Dave met Dr Patel in Leeds on 15 May; call 020 7946 0958.", 1)], None,
                   Redactions(), listed=listed)


# ---------------------------------------------------------------------------------------------
# One testimony: its sealed record opened, redact.yaml applied, the guard run on what is published

PLAIN_PRIVATE = ("private: holds values in plain text, readable by anyone who can read the repository: seal them "
                 "with python -m generator private seal")
PLAIN_PRIVATE_UNSET = ("private: records are in plain text, readable by anyone who can read the repository: list "
                       "the editors' age keys under private_recipients in the site config, then seal them "
                       "(docs/editors.md, 'Sealed private records'); or, where the repository is private and "
                       "plain records are kept on purpose, set private_records: plain")
PLAIN_PRIVATE_KEPT = ("private: records are in plain text, as the site config says (private_records: plain): the "
                      "repository must stay private, and its history too (docs/editors.md, 'Sealed private records')")


def open_private(raw: RawDocument, sealing_settings: tuple[str, bool, bool]) -> tuple[RawDocument, list[Diagnostic], bool]:
    """The testimony with its sealed private values opened in memory (generator/privacy/sealing.py), and
    what to say: sealed values without an identity cannot be checked against the text (a
    warning); plain values are a warning to seal them where the site seals, an error with
    private_records: sealed; and whether it holds plain values (where the site does not seal
    yet, validate() says so once for all)."""
    from generator.privacy import sealing

    data = raw.front.data
    record = data.get("private") if isinstance(data, dict) else None
    if not record:
        return raw, [], False
    _identity, required, sealing_on = sealing_settings
    line = raw.front.line("private")
    problems = []
    plain = sealing.has_plain(record)
    if plain and (sealing_on or required):
        problems.append((error if required else warning)(raw.path, line, PLAIN_PRIVATE))
    if not sealing.has_sealed(record):
        return raw, problems, plain
    try:
        identities = sealing.process_identities()
        if identities is None:
            problems.append(warning(raw.path, line, f"private: is sealed and {sealing.IDENTITY_VARIABLE} is not set: "
                                                    f"its values cannot be checked against the text; set it to your "
                                                    f"age identity file (docs/editors.md, 'Sealed private records')"))
            opened = _without_sealed(record)
        else:
            opened = sealing.unseal_tree(record, identities)
    except sealing.SealError as exc:
        return raw, problems + [error(raw.path, line, str(exc))], plain
    return dataclasses.replace(raw, front=dataclasses.replace(raw.front, data={**data, "private": opened})), problems, plain


def _without_sealed(value):
    from generator.privacy.sealing import is_sealed

    if isinstance(value, dict):
        return {k: _without_sealed(v) for k, v in value.items() if not is_sealed(v)}
    if isinstance(value, list):
        return [_without_sealed(v) for v in value if not is_sealed(v)]
    return value


def guard_testimony(raw: RawDocument, redactions: Redactions, site_language: str = "en"):  # pragma: no mutate block (see find_pii)
    """Apply redact.yaml to the public text, then run the PII guard on what would be published.

    A withdrawn testimony is never published, so it is not scanned; drafts and embargoed
    ones are, so that they are safe on the day they go out.
    """
    redacted = redact_testimony(raw, redactions)
    problems, used = check_testimony(redacted, redactions, site_language)
    return redacted, problems, used


def redact_testimony(raw: RawDocument, redactions: Redactions) -> RawDocument:
    """The testimony as published: its public fields and body without invisible characters (they
    show nothing, and hide a name or a number from every reader but a machine), then with the
    replacements of redact.yaml applied."""
    data = raw.front.data
    if not isinstance(data, dict):
        return raw  # the schema check reports front matter that is not a mapping
    public = {key: apply_redactions(redactions, strip_invisible(data[key])) for key in public_text_fields()
              if isinstance(data.get(key), str)}
    body = apply_redactions(redactions, strip_invisible(raw.body))
    return dataclasses.replace(raw, front=dataclasses.replace(raw.front, data={**data, **public}), body=body)


def check_testimony(raw: RawDocument, redactions: Redactions, site_language: str = "en",
                    body_html: str | None = None, *, findings_only: bool = False):
    """The PII guard on a redacted testimony (redact_testimony): (problems, allowances used), or,
    with findings_only, (findings, allowances) for review. body_html is the body as rendered for
    publication; without it the guard renders the body itself."""
    data = raw.front.data
    if not isinstance(data, dict):
        return [], ()
    consent = data.get("consent")
    if isinstance(consent, dict) and consent.get("status") == "withdrawn":
        return [], ()
    try:
        entries = allow_list("allow", data["allow"], None) if data.get("allow") is not None else ()
    except f.FieldError:
        entries = ()  # reported by the schema check; without valid entries nothing is accepted
    allowances = [Allowance(raw.path, raw.front.line("allow", index), text, reason)
                  for index, (text, reason) in enumerate(entries)]
    texts = [PublicText(key, data[key], raw.front.line(key)) for key in public_text_fields()
             if isinstance(data.get(key), str)]
    texts.extend(_tag_texts(raw, redactions))
    texts.append(PublicText("body", raw.body, raw.body_line))
    private = [data.get("private"), _private_numbers(raw.front)]
    region = data.get("region") if isinstance(data.get("region"), str) else ""
    language = data.get("language") if isinstance(data.get("language"), str) else None
    listed = listed_for(private, redactions, region=region, site_language=site_language, language=language)
    findings = guard_findings(texts, private, redactions, body_html=body_html, listed=listed)
    if findings_only:
        return findings, tuple(allowances)
    return diagnostics_of(raw.path, findings, allowances)


def _tag_texts(raw: RawDocument, redactions: Redactions) -> list[PublicText]:
    """A testimony's tags as its page shows them: each id (in its address) and its label from tags.yaml."""
    tags = raw.front.data.get("tags")
    if not isinstance(tags, list):
        return []
    labels = dict(redactions.tag_labels)
    texts = []
    for index, tag in enumerate(tags):
        if isinstance(tag, str):
            shown = tag.replace("-", " ")
            if tag in labels:
                shown += ", " + labels[tag]
            texts.append(PublicText("tags", shown, raw.front.line("tags", index)))
    return texts


def _private_numbers(front) -> list[str]:
    """Numbers in private:, as written: YAML reads 48213 as a number and 0012345 as 5349, not as text."""
    found = []
    for key, written in front.sources.items():
        if key[:1] != ("private",):
            continue
        value = front.data
        try:
            for part in key:
                value = value[part]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found.append(written)
    return found
