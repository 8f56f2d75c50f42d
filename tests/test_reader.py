"""What readers get, checked with real tools: axe-core and the Nu HTML Checker on the demo
archive, quick exit in a real browser, and screenshots at phone and desktop widths."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PROJECT, build_site

NODE_MODULES = PROJECT / "node_modules"
AXE = NODE_MODULES / "axe-core/axe.min.js"
VNU = NODE_MODULES / "vnu-jar/build/dist/vnu.jar"
ARTIFACTS = PROJECT / "test-artifacts"
FOLDED_TESTIMONY = "testimonies/t001/"


def need(path: Path, what: str) -> None:
    """A missing test tool fails in CI and skips elsewhere, like the browser."""
    if not path.is_file():
        message = f"{what} not found at {path.relative_to(PROJECT)}: run `make test` (it runs npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def demo_url(demo_site, serve_dir):
    return serve_dir(demo_site)


@pytest.fixture
def axe_page(browser, request):
    """A page that may inject axe-core, although the site's CSP allows only its own scripts."""
    need(AXE, "axe-core")
    scheme = getattr(request, "param", "light")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True, color_scheme=scheme)
    tab = context.new_page()
    yield tab
    context.close()


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""() => axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
        resultTypes: ['violations']})""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]]


@pytest.mark.parametrize("path", ["", "articles/", "articles/balancetonporc-france-and-europe/", FOLDED_TESTIMONY,
                                  "tags/workplace/", "timeline/", "browse-safely/", "no-such-page/"])
def test_axe_finds_no_violation(axe_page, demo_url, path):
    response = axe_page.goto(demo_url + path)
    if path == "no-such-page/":
        # The test server has no 404 rule; the site's 404 page is what a configured server returns.
        axe_page.goto(demo_url + "404.html")
    else:
        assert response.ok
    assert axe_violations(axe_page) == []


def test_axe_finds_no_violation_with_the_warning_unfolded(axe_page, demo_url):
    axe_page.goto(demo_url + FOLDED_TESTIMONY)
    fold = axe_page.locator("details.cw-fold")
    assert fold.get_attribute("open") is None
    axe_page.click("details.cw-fold > summary")
    assert fold.get_attribute("open") is not None
    assert axe_violations(axe_page) == []


@pytest.mark.parametrize("path", ["testimonies/", "timeline/"])
def test_axe_finds_no_violation_with_the_reader_controls_and_a_card_open(axe_page, demo_url, path):
    axe_page.goto(demo_url + path)
    axe_page.click("details.reader-controls > summary")
    axe_page.check("input[data-hide-warning] >> nth=0")
    axe_page.click(".card-fold > summary >> nth=0")
    assert axe_violations(axe_page) == []


def test_axe_finds_no_violation_on_a_phone_while_counting_shift_presses(browser, demo_url):
    need(AXE, "axe-core")
    context = browser.new_context(viewport={"width": 375, "height": 812}, bypass_csp=True)
    tab = context.new_page()
    tab.goto(demo_url + FOLDED_TESTIMONY)
    tab.keyboard.press("Shift")
    assert tab.is_visible("[data-quick-exit-count]")
    assert axe_violations(tab) == []
    context.close()


@pytest.mark.parametrize("axe_page", ["dark"], indirect=True)
@pytest.mark.parametrize("path", ["", FOLDED_TESTIMONY])
def test_axe_finds_no_violation_in_the_dark_scheme(axe_page, demo_url, path):
    axe_page.goto(demo_url + path)
    assert axe_violations(axe_page) == []


def test_axe_finds_no_violation_on_search_with_results(axe_page, demo_url, demo_site):
    if not (demo_site / "search/index.html").is_file():
        pytest.skip("no search page in this build")
    axe_page.goto(demo_url + "search/?q=workplace")
    axe_page.wait_for_selector("#search-results > li")
    assert axe_violations(axe_page) == []


def test_nu_html_checker_finds_no_error_on_any_page(demo_site):
    need(VNU, "vnu-jar")
    if shutil.which("java") is None:
        pytest.fail("java not found: apt-get install default-jre-headless")
    pages = sorted(str(p) for p in demo_site.rglob("*.html"))
    assert len(pages) > 40
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m.get('url', '').removeprefix(f'file:{demo_site}/')}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] in ("error", "non-document-error")]
    assert errors == []


# Quick exit: the neutral page is a local one, since tests reach no other host.

@pytest.fixture(scope="module")
def exit_site(tmp_path_factory, serve_dir):
    neutral = tmp_path_factory.mktemp("neutral")
    (neutral / "index.html").write_text("<!doctype html><title>Weather</title><h1>Weather</h1>", encoding="utf-8")
    neutral_url = serve_dir(neutral)
    root = tmp_path_factory.mktemp("exit-site")
    shutil.copytree(PROJECT / "content", root / "content")
    (root / "site.yaml").write_text((PROJECT / "site.yaml").read_text(encoding="utf-8").replace(
        'quick_exit_url: "https://www.wikipedia.org/"', f'quick_exit_url: "{neutral_url}"'), encoding="utf-8")
    report = build_site(root, root / "_site")
    assert not report.errors
    return serve_dir(root / "_site"), neutral_url


@pytest.mark.parametrize("how", ["click", "shift three times"])
def test_quick_exit_replaces_the_page_and_back_does_not_return(page, exit_site, how):
    site_url, neutral_url = exit_site
    page.goto("about:blank")
    page.goto(site_url + FOLDED_TESTIMONY)
    assert page.get_attribute(".quick-exit", "data-quick-exit") == neutral_url
    assert page.is_visible("[data-quick-exit-hint]")
    if how == "click":
        page.click(".quick-exit")
    else:
        for _ in range(3):
            page.keyboard.press("Shift")
    page.wait_for_url(neutral_url)
    assert page.text_content("h1") == "Weather"
    page.go_back()
    assert page.url == "about:blank"


def test_two_shift_presses_or_slow_presses_do_not_leave(page, exit_site):
    """Three presses within 5 seconds leave (as GOV.UK's "Exit this page"); two, then a third
    after the 5 seconds, do not."""
    site_url, _ = exit_site
    page.goto(site_url)
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(5200)
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url == site_url


def test_quick_exit_is_a_plain_link_without_javascript(browser, exit_site):
    site_url, neutral_url = exit_site
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url)
    assert not tab.is_visible("[data-quick-exit-hint]")
    tab.click(".quick-exit")
    tab.wait_for_url(neutral_url)
    context.close()


def test_printing_shows_folded_text(page, demo_url):
    page.goto(demo_url + FOLDED_TESTIMONY)
    assert not page.is_visible(".cw-fold .prose")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    assert page.is_visible(".cw-fold .prose")
    assert not page.is_visible(".quick-exit")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert not page.is_visible(".cw-fold .prose")


@pytest.mark.parametrize("width", [320, 375, 1280])
@pytest.mark.parametrize("name, path", [("home", ""), ("testimony", FOLDED_TESTIMONY), ("article", "articles/india-metoo-2018/")])
def test_pages_fit_the_screen_and_screenshots_are_saved(browser, demo_url, name, path, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.goto(demo_url + path)
    assert tab.evaluate("() => document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    if width != 320:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    context.close()
