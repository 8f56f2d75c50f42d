"""Search in every script: Chinese and Japanese words inside sentences, Korean words with their
particles, word forms through Snowball stemmers in the item's language, and the language filter.

The stemmers the search page runs are translated at build time from the Python ones the index
uses; the first tests check that both give the same stems on a word list per language
(tests/data/stems/), and that search.js tokenises every script as generator/search/text.py
does. The browser tests open a small site in eight languages from file://, typing as a reader does."""

import json
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from generator import search
from generator.search import stemming
from generator.search import text as search_text
from tests.conftest import MINIMAL_SITE_YAML, PROJECT, build_site, write_tree

NODE = "/usr/bin/node"
SEARCH_JS = PROJECT / "templates/static/search.js"
WORD_LISTS = PROJECT / "tests/data/stems"


def word_list(name: str) -> list[str]:
    lines = (WORD_LISTS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_every_language_snowball_stems_has_a_word_list():
    assert sorted(p.stem for p in WORD_LISTS.glob("*.txt")) == sorted(set(stemming.ALGORITHMS.values()))
    assert all(len(word_list(name)) >= 100 for name in set(stemming.ALGORITHMS.values()))


@pytest.fixture(scope="module")
def stem_scripts(tmp_path_factory):
    """Every stemmer's script, as a build writes it under search/stem/."""
    folder = tmp_path_factory.mktemp("stem")
    (folder / "base.js").write_bytes(stemming.base_javascript())
    for name in set(stemming.ALGORITHMS.values()):
        (folder / f"{name}.js").write_bytes(stemming.javascript(name))
    return folder


def run_node(program: str, data) -> object:
    done = subprocess.run([NODE, "-e", program], input=json.dumps(data), capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def js_stems(folder: Path, words: dict[str, list[str]]) -> dict[str, list]:
    """Per algorithm: [raw stem, stem term] of each word, from the scripts the search page loads."""
    program = f"""
const shards = {{}};
global.window = global;
global.__chorusShard = (id, make) => {{ shards[id] = make; }};
const s = require({json.dumps(str(SEARCH_JS))});
require({json.dumps(str(folder / "base.js"))});
const base = shards["stem/base"]();
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = {{}};
for (const [name, words] of Object.entries(input)) {{
  require({json.dumps(str(folder))} + "/" + name + ".js");
  const stemmer = new (shards["stem/" + name](base))();
  out[name] = words.map(w => {{ let raw; try {{ raw = stemmer.stemWord(w); }} catch (e) {{ raw = null; }}
                                return [raw, s.stemTerm(w, stemmer)]; }});
}}
console.log(JSON.stringify(out));
"""
    return run_node(program, words)


def test_the_search_pages_stemmers_give_the_index_stems_in_every_language(stem_scripts):
    """A word form the two sides stem differently is silently never found."""
    names = sorted(set(stemming.ALGORITHMS.values()))
    words = {name: word_list(name) for name in names}
    from_js = js_stems(stem_scripts, words)
    for name in names:
        from_python = [[stemming.stem(w, name), search.stem_term(w, name)] for w in words[name]]
        different = [(w, py, js) for w, py, js in zip(words[name], from_python, from_js[name]) if py != js]
        assert not different, (name, different[:5])
        assert sum(py[0] != w for w, py in zip(words[name], from_python)) >= 10, name  # the list holds word forms


@pytest.mark.parametrize("name, word, stem", [
    ("english", "testimonies", "testimoni!"), ("english", "testimony", "testimoni!"), ("english", "harassed", "harass!"),
    ("spanish", "acosadas", "acos!"), ("spanish", "acoso", "acos!"), ("french", "témoignages", "temoignag!"),
    ("german", "Belästigungen".lower(), "belast!"), ("swedish", "trakasserier", "trakasseri!"),
])
def test_word_forms_share_a_stem(name, word, stem):
    assert search.stem_term(word, name) == stem


def test_the_scripts_carry_the_snowball_licence(stem_scripts):
    for path in (stem_scripts / "base.js", stem_scripts / "english.js"):
        head = path.read_text()[:3000]
        assert "Copyright (c) 2001, Dr Martin Porter" in head and "Neither the name of the Snowball project" in head
        assert f"snowballstemmer {stemming.version()}" in head


TEXTS = ["那年我也是受害者", "受害者", "米", "#米兔：中国高校的第一封公开信", "MeToo运动在中国", "伊藤詩織さん、民事訴訟で勝訴",
         "ジャーナリストの伊藤詩織さん", "ｶﾞｲﾄﾞ ガイド カイト", "シ\u3099ャーナリスト", "서지현 검사는 검찰 내부 통신망에",
         "검사가 검사는 검사에게", "\u1100\u1161\u11a8 ㄱㅏ", "مصر: حساب على إنستغرام يجمع شهادات طالبات", "الاعْتِداءات",
         "भारत में #MeToo: आरोपों के बाद मंत्री का इस्तीफ़ा", "महिलाएँ अपने अनुभव", "Crème brûlée, naïve Straße",
         "𠀀𠀁𠀂 ext-B", "日本語" * 30, "Ελληνικά κείμενα", "x² ½ snake_case", "தமிழ் மொழி", ""]


def test_javascript_tokenises_every_script_as_python():
    program = (f"const s = require({json.dumps(str(SEARCH_JS))});"
               "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
               "console.log(JSON.stringify(input.map(t => [s.normalise(t), s.tokens(t), s.queryWords(t), s.originalWords(t)])));")
    from_js = run_node(program, TEXTS)
    for text, js in zip(TEXTS, from_js):
        assert js == [search_text.normalise(text), search_text.tokens(text), search_text.query_words(text), search._original_words(text)], text


# --- a small archive in eight languages, searched from file:// --------------------------------------

def article(title, date, language, summary, body, source="Daily Paper"):
    return f"""---
title: "{title}"
date: {date}
source: "{source}"
language: {language}
tags: [origins]
summary: "{summary}"
---

{body}
"""


FILES = {
    "content/tags.yaml": 'origins: {label: "Origins"}\n',
    "content/articles/zh.md": article("那年的公开信", "2018-01-01", "zh", "一封公开信。", "那年我也是受害者。后来她写了公开信。"),
    # 受害 and 害者 apart: found, but after the item where they make the word
    "content/articles/zh-apart.md": article("另一封信", "2018-02-01", "zh", "另一封信。", "受害人没有说话。加害者否认。"),
    "content/articles/ja.md": article("伊藤さんの勝訴", "2019-12-18", "ja", "民事訴訟。", "ジャーナリストは被害者への中傷に反論した。"),
    "content/articles/ko.md": article("검사의 인터뷰", "2018-01-29", "ko", "현직 검사가 밝혔다.", "서지현 검사는 방송에 출연했다. 선배 검사에게 당했다고 말했다."),
    "content/articles/fr.md": article("La parole se libère", "2017-10-16", "fr", "Des témoignages.",
                                      "Des milliers de témoignages sur le harcèlement au travail."),
    "content/articles/es.md": article("Contra el acoso", "2018-04-27", "es", "Una ley.", "Una ley contra el acoso en el trabajo."),
    "content/articles/ar.md": article("شهادات طالبات", "2020-07-04", "ar", "حساب على إنستغرام.", "نشر حساب شهادات مجهولة الهوية."),
    "content/articles/en-exact.md": article("Court hears testimony", "2019-03-01", "en", "A day in court.",
                                            "The jury heard testimony from a former assistant."),
    "content/articles/en-form.md": article("Readers send their testimonies", "2019-03-02", "en", "Letters arrive.",
                                           "Hundreds of testimonies reached the paper in a week."),
}


@pytest.fixture(scope="module")
def languages_site(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("languages-site"), {"site.yaml": MINIMAL_SITE_YAML, **FILES})
    report = build_site(root, root / "_out", profile="offline")
    assert not report.errors, [d.format() for d in report.errors]
    return root / "_out"


def open_search(page, site, query=""):
    page.set_default_timeout(10_000)
    page.goto((site / "search/index.html").as_uri() + query)
    page.wait_for_selector("#search[data-state=ready]")


def type_query(page, words):
    """Real key events into the search box, as a reader types (an input method commits CJK text)."""
    box = page.locator("#search-q")
    box.fill("")
    box.press_sequentially(words, delay=15)
    box.press("Enter")
    page.wait_for_function("w => document.getElementById('search').getAttribute('data-state') === 'ready' &&"
                           " document.getElementById('search-status').textContent.includes('“' + w + '”')", arg=words)


def wait_for_status(page, start):
    page.wait_for_function("s => document.getElementById('search').getAttribute('data-state') === 'ready' &&"
                           " document.getElementById('search-status').textContent.startsWith(s)", arg=start)


def results(page):
    return page.eval_on_selector_all("#search-results > li > article", """cards => cards.map(card => ({
        title: card.querySelector('.card-title').textContent,
        titleLang: card.querySelector('.card-title').getAttribute('lang'),
        titleDir: card.querySelector('.card-title').getAttribute('dir'),
        articleLang: card.getAttribute('lang'),
        excerptLang: card.querySelector('.search-excerpt') ? card.querySelector('.search-excerpt').getAttribute('lang') : null,
        language: card.querySelector('.result-language') ? card.querySelector('.result-language').textContent : null,
        marks: Array.from(card.querySelectorAll('mark')).map(m => m.textContent)}))""")


def titles(page):
    return [r["title"] for r in results(page)]


def test_a_chinese_word_inside_a_sentence_is_found_first_where_its_characters_make_it(page, languages_site):
    open_search(page, languages_site)
    type_query(page, "受害者")
    found = results(page)
    assert [r["title"] for r in found] == ["那年的公开信", "另一封信"]  # the second holds 受害 and 害者 apart
    assert "受害者" in found[0]["marks"]  # the word marked whole, not its bigrams apart
    type_query(page, "信")  # one character: the start of its bigrams, and the last of a run
    assert set(titles(page)) == {"那年的公开信", "另一封信"}


def test_a_japanese_word_in_kanji_and_in_katakana(page, languages_site):
    open_search(page, languages_site)
    type_query(page, "被害者")
    assert titles(page) == ["伊藤さんの勝訴"]
    type_query(page, "ジャーナリスト")
    assert titles(page) == ["伊藤さんの勝訴"]
    assert "ジャーナリスト" in results(page)[0]["marks"]
    type_query(page, "シャーナリスト")  # a voiced kana is another letter
    assert titles(page) == []


def test_a_korean_word_finds_it_with_its_particles(page, languages_site):
    open_search(page, languages_site)
    type_query(page, "검사")
    found = results(page)
    assert [r["title"] for r in found] == ["검사의 인터뷰"]
    assert found[0]["marks"] == ["검사의", "검사는", "검사에게"]  # the title, then the text


def test_a_french_word_typed_without_its_accents_is_found(page, languages_site):
    open_search(page, languages_site)
    type_query(page, "harcelement")
    found = results(page)
    assert [r["title"] for r in found] == ["La parole se libère"]
    assert found[0]["marks"] == ["harcèlement"]
    type_query(page, "temoignage")  # another form of "témoignages", without accents
    assert titles(page) == ["La parole se libère"]


def test_other_forms_of_a_word_are_found_and_the_form_typed_ranks_first(page, languages_site):
    open_search(page, languages_site)
    type_query(page, "testimony")
    assert titles(page) == ["Court hears testimony", "Readers send their testimonies"]
    assert results(page)[1]["marks"] == ["testimonies", "testimonies"]  # the other form marked too
    type_query(page, "testimonies")
    assert titles(page) == ["Readers send their testimonies", "Court hears testimony"]
    type_query(page, "acosadas")  # Spanish: another form of "acoso"
    assert titles(page) == ["Contra el acoso"]


def test_results_in_another_language_carry_it_and_name_it(page, languages_site):
    open_search(page, languages_site)
    type_query(page, "harcelement")
    french = results(page)[0]
    assert (french["titleLang"], french["excerptLang"], french["language"]) == ("fr", "fr", "French")
    assert french["articleLang"] is None  # the card's own words (kind, date, language) are the page's
    type_query(page, "شهادات")
    arabic = results(page)[0]
    assert (arabic["titleLang"], arabic["titleDir"], arabic["language"]) == ("ar", "rtl", "Arabic")
    type_query(page, "testimony")
    assert [r["language"] for r in results(page)] == [None, None]  # the site's language needs no label


def test_the_language_filter_counts_narrows_and_lives_in_the_address(page, languages_site):
    open_search(page, languages_site, "?kind=article")
    options = page.locator("#search-lang option").all_inner_texts()
    assert options[:2] == ["Any", "English (2)"]
    assert set(options[2:]) == {"Arabic · العربية (1)", "Chinese · 中文 (2)", "French · Français (1)", "Japanese · 日本語 (1)",
                                "Korean · 한국어 (1)", "Spanish · Español (1)"}
    assert page.locator("#search-lang").is_visible()
    page.locator("#search-lang").select_option("zh")
    wait_for_status(page, "2 results")
    assert set(titles(page)) == {"那年的公开信", "另一封信"}
    assert parse_qs(urlsplit(page.url).query) == {"kind": ["article"], "lang": ["zh"]}
    assert page.locator("#search-kind option").all_inner_texts() == ["Any", "Articles (2)", "Testimonies (0)"]
    page.go_back()
    wait_for_status(page, "9 results")
    assert page.input_value("#search-lang") == ""
    page.go_forward()
    wait_for_status(page, "2 results")
    assert page.input_value("#search-lang") == "zh"
    open_search(page, languages_site, "?lang=fr")  # the language alone browses its items
    wait_for_status(page, "1 result.")
    assert titles(page) == ["La parole se libère"]
    # From the address alone, with words: counts of the words' results in each language.
    open_search(page, languages_site, "?q=testimony&lang=en")
    assert page.input_value("#search-lang") == "en"
    assert titles(page) == ["Court hears testimony", "Readers send their testimonies"]
    assert "English (2)" in page.locator("#search-lang option").all_inner_texts()


def test_one_language_needs_no_language_filter(page, tmp_path):
    root = write_tree(tmp_path, {"site.yaml": MINIMAL_SITE_YAML, "content/tags.yaml": FILES["content/tags.yaml"],
                                 "content/articles/a.md": FILES["content/articles/en-exact.md"]})
    assert not build_site(root, root / "_out", profile="offline").errors
    open_search(page, root / "_out", "?q=testimony")
    assert titles(page) == ["Court hears testimony"]
    assert not page.locator("#search-lang").is_visible() and not page.locator("label[for=search-lang]").is_visible()
    # Only the stemmers of the items' languages are shipped.
    assert sorted(p.name for p in (root / "_out/search/stem").iterdir()) == ["base.js", "english.js"]


def loaded_stemmers(page):
    sources = page.evaluate("Array.from(document.scripts).map(s => s.getAttribute('src'))")
    return sorted(s for s in sources if s and s.startswith("stem/"))


def test_a_search_loads_the_stemmers_of_the_scripts_it_is_typed_in(page, languages_site):
    """Every language of the archive could hold a form of the reader's word, but only those written
    in the word's script: an English word is no Arabic word, and Chinese is not stemmed at all."""
    open_search(page, languages_site, "?q=受害者")
    assert titles(page)[0] == "那年的公开信" and loaded_stemmers(page) == []
    type_query(page, "testimony")
    assert loaded_stemmers(page) == ["stem/base.js", "stem/english.js", "stem/french.js", "stem/spanish.js"]
    type_query(page, "شهادات")
    assert "stem/arabic.js" in loaded_stemmers(page)
    open_search(page, languages_site, "?q=acosadas&lang=es")  # the language chosen: its stemmer alone
    assert titles(page) == ["Contra el acoso"] and loaded_stemmers(page) == ["stem/base.js", "stem/spanish.js"]
