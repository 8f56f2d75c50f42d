"""Unit tests of the pipeline's stages, one small behaviour each."""

import datetime as dt
from pathlib import Path

import pytest

from generator.core import safefs
from generator.privacy.rules import withholding_reason
from generator.core.dates import PartialDate
from generator.core.model import Article, Testimony
from generator.output.render import paginate
from generator.content.read import read_document
from generator.core.urls import localise_links, output_file, relative_link
from generator.core.yamlio import YamlTimestamp, parse_yaml


def test_yaml_keeps_the_line_of_every_key_and_item():
    doc, problems = parse_yaml("title: A\ntags:\n  - x\n  - y\nconsent:\n  status: granted\n", first_line=2)
    assert problems == ()
    assert doc.line("title") == 2 and doc.line("tags", 1) == 5 and doc.line("consent", "status") == 7
    assert doc.line("missing") == 2


def test_yaml_keeps_dates_as_their_text_and_says_what_it_read():
    doc, _ = parse_yaml("a: 2017-10-05\nb: NO\nc: 12:30\nd: '2017-10-05'\n")
    assert isinstance(doc.data["a"], YamlTimestamp) and doc.data["a"] == "2017-10-05"
    assert doc.data["b"] is False and doc.sources[("b",)] == "NO"
    assert doc.data["c"] == 750 and doc.sources[("c",)] == "12:30"
    assert type(doc.data["d"]) is str


def test_front_matter_split_reports_the_body_line(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: A\n---\nFirst line.\n")
    raw, problems = read_document(path, "article", 1000, safefs.real_roots([tmp_path]))
    assert problems == [] and raw.body_line == 4 and raw.body == "First line.\n" and raw.slug == "a"


def test_crlf_and_byte_order_mark_are_accepted(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes("\ufeff---\r\ntitle: A\r\n---\r\nBody\r\n".encode())
    raw, problems = read_document(path, "article", 1000, safefs.real_roots([tmp_path]))
    assert problems == [] and raw.front.data == {"title": "A"}


@pytest.mark.parametrize("target, page, offline, expected", [
    ("/articles/x/", "/articles/", False, "x/"),
    ("/", "/articles/x/", False, "../../"),
    ("/", "/articles/x/", True, "../../index.html"),
    ("/articles/", "/articles/", True, "index.html"),
    ("/static/style.css", "/tags/a/page/2/", False, "../../../../static/style.css"),
    ("/articles/x/#fn:1", "/", True, "articles/x/index.html#fn:1"),
    ("/about/javascript:alert(1)", "/about/", False, "./javascript:alert(1)"),
    ("/about/javascript:x/", "/about/", True, "./javascript:x/index.html"),
])
def test_relative_links(target, page, offline, expected):
    assert relative_link(target, page, offline) == expected


def test_body_links_are_localised_but_foreign_links_kept():
    html = '<a href="/tags/a/">t</a> <a href="../x/">x</a> <a href="https://e.org/">e</a> <a href="#fn:1">1</a>'
    assert localise_links(html, "/about/", offline=True) == (
        '<a href="../tags/a/index.html">t</a> <a href="../x/index.html">x</a> '
        '<a href="https://e.org/">e</a> <a href="#fn:1">1</a>')
    assert localise_links(html, "/about/", offline=False) == (
        '<a href="../tags/a/">t</a> <a href="../x/">x</a> <a href="https://e.org/">e</a> <a href="#fn:1">1</a>')
    no_site_paths = '<a href="../x/">x</a> <img src="media/a.png" alt=""> <a href="#fn:1">1</a>'
    assert localise_links(no_site_paths, "/about/", offline=False) == no_site_paths
    assert localise_links('<p><img src="/media/a.png" alt=""></p>', "/articles/a/", offline=False) == (
        '<p><img src="../../media/a.png" alt=""></p>')


def test_output_files_for_urls():
    assert output_file("/") == "index.html"
    assert output_file("/articles/x/") == "articles/x/index.html"
    assert output_file("/feed.xml") == "feed.xml"


def test_pagination_links_newer_and_older_pages():
    pages = paginate(list(range(5)), 2, "/articles/")
    assert [p.url for p in pages] == ["/articles/", "/articles/page/2/", "/articles/page/3/"]
    assert pages[0].newer_url is None and pages[0].older_url == "/articles/page/2/"
    assert pages[2].items == (4,) and pages[2].newer_url == "/articles/page/2/"
    assert len(paginate([], 2, "/x/")) == 1


def _article(**changes):
    base = dict(path=Path("a.md"), slug="a", title="A", date=dt.date(2017, 10, 5), source="S", source_url=None,
                authors=(), tags=(), summary="", language="en", content_warnings=(), featured=False,
                editor_note="", draft=False, publish_after=None, body_markdown="x", body_line=5)
    return Article(**{**base, **changes})


def _testimony(**changes):
    base = dict(path=Path("t.md"), slug="t", date=PartialDate(2018, 1, 17), pseudonym="Anonymous", region="",
                tags=(), summary="", language="en", content_warnings=(), editor_note="", draft=False,
                consent_status="granted", publish_after=None, body_markdown="x", body_line=5)
    return Testimony(**{**base, **changes})


@pytest.mark.parametrize("document, expected", [
    (_article(), None),
    (_article(draft=True), "draft"),
    (_article(publish_after=dt.date(2030, 1, 1)), "embargoed"),
    (_article(publish_after=dt.date(2020, 1, 1)), None),
    (_testimony(), None),
    (_testimony(consent_status="withdrawn"), "consent withdrawn"),
    (_testimony(draft=True, consent_status="withdrawn"), "draft"),
])
def test_withholding_reasons(document, expected):
    assert withholding_reason(document, dt.date(2026, 11, 28)) == expected


def test_testimony_order_ignores_the_day():
    early, late = _testimony(slug="b", date=PartialDate(2018, 1, 2)), _testimony(slug="a", date=PartialDate(2018, 1, 30))
    assert early.sort_key > late.sort_key  # same month: ordered by slug, never by the private day
    assert late.title == "Anonymous, January 2018"


def _reference_link(target: str, page: str, offline: bool) -> str:
    """The plain posixpath way, kept here to check the fast one against."""
    import posixpath

    path, hash_mark, fragment = target.partition("#")
    page_dir = page if page.endswith("/") else posixpath.dirname(page) + "/"
    link = posixpath.relpath(path, page_dir)
    if path.endswith("/"):
        link = ("index.html" if offline else "./") if link == "." else link + "/" + ("index.html" if offline else "")
    return link + hash_mark + fragment


def test_fast_relative_links_agree_with_posixpath():
    import itertools
    import random

    rng = random.Random(1)
    segments = ["articles", "a", "b", "tags", "page", "2", "static", "x"]
    urls = ["/", "/feed.xml", "/404.html", "/static/style.css"]
    for _ in range(60):
        parts = rng.sample(segments, rng.randint(1, 4))
        urls.append("/" + "/".join(parts) + "/")
        urls.append("/" + "/".join(parts) + "/file.js")
    for target, page in itertools.product(urls[:40], urls[:40]):
        for offline in (False, True):
            assert relative_link(target, page, offline) == _reference_link(target, page, offline), (target, page, offline)



def test_reused_cards_are_made_once_per_item_and_heading_whatever_the_link_and_stay_right_past_the_limit(monkeypatch):
    import jinja2

    from generator.output import render as render_module
    from generator.output.render import CardCache
    from generator.core.urls import PageLinks

    monkeypatch.setattr(render_module, "CARD_CHECKS", 1)  # the first card is also made with its link, to compare
    calls = []
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals["reuse"] = reuse = CardCache(limit=4)
    env.globals["count"] = lambda item: calls.append(item.slug) or ""
    template = env.from_string(
        '{% macro card(item, heading, href) %}{{ count(item) }}<a href="{{ href }}">{{ item.slug }}</a>{% endmacro %}'
        '{% for c in reuse.cards(card, items, "h2") %}{{ c }}|{% endfor %}')

    class Item:
        def __init__(self, slug):
            self.slug, self.url = slug, f"/articles/{slug}/"

    items = [Item("a"), Item("b"), Item("c&d")]
    from_tags = '<a href="../../articles/a/">a</a>|<a href="../../articles/b/">b</a>|<a href="../../articles/c&amp;d/">c&amp;d</a>|'
    from_list = '<a href="a/">a</a>|<a href="b/">b</a>|<a href="c&amp;d/">c&amp;d</a>|'
    render = lambda page: template.render(items=items, url=PageLinks(page))  # noqa: E731
    assert render("/tags/x/") == from_tags and calls == ["a", "a", "b", "c&d"]  # a twice: the check
    assert render("/tags/y/") == from_tags and render("/articles/") == from_list
    assert len(calls) == 4  # other pages, other links: the same cards
    env.globals["reuse"] = reuse = CardCache(limit=2)  # past the limit the oldest are dropped, made again when shown
    assert render("/articles/") == from_list and render("/tags/x/") == from_tags and len(reuse.saved) <= 2


def test_content_files_are_listed_in_path_order_with_sub_folders_among_them(tmp_path):
    # Reports list files in this order; '-' sorts before '/', so a-b-x.md comes after a-b/.
    from generator.config import load_config
    from generator.content.sources import discover

    (tmp_path / "site.yaml").write_text("title: T\nbase_url: https://example.org/\nlanguage: en\n")
    articles = tmp_path / "content" / "articles"
    for name in ("a-b-x.md", "a-b/inner.md", "a-b/A/deep.md", "a.md", "A.md", "a_b.md", ".hidden.md", ".dot/x.md", "b.md"):
        (articles / name).parent.mkdir(parents=True, exist_ok=True)
        (articles / name).write_text("---\ntitle: T\n---\nText.\n")
    config, _ = load_config(tmp_path / "site.yaml")
    sources, problems = discover(config)
    listed = [f.path for f in sources.files] + [p.path for p in problems if "sub-folders" in p.message]
    expected = sorted(articles / name for name in ("a-b-x.md", "a-b/inner.md", "a-b/A/deep.md", "a.md", "A.md", "a_b.md", "b.md"))
    assert sorted(listed) == expected
    assert [p.path for p in problems if "sub-folders" in p.message] == [articles / "a-b/A/deep.md", articles / "a-b/inner.md"]
    assert [f.path.name for f in sources.files] == ["A.md", "a-b-x.md", "a.md", "a_b.md", "b.md"]


@pytest.mark.parametrize("hashes", [{}, {"index.html": "ab"}, {"é/ü.html": "1", 'z"q\\.html': "2", "a": "3", "\u2028x": "4"}])
def test_build_manifest_is_the_json_it_always_was(hashes):
    # Written line by line for speed; readers (chorus diff, deploy scripts) parse it as JSON.
    import json

    from generator import __version__
    from generator.output.manifest import manifest_output

    document = {"generator": f"chorus {__version__}", "files": dict(sorted(hashes.items()))}
    assert manifest_output(hashes).data.decode() == json.dumps(document, indent=1, sort_keys=True) + "\n"
    assert json.loads(manifest_output(hashes).data)["files"] == hashes


@pytest.mark.parametrize("card", [
    '<a href="{{ href }}">{{ item.title }}</a>',  # the usual card: made once, the link put in per page
    '<a href="{{ href }}">{{ item.title }}</a> <a href="{{ href }}#more">more</a>',  # the link twice
    '<a href="{{ href | upper }}">{{ item.title }}</a>',  # does more with the link than show it
    '<a href="/x/">{{ item.title }}</a>',  # no link at all
])
def test_saved_cards_are_the_macro_own_markup_for_every_link(card):
    import jinja2

    from generator.output.render import LINK, CardCache

    env = jinja2.Environment(autoescape=True)
    macro = env.from_string("{% macro card(item, heading, href) %}<" + "{{ heading }}>" + card
                            + "</{{ heading }}>{% endmacro %}").module.card

    class Item:
        def __init__(self, url, title):
            self.url, self.title = url, title

    items = [Item(f"/articles/a{n}/", f"Title {n} & <b>") for n in range(12)] + [Item("/articles/odd/", f"Has {LINK} in it")]
    reuse = CardCache()
    for depth in ("", "../", "../../../", 'q"<&'):
        for heading in ("h2", "h3"):
            for item in items:
                href = depth + item.url.strip("/") + "/"
                assert reuse.card(macro, item, heading, href) == macro(item, heading, href)
