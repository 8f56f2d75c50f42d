"""Reader journeys in a real browser, with real key events and a small touch screen: the quick
exit never fires by accident and is always in reach, warnings are honoured wherever an item
appears, and the reader's choice of warnings to hide holds across the archive."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import PROJECT, build_site

LONG_TESTIMONY = "testimonies/t001/"
PHONE = {"viewport": {"width": 375, "height": 812}, "has_touch": True, "is_mobile": True}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def journey_site(tmp_path_factory, serve_dir):
    """The demo archive, with a local page as the neutral site the quick exit goes to."""
    neutral = tmp_path_factory.mktemp("neutral")
    (neutral / "index.html").write_text("<!doctype html><title>Weather</title><h1>Weather</h1>", encoding="utf-8")
    neutral_url = serve_dir(neutral)
    root = tmp_path_factory.mktemp("journeys")
    shutil.copytree(PROJECT / "content", root / "content")
    (root / "site.yaml").write_text((PROJECT / "site.yaml").read_text(encoding="utf-8").replace(
        'quick_exit_url: "https://www.wikipedia.org/"', f'quick_exit_url: "{neutral_url}"'), encoding="utf-8")
    report = build_site(root, root / "_site")
    assert not report.errors
    return serve_dir(root / "_site"), neutral_url, root / "_site"


# Typing as people type: Shift held for "#" and capitals, about 90 ms a key. A fast typist
# often lets go of Shift before the letter ("rollover").

KEYS = {"#": ("Digit3", True), " ": ("Space", False)}


def type_as_a_person(page, text: str, delay: int = 90, rollover: bool = False) -> None:
    for character in text:
        if character in KEYS:
            code, shifted = KEYS[character]
        else:
            code, shifted = "Key" + character.upper(), character.isupper()
        if shifted:
            page.keyboard.down("Shift")
            page.wait_for_timeout(delay // 3)
            page.keyboard.down(code)
            if rollover:
                page.keyboard.up("Shift")
                page.keyboard.up(code)
            else:
                page.keyboard.up(code)
                page.keyboard.up("Shift")
        else:
            page.keyboard.press(code)
        page.wait_for_timeout(delay)


@pytest.mark.parametrize("rollover", [False, True], ids=["shift released last", "shift released first"])
@pytest.mark.parametrize("box, path", [("#header-q", ""), ("#header-q", LONG_TESTIMONY), ("#search-q", "search/")])
def test_typing_hashtags_never_leaves_the_site(page, journey_site, box, path, rollover):
    site_url, _, _ = journey_site
    page.goto(site_url + path)
    page.click(box)
    type_as_a_person(page, "#MeToo #BalanceTonPorc", rollover=rollover)
    page.wait_for_timeout(300)
    assert page.url.startswith(site_url)
    assert page.input_value(box) == "#MeToo #BalanceTonPorc"
    assert page.is_visible("main")


def test_three_lone_shift_presses_count_aloud_then_leave_and_back_does_not_return(page, journey_site):
    site_url, neutral_url, _ = journey_site
    page.goto("about:blank")
    page.goto(site_url + LONG_TESTIMONY)
    counter = page.locator("[data-quick-exit-count]")
    assert counter.get_attribute("role") == "status"
    page.keyboard.press("Shift")
    assert counter.text_content() == "Shift pressed 1 of 3 times" and counter.is_visible()
    page.keyboard.press("Shift")
    assert counter.text_content() == "Shift pressed 2 of 3 times"
    page.keyboard.press("Shift")
    page.wait_for_url(neutral_url)
    page.go_back()
    assert page.url == "about:blank"


def test_another_key_between_shift_presses_starts_the_count_again(page, journey_site):
    site_url, _, _ = journey_site
    page.goto(site_url)
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("KeyA")
    assert page.text_content("[data-quick-exit-count]") == ""
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url == site_url


def test_shift_presses_mid_word_in_a_text_field_do_not_count(page, journey_site):
    site_url, _, _ = journey_site
    page.goto(site_url)
    page.click("#header-q")
    page.keyboard.type("Wein")
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url == site_url


def test_the_exit_is_the_first_stop_after_the_skip_link(page, journey_site):
    site_url, _, _ = journey_site
    page.goto(site_url + LONG_TESTIMONY)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "quick-exit"


def test_on_a_phone_the_exit_is_in_reach_at_the_end_of_a_long_testimony_and_a_tap_leaves(browser, journey_site):
    site_url, neutral_url, _ = journey_site
    context = browser.new_context(**PHONE)
    tab = context.new_page()
    tab.goto(site_url + LONG_TESTIMONY)
    tab.locator("details.cw-fold > summary").tap()
    assert tab.is_visible(".cw-fold .prose")
    tab.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    tab.wait_for_timeout(200)
    assert tab.evaluate("() => window.scrollY") > 600  # far down the page
    box = tab.locator(".quick-exit").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 812, box
    assert box["width"] >= 44 and box["height"] >= 44, box
    assert not tab.is_visible("[data-quick-exit-hint]")  # no Shift key on a touch screen
    tab.locator(".quick-exit").tap()
    tab.wait_for_url(neutral_url)
    context.close()


def test_a_keyboard_device_shows_the_shift_hint(page, journey_site):
    site_url, _, _ = journey_site
    page.goto(site_url)
    assert page.is_visible("[data-quick-exit-hint]")


@pytest.mark.parametrize("path", ["", "articles/", "articles/nyt-weinstein-settlements/", LONG_TESTIMONY, "testimonies/",
                                  "tags/", "tags/workplace/", "timeline/", "search/", "browse-safely/", "404.html"])
def test_on_a_phone_content_starts_in_the_first_third_of_the_screen(browser, journey_site, path):
    site_url, _, out = journey_site
    if not (out / path.removesuffix("/") / ("index.html" if path.endswith("/") or not path else "")).exists() \
            and not (out / path).is_file():
        pytest.fail(f"{path} is not in the demo build")
    context = browser.new_context(**PHONE)
    tab = context.new_page()
    tab.goto(site_url + path)
    top = tab.evaluate("() => document.querySelector('main').firstElementChild.getBoundingClientRect().top")
    assert top <= 812 / 3, f"content starts {top} px down"
    # Navigation and search are one tap away.
    assert tab.locator(".site-nav a", has_text="Search").is_visible()
    context.close()


def test_the_search_page_has_one_search_box(page, journey_site):
    site_url, _, _ = journey_site
    page.goto(site_url + "search/")
    assert page.locator("input[type=search]").count() == 1


# Warnings wherever an item appears.

@pytest.mark.parametrize("path", ["", "testimonies/", "tags/workplace/", "timeline/", LONG_TESTIMONY])
def test_a_warned_summary_is_folded_until_the_reader_opens_it(page, journey_site, path):
    site_url, _, _ = journey_site
    page.goto(site_url + path)
    cards = page.locator(".card[data-warnings]")
    assert cards.count() > 0
    for n in range(cards.count()):
        card = cards.nth(n)
        assert card.locator(".card-cw").inner_text().startswith("Content warning: ")
        if card.locator(".card-summary").count():
            assert not card.locator(".card-summary").is_visible()
    card = page.locator(".card[data-warnings]:has(.card-fold)").first
    summary = card.locator("summary")
    assert summary.inner_text() == "Show summary"
    summary.click()
    assert card.locator(".card-summary").is_visible()
    assert summary.inner_text() == "Hide summary"


def test_the_body_fold_says_hide_once_open(page, journey_site):
    site_url, _, _ = journey_site
    page.goto(site_url + LONG_TESTIMONY)
    control = page.locator("details.cw-fold > summary").first
    assert control.inner_text() == "Show testimony"
    control.click()
    assert control.inner_text() == "Hide testimony"


def test_cards_without_warnings_show_their_summary(page, journey_site):
    site_url, _, _ = journey_site
    page.goto(site_url + "articles/")
    plain = page.locator(".card:not([data-warnings]) .card-summary")
    assert plain.count() > 0 and plain.first.is_visible()


def test_the_feed_states_the_warning_before_the_summary(journey_site):
    _, _, out = journey_site
    entries = ET.parse(out / "feed.xml").getroot().findall(f"{ATOM}entry")
    warned = [entry for entry in entries
              if any(c.get("term", "").startswith("content-warning:") for c in entry.findall(f"{ATOM}category"))]
    assert warned and len(warned) < len(entries)
    for entry in warned:
        labels = [c.get("label") for c in entry.findall(f"{ATOM}category") if c.get("term").startswith("content-warning:")]
        assert all(label.startswith("Content warning: ") for label in labels)
        summary = entry.find(f"{ATOM}summary").text
        assert summary.startswith("Content warning: " + ", ".join(label.removeprefix("Content warning: ")
                                                                  for label in labels) + ".\n")
    for entry in entries:
        if entry not in warned:
            assert not entry.find(f"{ATOM}summary").text.startswith("Content warning")


def test_with_folding_off_nothing_is_folded(site_tree, tmp_path):
    site_yaml = ("title: T\nbase_url: https://example.org/\nfold_content_warnings: false\n"
                 "content_warnings:\n  harassment: Harassment\n")
    testimony = ("---\ndate: 2018-01\nsummary: What happened.\ncontent_warnings: [harassment]\n"
                 "consent: {status: granted, recorded: 2018-01-02}\n---\nText.\n")
    root = site_tree({"content/testimonies/t1.md": testimony}, site_yaml=site_yaml)
    assert not build_site(root, tmp_path / "out").errors
    for page in ("testimonies/index.html", "testimonies/t1/index.html", "index.html"):
        html = (tmp_path / "out" / page).read_text()
        assert "<details class=\"cw-fold" not in html and "<details class=\"card-fold" not in html
    assert "Content warning: Harassment" in (tmp_path / "out/testimonies/index.html").read_text()


# The reader's choice of warnings to hide.

def test_hidden_warnings_leave_lists_for_this_tab_only_unless_remembered(browser, journey_site):
    site_url, _, _ = journey_site
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(site_url + "testimonies/")
    assert tab.is_visible("details.reader-controls")
    warned = tab.locator('.card[data-warnings~="abuse-of-power"]')
    before = tab.locator(".cards > li:visible").count()
    assert warned.count() > 0 and warned.first.is_visible()
    tab.click("details.reader-controls > summary")
    tab.check('input[data-hide-warning][value="abuse-of-power"]')
    assert not warned.first.is_visible()
    assert tab.locator(".cards > li:visible").count() == before - warned.count()
    assert re.match(r"\d+ items? (is|are) hidden because of the warnings you chose to hide\.",
                    tab.text_content("[data-hidden-count]"))
    # Across pages of the same tab, not stored on the device.
    tab.goto(site_url + "timeline/")
    assert tab.locator('.card[data-warnings~="abuse-of-power"]').count() > 0
    assert not tab.locator('.card[data-warnings~="abuse-of-power"]').first.is_visible()
    assert tab.evaluate("() => sessionStorage.getItem('chorus-hide')") == '["abuse-of-power"]'
    assert tab.evaluate("() => localStorage.getItem('chorus-hide')") is None
    other = context.new_page()  # a new tab: its own session
    other.goto(site_url + "testimonies/")
    assert other.locator('.card[data-warnings~="abuse-of-power"]').first.is_visible()
    # Remembered on this device when the reader asks.
    tab.goto(site_url + "testimonies/")
    tab.click("details.reader-controls > summary")
    tab.check("input[data-remember]")
    assert tab.evaluate("() => localStorage.getItem('chorus-hide')") == '["abuse-of-power"]'
    other.goto(site_url + "tags/workplace/")
    assert not other.locator('.card[data-warnings~="abuse-of-power"]').first.is_visible()
    tab.uncheck("input[data-remember]")
    assert tab.evaluate("() => [localStorage.getItem('chorus-hide'), localStorage.getItem('chorus-remember')]") == [None, None]
    context.close()


def test_without_javascript_the_reader_controls_are_not_offered(browser, journey_site):
    site_url, _, _ = journey_site
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + "testimonies/")
    assert not tab.is_visible("details.reader-controls")
    context.close()
