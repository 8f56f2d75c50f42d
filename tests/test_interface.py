"""The interface in the site's language: every stock template word through a catalogue, dates from
CLDR, English (with a warning) where there is no catalogue, and right-to-left where the language is."""

from __future__ import annotations

import html
import re
import subprocess

import pytest
from babel.messages.pofile import read_po

from tests.conftest import PROJECT, build_site

LOCALE = PROJECT / "templates" / "locale"
LANGUAGES = ("fr", "es", "de")


def catalogue(name: str):
    with open(LOCALE / name, "rb") as handle:
        return read_po(handle)


def test_the_catalogue_template_holds_every_word_of_the_stock_templates(tmp_path):
    """chorus.pot is what `make catalogues` extracts from the templates now: nothing added is missed."""
    fresh = tmp_path / "chorus.pot"
    subprocess.run([str(PROJECT / ".venv/bin/pybabel"), "extract", "-F", "babel.cfg", "--no-location",
                    "--sort-output", "--omit-header", "-o", str(fresh), "."], cwd=PROJECT, check=True,
                   capture_output=True)
    ids = lambda cat: {m.id if isinstance(m.id, str) else tuple(m.id) for m in cat if m.id}  # noqa: E731
    with open(fresh, "rb") as handle:
        assert ids(read_po(handle)) == ids(catalogue("chorus.pot")), "run `make catalogues` and translate the new words"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_has_its_translation(language):
    words = catalogue(f"{language}.po")
    template = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue("chorus.pot") if m.id}
    translated = {m.id if isinstance(m.id, str) else tuple(m.id): m.string for m in words if m.id}
    assert template <= translated.keys()
    missing = [key for key in template
               if not (translated[key] if isinstance(translated[key], str) else all(translated[key]))]
    assert missing == []
    for message in words:  # every placeholder of a word is kept in its translation
        if message.id:
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            wanted = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
            assert all(set(re.findall(r"%\(\w+\)[sd]", s)) == wanted for s in strings), message.id


FRENCH_SITE = """\
title: "Archive d'essai"
description: "Une petite archive pour les tests."
base_url: https://example.org/
language: fr
items_per_page: 2
content_warnings:
  harcelement: "Harcèlement"
"""
ARTICLE = ("---\ntitle: \"Titre {n}\"\ndate: 2017-10-1{n}\nsource: \"Le Journal\"\nsource_url: https://journal.example/{n}\n"
           "authors: [\"Une Autrice\"]\ntags: [origines]\nsummary: \"Résumé {n}.\"\n{extra}---\n\nTexte de l'article {n}.\n")
TESTIMONY = ("---\ntitle: \"Récit {n}\"\ndate: 2018-0{n}\npseudonym: \"Une infirmière\"\nregion: \"France\"\ntags: [origines]\n"
             "content_warnings: [harcelement]\nsummary: \"Un résumé.\"\neditor_note: \"Relu deux fois.\"\n"
             "consent: {{status: granted, recorded: 2018-04-01}}\n---\n\nCe qui m'est arrivé.\n")


@pytest.fixture
def french_site(site_tree, tmp_path):
    root = site_tree({"content/tags.yaml": "origines: {label: \"Origines\", description: \"Les débuts.\"}\n",
                      **{f"content/articles/a{n}.md": ARTICLE.format(n=n, extra="featured: true\n" if n == 1 else "")
                         for n in range(1, 4)},
                      **{f"content/testimonies/t00{n}.md": TESTIMONY.format(n=n) for n in range(1, 4)},
                      "content/pages/a-propos.md": "---\ntitle: \"À propos\"\nmenu: 1\n---\n\nQui nous sommes.\n"},
                     site_yaml=FRENCH_SITE)
    report = build_site(root, tmp_path / "out")
    assert not report.errors and not report.warnings, [d.format() for d in report.diagnostics]
    return tmp_path / "out"


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    attributes = " ".join(re.findall(r'(?:aria-label|title|placeholder|data-says|data-one|data-many)="([^"]*)"', page))
    text = html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + attributes)
    return re.sub(r"https?://\S+", " ", text)  # addresses (the citation's permalink) are not words


def test_a_french_site_shows_no_english_interface_word(french_site):
    french = catalogue("fr.po")
    english = []
    for message in french:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for source, translated in zip(ids, strings):
            if source == translated:
                continue  # the same word in both languages (Article, Source)
            english += [fragment.strip() for fragment in re.split(r"%\(\w+\)[sd]", source)
                        if len(fragment.strip()) >= 4 and fragment.strip() not in translated]
    pages = {p.relative_to(french_site).as_posix(): visible_text(p.read_text(encoding="utf-8"))
             for p in french_site.rglob("*.html")}
    assert len(pages) > 10
    found = sorted({(name, word) for name, text in pages.items() for word in english
                    if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)})
    assert found == [], found[:20]


def test_a_french_site_speaks_french_and_dates_in_french(french_site):
    home = (french_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in home and "Quitter ce site" in home and "3 articles et 3 témoignages." in home
    article = (french_site / "articles/a1/index.html").read_text(encoding="utf-8")
    assert "11 octobre 2017" in article and "Lire l’original :" in article
    testimony = (french_site / "testimonies/t003/index.html").read_text(encoding="utf-8")
    assert "mars 2018" in testimony and "Afficher le témoignage" in testimony and "Masquer le témoignage" in testimony
    assert "Mars 2018" in (french_site / "timeline/index.html").read_text(encoding="utf-8") or \
        "mars 2018" in (french_site / "timeline/index.html").read_text(encoding="utf-8")


def test_a_language_without_a_catalogue_is_english_with_a_warning(site_tree, tmp_path):
    site_yaml = "title: Arkiv\nbase_url: https://example.org/\nlanguage: sv\n"
    root = site_tree({"content/articles/a.md": "---\ntitle: A\ndate: 2017-10-15\nsource: P\n---\n\nText.\n"},
                     site_yaml=site_yaml)
    report = build_site(root, tmp_path / "out")
    assert [d.format() for d in report.warnings] == [
        "site.yaml: warning: there is no interface catalogue for language 'sv': the interface (buttons, labels, "
        "headings) is in English; add templates/locale/sv.po (README, 'Interface languages')"]
    page = (tmp_path / "out/articles/a/index.html").read_text()
    assert "Leave this site" in page and "15 oktober 2017" in page  # the date still in Swedish (CLDR)


def test_a_right_to_left_interface_is_mirrored(site_tree, tmp_path):
    root = site_tree({"content/articles/a.md": "---\ntitle: A\ndate: 2017-10-15\nsource: P\n---\n\nنص.\n"},
                     site_yaml="title: T\nbase_url: https://example.org/\nlanguage: ar\n")
    build_site(root, tmp_path / "out")
    assert '<html lang="ar" dir="rtl">' in (tmp_path / "out/index.html").read_text()
    css = (PROJECT / "templates/static/style.css").read_text()
    assert not re.search(r"(?<![\w-])(left|right)\s*:|(margin|padding|border)-(left|right)|text-align:\s*(left|right)", css), \
        "the style sheet uses logical properties (inline-start/end), so a right-to-left page is mirrored"
