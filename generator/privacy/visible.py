"""What a reader sees of a testimony: rendered text, normalised as it is read, mapped back to source lines."""

from __future__ import annotations

import bisect
import functools
import html
import json
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib import resources

# Characters that show nothing. Pasted from Word, PDFs and chat apps, they split a name or a
# number for a scanner while the reader sees it whole: soft hyphen, zero-width space, joiners
# and non-joiner, word joiner and invisible operators, the byte-order mark, Mongolian vowel
# separator, bidirectional marks, embeddings, overrides and isolates, variation selectors and
# tag characters (which can also smuggle text no one sees).
_INVISIBLE_RANGES = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
                     (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
                     (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0x1BCA0, 0x1BCA3),
                     (0xE0000, 0xE007F), (0xE0100, 0xE01EF))
INVISIBLE = frozenset(chr(c) for start, end in _INVISIBLE_RANGES for c in range(start, end + 1))
ZWNJ, ZWJ = "\u200c", "\u200d"
_BIDI_MARKS = frozenset("\u200e\u200f\u061c")  # LRM, RLM, ALM: place neutral characters in right-to-left text
_TAG_FLAG = re.compile("\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F")  # a subdivision flag (England, Scotland, Wales)
_INVISIBLE_RUN = re.compile("[" + "".join(re.escape(c) for c in sorted(INVISIBLE)) + "]+")
_INVISIBLE_REFERENCE = re.compile(r"&(?:shy|ZeroWidthSpace|zwnj|zwj|lrm|rlm|NoBreak|InvisibleTimes|InvisibleComma"
                                  r"|it|ic|af|ApplyFunction|NegativeVeryThinSpace|NegativeThinSpace"
                                  r"|NegativeMediumSpace|NegativeThickSpace);"
                                  r"|&#0*(?:173|8203|8204|8205|8206|8207|8288|65279|6158)(?:;|(?![0-9]))"
                                  r"|&#[xX]0*(?:ad|AD|200[bBcCdDeEfF]|2060|[fF][eE][fF][fF]|180[eE])(?:;|(?![0-9a-fA-F]))")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_PICTOGRAPH = re.compile("[\u2600-\u27bf\U0001F000-\U0001FAFF]")


def _joining_script(char: str) -> bool:
    """Scripts whose letters join or form conjuncts, where ZWJ and ZWNJ change what is shown."""
    code = ord(char)
    return (0x0600 <= code <= 0x08FF or 0x0900 <= code <= 0x0DFF or 0x0F00 <= code <= 0x109F or 0x1780 <= code <= 0x18AF
            or 0xA8E0 <= code <= 0xA8FF or 0xFB50 <= code <= 0xFEFF or 0x1800 <= code <= 0x18AF)


def strip_invisible(text: str) -> str:
    """The text without characters that show nothing, as it is published.

    Kept where they do show: ZWJ and ZWNJ between letters of a script that joins them (Arabic,
    Persian, the Indic scripts) and ZWJ inside an emoji sequence; tag characters inside a
    subdivision flag; bidirectional marks in text that holds right-to-left letters. Character
    references to invisible characters (&shy;, &#8203;, ...) go too.
    """
    if text.isascii():
        return _INVISIBLE_REFERENCE.sub("", text) if "&" in text else text
    if "&" in text:
        text = _INVISIBLE_REFERENCE.sub("", text)
    flags = [(m.start(), m.end()) for m in _TAG_FLAG.finditer(text)] if "\U0001F3F4" in text else []
    right_to_left = _RTL.search(text) is not None

    def keep(match: re.Match) -> str:
        start, end = match.span()
        if any(f_start <= start and end <= f_end for f_start, f_end in flags):
            return match.group()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        kept = []
        for char in match.group():
            if char in (ZWJ, ZWNJ) and before and after and (
                    (_joining_script(before) and _joining_script(after))
                    or (char == ZWJ and _PICTOGRAPH.match(before) and _PICTOGRAPH.match(after))):
                kept.append(char)
            elif char in _BIDI_MARKS and right_to_left:
                kept.append(char)
            elif char == "\ufe0f" and before and _PICTOGRAPH.match(before):
                kept.append(char)  # emoji presentation: shows the emoji in colour, and hides nothing
        return "".join(kept)

    return _INVISIBLE_RUN.sub(keep, text)


# ---------------------------------------------------------------------------------------------
# Reading normalisation

_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'", "\u02b9": "'",
           "\uff07": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"',
           "\u00bb": '"', "\u2039": "'", "\u203a": "'"}
_DASHES = {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043"}
_SPACES = {c: " " for c in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f"
           "\u205f\u3000\u2028\u2029\t\r\f\v\x85"}
# Combining marks that no letter composes with: underlines, overlays, strokes and "Zalgo" stacks.
_LOOSE_MARKS = re.compile("[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NON_ASCII_WORD = re.compile(r"\w*[^\x00-\x7f]\w*")
_BLANKS = re.compile(r"[ \t\r\f\v]{2,}|[\t\r\f\v]")  # what a page shows as one space (line breaks apart)


@functools.lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    """Non-ASCII letters to the ASCII letter they are drawn like (Unicode TR39 data, from
    confusable-homoglyphs): Cyrillic а to a, Greek Ο to O. Case is kept: Cyrillic І reads as I."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    table: dict[str, str] = {}
    for char, homoglyphs in data.items():
        if len(char) != 1 or char.isascii() or not char.isalpha():
            continue
        latin = [h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalpha()]
        if not latin:
            continue
        target = latin[0]
        if target in "lI":  # TR39 draws I and l alike; the case of the letter says which was meant
            target = "I" if char.isupper() else "l"
        elif char.isupper():
            target = target.upper()
        elif char.islower():
            target = target.lower()
        table[char] = target
    return table


@functools.lru_cache(maxsize=1)
def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(c): None for c in INVISIBLE}
    for mapping in (_QUOTES, _DASHES, _SPACES):
        table.update({ord(c): v for c, v in mapping.items()})
    return table


def _fold_word(match: re.Match) -> str:
    """A word drawn with letters of another script that look Latin reads as Latin: fold it when it
    mixes scripts with ASCII letters, or when every non-ASCII letter in it looks like a Latin one."""
    word = match.group()
    table = _confusables()
    foreign = [c for c in word if not c.isascii() and c.isalpha()]
    if not foreign:
        return word
    if any(c.isascii() and c.isalpha() for c in word) or all(c in table for c in foreign):
        return "".join(table.get(c, c) for c in word)
    return word


def normalise(text: str) -> str:
    """Text as it is read: compatibility forms (NFKC: fullwidth letters, ligatures, no-break
    spaces), without invisible characters or combining marks that compose with no letter, with
    look-alike letters of other scripts read as Latin, curly quotes as straight ones and dashes
    as hyphens, and every run of spaces and tabs one space, as a page shows it ("Tel:  07700   900123"
    reads as a phone number). Line breaks are kept (the caller decides what they mean)."""
    if text.isascii():
        return _BLANKS.sub(" ", text)
    text = unicodedata.normalize("NFKC", text.translate(_table()))
    text = text.translate(_table())  # NFKC can make quotes and spaces of its own
    if _LOOSE_MARKS.search(text):
        text = _LOOSE_MARKS.sub("", text)
    if not text.isascii():
        text = _NON_ASCII_WORD.sub(_fold_word, text)
    return _BLANKS.sub(" ", text)


def match_key(text: str) -> str:
    """The text lower-cased and without accents, one character for each of the text's, so that
    offsets in it are offsets in the text: 'José' and 'JOSE' have the same key."""
    if text.isascii():
        return text.lower()
    return "".join(_key_char(c) for c in text)


@functools.lru_cache(maxsize=4096)
def _key_char(char: str) -> str:
    if char.isascii():
        return char.lower()
    base = unicodedata.normalize("NFD", char)[0].lower()
    return base if len(base) == 1 else char


# ---------------------------------------------------------------------------------------------
# The text of rendered HTML, with the source line of each part

# Elements whose start and end separate what is on either side (a reader sees them apart, but a
# name split across two table cells or list items is still read as one): a line break in the text.
BLOCKS = frozenset("address article aside blockquote br dd details div dl dt figcaption figure footer h1 h2 h3 h4 h5 "
                   "h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split())
_SKIP_CLASSES = frozenset({"footnote-ref", "footnote-backref"})  # a footnote's number and its back link


@dataclass(frozen=True, slots=True)
class Visible:
    """The normalised text a reader sees of one field or body, and the source line of each offset."""

    name: str                 # "body" or the field name
    text: str                 # normalised; "\n" only between blocks, every other line break a space
    offsets: tuple[int, ...]  # where each run of text starts in ``text``...
    lines: tuple[int, ...]    # ... and the source line it came from

    @property
    def is_body(self) -> bool:
        return self.name == "body"

    def line_at(self, offset: int) -> int:
        index = bisect.bisect_right(self.offsets, offset) - 1
        return self.lines[max(index, 0)]

    def quote(self, start: int, end: int) -> str:
        return " ".join(self.text[start:end].split())


def visible_field(name: str, text: str, line: int) -> Visible:
    """A front-matter field is shown as written (templates escape it), normalised and on one
    line: a page shows its line breaks, with the spaces around them, as one space."""
    return Visible(name, normalise(text.replace("\n", " ")), (0,), (line,))


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, bool]] = []  # (text, is_block_break)
        self.attributes: list[tuple[str, int]] = []  # (value, how many parts came before it)
        self.skip_depth = 0
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skipping = bool(_SKIP_CLASSES & set((attributes.get("class") or "").split()))
        if tag in ("br", "hr", "img"):
            self.parts.append(("", True))
            if tag == "img" and attributes.get("alt"):
                self.attributes.append((attributes["alt"], len(self.parts)))
            return
        self.stack.append((tag, skipping))
        if skipping:
            self.skip_depth += 1
        if tag in BLOCKS:
            self.parts.append(("", True))
        # Shown on hover, and read out by screen readers: a link's address and a title. They are
        # read after the text, so that they do not cut a name in two.
        for attribute in ("href", "title"):
            value = attributes.get(attribute)
            if value and not self.skip_depth and not value.startswith("#"):
                self.attributes.append((value[7:] if value.lower().startswith("mailto:") else value, len(self.parts)))

    # Not mutated by make mutate: the HTML read here is the sanitiser's, which never writes the
    # self-closing form (<br/>), so no body reaches this method.
    def handle_startendtag(self, tag, attrs):  # pragma: no mutate block
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img") and self.stack and self.stack[-1][0] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        while self.stack:
            name, skipping = self.stack.pop()
            if skipping:
                self.skip_depth -= 1
            if name == tag:
                break
        if tag in BLOCKS:
            self.parts.append(("", True))

    def handle_data(self, data):
        if not self.skip_depth:
            self.parts.append((data, False))


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_WORD = re.compile(r"\S+")


def _source_for_search(markdown: str) -> str:
    """The Markdown as searched for rendered text: comments blanked (their lines kept) and
    character references decoded (a decoded line break kept as a space), normalised."""
    if "<!--" in markdown:
        markdown = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), markdown)
    if "&" in markdown:
        markdown = _CHARREF.sub(lambda m: html.unescape(m.group()).replace("\n", " "), markdown)
    return normalise(markdown)


def visible_body(safe_html: str, markdown: str, first_line: int) -> Visible:
    """The text of a rendered body as a reader sees it, each run of text mapped to the source line
    it came from (found in the Markdown in order: Markdown keeps the order of the text)."""
    parser = _TextOf()
    parser.feed(safe_html)
    parser.close()
    source = _source_for_search(markdown)
    line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
    cursor = 0
    pieces: list[str] = []
    offsets: list[int] = []
    lines: list[int] = []
    length = 0
    pending_break = False
    cursors: list[int] = []  # the cursor after each part, to find attributes from where their element was
    items = [(data, is_break, None) for data, is_break in parser.parts]
    items += [(value, False, index) for value, index in parser.attributes]
    for data, is_break, after_part in items:
        if after_part is not None:
            cursor = cursors[min(after_part, len(cursors) - 1)] if cursors else 0
            pending_break = bool(pieces)
        if after_part is None:
            cursors.append(cursor)
        if is_break:
            pending_break = bool(pieces)
            continue
        text = normalise(data)
        if not text.strip():
            if text and pieces and not pending_break:
                pieces.append(" ")
                length += 1
            continue
        if pending_break:
            pieces.append("\n")
            length += 1
            pending_break = False
        # Each line of the run is found in the source after the last one found.
        for number, segment in enumerate(text.split("\n")):
            if number:
                pieces.append(" ")
                length += 1
            if not segment:
                continue
            found, matched = _find(source, segment, cursor)
            if found >= 0:
                cursor = found
            offsets.append(length)
            lines.append(first_line + bisect.bisect_right(line_starts, cursor) - 1)
            cursor += matched
            pieces.append(segment)
            length += len(segment)
    if not offsets:
        offsets, lines = [0], [first_line]
    return Visible("body", "".join(pieces), tuple(offsets), tuple(lines))


def _find(source: str, segment: str, cursor: int) -> tuple[int, int]:
    """Where the segment's text starts in the source at or after cursor, and how much of it was
    found there: the whole segment, else its first word of three letters or more (Markdown may have
    taken escapes or markup out of the rest); (-1, 0) when neither is there."""
    stripped = segment.strip()
    found = source.find(stripped, cursor)
    if found >= 0:
        return found, len(stripped)
    for word in _WORD.findall(stripped)[:3]:
        if len(word) >= 3 or word.isdigit():
            found = source.find(word, cursor)
            if found >= 0:
                return found, len(word)
    return -1, 0
