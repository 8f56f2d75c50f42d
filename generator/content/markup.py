"""Markdown to safe HTML: one reused Markdown instance, then an allowlist sanitiser (nh3)."""

from __future__ import annotations

import enum
import html
import re
from dataclasses import dataclass

import markdown
import nh3
from markdown import blockprocessors, util as markdown_util
from markdown.blockparser import BlockParser
from markdown.extensions import def_list, footnotes, tables, toc
from markdown.treeprocessors import InlineProcessor

from generator.core.urls import is_local

# Chosen for what editors of an archive need, measured in MEASUREMENTS.md: footnotes and tables
# for sourced commentary, toc for heading anchors. smarty (typographic quotes) is left out: it
# alone costs more than all of these together; editors can type ‘’ “” directly.
EXTENSIONS = ("footnotes", "tables", "fenced_code", "def_list", "sane_lists", "toc")
EXTENSION_CONFIGS = {
    "toc": {"permalink": False},
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "li", "mark", "ol", "p", "pre", "q", "s",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "code": {"class"},
    "img": {"src", "alt", "width", "height"},
    "div": {"class"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
    **{f"h{n}": {"id"} for n in range(2, 7)},
}
URL_SCHEMES = {"http", "https", "mailto"}

_H1 = re.compile(r"<(/?)h1\b")
# Only to tell the editor which images were removed; sanitise() enforces the rule on parsed HTML.
_ANY_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
_SAFE_IMG_SRC = re.compile(r'<img\b[^>]*?\bsrc="([^"]*)"')
_IMG_WITHOUT_SRC = re.compile(r"<img\b(?![^>]*\bsrc=)[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


# Each inline pattern of Python-Markdown (by name, with the expression it was read from) and
# the characters one of which every match of it contains. A text holding none of them cannot
# match, so the pattern is not tried on it. A pattern whose expression differs from the one
# here (another version of the library) is always tried.
INLINE_TRIGGERS: dict[str, tuple[str, str]] = {
    "backtick": (r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)", "`"),
    "escape": (r"\\(.)", "\\"),
    "footnote": (r"\[\^([^\]]*)\]", "["),
    "reference": (r"(?<!\!)\[", "["),
    "link": (r"(?<!\!)\[", "["),
    "image_link": (r"\!\[", "["),
    "image_reference": (r"\!\[", "["),
    "short_reference": (r"(?<!\!)\[", "["),
    "short_image_ref": (r"\!\[", "["),
    "autolink": (r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>", "<"),
    "automail": (r"<([^<> !]+@[^@<> ]+)>", "<"),
    "linebreak": (r"  \n", "\n"),
    "html": (r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)""", "<"),
    "entity": (r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)", "&"),
    "em_strong": (r"\*|_", "*_"),
}


class TriggeredInlineProcessor(InlineProcessor):
    """Python-Markdown's inline stage, skipping the patterns a text cannot match.

    The stock stage runs each of its fifteen patterns' regular expressions over every text in
    the document; most texts hold none of the characters most patterns start with, and this
    was two fifths of the time a document takes. The output is the same (tests/content/test_markup.py
    compares the two on generated Markdown).
    """

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        triggers: list[frozenset[str] | None] = [None] * len(md.inlinePatterns)
        for name, (expression, characters) in INLINE_TRIGGERS.items():
            if name in md.inlinePatterns:
                pattern = md.inlinePatterns[name]
                if getattr(getattr(pattern, "compiled_re", None), "pattern", None) == expression:
                    triggers[md.inlinePatterns.get_index_for_name(name)] = frozenset(characters)
        self.triggers = tuple(triggers)
        self.characters = "".join(sorted(set().union(*(t for t in triggers if t))))

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        # InlineProcessor.__handleInline with the test on each pattern's characters added.
        if not isinstance(data, markdown_util.AtomicString):
            start = 0
            patterns, triggers, characters = self.inlinePatterns, self.triggers, self.characters
            count = len(patterns)
            apply = self._InlineProcessor__applyPattern
            present = {character for character in characters if character in data}
            stale = False  # a match replaced text with a placeholder: characters may have gone
            while patternIndex < count:
                needed = triggers[patternIndex]
                if needed is not None and needed.isdisjoint(present):
                    patternIndex += 1  # what a pattern that does not match gives: the next, from the start
                    start = 0
                    continue
                data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
                if not matched:
                    patternIndex += 1
                    if stale:
                        # Looked again only when moving on to the next pattern, not after every match:
                        # that made a paragraph of n matches cost n full scans. A placeholder adds none of
                        # these characters, so until then the old set is a superset, and a pattern tried
                        # for a character that has gone simply does not match.
                        present = {character for character in characters if character in data}
                        stale = False
                else:
                    stale = True
        return data


class LinearTableProcessor(tables.TableProcessor):
    """The tables extension, splitting a row into cells in time linear in its length.

    TableProcessor._split pairs each run of backticks by searching the rest of the row's runs,
    and tests every '|' against every code span before it: a row of 8,000 '`|' took 2 s.
    This pairs and tests the same way, walking each list once; the cells are the same.
    """

    def _split(self, row: str) -> list[str]:
        pipes, tics, tic_points = [], [], []
        for m in self.RE_CODE_PIPES.finditer(row):  # as TableProcessor._split reads the row
            if m.group(2):  # \`+: the backslash is not part of the run
                tics.append(len(m.group(2)) - 1)
                tic_points.append((m.start(2), m.end(2) - 1, 1))
            elif m.group(3):
                tics.append(len(m.group(3)))
                tic_points.append((m.start(3), m.end(3) - 1, 0))
            elif m.group(5):
                pipes.append(m.start(5))
        # A run opens a code span closed by the next run of its length (an escaped run's
        # backslash is taken off its length first); the search goes on after the closing run.
        runs_of_length: dict[int, list[int]] = {}
        for index, length in enumerate(tics):
            runs_of_length.setdefault(length, []).append(index)
        next_run = dict.fromkeys(runs_of_length, 0)  # each list's first run not yet passed
        spans, position = [], 0
        while position < len(tics):
            length = tics[position] - tic_points[position][2]
            runs = runs_of_length.get(length) if length else None
            if runs is None:
                position += 1
                continue
            k = next_run[length]
            while k < len(runs) and runs[k] <= position:
                k += 1
            next_run[length] = k
            if k == len(runs):
                position += 1
                continue
            spans.append((tic_points[position][0], tic_points[runs[k]][1]))
            position = runs[k] + 1
        # The spans are in order and apart, and so are the pipes: one walk tells which pipes are in code.
        cells, start, span = [], 0, 0
        for pipe in pipes:
            while span < len(spans) and spans[span][1] < pipe:
                span += 1
            if span < len(spans) and spans[span][0] <= pipe:
                continue
            cells.append(row[start:pipe])
            start = pipe + 1
        cells.append(row[start:])
        return cells


class FootnoteIds(footnotes.FootnoteExtension):
    """The footnotes extension, numbering a footnote's repeated references without counting from 1 each time.

    unique_ref tries fnref:1, fnref2:1, fnref3:1, ... until one is unused, so n references to one
    footnote cost n²/2 tries (2,000 took 2.5 s). Each search here starts at the id the last one for
    that reference gave: every id before it is still in use, so the first unused one is the same.
    """

    last_refs: dict[str, str]

    def reset(self) -> None:
        super().reset()
        self.last_refs = {}

    def unique_ref(self, reference: str, found: bool = False) -> str:
        if not found:
            return reference
        original = reference
        reference = self.last_refs.get(original, original)
        separator = self.get_separator()
        while reference in self.used_refs:  # as FootnoteExtension.unique_ref steps
            ref, rest = reference.split(separator, 1)
            m = footnotes.RE_REF_ID.match(ref)
            if m:
                reference = "%s%d%s%s" % (m.group(1), int(m.group(2)) + 1, separator, rest)
            else:
                reference = "%s%d%s%s" % (ref, 2, separator, rest)
        self.used_refs.add(reference)
        self.found_refs[original] = self.found_refs.get(original, 0) + 1
        self.last_refs[original] = reference
        return reference


# The same for block processors: each (by name, with its class and expression) and the
# characters every block it takes contains. A block without them is one it declines
# (its test fails, or its run puts the block back and returns False).
BLOCK_TRIGGERS: dict[str, tuple[type, str | None, str]] = {
    "table": (LinearTableProcessor, None, "|"),  # a header row of two cells or more, or a border
    "hashheader": (blockprocessors.HashHeaderProcessor,
                   r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)", "#"),
    "hr": (blockprocessors.HRProcessor,
           r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$",
           "-_*"),
    "deflist": (def_list.DefListProcessor, r"(^|\n)[ ]{0,3}:[ ]{1,3}(.*?)(\n|$)", ":"),
    "quote": (blockprocessors.BlockQuoteProcessor, r"(^|\n)[ ]{0,3}>[ ]?(.*)", ">"),
    "footnote": (footnotes.FootnoteBlockProcessor, r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$", "["),
    "reference": (blockprocessors.ReferenceProcessor,
                  r"^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?"
                  r"""((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$""", "["),
}


class TriggeredBlockParser(BlockParser):
    """Python-Markdown's block parser, not offering a block to processors that would decline it."""

    triggers: tuple[frozenset[str] | None, ...] = ()

    def prepare(self) -> None:
        processors = self.blockprocessors
        triggers: list[frozenset[str] | None] = [None] * len(processors)
        for name, (kind, expression, characters) in BLOCK_TRIGGERS.items():
            if name in processors:
                processor = processors[name]
                found = getattr(processor, "SEARCH_RE", None) or getattr(processor, "RE", None)
                if type(processor) is kind and getattr(found, "pattern", None) == expression:
                    triggers[processors.get_index_for_name(name)] = frozenset(characters)
        self.triggers = tuple(triggers)

    def parseBlocks(self, parent, blocks: list[str]) -> None:  # noqa: N802
        # BlockParser.parseBlocks with the test on each processor's characters added.
        processors, triggers = self.blockprocessors, self.triggers
        while blocks:
            block = blocks[0]
            for processor, needed in zip(processors, triggers):
                if needed is not None and not any(character in block for character in needed):
                    continue
                if processor.test(parent, block):
                    if processor.run(parent, blocks) is not False:
                        break


class HeadingIdsTreeprocessor(toc.TocTreeprocessor):
    """The toc extension's stage, giving headings their ids without making the table of contents.

    The table (md.toc) is never shown unless the text holds the [TOC] marker, and making it
    cost a tenth of a document's time; with the marker, the stock stage runs.
    """

    def run(self, doc) -> None:
        headings, marker = [], self.marker
        for element in doc.iter():
            if not isinstance(element.tag, str):
                continue
            if marker and element.text and len(element) == 0 and element.text.strip() == marker:
                return super().run(doc)
            if self.header_rgx.match(element.tag):
                headings.append(element)
        if not headings:
            return None
        used_ids = {element.attrib["id"] for element in doc.iter() if "id" in element.attrib}
        counters: dict[str, int] = {}
        for element in headings:  # as TocTreeprocessor.run does, in the same order
            self.set_level(element)
            if "id" not in element.attrib:
                name = toc.strip_tags(toc.render_inner_html(toc.remove_fnrefs(element), self.md))
                element.attrib["id"] = toc.unique(self.slugify(html.unescape(name), self.sep), used_ids, counters)
            if "data-toc-label" in element.attrib:
                del element.attrib["data-toc-label"]
        return None


def markdown_instance(triggered: bool = True) -> markdown.Markdown:
    md = markdown.Markdown(extensions=list(EXTENSIONS), extension_configs=EXTENSION_CONFIGS, output_format="html")
    if triggered:
        md.treeprocessors.register(TriggeredInlineProcessor(md), "inline", 20)
        md.parser.blockprocessors["table"].__class__ = LinearTableProcessor
        extension = md.inlinePatterns["footnote"].footnotes
        extension.__class__ = FootnoteIds
        extension.last_refs = {}
        md.parser.__class__ = TriggeredBlockParser
        md.parser.prepare()
        md.treeprocessors["toc"].__class__ = HeadingIdsTreeprocessor
    return md


@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str  # safe HTML
    has_h1: bool  # the text used '# ' headings (the page title is the only h1)
    removed_images: tuple[str, ...]  # image addresses removed because they were not on this site
    unclosed: Unclosed | None  # an element left open that takes in the text after it


class Renderer:
    """Reuses one Markdown instance: building one per document costs more than the reset."""

    def __init__(self) -> None:
        self._md = markdown_instance()

    def to_html(self, source: str) -> RenderedBody:
        self._md.reset()
        converted = self._md.convert(source)
        has_h1 = "<h1" in converted
        if has_h1:
            converted = _H1.sub(r"<\1h2", converted)
        removed = tuple(html.unescape(src) for src in _ANY_IMG_SRC.findall(converted) if not is_local(html.unescape(src)))
        return RenderedBody(sanitise(converted), has_h1, removed, unclosed_element(converted))


# Elements an HTML parser reads everything after as their content, up to their end tag. What nh3
# does with that content (tests/content/test_hostile_markdown.py checks each): it removes the content of
# these, so all the text after one left open disappears...
HIDING_ELEMENTS = frozenset({"script", "style", "template"})
# ... and shows the content of these as text, tags and Markdown's HTML included ('<p>' on the page).
RAW_TEXT_ELEMENTS = frozenset({"iframe", "noembed", "noframes", "noscript", "plaintext", "textarea", "title", "xmp"})
# In <math> or <svg> any of them is an element of that language instead, whose content nh3 removes
# too, up to its end tag or to the first HTML tag that ends the <math> or <svg> (a '</p>', a '<b>').
# The parts of <math> and <svg> that hold HTML hide, left open, all the text after them.
_HTML_PARTS = {"math": frozenset({"mi", "mo", "mn", "ms", "mtext", "annotation-xml"}),
               "svg": frozenset({"foreignobject", "desc", "title"})}
_HTML_AGAIN = frozenset({  # start tags that end a <math> or <svg> and put the parser back in HTML
    "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed", "h1", "h2",
    "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p", "pre",
    "ruby", "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tt", "u", "ul", "var"})
_TAKING_NAMES = HIDING_ELEMENTS | RAW_TEXT_ELEMENTS | _HTML_PARTS["math"] | _HTML_PARTS["svg"]
_TAKING = re.compile(r"<(?:" + "|".join(sorted(_TAKING_NAMES)) + r")(?=[\s/>])", re.IGNORECASE)
_HTML_TOKEN = re.compile(r"""<!--(?:>|->|.*?(?:--!?>|\Z))|<(/?)([a-zA-Z][^\s/>]*+)((?:[^>"']++|"[^"]*+"|'[^']*+')*+)>""",
                         re.DOTALL)
_END_TAG = {name: re.compile(f"</{name}(?=[\\s/>])", re.IGNORECASE) for name in _TAKING_NAMES}
_ANY_TAG = re.compile(r"<[^>]*>")


class Effect(enum.Enum):
    """What an element left open does to the text after it."""

    HIDES_ALL = "hides all"
    HIDES_IN_FOREIGN = "hides"  # to the end of its paragraph, in <math> or <svg>
    SHOWS_AS_CODE = "shows as code"


@dataclass(frozen=True, slots=True)
class Unclosed:
    """An element left open in Markdown's HTML, and what it does to the text after it."""

    name: str
    effect: Effect


def unclosed_element(converted: str) -> Unclosed | None:
    """The first element in Markdown's HTML that is never closed and takes in text after it, if any.

    Markdown escapes '<' in code, so a tag written in a code span or block is no tag here; nor is one
    in a comment or an attribute's value. What a raw-text element holds, up to its end tag, is text
    to the parser: tags in it do not count. A <plaintext> cannot be closed.
    """
    if _TAKING.search(converted) is None:  # the usual case: none of these names is in the HTML at all
        return None
    scan = _ElementScan(converted)
    position = 0
    while (token := _HTML_TOKEN.search(converted, position)) is not None:
        position = token.end()
        if token.group(2) is None:
            continue  # a comment
        closing, name, attributes = token.group(1), token.group(2).lower(), token.group(3)
        if closing:
            scan.end_tag(name)
        elif name in _HTML_PARTS:
            scan.foreign = name
        elif scan.foreign:
            if (found := scan.in_foreign(name, attributes, position)) is not None:
                return found
        elif name == "template":
            scan.template_starts(position)
        elif name in HIDING_ELEMENTS or name in RAW_TEXT_ELEMENTS:
            close = _END_TAG[name].search(converted, position) if name != "plaintext" else None
            if close is None:
                return scan.left_open(name, position)
            position = close.end()  # what it holds is text, not tags
    return scan.at_end()


# A start tag's attributes as the HTML tokenizer reads them: spaces, stray '/'s and attributes,
# each taken whole (an unquoted value runs to the next space, '/' included).
_ATTRIBUTE = r"""(?>[^\s/][^\s/=]*+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"']\S*+))?)"""
_CLOSES_ITSELF = re.compile(rf"(?:\s|/|{_ATTRIBUTE})*/")


def closes_itself(attributes: str) -> bool:
    """Whether a start tag whose text after its name is `attributes` ends in '/>' as the HTML
    tokenizer reads it: the '/' after a quoted value, an attribute's name, a space or the tag's
    name, but not the last character of an unquoted value (`<desc x=1/>` stays open), and not
    followed by a space (`<desc/ >` stays open)."""
    return _CLOSES_ITSELF.fullmatch(attributes) is not None


class _ElementScan:
    """Where unclosed_element()'s walk through the HTML is: in a <math> or <svg>, in an HTML part
    of one left open, in templates."""

    def __init__(self, converted: str):
        self.html = converted
        self.last_end: dict[str, int] = {}
        self.foreign: str | None = None  # "math" or "svg" while in one, outside its HTML parts
        self.open_part: str | None = None  # an HTML part of a <math> or <svg> never closed: it hides all after it
        self.template_start, self.templates = 0, 0  # a template's content is HTML, so tags in it count

    def closed_later(self, name: str, position: int) -> bool:
        if name not in self.last_end:
            self.last_end[name] = max((m.start() for m in _END_TAG[name].finditer(self.html)), default=-1)
        return self.last_end[name] >= position

    def text_follows(self, position: int, end: int | None = None) -> bool:
        return bool(_ANY_TAG.sub("", self.html[position:end]).strip())

    def end_tag(self, name: str) -> None:
        if name in _HTML_PARTS or (self.foreign and name in ("p", "br")):
            self.foreign = None
        elif name == "template" and self.templates:
            self.templates -= 1

    def in_foreign(self, name: str, attributes: str, position: int) -> Unclosed | None:
        """A start tag inside a <math> or <svg>."""
        if name in _HTML_PARTS[self.foreign]:
            if closes_itself(attributes):
                return None  # closes itself there
            if self.open_part is None and not self.closed_later(name, position) and self.text_follows(position):
                self.open_part = name
            self.foreign = None
        elif name in _HTML_AGAIN:
            self.foreign = None
        elif name in HIDING_ELEMENTS | RAW_TEXT_ELEMENTS and not closes_itself(attributes):
            # an element of <math> or <svg> ('<style/>' closes itself there), its content removed
            paragraph_end = self.html.find("</p>", position)
            if not self.closed_later(name, position) and \
                    self.text_follows(position, None if paragraph_end < 0 else paragraph_end):
                return Unclosed(name, Effect.HIDES_IN_FOREIGN)
        return None

    def template_starts(self, position: int) -> None:
        self.template_start, self.templates = (position if not self.templates else self.template_start), self.templates + 1

    def left_open(self, name: str, position: int) -> Unclosed | None:
        """A hiding or raw-text element never closed: what it does to the text after it."""
        if self.open_part is not None:
            return Unclosed(name, Effect.HIDES_ALL)  # inside the open part: hidden with it
        if name in HIDING_ELEMENTS and self.text_follows(position):
            return Unclosed(name, Effect.HIDES_ALL)
        if name in RAW_TEXT_ELEMENTS and self.html[position:].strip():
            return Unclosed(name, Effect.SHOWS_AS_CODE)
        return None  # nothing after it to take in

    def at_end(self) -> Unclosed | None:
        if self.open_part is not None:
            return Unclosed(self.open_part, Effect.HIDES_ALL)
        if self.templates and self.text_follows(self.template_start):
            return Unclosed("template", Effect.HIDES_ALL)
        return None


# Ids the templates use: a body must not take them (a heading "Main" would capture the skip link).
TEMPLATE_IDS = frozenset({"main", "cite-heading", "featured-heading", "header-q", "latest-heading", "related-heading"})
# Classes the Markdown extensions write; any other class could dress text up as the page's own
# controls (a link styled as the "Leave this site" button).
BODY_CLASSES = frozenset({"footnote", "footnote-ref", "footnote-backref"})


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if is_local(value) else None
    if attribute == "class":
        kept = [name for name in value.split() if name in BODY_CLASSES or (tag == "code" and name.startswith("language-"))]
        return " ".join(kept) or None
    if attribute == "id" and (value in TEMPLATE_IDS or value.startswith("search")):
        return f"{value}-text"
    return value


def sanitise(raw_html: str) -> str:
    """Allowlisted HTML. An <img> from another host would make every reader's browser contact
    it, so an image keeps its src only when it is a path on this site; one without is dropped."""

    cleaned = nh3.clean(raw_html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        url_schemes=URL_SCHEMES, link_rel="noopener noreferrer", strip_comments=True,
                        attribute_filter=_filter_attribute)
    return _IMG_WITHOUT_SRC.sub("", cleaned) if "<img" in cleaned else cleaned


def image_sources(safe_html: str) -> tuple[str, ...]:
    """The src of every image in sanitised HTML, unescaped."""
    return tuple(html.unescape(src) for src in _SAFE_IMG_SRC.findall(safe_html))


def plain_text(safe_html: str) -> str:
    """Text of sanitised HTML, for excerpts and the search index."""
    # str.split() splits on the characters \s matches, and is several times faster than a sub.
    return " ".join(html.unescape(_TAG.sub(" ", safe_html)).split())
