"""The search page in real headless Chromium, over http://127.0.0.1 and from file://."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import MINIMAL_SITE_YAML, build_site, write_tree

TAGS_YAML = """\
workplace: {label: "Workplace"}
law: {label: "Law and policy"}
"""


def make_article(title, date, tags, summary, body):
    return f"""---
title: "{title}"
date: {date}
source: "Daily Paper"
tags: [{", ".join(tags)}]
summary: "{summary}"
---

{body}
"""


def make_testimony(pseudonym, date, tags, summary, body):
    return f"""---
date: {date}
pseudonym: "{pseudonym}"
tags: [{", ".join(tags)}]
summary: "{summary}"
consent: {{status: granted, recorded: 2018-01-02}}
---

{body}
"""


FILES = {
    "content/tags.yaml": TAGS_YAML,
    "content/articles/cafe.md": make_article("The café owners speak", "2017-10-20", ["workplace"],
                                        "Owners of a Paris café describe the harassment of waiting staff.",
                                        "A long report about kitchens, tips and late shifts."),
    "content/articles/hashtag.md": make_article("#MeToo spreads in a day", "2017-10-17", ["workplace"],
                                           "Millions of posts used the phrase within a day.",
                                           "People wrote me too under a post. The silence breakers followed."),
    "content/articles/law.md": make_article("A new law on workplace harassment", "2019-06-21", ["law"],
                                       "A convention on violence and harassment at work.",
                                       "Breakers of silence and the law. Governments ratified the convention."),
    "content/testimonies/t1.md": make_testimony("A waiter", "2018-02", ["workplace"],
                                           "Harassment in a restaurant kitchen.",
                                           "The manager made comments every shift. I said me too much later."),
    "content/testimonies/t2.md": make_testimony("A nurse", "2019-03", ["workplace", "law"],
                                           "A hospital that listened.",
                                           "The ward introduced a policy; the silence breakers inspired me."),
}


@pytest.fixture(scope="module")
def search_site(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("search-site"), {"site.yaml": MINIMAL_SITE_YAML, **FILES})
    out = root / "_out"
    report = build_site(root, out)
    assert not report.errors, [d.format() for d in report.errors]
    return out


@pytest.fixture(params=["http", "file"])
def search_url(request, search_site, serve_dir):
    if request.param == "http":
        return serve_dir(search_site) + "search/"
    return (search_site / "search/index.html").as_uri()


def open_search(page, base, query=""):
    page.set_default_timeout(5000)
    page.goto(base + query)
    page.wait_for_selector("#search[data-state=ready]")


def wait_for_status(page, pattern):
    page.wait_for_function("re => new RegExp(re).test(document.getElementById('search-status').textContent)", arg=pattern)
    return page.inner_text("#search-status")


def result_titles(page):
    return page.locator("#search-results .card-title").all_inner_texts()


def test_typing_shows_ranked_results_with_highlighting(page, search_url):
    open_search(page, search_url)
    page.locator("#search-q").press_sequentially("harassment", delay=20)
    status = wait_for_status(page, "^3 results for “harassment”")  # not an earlier, shorter word
    assert status == "3 results for “harassment”."
    titles = result_titles(page)
    assert titles[0] == "A new law on workplace harassment"  # a title match outranks summaries
    assert set(titles) == {"A new law on workplace harassment", "The café owners speak", "A waiter, February 2018"}
    marks = page.locator("#search-results mark").all_inner_texts()
    assert marks and {m.lower() for m in marks} == {"harassment"}
    assert page.get_attribute("#search-status", "aria-live") == "polite"
    assert parse_qs(urlsplit(page.url).query) == {"q": ["harassment"]}


def test_accents_hashtags_and_the_prefix_of_the_last_word(page, search_url):
    open_search(page, search_url, "?q=cafe")
    assert result_titles(page) == ["The café owners speak"]
    assert page.locator("#search-results mark").first.inner_text() == "café"
    page.fill("#search-q", "me too")
    wait_for_status(page, "^2 results for “me too”")
    assert result_titles(page)[0] == "#MeToo spreads in a day"
    assert "MeToo" in page.locator("#search-results mark").all_inner_texts()
    page.fill("#search-q", "kitch")
    wait_for_status(page, "^2 results for “kitch”")
    assert set(result_titles(page)) == {"The café owners speak", "A waiter, February 2018"}


def test_quoted_phrase_matches_words_in_order_only(page, search_url):
    open_search(page, search_url, '?q="silence breakers"')
    assert wait_for_status(page, "result") == "2 results for “\"silence breakers\"”."
    assert set(result_titles(page)) == {"#MeToo spreads in a day", "A nurse, March 2019"}
    page.fill("#search-q", "silence breakers")  # without quotes, "breakers of silence" matches too
    wait_for_status(page, "^3 results for “silence breakers”")


def test_filters_show_counts_and_live_in_the_url_with_history(page, search_url):
    open_search(page, search_url, "?q=harassment")
    options = page.locator("#search-kind option").all_inner_texts()
    assert options == ["Any", "Articles (2)", "Testimonies (1)"]
    assert page.locator("#search-year option").all_inner_texts() == ["Any", "2019 (1)", "2018 (1)", "2017 (1)"]
    assert page.locator("#search-tag option").all_inner_texts() == ["Any", "Law and policy (1)", "Workplace (2)"]
    page.select_option("#search-kind", "article")
    wait_for_status(page, "^2 results")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["harassment"], "kind": ["article"]}
    assert page.locator("#search-tag option").all_inner_texts() == ["Any", "Law and policy (1)", "Workplace (1)"]
    page.select_option("#search-year", "2019")
    wait_for_status(page, "^1 result")
    assert result_titles(page) == ["A new law on workplace harassment"]
    page.go_back()
    wait_for_status(page, "^2 results")
    assert page.input_value("#search-year") == ""
    page.go_back()
    wait_for_status(page, "^3 results")
    assert page.input_value("#search-kind") == "" and page.input_value("#search-q") == "harassment"
    page.go_forward()
    wait_for_status(page, "^2 results")
    assert page.input_value("#search-kind") == "article"


def test_filters_alone_browse_and_links_open_the_items(page, search_url):
    open_search(page, search_url, "?kind=testimony")
    assert wait_for_status(page, "result") == "2 results."
    assert result_titles(page) == ["A nurse, March 2019", "A waiter, February 2018"]
    assert page.locator("#search-results time").first.get_attribute("datetime") == "2019-03"
    page.locator("#search-results .card-title a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text().startswith("A nurse")


def test_keyboard_only_search(page, search_url):
    open_search(page, search_url)
    page.locator("#search-q").focus()
    page.keyboard.type("convention")
    page.keyboard.press("Enter")
    wait_for_status(page, "^1 result")
    page.keyboard.press("Tab")  # the submit button
    page.keyboard.press("Tab")  # kind
    assert page.evaluate("document.activeElement.id") == "search-kind"
    page.keyboard.press("ArrowDown")
    wait_for_status(page, "result")
    assert "kind=article" in page.url


def test_header_form_leads_to_the_search_page(page, search_site, serve_dir):
    page.goto(serve_dir(search_site) + "articles/")
    page.fill("#header-q", "nurse")
    page.locator("#header-q").press("Enter")
    page.wait_for_selector("#search[data-state=ready]")
    assert wait_for_status(page, "result") == "1 result for “nurse”."


def test_without_javascript_the_page_says_so_and_links_to_browsing(browser, search_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((search_site / "search/index.html").as_uri())
    message = page.locator("main").inner_text()
    assert "Search needs JavaScript" in message
    assert not page.locator("#search").is_visible()
    links = page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links == ["../articles/index.html", "../testimonies/index.html", "../tags/index.html", "../timeline/index.html"] or \
        links == ["../articles/", "../testimonies/", "../tags/", "../timeline/"]
    context.close()


def test_only_needed_shards_are_loaded(page, search_url):
    open_search(page, search_url, "?q=nurse")
    sources = page.evaluate("Array.from(document.scripts).map(s => s.getAttribute('src'))")
    loaded = sorted(s for s in sources if s and not s.startswith("../"))
    # No positions without a phrase; tags.js because it is small (else only to filter or count by tag);
    # the stemmer of the items' only language, English, and no other.
    assert loaded == ["docs/0.js", "facets.js", "manifest.js", "stem/base.js", "stem/english.js", "tags.js", "terms/0.js"]
    assert re.search(r"1 result", page.inner_text("#search-status"))
