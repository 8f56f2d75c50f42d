"""The Markdown stage: the faster inline stage and block parser render exactly what Python-Markdown's own do."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from generator.content.markup import BLOCK_TRIGGERS, INLINE_TRIGGERS, HeadingIdsTreeprocessor, TriggeredBlockParser, \
    TriggeredInlineProcessor, markdown_instance

ROOT = Path(__file__).resolve().parents[2]

# Pieces that start, end or break every inline construct, mixed at random below.
PIECES = (
    "word", "two words", " ", " ", "\n", "\n\n", "  \n", "*", "**", "***", "_", "__", "`", "``", "\\", "\\*",
    "\\`", "[", "]", "(", ")", "![", "](", "[^1]", "[^x]", "\n\n[^1]: a note\n\n", "[ref]", "[ref][]",
    "\n\n[ref]: /articles/x/\n\n", "<", ">", "<b>", "</b>", "<br/>", "<!-- c -->", "<?p?>", "<https://example.org/a>",
    "<a@b.org>", "&", "&amp;", "&#65;", "&#x41;", "&copy;", "http://example.org", "a@b.org", "- ", "\n- ",
    "\n1. ", "\n> ", "\n## Heading ", "\n\nterm\n: definition\n", "|", "\n| a | b |\n|---|---|\n| c | d |\n",
    "\n```\ncode * _ [x]\n```\n", "\n    indented `code`\n", "é", "“", "—", "~",
    # block starts and ends
    "\n***\n", "\n___\n", "\n- - -\n", "\n\nHeading\n===\n", "\n\nSub\n---\n", "\n#\n", "\n###### six #\n",
    "a | b\n--|--\n", "|x|\n|-|\n", "| a |\n", ":", "\n: ", "\n>", ">", "\n\n[^1]:\n", "\n   [ref]: </x> 'title'\n",
    "\n[ref]: /x \"t\"\n", "\n    ", "\n\n\t", "\n1) ", "\n* ", "\n+ ", "1986. ",
    # headings that share a name, and the table-of-contents marker
    "\n\n## Same\n\n", "\n\n## Same\n\n", "\n\n### *Same* `x`\n", "\n\n[TOC]\n\n", "[TOC]", "\n\n## main\n",
)


def random_markdown(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))


def test_triggered_stages_render_what_the_stock_ones_do():
    rng = random.Random(20171015)
    texts = [random_markdown(rng) for _ in range(6000)]
    texts += [path.read_text(encoding="utf-8") for path in sorted((ROOT / "content").rglob("*.md"))]
    fast, stock = markdown_instance(), markdown_instance(triggered=False)
    assert isinstance(fast.treeprocessors["inline"], TriggeredInlineProcessor)
    assert not isinstance(stock.treeprocessors["inline"], TriggeredInlineProcessor)
    assert isinstance(fast.parser, TriggeredBlockParser) and not isinstance(stock.parser, TriggeredBlockParser)
    assert isinstance(fast.treeprocessors["toc"], HeadingIdsTreeprocessor)
    differ = []
    for text in texts:
        fast.reset()
        stock.reset()
        if fast.convert(text) != stock.convert(text):
            differ.append(text)
    assert differ == []


# What a table row's cells are cut at: pipes, escaped pipes, and runs of backticks (escaped or not)
# that open and close code spans, in which a pipe cuts nothing.
ROW_PIECES = ("|", "\\|", "`", "``", "```", "\\`", "\\``", "a", " ", "b c")


def test_table_rows_are_cut_into_the_cells_the_stock_tables_extension_makes():
    rng = random.Random(20171005)
    fast, stock = markdown_instance(), markdown_instance(triggered=False)
    differ = []
    for _ in range(600):
        rows = ["".join(rng.choice(ROW_PIECES) for _ in range(rng.randint(1, 14))) for _ in range(2)]
        text = "| head | more |\n| --- | --- |\n" + "".join(f"| {row} |\n" for row in rows)
        fast.reset()
        stock.reset()
        if fast.convert(text) != stock.convert(text):
            differ.append(text)
    assert differ == []


def test_every_pattern_and_processor_named_is_filtered_in_the_pinned_library():
    # A library upgrade that changes an expression turns its filter off (always tried, still
    # correct); this says so, so the table in INLINE_TRIGGERS is brought up to date.
    md = markdown_instance()
    names = [md.inlinePatterns[index] for index in range(len(md.inlinePatterns))]
    assert len(names) == len(INLINE_TRIGGERS)
    assert None not in md.treeprocessors["inline"].triggers
    assert sum(trigger is not None for trigger in md.parser.triggers) == len(BLOCK_TRIGGERS)


@pytest.mark.parametrize("text, html", [
    ("a *b* c", "<p>a <em>b</em> c</p>"),
    ("a `*b*` c", "<p>a <code>*b*</code> c</p>"),
    ("a \\*b\\* c", "<p>a *b* c</p>"),
    ("line  \nbreak", "<p>line<br>\nbreak</p>"),
    ("x[^1]\n\n[^1]: n", None),
])
def test_inline_constructs_still_render(text, html):
    md = markdown_instance()
    out = md.convert(text)
    if html is not None:
        assert out == html
    else:
        assert 'class="footnote-ref"' in out


def test_a_footnotes_back_link_says_in_plain_words_where_it_goes():
    """The ↩ after a footnote is read out by its title: ours, not Python-Markdown's default."""
    page = markdown_instance().convert("Text[^1].\n\n[^1]: Note.")
    assert 'class="footnote-backref" href="#fnref:1" title="Back to reference 1"' in page


def test_each_heading_gets_an_id_of_its_own_words_for_links_to_it():
    """A link to a section (page#where-it-began) needs the id the stock toc extension gives:
    the heading's words, with _1, _2 after one already used, footnotes and markup left out."""
    text = ("## Where it began\n\nText.\n\n## Where it began\n\n### *Q&A*: “Who?”[^1]\n\n## Where it began_1\n\n"
            "[^1]: A note.")
    page = markdown_instance().convert(text)
    assert re.findall(r"<h\d[^>]*>", page) == ['<h2 id="where-it-began">', '<h2 id="where-it-began_1">',
                                               '<h3 id="qa-who">', '<h2 id="where-it-began_2">']
    assert page == markdown_instance(triggered=False).convert(text)


def test_a_toc_marker_is_replaced_by_the_table_of_contents():
    """[TOC] alone on a line is the stock toc extension's marker: the faster heading stage hands it
    over, so the table is made; elsewhere, or inside other words, it stays text."""
    page = markdown_instance().convert("[TOC]\n\n## One\n\n## Two")
    assert '<div class="toc">' in page and '<a href="#one">One</a>' in page and '<a href="#two">Two</a>' in page
    assert "[TOC]" not in page
    kept = markdown_instance().convert("See [TOC] here.\n\n## One")
    assert "See [TOC] here." in kept and 'class="toc"' not in kept


def test_a_top_heading_in_the_text_becomes_a_section_heading_and_remote_images_are_named():
    from generator.content.markup import Renderer

    body = Renderer().to_html("# Top\n\nText ![a chart](https://example.com/chart.png) and ![ok](/media/ok.png).")
    assert '<h2 id="top">Top</h2>' in body.html and body.has_h1
    assert body.removed_images == ("https://example.com/chart.png",)
