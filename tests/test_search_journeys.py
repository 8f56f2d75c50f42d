"""Readers' journeys on the search page, in real headless Chromium with real key events: the demo
archive from file:// (the offline profile) and over HTTP, and a small site whose card fields each
hold words found nowhere else."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import MINIMAL_SITE_YAML, PROJECT, build_site, write_tree


@pytest.fixture(scope="module")
def offline_demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("offline-demo-search") / "site"
    report = build_site(PROJECT, out, profile="offline")
    assert not report.errors, [d.format() for d in report.errors]
    return out


@pytest.fixture(params=["file", "http"])
def demo_search(request, offline_demo, demo_site, serve_dir):
    """The demo archive's search page: opened from disk (offline profile) or served (web profile)."""
    if request.param == "file":
        return (offline_demo / "search/index.html").as_uri()
    return serve_dir(demo_site) + "search/"


def open_search(page, base, query=""):
    page.set_default_timeout(10_000)
    page.goto(base + query)
    page.wait_for_selector("#search[data-state=ready]")


def wait_for_status(page, pattern):
    page.wait_for_function("re => document.getElementById('search').getAttribute('data-state') === 'ready' &&"
                           " new RegExp(re).test(document.getElementById('search-status').textContent)", arg=pattern)
    return page.inner_text("#search-status")


def results(page):
    """Each result as the reader sees it."""
    return page.eval_on_selector_all("#search-results > li > article", """cards => cards.map(card => ({
        meta: card.querySelector('.card-meta').textContent,
        title: card.querySelector('.card-title').textContent,
        warning: card.querySelector('.cw-labels') ? card.querySelector('.cw-labels').textContent : null,
        excerpt: card.querySelector('.search-excerpt') ? card.querySelector('.search-excerpt').textContent : null,
        marks: Array.from(card.querySelectorAll('.search-excerpt mark')).map(m => m.textContent),
        order: Array.from(card.children).map(c => c.className || c.tagName.toLowerCase())}))""")


def titles(page):
    return [r["title"] for r in results(page)]


def query_of(page):
    return parse_qs(urlsplit(page.url).query)


# --- what the cards show is what search finds --------------------------------------------------

@pytest.mark.parametrize("region", ["Mexico", "Ireland", "South Africa", "India"])
def test_a_region_finds_the_testimonies_from_there(page, demo_search, region):
    open_search(page, demo_search, "?q=" + region.replace(" ", "+"))
    found = [r for r in results(page) if r["meta"].startswith("Testimony") and r["meta"].endswith(" · " + region)]
    assert len(found) == 1, results(page)


@pytest.mark.parametrize("query, title", [
    ("Twohey", "The New York Times reveals decades of settlements"),  # an author
    ("Korea Herald", "A prosecutor's televised account ignites South Korea's movement"),  # a source
    ("postgraduate", "Messages late at night from my supervisor"),  # a pseudonym, in no other field
    ("retaliation", "Telling my newsroom, years later"),  # a warning label, in no other field
    ("Justice system", "New York's highest court orders a new Weinstein trial"),  # a tag label
])
def test_card_fields_are_found(page, demo_search, query, title):
    open_search(page, demo_search, "?q=" + query.replace(" ", "+"))
    assert title in titles(page), titles(page)


def test_an_article_result_names_its_source_and_a_testimony_its_region(page, demo_search):
    open_search(page, demo_search, "?q=Kantor")
    assert results(page)[0]["meta"] == "Article · 5 October 2017 · The New York Times"
    open_search(page, demo_search, "?q=Ireland")
    assert results(page)[0]["meta"] == "Testimony · January 2018 · Ireland"
    assert page.locator("#search-results .card-meta mark").all_inner_texts() == ["Ireland"]


# --- excerpts ---------------------------------------------------------------------------------------

def test_the_excerpt_is_the_text_around_the_matched_words_marked(page, demo_search):
    open_search(page, demo_search, "?q=Akbar+resigned")
    first = results(page)[0]
    assert first["title"].startswith("India's #MeToo wave")
    assert {m.lower() for m in first["marks"]} == {"akbar", "resigned"}
    assert first["excerpt"].startswith("…") and len(first["excerpt"]) < 320
    assert "Akbar" in first["excerpt"] and "resigned" in first["excerpt"]


def test_without_a_match_in_the_text_the_excerpt_is_the_summary(page, demo_search):
    open_search(page, demo_search, "?q=retaliation")
    newsroom = next(r for r in results(page) if r["title"] == "Telling my newsroom, years later")
    assert newsroom["excerpt"].startswith("When colleagues began speaking out") and newsroom["marks"] == []


# --- content warnings fold in results as they do on pages ---------------------------------------------

def test_a_warned_result_names_the_warning_first_and_folds_its_excerpt(page, demo_search):
    open_search(page, demo_search, "?q=Mexico")
    result = page.locator("#search-results > li").first
    assert results(page)[0]["order"] == ["card-meta", "card-title", "cw-labels", "cw-fold"]
    assert result.locator(".cw-labels").inner_text() == "Content warning: Child abuse, Sexual assault"
    assert result.locator(".cw-labels .cw").all_inner_texts() == ["Child abuse", "Sexual assault"]
    fold = result.locator("details.cw-fold")
    assert fold.get_attribute("open") is None
    assert not result.locator(".search-excerpt").is_visible()
    assert fold.locator("summary").inner_text() == "Show excerpt"
    fold.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(fold.locator("summary")).to_have_text("Hide excerpt")  # the toggle event comes a moment later
    assert fold.get_attribute("open") is not None and result.locator(".search-excerpt").is_visible()
    assert result.locator(".search-excerpt").inner_text().startswith("As an adult, I finally spoke")
    fold.locator("summary").click()
    expect(fold.locator("summary")).to_have_text("Show excerpt")
    assert not result.locator(".search-excerpt").is_visible()


# --- hiding items by their warnings -----------------------------------------------------------------------

def test_hide_in_the_address_removes_the_item_and_its_counts(page, demo_search):
    open_search(page, demo_search, "?q=India")
    assert wait_for_status(page, "result") == "2 results for “India”."
    open_search(page, demo_search, "?q=India&hide=workplace-retaliation")
    status = wait_for_status(page, "result")
    assert status == "1 result for “India”. 1 item is hidden because of the warnings you chose to hide."
    assert [r["meta"].split(" · ")[0] for r in results(page)] == ["Article"]
    assert page.locator("#search-kind option").all_inner_texts() == ["Any", "Articles (1)", "Testimonies (0)"]
    assert page.is_checked("input[name=hide][value=workplace-retaliation]")
    assert not page.is_checked("input[name=hide][value=child-abuse]")


def test_the_preference_in_session_storage_hides_without_the_address(page, demo_search):
    page.add_init_script("sessionStorage.setItem('chorus-hide', JSON.stringify(['workplace-retaliation']))"
                         " ; window.__setByTest = true;")
    open_search(page, demo_search, "?q=India")
    assert wait_for_status(page, "result").startswith("1 result for “India”.")
    assert "hide" not in query_of(page)
    assert page.is_checked("input[name=hide][value=workplace-retaliation]")
    assert page.evaluate("localStorage.getItem('chorus-hide')") is None  # never written unasked


def test_changing_the_hide_boxes_updates_the_address_and_the_preference(page, demo_search):
    open_search(page, demo_search, "?q=India")
    before = page.evaluate("history.length")
    assert page.evaluate("sessionStorage.getItem('chorus-hide')") is None  # loading wrote nothing
    page.check("input[name=hide][value=workplace-retaliation]")
    assert wait_for_status(page, "^1 result").startswith("1 result for “India”.")
    assert query_of(page) == {"q": ["India"], "hide": ["workplace-retaliation"]}
    assert json.loads(page.evaluate("sessionStorage.getItem('chorus-hide')")) == ["workplace-retaliation"]
    page.uncheck("input[name=hide][value=workplace-retaliation]")
    assert wait_for_status(page, "^2 results") == "2 results for “India”."
    assert query_of(page) == {"q": ["India"]}
    assert page.evaluate("sessionStorage.getItem('chorus-hide')") is None  # nothing left behind in the tab
    assert page.evaluate("history.length") == before  # the address is replaced, not added to
    assert page.evaluate("localStorage.getItem('chorus-hide')") is None


def test_a_reader_who_chose_to_be_remembered_keeps_the_preference_in_local_storage(page, demo_search):
    page.add_init_script("localStorage.setItem('chorus-remember', '1');"
                         "if (!sessionStorage.getItem('test-started')) { sessionStorage.setItem('test-started', '1');"
                         " localStorage.setItem('chorus-hide', JSON.stringify(['child-abuse'])); }")
    open_search(page, demo_search, "?q=Mexico")
    assert wait_for_status(page, "result").startswith("No results for “Mexico”. 1 item is hidden because")
    page.uncheck("input[name=hide][value=child-abuse]")
    wait_for_status(page, "^1 result")
    assert json.loads(page.evaluate("localStorage.getItem('chorus-hide')")) == []
    assert page.evaluate("sessionStorage.getItem('chorus-hide')") is None


def test_storage_that_throws_does_not_stop_the_search(browser, offline_demo):
    context = browser.new_context()
    tab = context.new_page()
    tab.add_init_script("""for (const name of ['localStorage', 'sessionStorage']) {
        Object.defineProperty(window, name, {get() { throw new DOMException('denied', 'SecurityError'); }}); }""")
    open_search(tab, (offline_demo / "search/index.html").as_uri(), "?q=Mexico")
    assert wait_for_status(tab, "result") == "1 result for “Mexico”."
    tab.check("input[name=hide][value=child-abuse]")
    assert wait_for_status(tab, "^No results").startswith("No results for “Mexico”. 1 item is hidden because")
    context.close()


# --- typing, typos and history ---------------------------------------------------------------------------

@pytest.mark.parametrize("typed, meant, title", [
    ("weinstien", "weinstein", "New York's highest court orders a new Weinstein trial"),
    ("harrassment", "harassment", "US law lets survivors of workplace harassment go to court"),
])
def test_a_typo_suggests_the_word_meant_and_the_suggestion_searches_for_it(page, demo_search, typed, meant, title):
    open_search(page, demo_search)
    page.locator("#search-q").focus()
    page.keyboard.type(typed, delay=90)
    assert wait_for_status(page, f"for “{typed}”. Did you mean") == f"No results for “{typed}”. Did you mean {meant}?"
    before = page.evaluate("history.length")
    page.locator("#search-status a").click()
    wait_for_status(page, f"results? for “{meant}”")
    assert title in titles(page)
    assert page.input_value("#search-q") == meant and query_of(page) == {"q": [meant]}
    assert page.evaluate("history.length") == before + 1


def test_typing_replaces_the_address_and_only_a_submitted_search_adds_to_history(page, demo_search):
    open_search(page, demo_search)
    start = page.evaluate("history.length")
    box = page.locator("#search-q")
    box.focus()
    page.keyboard.type("new york times settlements", delay=90)
    wait_for_status(page, "for “new york times settlements”")
    assert page.evaluate("history.length") == start and query_of(page) == {"q": ["new york times settlements"]}
    page.keyboard.press("Enter")
    wait_for_status(page, "for “new york times settlements”")
    assert page.evaluate("history.length") == start + 1
    page.keyboard.press("Enter")  # the same search again adds nothing
    page.keyboard.press("Control+A")
    page.keyboard.type("silence breakers person of the year", delay=90)
    wait_for_status(page, "for “silence breakers person of the year”")
    assert page.evaluate("history.length") == start + 1
    page.locator(".search-form button[type=submit]").click()
    wait_for_status(page, "for “silence breakers person of the year”")
    assert page.evaluate("history.length") == start + 2
    page.go_back()
    wait_for_status(page, "for “new york times settlements”")
    assert page.input_value("#search-q") == "new york times settlements"
    page.go_back()
    wait_for_status(page, "^Type words")
    assert page.input_value("#search-q") == ""


def test_hashtags_typed_with_real_keys_find_their_items(page, demo_search):
    open_search(page, demo_search)
    page.locator("#search-q").focus()
    page.keyboard.type("#MeToo #BalanceTonPorc", delay=90)
    wait_for_status(page, "for “#MeToo #BalanceTonPorc”")
    assert titles(page)[0] == "#BalanceTonPorc and the hashtags of Europe"
    assert "BalanceTonPorc" in page.locator("#search-results .card-title mark").all_inner_texts()


def test_a_link_with_q_puts_the_words_in_the_focused_search_box(page, demo_search):
    open_search(page, demo_search, "?q=Weinstein")
    assert page.evaluate("document.activeElement.id") == "search-q"
    assert page.input_value("#search-q") == "Weinstein"
    assert page.locator("#search-q").count() == 1 and page.locator("#search input[type=search]").count() == 1


def test_hide_boxes_keep_their_labels_beside_them_on_a_narrow_phone(browser, offline_demo):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    tab = context.new_page()
    open_search(tab, (offline_demo / "search/index.html").as_uri())
    assert tab.locator(".search-hide legend").inner_text() == "Hide items with these warnings"
    options = tab.locator(".search-hide-option")
    assert options.count() == 6
    for n in range(options.count()):
        box = options.nth(n).locator("input").bounding_box()
        words = options.nth(n).locator("span").evaluate("s => { const r = s.getClientRects()[0]; return {x: r.left, y: r.top, bottom: r.bottom}; }")
        assert words["x"] > box["x"] + box["width"] - 1, n  # beside the box, not under it
        assert words["y"] <= box["y"] + box["height"] / 2 <= words["bottom"], n
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


# --- a small site: one word per card field, hostile text, warnings not folded ----------------------------

FIELD_SITE_YAML = MINIMAL_SITE_YAML.replace("content_warnings:\n  harassment: Harassment\n",
                                            "content_warnings:\n  child-abuse: Child abuse\n  self-harm: Self-harm\n")
FIELD_FILES = {
    "content/tags.yaml": 'lighthouses: {label: "Lighthouse keeping"}\n',
    "content/articles/gazette.md": """\
        ---
        title: "A report on harbours"
        date: 2019-05-04
        source: "Zanzibar Gazette"
        authors: ["Quillon Marsh"]
        tags: [lighthouses]
        content_warnings: [child-abuse]
        summary: "Ships and storms."
        ---

        The text mentions none of the card's words. Write `<img src=x onerror=alert(1)>` to test a page.
        """,
    "content/testimonies/keeper.md": """\
        ---
        date: 2019-06
        pseudonym: "A beekeeper"
        region: "Tasmania"
        content_warnings: [self-harm]
        summary: "About the hives."
        consent: {status: granted, recorded: 2019-06-20}
        ---

        Every spring the bees came back.
        """,
}


@pytest.fixture(scope="module", params=["folded", "unfolded"])
def field_site(request, tmp_path_factory):
    site_yaml = FIELD_SITE_YAML + ("fold_content_warnings: false\n" if request.param == "unfolded" else "")
    root = write_tree(tmp_path_factory.mktemp("field-site"), {"site.yaml": site_yaml, **FIELD_FILES})
    report = build_site(root, root / "_out", profile="offline")
    assert not report.errors, [d.format() for d in report.errors]
    return request.param, (root / "_out/search/index.html").as_uri()


@pytest.mark.parametrize("query, title", [
    ("Zanzibar", "A report on harbours"), ("Quillon", "A report on harbours"), ("Lighthouse", "A report on harbours"),
    ("child abuse", "A report on harbours"), ("beekeeper", "A beekeeper, June 2019"), ("Tasmania", "A beekeeper, June 2019"),
    ("self-harm", "A beekeeper, June 2019"),
])
def test_each_card_field_alone_finds_its_item(page, field_site, query, title):
    _folding, url = field_site
    open_search(page, url, "?q=" + query.replace(" ", "+"))
    assert titles(page) == [title]


def test_excerpts_are_text_however_the_text_looks(page, field_site):
    folding, url = field_site
    open_search(page, url, "?q=onerror")
    first = results(page)[0]
    assert "<img src=x onerror=alert(1)>" in first["excerpt"] and first["marks"] == ["onerror"]
    assert page.locator("#search-results img").count() == 0
    if folding == "unfolded":  # fold_content_warnings: false shows it at once, the warning still first
        assert first["order"] == ["card-meta", "card-title", "cw-labels", "card-summary search-excerpt"]
        assert page.locator("#search-results details").count() == 0
        assert page.locator("#search-results .search-excerpt").is_visible()
    else:
        assert first["order"] == ["card-meta", "card-title", "cw-labels", "cw-fold"]
        assert not page.locator("#search-results .search-excerpt").is_visible()
    assert re.fullmatch(r"Content warning: Child abuse", first["warning"])


@pytest.mark.parametrize("query, action", [("?q=Mexico", "open the fold"), ("?q=weinstien", "suggestion"),
                                           ("?q=India&hide=workplace-retaliation", "hidden")])
def test_axe_finds_no_violation_in_results_folds_suggestions_and_hiding(browser, demo_site, serve_dir, query, action):
    from tests.test_reader import AXE, axe_violations, need

    need(AXE, "axe-core")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    tab = context.new_page()
    open_search(tab, serve_dir(demo_site) + "search/", query)
    if action == "open the fold":
        tab.locator("#search-results details.cw-fold > summary").first.click()
        expect(tab.locator("#search-results details.cw-fold > summary").first).to_have_text("Hide excerpt")
    assert axe_violations(tab) == []
    context.close()


def test_the_search_page_speaks_the_sites_language(page, tmp_path):
    """Words from the page (the site's catalogue) and dates from CLDR, as the other pages have them."""
    site_yaml = MINIMAL_SITE_YAML.replace("language: en", "language: fr").replace("harassment: Harassment",
                                                                                 "harcelement: Harcèlement")
    root = write_tree(tmp_path, {"site.yaml": site_yaml, "content/tags.yaml": "",
                                 "content/articles/a.md": "---\ntitle: \"Un journal\"\ndate: 2017-10-05\nsource: \"Le Journal\"\n"
                                                         "content_warnings: [harcelement]\n---\n\nLe texte du journal.\n"})
    assert not build_site(root, root / "_out", profile="offline").errors
    open_search(page, (root / "_out/search/index.html").as_uri(), "?q=journal")
    assert wait_for_status(page, "résultat") == "1 résultat pour « journal »."
    first = results(page)[0]
    assert first["meta"] == "Article · 5 octobre 2017 · Le Journal" and first["warning"] == "Avertissement : Harcèlement"
    assert page.locator("#search-results details.cw-fold > summary").inner_text() == "Afficher l’extrait"
    open_search(page, (root / "_out/search/index.html").as_uri(), "?q=jornal")
    assert wait_for_status(page, "journal") == "Aucun résultat pour « jornal ». Vouliez-vous dire journal ?"


# --- the demo archive's languages ----------------------------------------------------------------

@pytest.mark.parametrize("query, title, language", [
    ("검사", "서지현 검사의 방송 인터뷰, 한국 미투 운동의 시작", "Korean"),  # 검사는, 검사에게 in the text
    ("性骚扰", "#米兔：中国高校的第一封公开信", "Chinese"),  # inside a sentence
    ("被害者", "伊藤詩織さん、民事訴訟で勝訴", "Japanese"),
    ("harcelement", "#BalanceTonPorc : la parole se libère en France", "French"),  # typed without accents
])
def test_the_movement_in_its_own_languages_is_found(page, demo_search, query, title, language):
    open_search(page, demo_search, "?q=" + query)
    cards = page.eval_on_selector_all("#search-results > li > article", """cards => cards.map(card => ({
        title: card.querySelector('.card-title').textContent, lang: card.querySelector('.card-title').lang,
        label: card.querySelector('.result-language') ? card.querySelector('.result-language').textContent : null}))""")
    assert cards[0]["title"] == title and cards[0]["label"] == language, cards
    page.select_option("#search-lang", "en")  # the English entries only
    wait_for_status(page, "result")
    assert title not in titles(page) and query_of(page)["lang"] == ["en"]
