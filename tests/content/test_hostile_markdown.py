"""Hostile Markdown: every construct that would make rendering take more than linear time is refused
with its line, fast; the same constructs used as writers use them render as before; and raw HTML
that would take in the text after it is an error, where nh3 really does hide or mangle that text."""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path

import pytest
from markdown.extensions import tables

from generator.content import limits
from generator.content.perfile import render_body
from generator.content.markup import LinearTableProcessor, Renderer, markdown_instance, plain_text, sanitise
from generator.core.model import Article
from tests.conftest import build_site

BODY_LINE = 6  # the first body line of ARTICLE
ARTICLE = """\
---
title: Hostile
date: 2018-01-05
source: A newspaper
---
{body}
"""
SIZE = 200_000  # characters: a hostile body of realistic size


def article(body: str) -> Article:
    return Article(path=Path("content/articles/a.md"), slug="a", title="Hostile", date=dt.date(2018, 1, 5),
                   source="A newspaper", source_url=None, authors=(), tags=(), summary="", language="en",
                   content_warnings=(), featured=False, editor_note="", draft=False, publish_after=None,
                   body_markdown=body, body_line=BODY_LINE)


def repeat(piece: str, size: int = SIZE) -> str:
    return piece * (size // len(piece))


def errors_of(body: str) -> list[str]:
    _, problems, _ = render_body(article(body))
    return [problem.format() for problem in problems]


NESTED = ("more than 100 '[' are open at once here (links or images inside each other, or brackets never "
          "closed): close each '[' with ']', or write \\[ for a bracket that does not start a link")
DENSE = ("this paragraph is {length:,} characters long and holds {marks:,} marks of links, emphasis, code or HTML, "
         "which would take too long to render: split it into shorter paragraphs with blank lines")
UNFINISHED_TAG = ("an HTML tag starts here ('<' and a letter) and is not finished with '>'; with the others like it, "
                  "reading the text would take too long: finish the tag with '>', or write &lt; for a '<' that does "
                  "not start a tag")
DEEP_QUOTE = "a quote is nested more than 100 deep here ('>' inside '>'): flatten it"
LONG_QUOTE = ("this quote is nested deeply and goes on for many lines without a blank line, which would take too "
              "long to render: nest it less deeply, or put blank lines between its paragraphs")
LONG_LIST = ("this list goes on for many lines without a blank line, which would take too long to render: put blank "
             "lines between its items or paragraphs")
DEFINITIONS = ("more than 100 definitions (': ' lines) follow each other here without a blank line: put a blank "
               "line after each term's definitions")
FOOTNOTES = "more than 2,000 footnote markers ('[^') in one text: split it into several documents"


def never_closed(mark: str, characters: int) -> str:
    return (f"the '{mark}' here is never closed, so the {characters:,} characters after it are searched for its end; "
            f"with the other brackets like it, finding where each link ends would take too long: close each '[' "
            f"with ']' and each '(' with ')', or write \\[ for a bracket that does not start a link")


def title_never_closed(characters: int) -> str:
    return (f"the '(' here starts a link address whose title's quote mark is never closed, so the {characters:,} "
            f"characters after it are searched for its end; with the other brackets like it, finding where each "
            f"link ends would take too long: close each '[' with ']' and each '(' with ')', or write \\[ for a "
            f"bracket that does not start a link")


def table_cells(columns: int, rows: int) -> str:
    return (f"this table would have {columns * rows:,} cells: {columns:,} in each of its {rows:,} rows, as every row "
            f"gets as many cells as the header has; a text may hold at most 50,000 table cells: split the table, "
            f"or give it fewer columns")


# name: (body, [(line offset in the body, message)]); each body about 200 KB, measured before this
# check at minutes (nested '[') to seconds (the rest), see generator/content/limits.py.
HOSTILE = {
    "nested [": ("[" * SIZE, [(0, NESTED)]),
    "nested [[x]]": ("[" * (SIZE // 2) + "x" + "]" * (SIZE // 2), [(0, NESTED)]),
    "nested ![": (repeat("!["), [(0, NESTED)]),
    "nested [^": (repeat("[^"), [(0, NESTED), (0, FOOTNOTES)]),
    "unclosed [ between words": (repeat("[a "), [(0, NESTED)]),
    "nested [ after text": ("Some words first.\n\n" + "[" * SIZE, [(2, NESTED)]),
    "100 unclosed [ then text": ("[" * 100 + repeat("word "), [(0, never_closed("[", 200_100))]),
    "unclosed ( after ](": (repeat("[]("), [(0, never_closed("(", 199_996))]),
    "unclosed [a]( ": (repeat("[a]("), [(0, never_closed("(", 199_997))]),
    "titles never closed in link addresses": (repeat("[a](b 'c d) "), [(0, title_never_closed(199_989))]),
    "emphasis runs": (repeat("*a* _b_ **c** "), [(0, DENSE.format(length=199_990, marks=114_280))]),
    "code spans": (repeat("`a` "), [(0, DENSE.format(length=SIZE, marks=100_000))]),
    "entities": (repeat("&amp; "), [(0, DENSE.format(length=199_998, marks=33_333))]),
    "unfinished tags": (repeat("a<b "), [(0, UNFINISHED_TAG)]),
    "unfinished tags at line starts": (repeat("<a b\n"), [(0, UNFINISHED_TAG)]),
    "unfinished self-closing tags": (repeat("<a/"), [(0, UNFINISHED_TAG)]),
    "unfinished tags with quotes": (repeat("<a b=\""), [(0, UNFINISHED_TAG)]),
    "<? never closed": (repeat("\n<?x "), [(1, "a '<?' here is never closed with '?>'; with the others like it, "
                                              "reading the text would take too long: write &lt;? for text")]),
    "<! never closed": (repeat("\n<!x "), [(1, "a '<!' here is never closed with '>'; with the others like it, "
                                              "reading the text would take too long: write &lt;! for text")]),
    "end tags never finished": (repeat("</a "), [(0, "an HTML end tag '</' here is not finished with '>'; with the "
                                                     "others like it, reading the text would take too long: finish "
                                                     "it with '>', or write &lt;/ for text")]),
    "comments after open tags": (repeat("<b>a\n<!-- x -->\n"), [(1, "an HTML comment here follows HTML tags left "
                                                                    "open; with the others like it, reading the text "
                                                                    "would take too long: close the tags, or remove "
                                                                    "the comments")]),
    "nested divs": (repeat("<div>"), [(0, "HTML elements such as <div> are open more than 100 deep here: close each "
                                          "with its end tag, such as </div>")]),
    "deep quote": (">" * SIZE + " a", [(0, DEEP_QUOTE)]),
    "quote deepening line by line": ("".join(">" * i + " a\n" for i in range(1, 600)), [(100, DEEP_QUOTE)]),
    "deep quote then many lines": (">" * 100 + " a\n" + repeat("b\n"), [(0, LONG_QUOTE)]),
    "list item of many lines": ("- a\n" + repeat("b\n", 1_000_000)[:999_990], [(0, LONG_LIST)]),
    "nested list of many lines": ("".join("    " * i + "- a\n" for i in range(20)) + repeat("b\n"), [(0, LONG_LIST)]),
    "definitions": ("term\n" + repeat(": a\n"), [(101, DEFINITIONS)]),
    "terms and definitions": (repeat("term\n: a\n"), [(201, DEFINITIONS)]),
    "table rows padded to the header": ("|".join("a" * 100) + "\n" + "|".join("-" * 100) + "\n" + repeat("x\n"),
                                        [(0, table_cells(100, 100_001))]),
    "table header of many columns": ("|".join("a" * 30_000) + "\n" + "|".join("-" * 30_000),
                                     [(0, table_cells(30_000, 2))]),
    "table of many rows": ("a|b\n-|-\n" + repeat("c|d\n"), [(0, table_cells(2, 50_001))]),
    "footnotes": ("".join(f"x[^{i}]\n\n[^{i}]: note {i}\n\n" for i in range(1_100)), [(4_000, FOOTNOTES)]),
    "footnote references": (repeat("x[^1] ") + "\n\n[^1]: n\n", [(0, FOOTNOTES)]),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_body_is_refused_at_its_line_and_fast(name):
    body, expected = HOSTILE[name]
    start = time.perf_counter()
    found = errors_of(body)
    seconds = time.perf_counter() - start
    assert found == [f"content/articles/a.md:{BODY_LINE + offset}: error: {message}" for offset, message in expected]
    assert seconds < 5, f"{name}: {seconds:.1f} s"  # no hang; the check itself takes milliseconds


def test_the_check_takes_linear_time_on_a_megabyte():
    for piece in ("[", "a<b ", "[](", "<a b=\"", "*a* ", "\n<?x ", "> a\n", "- a\n", ": a\n", "x|", "[^1]"):
        start = time.perf_counter()
        limits.find_hazards(repeat(piece, 1_000_000))
        assert time.perf_counter() - start < 3, piece


@pytest.mark.parametrize("name, files, expected", [
    ("200 KB of '['", {"content/articles/a.md": ARTICLE.format(body="Intro.\n\n" + "[" * SIZE)},
     f"content/articles/a.md:8: error: {NESTED}"),
    ("a link flood in a testimony", {"content/testimonies/t.md": "---\ndate: 2018-01\nconsent:\n  status: granted\n"
                                                                 "  recorded: 2018-01-02\n---\n" + repeat("[](")},
     f"content/testimonies/t.md:7: error: {never_closed('(', 199_996)}"),
    ("unfinished tags", {"content/articles/a.md": ARTICLE.format(body=repeat("a<b "))},
     f"content/articles/a.md:6: error: {UNFINISHED_TAG}"),
    ("an unclosed style", {"content/articles/a.md": ARTICLE.format(body="Intro.\n\nA <style> here.\n\nThe rest.")},
     "content/articles/a.md:8: error: an unclosed <style> hides all the text after it: close it with </style> or "
     "remove it"),
])
def test_whole_build_reports_the_line_and_stops_quickly(site_tree, tmp_path, name, files, expected):
    root = site_tree(files)
    start = time.perf_counter()
    report = build_site(root, tmp_path / "out")
    assert time.perf_counter() - start < 10
    assert [problem.format() for problem in report.errors] == [expected]


# --- What writers write still renders as it did -----------------------------------------------

LEGITIMATE = {
    "a link": "See [the report](https://example.org/report \"The report\") and [this](/articles/x/).",
    "nested emphasis": "*one **two _three_ two** one* and __strong *em* strong__",
    "brackets in prose": "He said [sic] twice [and [once] more] (see [1], [2](/a/) and [3]).",
    "a stray bracket": "A stray [ in a paragraph, and ] another, and (one more.",
    "a 6-column table": "a | b | c | d | e | f\n--|--|--|--|--|--\n1 | 2 | `3|3` | 4 | 5 | 6\n7 | 8 | 9 | 10 | 11 | 12",
    "a 4-deep list": "- one\n    - two\n        - three\n            - four\n\n1. first\n2. second",
    "quotes": "> a quote\n>\n> > inside\n> > > deeper\n\nafter",
    "definitions": "Term\n: one\n: two\n\nOther\n: three",
    "footnotes": "A claim.[^1] Another.[^2] Again.[^1]\n\n[^1]: The source.\n[^2]: Another source.",
    "inline HTML": "Some <mark>marked</mark> and <abbr title=\"x\">abbr</abbr> text, x<y, a <b>bold</b> word.",
    "an HTML block": "<div class=\"note\">\n<p>Inside</p>\n</div>\n\nAfter.",
    "a comment": "Text <!-- a note for editors --> more.\n\n<!--\nblock comment\n-->\n\nEnd.",
    "code": "Use `<style>` or:\n\n```\n<script>x</script>\n[[[[ ((( <a\n```\n\n    <textarea>",
    "headings": "## One\n\n## One\n\n### Two *em*\n\ntext",
}


@pytest.mark.parametrize("name", LEGITIMATE)
def test_legitimate_constructs_pass_and_render_as_stock_markdown_does(name):
    text = LEGITIMATE[name]
    assert limits.find_hazards(text) == ()
    stock = markdown_instance(triggered=False)
    rendered = Renderer().to_html(text)
    assert rendered.html == sanitise(stock.convert(text))
    assert rendered.unclosed is None
    assert errors_of(text) == []


def test_demo_archive_passes_every_check():
    for path in sorted((Path(__file__).resolve().parents[2] / "content").rglob("*.md")):
        assert limits.find_hazards(path.read_text(encoding="utf-8")) == (), path


ROW_PIECES = ("`", "``", "```", "\\`", "\\``", "|", "\\|", "\\\\", "a", " ", "\\")


def test_table_rows_split_into_the_cells_stock_markdown_gives():
    rng = random.Random(20171015)
    stock = tables.TableProcessor.__new__(tables.TableProcessor)
    linear = LinearTableProcessor.__new__(LinearTableProcessor)
    for _ in range(20_000):
        row = "".join(rng.choice(ROW_PIECES) for _ in range(rng.randint(0, 30)))
        assert linear._split(row) == stock._split(row), row


def test_repeated_footnote_references_are_numbered_as_stock_markdown_does():
    rng = random.Random(1986)
    fast, stock = markdown_instance(), markdown_instance(triggered=False)
    for _ in range(500):
        text = "".join(rng.choice(["x[^1] ", "y[^2] ", "[^a]", "z[^1]", "\n\n", "[^3] ", "w", "[^a:b] "]) for _ in range(30))
        text += "\n\n[^1]: one\n[^2]: two [^1]\n\n[^a]: a\n[^a:b]: a label with the separator in it\n"
        fast.reset()
        stock.reset()
        assert fast.convert(text) == stock.convert(text), text


def test_a_link_table_or_footnote_flood_within_the_limits_renders_in_linear_time():
    # Each of these was quadratic inside Python-Markdown (a row of 8,000 '`|' took 2 s, 8,000
    # references to one footnote 10 s); below the limits they now take milliseconds.
    for body in ("a|b\n-|-\n" + "`|" * 20_000, "x[^1] " * 1_900 + "\n\n[^1]: n\n"):
        start = time.perf_counter()
        assert errors_of(body) == []
        assert time.perf_counter() - start < 3


# --- Raw HTML that takes in the text after it -------------------------------------------------

def hides_all(name: str) -> str:
    return f"an unclosed <{name}> hides all the text after it: close it with </{name}> or remove it"


def shows_code(name: str) -> str:
    return f"an unclosed <{name}> shows all the text after it as raw HTML code: close it with </{name}> or remove it"


def hides_in_foreign(name: str) -> str:
    return f"an unclosed <{name}> in <math> or <svg> hides the text after it: close it with </{name}> or remove it"


PLAINTEXT = "a <plaintext> shows all the text after it as raw HTML code, and cannot be closed: remove it"

# name: (body, line offset, message). Each is checked against what nh3 does to the text after it.
TAKING = {
    **{f"<{name}> in a paragraph": (f"Intro.\n\nBefore <{name}> inline.\n\nAFTER *word* here.", 2, hides_all(name))
       for name in ("style", "script", "template")},
    **{f"<{name}> in a paragraph": (f"Intro.\n\nBefore <{name}> inline.\n\nAFTER *word* here.", 2, shows_code(name))
       for name in ("textarea", "title", "xmp", "iframe", "noscript", "noembed", "noframes")},
    "<plaintext>": ("Intro.\n\nBefore <plaintext> inline.\n\nAFTER *word* here.", 2, PLAINTEXT),
    "<plaintext> closed": ("Before <plaintext>x</plaintext> inline.\n\nAFTER *word* here.", 0, PLAINTEXT),
    "<style> on its own line": ("Intro.\n\n<style>\n\nAFTER *word* here.", 2, hides_all("style")),
    "<style> as the first thing": ("<style>\n\nAFTER *word* here.", 0, hides_all("style")),
    "<style> after a comment": ("<!-- a note -->\n\nBefore <style> inline.\n\nAFTER *word* here.", 2,
                                hides_all("style")),
    "<textarea> on its own line": ("Intro.\n\n<textarea>\n\nAFTER *word* here.", 2, shows_code("textarea")),
    "<STYLE>": ("Before <STYLE> inline.\n\nAFTER *word* here.", 0, hides_all("style")),
    "<Script>": ("Before <Script> inline.\n\nAFTER *word* here.", 0, hides_all("script")),
    "<style/>": ("Before <style/> inline.\n\nAFTER *word* here.", 0, hides_all("style")),
    "<style foo=bar>": ("Before <style foo=bar> inline.\n\nAFTER *word* here.", 0, hides_all("style")),
    "<style> split over lines": ("Before <style\nmedia=\"all\"> inline.\n\nAFTER *word* here.", 0, hides_all("style")),
    "<style> closed only in code": ("Before <style> inline.\n\nAFTER *word* here `</style>`.", 0, hides_all("style")),
    "a second <style> left open": ("A <style>x</style> b.\n\nThen <style> c.\n\nAFTER *word* here.", 2,
                                   hides_all("style")),
    "<math><style>": ("Before <math><style> inline.\n\nAFTER *word* here.", 0, hides_in_foreign("style")),
    "<svg><script>": ("Before <svg><script> inline.\n\nAFTER *word* here.", 0, hides_in_foreign("script")),
    "<svg><textarea>": ("Before <svg><textarea> inline.\n\nAFTER *word* here.", 0, hides_in_foreign("textarea")),
    "<math><mi><style>": ("Before <math><mi><style> inline.\n\nAFTER *word* here.", 0, hides_all("style")),
    "<svg><foreignObject><style>": ("Before <svg><foreignObject><style> inline.\n\nAFTER *word* here.", 0,
                                    hides_all("style")),
    "<svg><desc><textarea>": ("Before <svg><desc><textarea> inline.\n\nAFTER *word* here.", 0, hides_all("textarea")),
    "<style> after a backslash": ("Before \\<style> inline.\n\nAFTER *word* here.", 0, hides_all("style")),
    "<svg><desc>": ("Before <svg><desc> inline.\n\nAFTER *word* here.", 0, hides_all("desc")),
    "<svg><title>": ("Before <svg><title> inline.\n\nAFTER *word* here.", 0, hides_all("title")),
    "<math><mtext>": ("Before <math><mtext> inline.\n\nAFTER *word* here.", 0, hides_all("mtext")),
    "<template><template></template>": ("Before <template><template>x</template> inline.\n\nAFTER *word* here.", 0,
                                        hides_all("template")),
    "<template> then text then another": ("Before <template> AFTER *word* here <template>", 0, hides_all("template")),
    "<style> after a closed <svg>": ("Before <svg></svg> <style> inline.\n\nAFTER *word* here.", 0, hides_all("style")),
    "<style> after a closed <math>": ("Before <math></math> <style> inline.\n\nAFTER *word* here.", 0,
                                      hides_all("style")),
    "<style> after </p> in <svg>": ("Before <svg></p><style> inline.\n\nAFTER *word* here.", 0, hides_all("style")),
    "<style> after </br> in <svg>": ("Before <svg></br><style> inline.\n\nAFTER *word* here.", 0, hides_all("style")),
    # '/>' closes an element of <math> or <svg> only as the HTML tokenizer reads it.
    "<svg><desc/ >": ("Before <svg><desc/ > inline.</svg>\n\nAFTER *word* here.", 0, hides_all("desc")),
    "<svg><desc x=1/>": ("Before <svg><desc x=1/> inline.</svg>\n\nAFTER *word* here.", 0, hides_all("desc")),
    "<svg><desc x= />": ("Before <svg><desc x= /> inline.</svg>\n\nAFTER *word* here.", 0, hides_all("desc")),
    "<svg><desc x=\"a/\">": ("Before <svg><desc x=\"a/\"> inline.</svg>\n\nAFTER *word* here.", 0, hides_all("desc")),
    "<svg><style/ >": ("Before <svg><style/ > inline.</svg>\n\nAFTER *word* here.", 0, hides_in_foreign("style")),
    "<svg><style x=1/>": ("Before <svg><style x=1/> inline.</svg>\n\nAFTER *word* here.", 0,
                          hides_in_foreign("style")),
    "<svg><g></g><style>": ("Before <svg><g></g><style> inline.\n\nAFTER *word* here.", 0, hides_in_foreign("style")),
    "<svg><style> in a second paragraph": ("Intro.\n\nBefore <svg><style> inline.\n\nAFTER *word* here.", 2,
                                          hides_in_foreign("style")),
}

HARMLESS = {
    "<script> closed": "Before <script>alert(1)</script> inline.\n\nAFTER *word* here.",
    "<STYLE> closed with </style>": "Before <STYLE>p {}</style> inline.\n\nAFTER *word* here.",
    "<style> closed with </style foo>": "Before <style>x</style foo> inline.\n\nAFTER *word* here.",
    "<textarea> closed": "Before <textarea>x</textarea> inline.\n\nAFTER *word* here.",
    "<style> block closed": "<style>\np { color: red }\n</style>\n\nAFTER *word* here.",
    "<template> closed": "Before <template><style></style></template> inline.\n\nAFTER *word* here.",
    "<style> in a code span": "Before `<style>` inline.\n\nAFTER *word* here.",
    "<script> in a code block": "Before.\n\n    <script>\n\nAFTER *word* here.",
    "<textarea> in fenced code": "Before.\n\n```\n<textarea>\n```\n\nAFTER *word* here.",
    "&lt;style>": "Before &lt;style> inline.\n\nAFTER *word* here.",
    "<style> in a comment": "Before <!-- <style> --> inline.\n\nAFTER *word* here.",
    "<style> in an attribute": "Before <a title=\"<style>\">x</a> inline.\n\nAFTER *word* here.",
    "<svg><style/>": "Before <svg><style/> inline.</svg>\n\nAFTER *word* here.",
    "<style> closed in <math>": "Before <math><style>x</style></math> inline.\n\nAFTER *word* here.",
    "<style> at the very end": "Before.\n\nAFTER *word* here.\n\n<style>",
    "<style> at the end of the last paragraph": "Before.\n\nAFTER *word* here. <style>",
    "<template> at the end of the last paragraph": "Before.\n\nAFTER *word* here. <template>",
    "<svg><style> at the end of a paragraph": "Before <svg><style>\n\nAFTER *word* here.",
    "<svg><desc/>": "Before <svg><desc/> inline.</svg>\n\nAFTER *word* here.",
    "<svg><desc> at the very end": "Before.\n\nAFTER *word* here. <svg><desc>",
    "<svg><desc x/>": "Before <svg><desc x/> inline.</svg>\n\nAFTER *word* here.",
    "<svg><desc x =1 />": "Before <svg><desc x =1 /> inline.</svg>\n\nAFTER *word* here.",
    "<svg><style x=\"1\" />": "Before <svg><style x=\"1\" /> inline.</svg>\n\nAFTER *word* here.",
    "<svg><desc></desc>": "Before <svg><desc></desc> inline.</svg>\n\nAFTER *word* here.",
}


def what_nh3_leaves(body: str) -> tuple[bool, bool]:
    """(whether the text after the construct is still there, whether it is shown as code: HTML tags,
    or Markdown left unrendered)."""
    html = Renderer().to_html(body).html
    text = plain_text(html)
    kept = "AFTER" in text and ("inline" in text or " inline" not in body)
    return kept, "&lt;/p&gt;" in html or "&lt;em&gt;" in html or "*word*" in text


@pytest.mark.parametrize("name", TAKING)
def test_raw_html_that_takes_in_the_text_after_it_is_an_error_on_its_line(name):
    body, offset, message = TAKING[name]
    kept, shown_as_code = what_nh3_leaves(body)
    assert not kept or shown_as_code, "nh3 no longer takes in the text after it: is this still an error?"
    assert shown_as_code == ("as raw HTML code" in message)
    assert errors_of(body) == [f"content/articles/a.md:{BODY_LINE + offset}: error: {message}"]


@pytest.mark.parametrize("name", HARMLESS)
def test_the_same_tags_closed_or_in_code_are_not_errors(name):
    body = HARMLESS[name]
    assert what_nh3_leaves(body) == (True, False)
    assert errors_of(body) == []


def test_a_closed_script_is_still_removed_with_what_it_holds():
    html = Renderer().to_html("Before <script>alert('canary')</script> after.").html
    assert "canary" not in html and "script" not in html and "after" in html


def test_a_text_too_deep_to_render_leaves_the_next_documents_text_whole(site_tree, tmp_path):
    # Markdown gave up half-way through the deep text; the reused converter then rendered the
    # next document without its paragraphs, and the cache kept that after the deep text was fixed.
    deep = "".join("    " * i + "- x\n" for i in range(300))
    _document, problems, _ = render_body(article(deep))
    assert [p.message for p in problems] and "nested too deeply" in problems[0].message
    rendered, problems, _ = render_body(article("A paragraph.\n\nAnother one, with *emphasis*."))
    assert problems == [] and str(rendered.body.html) == "<p>A paragraph.</p>\n<p>Another one, with <em>emphasis</em>.</p>"

    site_tree({"content/articles/deep.md": f"---\ntitle: Deep\ndate: 2018-01-02\nsource: S\n---\n{deep}",
               "content/articles/plain.md": "---\ntitle: Plain\ndate: 2018-01-03\nsource: S\n---\nA paragraph.\n"})
    assert build_site(tmp_path, tmp_path / "out", jobs=1).errors
    (tmp_path / "content/articles/deep.md").write_text("---\ntitle: Deep\ndate: 2018-01-02\nsource: S\n---\nFlat now.\n")
    report = build_site(tmp_path, tmp_path / "out", jobs=1)
    assert not report.errors
    assert "<p>A paragraph.</p>" in (tmp_path / "out/articles/plain/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("image", ['<img src="https://tracker.example/p.png" alt="x">',
                                   '<img src="//tracker.example/p.png">', '<img src="HTTP://tracker.example/p.png">'])
def test_an_image_from_another_host_is_dropped_so_no_reader_contacts_it(image):
    """Raw HTML that points an image at another host would make every reader's browser fetch it
    (and tell that host who reads what): the image goes, the text around it stays."""
    assert sanitise(f"<p>Before {image} after</p>") == "<p>Before  after</p>"


def test_an_image_on_this_site_keeps_its_address():
    assert sanitise('<p><img src="/media/pic.png" alt="A pic"></p>') == '<p><img src="/media/pic.png" alt="A pic"></p>'


def test_only_the_elements_chorus_styles_are_kept_their_text_stays():
    """An element outside the list (a disclosure widget, underlining, keyboard keys, a top
    heading in raw HTML) goes; its text stays, as text."""
    assert sanitise("<p><u>u</u> <kbd>k</kbd> <var>v</var> <time>t</time></p><h1>Top</h1>") == "<p>u k v t</p>Top"
    assert sanitise("<details><summary>More</summary>Hidden</details>") == "MoreHidden"


@pytest.mark.parametrize("href", ["tel:+15551234567", "ftp://files.example/a", "sms:+15551234567", "irc://example/x"])
def test_a_link_is_kept_only_to_a_web_or_mail_address(href):
    assert sanitise(f'<p><a href="{href}">here</a></p>') == '<p><a rel="noopener noreferrer">here</a></p>'
