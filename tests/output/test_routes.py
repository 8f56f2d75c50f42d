"""The route table (generator/output/routes.py) says which pages show an item's text; the
preview's patch makes only those again after an edit to the text alone. Rendering every page
of a site whose items each hold a sentinel word in their text checks the table against the
templates: a page that showed text without its route saying so would keep stale (or withdrawn)
words after a patch."""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.config import load_config
from generator.content.sources import discover
from generator.content.validate import validate
from generator.output.render import SiteRenderer
from generator.output.routes import BY_NAME, ROUTES, TEXT_ROUTES, routes
from generator.site.assemble import assemble
from tests.conftest import PROJECT

FIXTURES = PROJECT / "tests" / "fixtures"


def _sentinel_site(tmp_path: Path, fixture: str) -> tuple[Path, dict[str, str]]:
    """The fixture with a sentinel word at the end of each item's Markdown text: {sentinel: file}."""
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, root, ignore=shutil.ignore_patterns("expected"))
    sentinels = {}
    for number, path in enumerate(sorted((root / "content").glob("[at]*/*.*"))):
        sentinel = f"zqsentinel{number}x"
        text = path.read_text(encoding="utf-8").rstrip("\n")
        # A YAML item's text is its last field, the indented block under body:
        added = f"\n  Sentinel {sentinel}.\n" if path.suffix == ".yaml" else f"\n\nSentinel {sentinel}.\n"
        path.write_text(text + added, encoding="utf-8")
        sentinels[sentinel] = path.name
    return root, sentinels


def _render_every_page(root: Path, profile: str):
    config, problems = load_config(root / "site.yaml")
    assert config is not None, problems
    sources, _ = discover(config)
    content, _ = validate(sources, config)
    site, _ = assemble(content, dt.date(2026, 1, 1))
    renderer = SiteRenderer(config, site, profile)
    jobs = renderer.page_jobs()
    return renderer, site, jobs, {job.path: renderer.render_job(job).data.decode("utf-8") for job in jobs}


@pytest.mark.parametrize("fixture", ["basic", "languages"])
@pytest.mark.parametrize("profile", ["web", "offline"])
def test_only_the_routes_marked_shows_text_show_an_items_text(tmp_path, fixture, profile):
    root, sentinels = _sentinel_site(tmp_path, fixture)
    renderer, site, jobs, pages = _render_every_page(root, profile)
    route_of = {job.path: job.route for job in jobs}
    showing = {path for path, text in pages.items() if any(word in text for word in sentinels)}
    assert showing, "no page shows any item's text: the sentinels were not placed"
    assert {route_of[path] for path in showing} <= TEXT_ROUTES, \
        {path: route_of[path] for path in showing if route_of[path] not in TEXT_ROUTES}
    # ...and each published item's own page is among them, so the check above has teeth.
    published = {item.url for item in site.items}
    for job in jobs:
        if job.route == "item":
            assert job.url in published
            assert any(word in pages[job.path] for word in sentinels), job.path
    # The patch's list for an edit to every item is exactly the text routes' pages.
    patched = renderer.jobs_showing_text(list(site.items), {id(item) for item in site.items})
    assert {job.path for job in patched} == {job.path for job in jobs if job.route in TEXT_ROUTES}


def test_a_withdrawn_testimonys_text_is_on_no_page(tmp_path):
    root, sentinels = _sentinel_site(tmp_path, "basic")
    withdrawn = next(word for word, name in sentinels.items() if name == "g003.md")
    _renderer, _site, _jobs, pages = _render_every_page(root, "web")
    assert not [path for path, text in pages.items() if withdrawn in text]


def test_the_sitemap_lists_every_page_of_the_routes_marked_sitemap(tmp_path):
    root, _ = _sentinel_site(tmp_path, "languages")
    _renderer, _site, jobs, pages = _render_every_page(root, "web")
    listed = {job.url for job in jobs if BY_NAME[job.route].sitemap}
    sitemap = pages["sitemap.xml"]
    assert listed and all(f"{url}</loc>" in sitemap for url in listed)
    assert sitemap.count("<url>") == len(listed)
    assert "/404.html" not in sitemap and "/feed.xml" not in sitemap


def test_the_offline_bundle_has_no_web_only_route():
    web_only = {route.name for route in ROUTES if route.web_only}
    assert web_only and not web_only & {route.name for route in routes("offline")}
    assert [route.name for route in routes("web")][-1] == "sitemap"
