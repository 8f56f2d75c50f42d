"""Addresses to links: relative on the web, file-named in the offline bundle."""


import pytest

from generator.core.urls import localise_links, output_file, relative_link


def _reference_link(target: str, page: str, offline: bool) -> str:
    """The plain posixpath way, kept here to check the fast one against."""
    import posixpath

    path, hash_mark, fragment = target.partition("#")
    page_dir = page if page.endswith("/") else posixpath.dirname(page) + "/"
    link = posixpath.relpath(path, page_dir)
    if path.endswith("/"):
        link = ("index.html" if offline else "./") if link == "." else link + "/" + ("index.html" if offline else "")
    return link + hash_mark + fragment


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
