"""Refuse Markdown that would take Python-Markdown far more than linear time, naming the construct and its line.

Python-Markdown (with our extensions) renders ordinary text in time linear in its size, about
1 µs a byte. A few constructs cost time that grows with the square of their size, or with size
times depth: 20,000 '[' in a row took 83 s, and a '<' that starts a tag never finished is read to
the end of the text once per '<'. Each check here reads the body once, with regular expressions
and a loop over the few characters that matter, estimates the work the construct would cost, and
refuses the document when that passes a limit: far above anything an article or a testimony
holds, far below what would stall a build (each limit is about half a second of work). The
measurements behind each limit are in the comment above it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from markdown.htmlparser import htmlparser as markdown_html_parser


@dataclass(frozen=True, slots=True)
class Hazard:
    line: int  # counted from 0, the body's first line
    message: str


def find_hazards(text: str) -> tuple[Hazard, ...]:
    """What in this Markdown would make rendering it slow, at most one finding per kind of construct."""
    body = Body(text)
    found = []
    for check in CHECKS:
        if check is _markup_density and found:
            break  # it counts the marks the other findings are about: one finding for them is enough
        hazard = check(body)
        if hazard is not None:
            position, message = hazard
            found.append(Hazard(text.count("\n", 0, position), message))
    return tuple(found)


# Nesting a reader can follow is a few levels; 100 is far beyond that, and well below where
# Python-Markdown stops nesting quotes (about 300 levels, a number that depends on how deep the
# caller's stack already is, so that the same text would render differently in different places).
MAX_NESTING = 100

_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
_NOT_LOOKED_FOR = bytes(sorted(set(range(256)) - set(b"[]()<>|:^\n*_`&\\")))


class Body:
    """The text being checked, and what several checks ask of it, each worked out when first asked for:
    most texts pass every check on a count or two."""

    __slots__ = ("text", "_marks", "_spans", "_starts", "_lined")

    def __init__(self, text: str):
        self.text = text
        self._marks: bytes | None = None
        self._spans: list[tuple[int, int]] | None = None
        self._starts: list[int] = []
        self._lined: str | None = None

    def count_at_most(self, part: str) -> int:
        """How often part (ASCII characters the checks look for) occurs, or for a part of two or more
        characters a number it cannot exceed: counted in a copy of the text holding only those
        characters, made in one pass, so that ten counts cost little more than one."""
        if self._marks is None:
            self._marks = self.text.encode("utf-8", "surrogatepass").translate(None, _NOT_LOOKED_FOR)
        return self._marks.count(part.encode())

    @property
    def paragraphs(self) -> list[tuple[int, int]]:
        """(start, end) of each run of lines between blank lines: no text Markdown renders spans two."""
        if self._spans is None:
            spans, start = [], 0
            for blank in _BLANK_LINES.finditer(self.text):
                spans.append((start, blank.start()))
                start = blank.end()
            spans.append((start, len(self.text)))
            self._spans, self._starts = spans, [start for start, _ in spans]
        return self._spans

    def paragraph_at(self, position: int) -> tuple[int, int]:
        """The paragraph holding position (the one before it, for a position between two)."""
        spans = self.paragraphs
        return spans[max(0, bisect.bisect_right(self._starts, position) - 1)]

    def deepest(self, marks: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
        """For (position, depth) pairs, each paragraph's greatest depth and where it is first reached."""
        deepest: dict[tuple[int, int], tuple[int, int]] = {}
        for position, depth in marks:
            paragraph = self.paragraph_at(position)
            if depth > deepest.get(paragraph, (0, 0))[0]:
                deepest[paragraph] = (depth, position)
        return deepest

    def at_line_starts(self, pattern: re.Pattern) -> Iterator[re.Match]:
        """The matches of pattern, which starts with a line feed, at the start of each line, the first
        included; a match's start is where its line starts. (A pattern that begins with a line feed
        is searched for far faster than one that begins with ^.)"""
        if self._lined is None:
            self._lined = "\n" + self.text
        return pattern.finditer(self._lined)


def _lines(text: str, paragraph: tuple[int, int]) -> int:
    return text.count("\n", *paragraph) + 1


# --- Links and images ----------------------------------------------------------------------
# For each '[', Python-Markdown's link, reference and short-reference patterns each read the text
# character by character to the matching ']', or to the end of the paragraph when there is none;
# after a '](', getLink reads on to the matching ')'. A row of n '[' costs n²/2 steps of about
# 0.27 µs: 8,000 '[' took 8.8 s, 100 '[' never closed before 160 KB of text 4.0 s, 8,000 '[](' 11 s.
# 2,000,000 steps are half a second; a paragraph with a few dozen links costs a few thousand.
MAX_LINK_SCAN = 2_000_000
# Following a link's address through its parentheses costs this check a step per run of them; past
# this many steps an address is taken to run to the end of its paragraph, the most it can.
MAX_ADDRESS_STEPS = 50_000

_ADDRESS = re.compile(r"""\\.|\(+|\)+|['"]""", re.DOTALL)
_ADDRESS_MARK = re.compile(r"""[("'\\]""")
# Once a link's address holds a quote mark, getLink stops only at a ')' after a second quote mark
# (the end of a title); these are the places where it may stop.
_TITLE_END = re.compile(r"""['"] *\)""")

NESTED_LINKS = (f"more than {MAX_NESTING} '[' are open at once here (links or images inside each other, or "
                f"brackets never closed): close each '[' with ']', or write \\[ for a bracket that does not start a link")


class _Addresses:
    """How far getLink reads from the '(' of a link's address, and what ends it."""

    def __init__(self, text: str):
        self.text = text
        self.steps_left = MAX_ADDRESS_STEPS
        self.title_ends: list[tuple[int, int]] | None = None

    def read(self, start: int, paragraph_end: int) -> tuple[int, str]:
        """(characters read, and "closed" when a ')' ends it, "title" when a quote mark never closed
        makes it go on, else "never closed")"""
        text = self.text
        close = text.find(")", start, paragraph_end)
        if close >= 0 and _ADDRESS_MARK.search(text, start + 1, close) is None:
            return close + 1 - start, "closed"  # a plain address: the usual case
        depth = 0
        for token in _ADDRESS.finditer(text, start, paragraph_end):
            self.steps_left -= 1
            if self.steps_left < 0:
                break
            mark = token.group()
            if mark[0] == "(":
                depth += len(mark)
            elif mark[0] == ")":
                depth -= len(mark)
                if depth <= 0:  # the ')' of this run that closes the address
                    return token.end() + depth - start, "closed"
            elif mark in "'\"":
                stop = self._title_end(token.start())
                return min(stop, paragraph_end) - start, "closed" if stop <= paragraph_end else "title"
        return paragraph_end - start, "never closed"

    def _title_end(self, quote: int) -> int:
        if self.title_ends is None:
            self.title_ends = [(m.start(), m.end()) for m in _TITLE_END.finditer(self.text)]
        # At the first end after the quote whose mark is not the quote itself getLink may go on (when
        # its mark is the first of the other kind); by the second it has stopped.
        second = bisect.bisect_right(self.title_ends, (quote, len(self.text))) + 1
        return self.title_ends[second][1] if second < len(self.title_ends) else len(self.text) + 1


def _links(body: Body) -> tuple[int, str] | None:
    text = body.text
    brackets = body.count_at_most("[")
    if brackets <= MAX_NESTING and (brackets + body.count_at_most("](")) * len(text) <= MAX_LINK_SCAN:
        return None  # even if each read to the end of the text, it is within the limit
    addresses = _Addresses(text)
    read = 0
    longest = (0, 0, "closed")  # the longest single read: (characters, -its start, what ends it)
    opened: list[int] = []  # '[' not yet closed in this paragraph
    paragraph_end = -1
    position = text.find("[")
    while position >= 0 and read <= MAX_LINK_SCAN:
        if position > paragraph_end:  # what is still open was read to the end of its paragraph
            for start in opened:
                read += paragraph_end - start
                if paragraph_end - start > longest[0]:
                    longest = (paragraph_end - start, -start, "never closed")
            opened.clear()
            paragraph_end = body.paragraph_at(position)[1]
        if position and text[position - 1] == "\\" and _is_escaped(text, position):
            pass  # \[ and \] are text to Markdown
        elif text[position] == "[":
            opened.append(position)
            if len(opened) > MAX_NESTING:
                return position, NESTED_LINKS
        elif opened:
            start = opened.pop()
            read += position - start
            if position - start > longest[0]:
                longest = (position - start, -start, "closed")
            if text.startswith("(", position + 1):
                characters, closed = addresses.read(position + 1, paragraph_end)
                read += characters
                if characters > longest[0]:
                    longest = (characters, -position - 1, closed)
        following = text.find("[", position + 1)
        if opened:  # a ']' matters only while a '[' is open
            close = text.find("]", position + 1, following if following >= 0 else len(text))
            if close >= 0:
                following = close
        position = following
    if read <= MAX_LINK_SCAN:
        read += sum(paragraph_end - start for start in opened)
        if opened and paragraph_end - opened[0] > longest[0]:
            longest = (paragraph_end - opened[0], -opened[0], "never closed")
    if read <= MAX_LINK_SCAN:
        return None
    characters, start, ending = longest
    where = {"closed": f"is closed only {characters:,} characters later",
             "never closed": f"is never closed, so the {characters:,} characters after it are searched for its end",
             "title": f"starts a link address whose title's quote mark is never closed, so the {characters:,} "
                      f"characters after it are searched for its end"}[ending]
    return -start, (f"the '{text[-start]}' here {where}; with the other brackets like it, finding where each link "
                    f"ends would take too long: close each '[' with ']' and each '(' with ')', or write \\[ for "
                    f"a bracket that does not start a link")


def _is_escaped(text: str, position: int) -> bool:
    """Whether the character at position follows an odd number of backslashes."""
    before = position
    while before > 0 and text[before - 1] == "\\":
        before -= 1
    return (position - before) % 2 == 1


# --- Paragraphs holding a great deal of inline markup --------------------------------------
# Each link, emphasis, code span, entity, escape or inline tag Python-Markdown finds in a text
# rebuilds the whole text, so a paragraph of n characters with m of them costs about m × n, at
# 0.07-0.2 ns: one 1.1 MB paragraph of ordinary prose with 48,000 links and emphases took 3.8 s,
# 224 KB of '*a* _b_ **c** ' 2.8 s. 5,000,000,000 is about half a second; a 5 KB paragraph with
# 100 marks costs 500,000, and a 280 KB one of that prose 3.4 billion.
MAX_MARKUP_WORK = 5_000_000_000
INLINE_MARKS = ("*", "_", "[", "`", "<", "&", "\\", "  \n")
# Paragraphs up to this long add at most a million each (a megabyte of them at most a billion).
_COUNTED_FROM = 1_000
_LIST_ITEM = re.compile(r"^[ \t]*(?:[*+-]|\d{1,9}[.)])[ \t]", re.MULTILINE)
_TABLE_DELIMITER_ROW = re.compile(r"^[ \t]*+[|:\- \t]++$", re.MULTILINE)
_TABLE_DELIMITER_LINE = re.compile(r"\n[ \t]*+[|:\- \t]++(?=\n|$)")
_LINE_START = re.compile(r"^", re.MULTILINE)


def _marks(text: str, start: int, end: int) -> int:
    return sum(text.count(mark, start, end) for mark in INLINE_MARKS)


def _marks_at_most(body: Body) -> int:
    """At least as many as _marks counts in the whole text (a line break is counted for each line)."""
    return sum(body.count_at_most(mark) for mark in INLINE_MARKS[:-1]) + body.count_at_most("\n")


def _markup_density(body: Body) -> tuple[int, str] | None:
    text = body.text
    if len(text) * len(text) <= MAX_MARKUP_WORK or _marks_at_most(body) * len(text) <= MAX_MARKUP_WORK:
        return None  # even as one paragraph of nothing but marks, or of all its marks, it is within the limit
    work, worst = 0, (0, 0, 0, 0)
    for paragraph in body.paragraphs:
        if paragraph[1] - paragraph[0] <= _COUNTED_FROM:
            work += (paragraph[1] - paragraph[0]) ** 2  # at most: cheaper to add than to count
            continue
        for start, end in _separate_texts(text, paragraph):
            marks = _marks(text, start, end)
            work += marks * (end - start)
            if marks * (end - start) > worst[0]:
                worst = (marks * (end - start), start, end - start, marks)
    if work <= MAX_MARKUP_WORK:
        return None
    _, start, length, marks = worst
    return start, (f"this paragraph is {length:,} characters long and holds {marks:,} marks of links, emphasis, "
                   f"code or HTML, which would take too long to render: split it into shorter paragraphs "
                   f"with blank lines")


def _separate_texts(text: str, paragraph: tuple[int, int]) -> list[tuple[int, int]]:
    """The parts of a paragraph Markdown renders as separate texts: its items when it is a list,
    its rows when it is a table, else the whole (a list cannot interrupt a paragraph)."""
    start, end = paragraph
    if _LIST_ITEM.match(text, start):
        cuts = [m.start() for m in _LIST_ITEM.finditer(text, start, end)]
    else:
        second_line = text.find("\n", start, end) + 1
        if not second_line or not _TABLE_DELIMITER_ROW.match(text, second_line, _line_end(text, second_line, end)):
            return [paragraph]
        cuts = [m.start() for m in _LINE_START.finditer(text, start, end)]
    bounds = sorted({start, *cuts, end})
    return list(zip(bounds, bounds[1:]))


def _line_end(text: str, position: int, limit: int) -> int:
    end = text.find("\n", position, limit)
    return limit if end < 0 else end


# --- Raw HTML -------------------------------------------------------------------------------
# Python-Markdown reads raw HTML with the standard library's HTMLParser. Where a tag is never
# finished, the parser reads on to the end of the text, gives up, moves one character on and reads
# again from the next '<': a '<' and a letter are read with a regular expression at 40-80 ns a
# character ('a<b ' 8,000 times, 32 KB, took 5.2 s); a '</b', '<!' or '<?' is searched on for its
# '>' or '?>' at about 0.5 ns a character (16,000 '<?x ' on their own lines, 80 KB, 0.43 s). An
# HTML comment inside tags left open is followed by a search for each open tag's end (2,000 of
# '<b><!-- x -->', 28 KB, took 13 s), and the end of a raw block copies the rest of the text. The
# estimate below is in nanoseconds: half a second is far beyond what any page of HTML costs.
MAX_HTML_WORK = 500_000_000
_READ_NS, _SEARCH_NS, _COPY_NS, _COMPILE_NS = 60, 1, 0.3, 20_000
_TOLERANT_TAG = markdown_html_parser.locatestarttagend_tolerant  # how Markdown's parser reads a start tag
_HTML_START = re.compile(r"<(?:/?[a-zA-Z]|!|\?)")
MAX_TAG_READ = 2_000  # this check reads no more of a tag than this
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

HTML_MESSAGES = {
    "tag": "an HTML tag starts here ('<' and a letter) and is not finished with '>'; with the others like it, "
           "reading the text would take too long: finish the tag with '>', or write &lt; for a '<' that does "
           "not start a tag",
    "end tag": "an HTML end tag '</' here is not finished with '>'; with the others like it, reading the text "
               "would take too long: finish it with '>', or write &lt;/ for text",
    "comment": "an HTML comment here follows HTML tags left open; with the others like it, reading the text would "
               "take too long: close the tags, or remove the comments",
    "<?": "a '<?' here is never closed with '?>'; with the others like it, reading the text would take too long: "
          "write &lt;? for text",
    "<!": "a '<!' here is never closed with '>'; with the others like it, reading the text would take too long: "
          "write &lt;! for text",
}


def _start_tag(text: str, position: int, open_tags: int, unfinished_until: int) -> tuple[float, int, int, int]:
    """What reading the start tag at ``position`` costs the parser, and where it goes on:
    (cost, where to resume, tags open, end of a tag left unfinished)."""
    if position < unfinished_until:
        # Inside a tag read before and left unfinished: read again to the end at most. (Reading
        # it here as the parser does would cost this check what it is meant to spare.)
        return (len(text) - position) * _READ_NS, position + 1, open_tags, unfinished_until
    end = _TOLERANT_TAG.match(text, position, position + MAX_TAG_READ).end()
    cost, following = (end - position) * _READ_NS, text[end:end + 1]
    if end - position >= MAX_TAG_READ - 10:  # a tag this long is no tag: take it to be read to the end
        cost, end, following = (len(text) - position) * _READ_NS, len(text), ""
    if following == ">" or text.startswith("/>", end):
        return cost, end + 1, open_tags + 1, unfinished_until
    if following == "" or following in _LETTERS or following in "=/":
        return cost, position + 1, open_tags, end  # the parser moves one character and reads again
    return cost, end, open_tags, unfinished_until


def _raw_html(body: Body) -> tuple[int, str] | None:
    text = body.text
    if not body.count_at_most("<"):
        return None
    closes: dict[str, list[int]] = {}

    def next_close(mark: str, position: int) -> int:
        """Where the next mark starts after position (the end of the text when there is none)."""
        found = closes.get(mark)
        if found is None:
            found = closes[mark] = [m.start() for m in re.finditer(re.escape(mark), text)]
        index = bisect.bisect_left(found, position)
        return found[index] if index < len(found) else len(text)

    work = 0.0
    costs: dict[str, tuple[float, int]] = {}  # kind -> (what they cost, where the first is)
    resume, open_tags, paragraph, unfinished_until = 0, 0, (0, -1), -1
    for match in _HTML_START.finditer(text):
        position = match.start()
        if position < resume:
            continue  # inside something the parser read whole
        if position > paragraph[1]:  # a blank line forgets the tags left open
            paragraph, open_tags = body.paragraph_at(position), 0
        second = text[position + 1]
        if second in _LETTERS:
            kind = "tag"
            cost, resume, open_tags, unfinished_until = _start_tag(text, position, open_tags, unfinished_until)
        elif second == "/":
            kind, close = "end tag", next_close(">", position)
            cost = (close - position) * _SEARCH_NS + (len(text) - position) * _COPY_NS
            resume = close + 1 if close < len(text) else position + 2  # unfinished: the parser moves on two characters
            open_tags = max(0, open_tags - 1)
        elif text.startswith("<!--", position):
            kind = "comment"
            cost = (len(text) - position) * _COPY_NS + open_tags * ((paragraph[1] - position) * _SEARCH_NS + _COMPILE_NS)
            close = next_close("-->", position + 4)
            resume = close + 3 if close < len(text) else position + 1
        elif second == "?":
            kind = "<?"
            cost = 2 * (next_close("?>", position) - position) * _SEARCH_NS
        else:
            kind = "<!"
            cost = 2 * (next_close("]]>" if text.startswith("<![CDATA[", position) else ">", position) - position) * _SEARCH_NS
        work += cost
        total, first = costs.get(kind, (0.0, position))
        costs[kind] = (total + cost, first)
        if work > MAX_HTML_WORK:
            break
    if work <= MAX_HTML_WORK:
        return None
    kind, (_, position) = max(costs.items(), key=lambda item: item[1][0])  # what cost the most, where it starts
    return position, HTML_MESSAGES[kind]


# nh3's HTML parser looks, at each of these tags, through the elements open around it: n of them
# inside each other cost n² (16,000 nested <div> took 0.74 s to sanitise, 32,000 2.9 s).
_CONTAINER = re.compile(r"<(/?)(address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset|"
                        r"figcaption|figure|footer|form|header|hgroup|listing|main|menu|nav|ol|pre|section|"
                        r"summary|table|ul)(?=[\s/>])", re.IGNORECASE)


def _html_nesting(body: Body) -> tuple[int, str] | None:
    text = body.text
    if body.count_at_most("<") <= MAX_NESTING:
        return None
    depth = 0
    for tag in _CONTAINER.finditer(text):
        depth = max(0, depth - 1) if tag.group(1) else depth + 1
        if depth > MAX_NESTING:
            name = tag.group(2).lower()
            return tag.start(), (f"HTML elements such as <{name}> are open more than {MAX_NESTING} deep here: close "
                                 f"each with its end tag, such as </{name}>")
    return None


# --- Quotes ---------------------------------------------------------------------------------
# Each level of quoting reads every line of its paragraph again, about 300 ns a line and level:
# a quote 100 deep followed by 80,000 lines took 2.3 s. 2,000,000 line-levels are about 0.6 s;
# an e-mail thread quoted 20 deep, 100,000 lines of it.
MAX_QUOTE_WORK = 2_000_000
# Markdown takes up to three spaces before a '>', and one after it, as part of the quote mark.
_QUOTE_MARKS = re.compile(r"\n[ \t]*>(?:[ ]{0,4}>)*")
_DEEP_QUOTE = re.compile(r"\n[ \t]*>(?:[ ]{0,4}>){%d}" % MAX_NESTING)


def _quotes(body: Body) -> tuple[int, str] | None:
    text = body.text
    if not body.count_at_most(">"):
        return None
    deep = next(body.at_line_starts(_DEEP_QUOTE), None)
    if deep is not None:
        return deep.start(), f"a quote is nested more than {MAX_NESTING} deep here ('>' inside '>'): flatten it"
    if MAX_NESTING * (body.count_at_most("\n") + 1) <= MAX_QUOTE_WORK:
        return None  # even nested 100 deep throughout, it is within the limit
    marks = []
    for quote in body.at_line_starts(_QUOTE_MARKS):
        marks.append((quote.start(), quote.group().count(">")))
    costs = [(depth * _lines(text, paragraph), position) for paragraph, (depth, position) in body.deepest(marks).items()]
    if sum(cost for cost, _ in costs) <= MAX_QUOTE_WORK:
        return None
    _, position = max(costs, key=lambda item: (item[0], -item[1]))
    return position, ("this quote is nested deeply and goes on for many lines without a blank line, which would take "
                      "too long to render: nest it less deeply, or put blank lines between its paragraphs")


# --- Lists and definition lists ---------------------------------------------------------------
# Python-Markdown adds each line of a list item to the item by copying the item, so an item of n
# lines costs about n × its length at each level of nesting, 0.015 ns a unit: one item followed by
# 80,000 short lines took 0.17 s, nested 20 deep 4.0 s, 99 deep with 100 KB of lines 6.4 s.
# 50,000,000,000 is about 0.7 s; a list of 2 KB and 40 lines costs 80,000 a level.
MAX_LIST_WORK = 50_000_000_000
_LIST_MARKERS = re.compile(r"\n([ \t]*+)((?:(?:[*+-]|\d{1,9}[.)])[ \t]++)++)(?=[^\n])")
_LIST_MARKER = re.compile(r"(?:[*+-]|\d+[.)])[ \t]+")
_DEEPEST_LIST = 250  # the levels of list Markdown renders before it runs out of stack


def _lists(body: Body) -> tuple[int, str] | None:
    # How deep lists nest is left to Markdown: past about 250 levels it runs out of stack, which
    # render_body reports, at once. What this checks is the copying their lines cost.
    text = body.text
    if _DEEPEST_LIST * len(text) * (body.count_at_most("\n") + 1) <= MAX_LIST_WORK:
        return None  # even all one list item nested as deep as Markdown can, it is within the limit
    marks = []
    for item in body.at_line_starts(_LIST_MARKERS):
        # Four columns of indent nest a list one level; so does each marker after the first on a line.
        depth = len(item.group(1).expandtabs(4)) // 4 + len(_LIST_MARKER.findall(item.group(2)))
        marks.append((item.start(), min(depth, _DEEPEST_LIST)))
    costs = [(depth * (paragraph[1] - paragraph[0]) * _lines(text, paragraph), paragraph[0])
             for paragraph, (depth, _) in body.deepest(marks).items()]
    if sum(cost for cost, _ in costs) <= MAX_LIST_WORK:
        return None
    _, position = max(costs, key=lambda item: (item[0], -item[1]))
    return position, ("this list goes on for many lines without a blank line, which would take too long to render: "
                      "put blank lines between its items or paragraphs")


# A definition reads the rest of its paragraph again (n definitions in one paragraph cost n²: 8,000
# took 1.3 s), and term, definition, term, definition ... without blank lines nests each pair in the
# one before: Python-Markdown runs out of stack at about 500.
_DEFINITION = re.compile(r"\n[ ]{0,3}:[ ]")


def _definitions(body: Body) -> tuple[int, str] | None:
    if body.count_at_most(":") <= MAX_NESTING:
        return None
    counts: dict[tuple[int, int], int] = {}
    for definition in body.at_line_starts(_DEFINITION):
        paragraph = body.paragraph_at(definition.start())
        counts[paragraph] = counts.get(paragraph, 0) + 1
        if counts[paragraph] > MAX_NESTING:
            return definition.start(), (f"more than {MAX_NESTING} definitions (': ' lines) follow each other here "
                                        f"without a blank line: put a blank line after each term's definitions")
    return None


# --- Tables ---------------------------------------------------------------------------------
# Every row of a table gets as many cells as its header has, 5-14 µs a cell to build, sanitise and
# write: a header of 100 columns over 8,000 one-character rows took 3.9 s, 40,000 rows 'c|d' 1.1 s.
# 50,000 cells are at most 0.7 s: a table of 10 columns and 5,000 rows.
MAX_TABLE_CELLS = 50_000


def _tables(body: Body) -> tuple[int, str] | None:
    text = body.text
    if not body.count_at_most("|"):
        return None
    cells = 0
    for delimiter in body.at_line_starts(_TABLE_DELIMITER_LINE):
        row = delimiter.group().strip()
        start, end = body.paragraph_at(delimiter.start())
        if "|" not in row or "-" not in row or delimiter.start() <= start:
            continue  # not a table's second line
        # As Markdown splits it: the '|' at either end is a border, not between two cells.
        columns = row.count("|") + 1 - row.startswith("|") - (len(row) > 1 and row.endswith("|"))
        below = text[delimiter.end():end].rstrip("\n")
        rows = 2 + below.count("\n") if below else 2  # the header, and the rows below (an empty one if none)
        cells += max(columns, 1) * rows
        if cells > MAX_TABLE_CELLS:
            header = text.rfind("\n", 0, delimiter.start() - 1) + 1
            return header, (f"this table would have {max(columns, 1) * rows:,} cells: {columns:,} in each of its "
                            f"{rows:,} rows, as every row gets as many cells as the header has; a text may hold at "
                            f"most {MAX_TABLE_CELLS:,} table cells: split the table, or give it fewer columns")
    return None


# --- Footnotes ------------------------------------------------------------------------------
# Each footnote reference looks its footnote up in lists of all of them (4,000 footnotes took 1 s,
# 8,000 4 s). 2,000 markers cost about 0.1 s; a long essay has a few hundred.
MAX_FOOTNOTE_MARKERS = 2_000


def _footnotes(body: Body) -> tuple[int, str] | None:
    text = body.text
    if body.count_at_most("[^") <= MAX_FOOTNOTE_MARKERS or text.count("[^") <= MAX_FOOTNOTE_MARKERS:
        return None
    position = -1
    for _ in range(MAX_FOOTNOTE_MARKERS + 1):
        position = text.find("[^", position + 1)
    return position, (f"more than {MAX_FOOTNOTE_MARKERS:,} footnote markers ('[^') in one text: split it into "
                      f"several documents")


CHECKS: tuple[Callable[[Body], tuple[int, str] | None], ...] = (
    _links, _raw_html, _html_nesting, _quotes, _lists, _definitions, _tables, _footnotes, _markup_density)
