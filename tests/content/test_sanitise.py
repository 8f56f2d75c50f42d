"""Hostile Markdown and front matter: asserted on the built pages, not only on the sanitiser."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest

from tests.conftest import build_site, image_with_metadata

FORBIDDEN_ELEMENTS = {"script", "iframe", "object", "embed", "style", "form", "input", "button",
                      "svg", "math", "link", "meta", "base", "frame", "frameset", "textarea"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


class Page(HTMLParser):
    """Every element, attribute and comment of a page, and which of them sit in the body text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict, bool]] = []  # (tag, attrs, inside .prose)
        self.comments: list[str] = []
        self._prose_depth = 0
        self._div_depth = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "div":
            self._div_depth += 1
            if not self._prose_depth and "prose" in attributes.get("class", "").split():
                self._prose_depth = self._div_depth
        self.elements.append((tag, attributes, bool(self._prose_depth)))

    def handle_endtag(self, tag):
        if tag == "div":
            if self._prose_depth == self._div_depth:
                self._prose_depth = 0
            self._div_depth -= 1

    def handle_comment(self, data):
        self.comments.append(data)

    @property
    def prose(self) -> list[tuple[str, dict]]:
        return [(tag, attrs) for tag, attrs, inside in self.elements if inside]


def build_article(site_tree, tmp_path, body: str, title: str = "A safe title") -> tuple[str, Page]:
    root = site_tree({"content/articles/hostile.md": f"""\
---
title: {title}
date: 2018-01-05
source: A newspaper
---

{body}
""", "content/media/pic.png": image_with_metadata("PNG")})
    report = build_site(root, tmp_path / "out")
    assert report.errors == (), [d.format() for d in report.errors]
    text = (tmp_path / "out/articles/hostile/index.html").read_text()
    return text, Page(text)


def assert_page_is_inert(page: Page) -> None:
    for tag, attrs, inside in page.elements:
        events = [name for name in attrs if name.startswith("on")]
        assert not events, f"<{tag}> keeps event handlers {events}"
        for name in ("href", "src", "action", "formaction", "xlink:href", "data", "srcset", "poster"):
            value = "".join(html.unescape(attrs.get(name, "")).split()).lower()
            assert not value.startswith(BAD_SCHEMES), f"<{tag} {name}={attrs[name]!r}>"
        if inside:
            assert tag not in FORBIDDEN_ELEMENTS, f"<{tag}> survived in the body"
            assert "style" not in attrs, f"<{tag}> keeps a style attribute"
            if tag == "img":  # allowed, but only from this site's media folder
                assert attrs.get("src", "").startswith(("../../media/", "../media/")), f"<img {attrs}>"
    assert page.comments == []


HOSTILE = {
    "script tag": "Text.\n\n<script>alert('owned')</script>\n\nMore <script>alert('inline')</script> text.",
    "img onerror": 'Look: <img src="/media/pic.png" onerror="alert(1)"> there.',
    "inline javascript link": "[click me](javascript:alert(1))",
    "reference javascript link": "[click me][evil]\n\n[evil]: javascript:alert(1)",
    "entity-encoded javascript link": "[click me](jav&#x61;script:alert(1)) and <a href=\"jav&#x61;script:alert(1)\">raw</a>"
                                      " and <a href=\"&#106;avascript:alert(1)\">dec</a>",
    "attr_list onclick": "A paragraph.\n{: onclick=\"alert(1)\" }\n\n## Heading {: onclick=\"alert(2)\" }",
    "iframe": '<iframe src="https://evil.example/"></iframe>\n\nText <iframe src="https://evil.example/"></iframe>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "style": "<style>body { display: none }</style>\n\n<p style=\"position:fixed\">styled</p>",
    "form": '<form action="https://evil.example/"><input name="q"><button>Go</button></form>',
    "data url": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <a href=\"data:text/html,hi\">y</a>",
    "vbscript url": "[x](vbscript:msgbox(1)) <a href=\"VBScript:msgbox(1)\">y</a>",
    "svg onload": '<svg onload="alert(1)"><circle r="1"/></svg>',
    "event handler on allowed tag": '<a href="https://example.org/" onmouseover="alert(1)">link</a>',
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_is_inert_in_the_built_page(site_tree, tmp_path, body):
    text, page = build_article(site_tree, tmp_path, body)
    assert_page_is_inert(page)
    assert "alert(" not in "".join(str(a) for _, a, _ in page.elements)
    assert "evil.example" not in text


def test_script_content_is_removed_not_shown(site_tree, tmp_path):
    text, _ = build_article(site_tree, tmp_path, HOSTILE["script tag"])
    assert "owned" not in text and "inline" not in text
    assert "More  text." in text or "More text." in text


def test_link_text_survives_when_the_url_is_dropped(site_tree, tmp_path):
    _, page = build_article(site_tree, tmp_path, HOSTILE["inline javascript link"])
    assert [(tag, attrs) for tag, attrs in page.prose if tag == "a"] == [("a", {"rel": "noopener noreferrer"})]


def test_attr_list_is_not_enabled(site_tree, tmp_path):
    text, page = build_article(site_tree, tmp_path, HOSTILE["attr_list onclick"])
    assert not any(name.startswith("on") for _, attrs, _ in page.elements for name in attrs)
    # The braces stay as text: attr_list is off, so they are never read as attributes.
    assert "{: onclick=" in html.unescape(text)


def test_html_comment_with_a_name_is_dropped(site_tree, tmp_path):
    body = "Before.\n\n<!-- Reviewer: the harasser was Jonathan Roeberg -->\n\nInline <!-- Jonathan Roeberg --> after."
    text, page = build_article(site_tree, tmp_path, body)
    assert "Roeberg" not in text
    assert page.comments == []


def test_safe_links_keep_working(site_tree, tmp_path):
    _, page = build_article(site_tree, tmp_path, "[a](https://example.org/a) [b](http://example.org/b) [c](mailto:x@example.org)")
    assert [attrs["href"] for tag, attrs in page.prose if tag == "a"] == [
        "https://example.org/a", "http://example.org/b", "mailto:x@example.org"]


def test_title_with_markup_is_escaped_everywhere(site_tree, tmp_path):
    title = "\"<script>alert('t')</script><b>Bold</b> & <img src=x onerror=alert(1)>\""
    root = site_tree({"content/articles/hostile.md": f"---\ntitle: {title}\ndate: 2018-01-05\nsource: \"<i>Paper</i>\"\n---\n\nBody.\n"})
    assert build_site(root, tmp_path / "out").errors == ()
    out = tmp_path / "out"
    for name in ("articles/hostile/index.html", "articles/index.html", "index.html", "timeline/index.html"):
        text = (out / name).read_text()
        page = Page(text)
        assert_page_is_inert(page)
        # The templates' own scripts load from files; none comes from the title.
        assert not [tag for tag, attrs, _ in page.elements
                    if tag in ("img", "b", "i") or tag == "script" and "src" not in attrs], name
        assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;img" in text, name
    feed = (out / "feed.xml").read_text()
    assert "<script>" not in feed and "&lt;script&gt;" in feed


def test_front_matter_url_must_be_http(site_tree, tmp_path):
    root = site_tree({"content/articles/a.md": "---\ntitle: T\ndate: 2018-01-05\nsource: S\n"
                                               "source_url: \"javascript:alert(1)\"\n---\n\nBody.\n"})
    report = build_site(root, tmp_path / "out")
    assert [d.format() for d in report.errors] == [
        "content/articles/a.md:5: error: 'source_url' must be an http:// or https:// address, got 'javascript:alert(1)'"]


def test_footnote_and_heading_anchors_keep_working(site_tree, tmp_path):
    body = "## Why it matters\n\nA claim.[^src]\n\n### Second part\n\n[Jump](#why-it-matters)\n\n[^src]: The source."
    _, page = build_article(site_tree, tmp_path, body)
    ids = {attrs["id"] for _, attrs in page.prose if "id" in attrs}
    assert {"why-it-matters", "second-part", "fnref:src", "fn:src"} <= ids
    hrefs = [attrs["href"] for tag, attrs in page.prose if tag == "a"]
    assert "#fn:src" in hrefs and "#fnref:src" in hrefs and "#why-it-matters" in hrefs
    assert all(href[1:] in ids for href in hrefs if href.startswith("#"))


def test_testimony_bodies_are_sanitised_too(site_tree, tmp_path):
    root = site_tree({"content/testimonies/t.md": """\
        ---
        date: 2018-03
        consent: {status: granted, recorded: 2018-04-01}
        ---

        It happened. <script>alert(1)</script> <img src=/media/pic.png onerror=alert(1)> [x](javascript:alert(1))
        """, "content/media/pic.png": image_with_metadata("PNG")})
    assert build_site(root, tmp_path / "out").errors == ()
    text = (tmp_path / "out/testimonies/t/index.html").read_text()
    assert_page_is_inert(Page(text))
    assert "alert" not in text


@pytest.mark.parametrize("href", ["/articles/hostile/javascript:alert(1)", "/articles/hostile/javascript:alert(1)/",
                                  "/articles/hostile/data:text/html,x", "/articles/javascript:alert(1)"])
def test_site_path_link_never_becomes_a_scheme_once_made_relative(site_tree, tmp_path, href):
    # A path on this site passes the sanitiser; made relative to the page it is on, its last
    # segment must not be read as a URL scheme.
    text, page = build_article(site_tree, tmp_path, f'<a href="{href}">x</a>')
    assert_page_is_inert(page)
    assert [attrs["href"] for tag, attrs in page.prose if tag == "a"][0].startswith(("./", "../"))


def test_body_cannot_dress_up_as_page_controls_or_take_page_ids(site_tree, tmp_path):
    html, _page = build_article(site_tree, tmp_path, '<a class="quick-exit" href="https://example.com/">Leave</a>\n\n'
                                                     "## Main\n\nText.")
    body = html.split('<div class="prose">')[1].split("</div>")[0]
    assert '<p><a rel="noopener noreferrer" href="https://example.com/">Leave</a></p>' in body
    assert html.count('id="main"') == 1 and '<h2 id="main-text">Main</h2>' in body


def test_classes_and_ids_a_body_keeps_are_its_own(site_tree, tmp_path):
    """Code keeps its language (for a reader's stylesheet); a link does not take one; a heading
    named like the search page's parts gets an id of its own; an image's alt text that reads as an
    address is still its text."""
    html, _page = build_article(site_tree, tmp_path, (
        "```python\nprint(1)\n```\n\n"
        '<a class="language-python footnote-ref footnote" href="https://example.org/">A source</a>\n\n'
        "## Search tips\n\n"
        "![https://example.org/photo](/media/pic.png)"))
    body = html.split('<div class="prose">')[1].split("</article>")[0]
    assert '<code class="language-python">' in body
    assert '<a class="footnote-ref footnote" href="https://example.org/" rel="noopener noreferrer">A source</a>' in body
    assert '<h2 id="search-tips-text">Search tips</h2>' in body
    assert 'alt="https://example.org/photo"' in body
