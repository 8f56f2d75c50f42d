"""Markdown to safe HTML: one reused Markdown instance, then an allowlist sanitiser (nh3)."""

from __future__ import annotations

import html
import re

import markdown
import nh3
from markdown import blockprocessors, util as markdown_util
from markdown.blockparser import BlockParser
from markdown.extensions import def_list, footnotes, tables, toc
from markdown.treeprocessors import InlineProcessor

from generator.media import is_local

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
    was two fifths of the time a document takes. The output is the same (tests/test_markup.py
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
            while patternIndex < count:
                needed = triggers[patternIndex]
                if needed is not None and needed.isdisjoint(present):
                    patternIndex += 1  # what a pattern that does not match gives: the next, from the start
                    start = 0
                    continue
                data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
                if matched:  # the text now holds a placeholder where the match was
                    present = {character for character in characters if character in data}
                else:
                    patternIndex += 1
        return data


# The same for block processors: each (by name, with its class and expression) and the
# characters every block it takes contains. A block without them is one it declines
# (its test fails, or its run puts the block back and returns False).
BLOCK_TRIGGERS: dict[str, tuple[type, str | None, str]] = {
    "table": (tables.TableProcessor, None, "|"),  # a header row of two cells or more, or a border
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
        md.parser.__class__ = TriggeredBlockParser
        md.parser.prepare()
        md.treeprocessors["toc"].__class__ = HeadingIdsTreeprocessor
    return md


class Renderer:
    """Reuses one Markdown instance: building one per document costs more than the reset."""

    def __init__(self) -> None:
        self._md = markdown_instance()

    def to_html(self, source: str) -> tuple[str, bool, tuple[str, ...]]:
        """Safe HTML, whether the text used '# ' headings (the page title is the only h1),
        and the image addresses removed because they were not on this site."""
        self._md.reset()
        converted = self._md.convert(source)
        has_h1 = "<h1" in converted
        if has_h1:
            converted = _H1.sub(r"<\1h2", converted)
        removed = tuple(html.unescape(src) for src in _ANY_IMG_SRC.findall(converted) if not is_local(html.unescape(src)))
        return sanitise(converted), has_h1, removed


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


def excerpt(text: str, limit: int = 220) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"
