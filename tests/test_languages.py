"""Items in any language: lang and dir wherever their text is, translations linked both ways."""

from __future__ import annotations

import re

import pytest

from tests.conftest import build_site

ARTICLE = "---\ntitle: \"{title}\"\ndate: 2017-10-15\nsource: Paper\n{extra}---\n\nText {title}.\n"


def article(title: str, **extra: str) -> str:
    return ARTICLE.format(title=title, extra="".join(f"{key}: {value}\n" for key, value in extra.items()))


def errors_of(root) -> list[str]:
    return [d.format() for d in build_site(root, write=False).errors]


@pytest.mark.parametrize("files, message", [
    ({"b.md": article("B", language="fr", translation_of="nothing")},
     "content/articles/b.md:6: error: translation_of 'nothing': there is no article with that file name"),
    ({"b.md": article("B", language="fr", translation_of="a"), "c.md": article("C", language="de", translation_of="b")},
     "content/articles/c.md:6: error: translation_of 'b' is itself a translation (of 'a'): name the original, "
     "translation_of: a"),
    ({"b.md": article("B", language="fr", translation_of="c"), "c.md": article("C", language="de", translation_of="b")},
     "content/articles/b.md:6: error: translation_of 'c' is itself a translation (of 'b'): name the original, "
     "translation_of: b"),
    ({"b.md": article("B", language="fr", translation_of="a"), "c.md": article("C", language="fr", translation_of="a")},
     "content/articles/c.md:6: error: 'a' already has a translation into fr: content/articles/b.md; keep one"),
    ({"b.md": article("B", translation_of="a")},
     "content/articles/b.md:5: error: 'a' is in the same language (en) as this one: a translation is in another "
     "language (set language:)"),
    ({"b.md": article("B", language="fr", translation_of="b")},
     "content/articles/b.md:6: error: translation_of names this file itself: name the original"),
])
def test_translation_of_is_checked_with_file_and_line(site_tree, files, message):
    root = site_tree({"content/articles/a.md": article("A"), **{f"content/articles/{k}": v for k, v in files.items()}})
    assert message in errors_of(root)


def test_a_translation_must_be_of_the_same_kind(site_tree):
    testimony = ("---\ndate: 2018-03\nlanguage: fr\ntranslation_of: a\n"
                 "consent: {status: granted, recorded: 2018-04-01}\n---\n\nTexte.\n")
    root = site_tree({"content/articles/a.md": article("A"), "content/testimonies/t001.md": testimony})
    assert ("content/testimonies/t001.md:4: error: translation_of 'a': there is no testimony with that file name"
            in errors_of(root))


def test_translations_link_each_other_by_their_own_language_names(site_tree, tmp_path):
    root = site_tree({"content/articles/a.md": article("A"),
                      "content/articles/b.md": article("B", language="fr", translation_of="a"),
                      "content/articles/c.md": article("C", language="ar", translation_of="a")})
    assert not build_site(root, tmp_path / "out").errors
    page = (tmp_path / "out/articles/a/index.html").read_text()
    assert '<a href="../b/" hreflang="fr" lang="fr">Français</a>' in page
    assert '<a href="../c/" hreflang="ar" lang="ar" dir="rtl">العربية</a>' in page
    assert '<link rel="alternate" hreflang="fr" href="https://example.org/articles/b/">' in page
    arabic = (tmp_path / "out/articles/c/index.html").read_text()
    # The page is in the interface's language; the item's own words say theirs.
    assert '<html lang="en">' in arabic and '<h1 lang="ar" dir="rtl">C</h1>' in arabic
    assert '<div class="prose" lang="ar" dir="rtl">' in arabic
    assert '<a href="../a/" hreflang="en" lang="en">English</a>' in arabic
    listing = (tmp_path / "out/articles/index.html").read_text()
    assert re.search(r'<article class="card card-article" lang="ar" dir="rtl"', listing)
    assert re.search(r'<article class="card card-article" lang="fr">', listing)
    sitemap = (tmp_path / "out/sitemap.xml").read_text()
    assert ('<xhtml:link rel="alternate" hreflang="fr" href="https://example.org/articles/b/"/>' in sitemap)
    feed = (tmp_path / "out/feed.xml").read_text()
    assert '<entry xml:lang="ar">' in feed and '<entry xml:lang="fr">' in feed


def test_a_draft_translation_is_not_linked(site_tree, tmp_path):
    root = site_tree({"content/articles/a.md": article("A"),
                      "content/articles/b.md": article("B", language="fr", translation_of="a", draft="true")})
    assert not build_site(root, tmp_path / "out").errors
    assert "hreflang" not in (tmp_path / "out/articles/a/index.html").read_text()


def test_a_translation_and_its_original_alone_link_each_other(site_tree, tmp_path):
    root = site_tree({"content/articles/a.md": article("A"),
                      "content/articles/b.md": article("B", language="fr", translation_of="a")})
    assert not build_site(root, tmp_path / "out").errors
    assert '<a href="../b/" hreflang="fr" lang="fr">Français</a>' in (tmp_path / "out/articles/a/index.html").read_text()
    assert '<a href="../a/" hreflang="en" lang="en">English</a>' in (tmp_path / "out/articles/b/index.html").read_text()


def test_the_timeline_names_its_months_in_the_sites_language(site_tree, tmp_path):
    root = site_tree({"content/articles/a.md": article("A")},
                     site_yaml="title: T\nbase_url: https://example.org/\nlanguage: fr\n")
    assert not build_site(root, tmp_path / "out").errors
    timeline = (tmp_path / "out/timeline/index.html").read_text()
    assert "octobre 2017" in timeline and "October" not in timeline
